/* sink_pg — applies changes to another PostgreSQL, exactly once.
 *
 * One target transaction per batch of source transactions; the source
 * position reached is recorded in the same target transaction (a
 * replication origin where the role may use one, else a progress table),
 * and on start the sink skips every source transaction the target already
 * has. Runs of inserts into one table go by COPY, runs of updates and
 * deletes of one table in a few statements, each run before whatever
 * follows it. Rows are found as a subscription finds them: by the target's
 * replica identity index or primary key, else by the whole old row (one
 * of equal rows changes). The session runs with session_replication_role
 * = replica where the role may set it, as a subscription's worker does. */
#ifndef WALHOOK_SINK_PG_H
#define WALHOOK_SINK_PG_H

#include "core/sink.h"

struct sink_pg_config {
	const char *conninfo;
	const char *slot;	   /* the source slot: names the progress */
	const char *progress_name; /* overrides "walhook_<slot>" */
	/* replica_role = false: apply as an ordinary session, not with
	 * session_replication_role = replica (so ordinary triggers fire and
	 * foreign keys are checked). */
	bool no_replica_role;
	/* ddl = "apply": schema changes (handle_ddl's tables) are run on the
	 * target; by default they are skipped. */
	bool apply_ddl;
};

struct sink *sink_pg_new(const struct sink_pg_config *c, struct err *e);

#endif
