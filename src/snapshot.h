/* snapshot — --snapshot: the rows of every published table as they were
 * when the slot was created, read inside the slot's exported snapshot and
 * handed to the script as op "read" before streaming starts, so that no
 * row is missed and none comes twice while writes go on. */
#ifndef WALHOOK_SNAPSHOT_H
#define WALHOOK_SNAPSHOT_H

#include "conn.h"
#include "err.h"
#include "pipeline.h"

/* Copies the tables of publications (comma list) on a second connection
 * inside snapshot_name, delivering each table as one transaction that
 * ends at consistent_point. The replication connection that exported the
 * snapshot must stay idle meanwhile. */
int snapshot_copy(const struct conn_params *params, const char *snapshot_name,
		  const char *publications, uint64_t consistent_point,
		  struct pipeline *p, struct err *e);

#endif
