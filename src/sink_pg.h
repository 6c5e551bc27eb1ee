/* sink_pg — applies changes to another PostgreSQL, exactly once.
 *
 * One target transaction per batch of source transactions; the source
 * position reached is recorded in the same target transaction (a
 * replication origin where the role may use one, else a progress table),
 * and on start the sink skips every source transaction the target already
 * has. Rows are found by the replica identity: the key columns, or for a
 * table with REPLICA IDENTITY FULL and no key, the whole old row. */
#ifndef WALHOOK_SINK_PG_H
#define WALHOOK_SINK_PG_H

#include "sink.h"

struct sink_pg_config {
	const char *conninfo;
	const char *slot;          /* the source slot: names the progress */
	const char *progress_name; /* overrides "walhook_<slot>" */
};

struct sink *sink_pg_new(const struct sink_pg_config *c, struct err *e);

#endif
