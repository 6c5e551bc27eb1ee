/* snapshot — --snapshot: the rows of every published table as they were
 * when the slot was created, read inside the slot's exported snapshot and
 * handed to the script as op "read" before streaming starts, so that no
 * row is missed and none comes twice while writes go on.
 *
 * The slot that streams afterwards exists only once the copy has been
 * delivered durably: the snapshot is exported by a temporary slot, and the
 * permanent one is made as a copy of it at the end (same consistent point).
 * So walhook killed at any moment of the copy leaves no slot behind, and
 * the same command line starts over; a slot that exists had its snapshot
 * delivered. With --temporary the snapshot's own slot is the one. */
#ifndef WALHOOK_SNAPSHOT_H
#define WALHOOK_SNAPSHOT_H

#include <stdbool.h>

#include "base/err.h"
#include "pipeline/pipeline.h"
#include "protocol/conn.h"

struct snapshot_plan {
	const char *slot; /* the slot to stream from afterwards */
	const char *plugin;
	bool temporary; /* --temporary: the snapshot's slot is that one */
	bool two_phase;
	const char *publications; /* comma list */
};

/* Creates on repl the temporary slot that exports the snapshot; out gets
 * its consistent point and snapshot name. Nothing else may run on repl
 * until snapshot_deliver. */
int snapshot_begin(PGconn *repl, const struct snapshot_plan *plan,
		   struct slot_info *out, struct err *e);
/* Copies every published table on a second connection inside the
 * snapshot, each table one transaction of "read" rows ending at the
 * consistent point, delivers them durably (every sink flushed), then
 * makes the permanent slot. */
int snapshot_deliver(PGconn *repl, const struct conn_params *params,
		     const struct snapshot_plan *plan,
		     const struct slot_info *slot, struct pipeline *p,
		     struct err *e);

#endif
