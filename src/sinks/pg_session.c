/* sink_pg session — the postgres sink's connection to its target: the
 * session's settings, the position the target holds (a replication
 * origin, else the walhook.progress table), and connecting again after
 * the target went away. */
#include "sinks/pg_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/lsn.h"
#include "protocol/pgsql.h"

/* How long a replication origin held by another session is waited for. */
#define ORIGIN_WAIT_US (10 * 1000 * 1000)

/* A statement outside the pipeline (setup, lookups); res is the caller's. */
PGresult *pgsink_run(struct pgsink *p, const char *sql, int n,
		     const char *const *params, const char *doing,
		     struct err *e)
{
	PGresult *res;
	return pgsql_exec(p->conn, sql, n, params, &res, doing, e) < 0 ? NULL
								       : res;
}

/* A target that is down, restarting or out of connections comes back:
 * walhook retries those rather than stopping. Whatever failed while the
 * connection is not OK is such a failure, a lookup as much as a write. */
int pgsink_fail(struct pgsink *p, struct err *e)
{
	const char *c = e->code;
	e->transient = e->transient || PQstatus(p->conn) != CONNECTION_OK ||
		       !strncmp(c, "08", 2) || !strncmp(c, "57", 2) ||
		       !strncmp(c, "53", 2);
	return -1;
}

/* ---- the session: settings, progress ---- */

/* Whether the server refused for want of a privilege (42501): the sink
 * then goes on without what it asked for. */
static bool lacks_privilege(const PGresult *res)
{
	const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return code && strcmp(code, "42501") == 0;
}

/* What the session needs before it applies anything:
 *  - session_replication_role = replica, as a subscription's worker runs:
 *    ordinary triggers and foreign key checks do not fire, ENABLE REPLICA
 *    and ENABLE ALWAYS triggers do. It takes superuser, or on 15 and later
 *    GRANT SET ON PARAMETER; without it the sink goes on as an ordinary
 *    session and says so once.
 *  - lc_monetary = C: money arrives as the C locale's text ("$1,234.56",
 *    which is also what binary mode gives), read back exactly whatever
 *    the target's own locale.
 *  - IntervalStyle = postgres, the style intervals arrive in. */
static int setup_session(struct pgsink *p, struct err *e)
{
	static const char *const settings[] = {
		"SET lc_monetary = 'C'",
		"SET IntervalStyle = postgres",
	};
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		PGresult *res = pgsink_run(p, settings[i], 0, NULL,
					   "setting up the target session", e);
		if (!res)
			return -1;
		PQclear(res);
	}
	PGresult *res;
	if (!p->replica_role)
		return 0;
	res = PQexec(p->conn, "SET session_replication_role = replica");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (!lacks_privilege(res)) {
			pgsql_fail(e, p->conn, res,
				   "setting session_replication_role");
			PQclear(res);
			return -1;
		}
		if (!p->warned_role)
			fprintf(
			    stderr,
			    "walhook: warning: sink %s: the target role may not set "
			    "session_replication_role = replica, so target triggers fire "
			    "and foreign keys are checked as in any session (replica_role = false "
			    "says that is intended)\n",
			    p->base.name);
		p->warned_role = true;
	}
	PQclear(res);
	return 0;
}

/* Whether the replication origin p->progress_name exists, creating it
 * when the role may. Creating and using an origin takes superuser or a
 * grant on the functions (even to look one up); without it, *exists is
 * false and a table keeps the position. */
static int find_origin(struct pgsink *p, bool *exists, struct err *e)
{
	const char *name[] = { p->progress_name };
	bool may = true;
	*exists = false;
	PGresult *res = PQexecParams(
	    p->conn, "SELECT pg_catalog.pg_replication_origin_oid($1)", 1, NULL,
	    name, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		*exists = !PQgetisnull(res, 0, 0);
	} else {
		if (!lacks_privilege(res)) {
			pgsql_fail(e, p->conn, res,
				   "looking up the replication origin");
			PQclear(res);
			return -1;
		}
		may = false;
	}
	PQclear(res);
	if (may && !*exists) {
		res = PQexecParams(
		    p->conn,
		    "SELECT pg_catalog.pg_replication_origin_create($1)", 1,
		    NULL, name, NULL, NULL, 0);
		*exists = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
	}
	return 0;
}

/* Makes the origin this session's (p->use_origin when that worked). In
 * use by another session: a second walhook on one target must not share
 * the position. But the session of a walhook that was just killed holds
 * it until the server notices its client is gone, which takes a moment:
 * wait that long. */
static int take_origin(struct pgsink *p, struct err *e)
{
	const char *name[] = { p->progress_name };
	int64_t give_up = mono_now_us() + ORIGIN_WAIT_US;
	for (;;) {
		PGresult *res = PQexecParams(
		    p->conn,
		    "SELECT pg_catalog.pg_replication_origin_session_setup($1)",
		    1, NULL, name, NULL, NULL, 0);
		p->use_origin = PQresultStatus(res) == PGRES_TUPLES_OK;
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (!p->use_origin && code && strcmp(code, "55006") == 0) {
			if (mono_now_us() < give_up) {
				PQclear(res);
				struct timespec pause = { 0,
							  100 * 1000 * 1000 };
				nanosleep(&pause, NULL);
				continue;
			}
			pgsql_fail(e, p->conn, res,
				   "using the replication origin");
			PQclear(res);
			return -1;
		}
		PQclear(res);
		return 0;
	}
}

/* The position the target holds into p->progress: the origin's, else
 * walhook.progress's (the table made when it is not there yet). */
static int read_progress(struct pgsink *p, struct err *e)
{
	const char *name[] = { p->progress_name };
	PGresult *res;
	if (p->use_origin) {
		res = pgsink_run(
		    p,
		    "SELECT pg_catalog.pg_replication_origin_progress($1, true)",
		    1, name, "reading the replication origin's position", e);
	} else {
		if (!(res = pgsink_run(p, "CREATE SCHEMA IF NOT EXISTS walhook",
				       0, NULL, "creating the walhook schema",
				       e)))
			return -1;
		PQclear(res);
		if (!(res = pgsink_run(
			  p,
			  "CREATE TABLE IF NOT EXISTS walhook.progress ("
			  " name text PRIMARY KEY, lsn pg_lsn NOT NULL,"
			  " updated timestamptz NOT NULL DEFAULT now())",
			  0, NULL, "creating walhook.progress", e)))
			return -1;
		PQclear(res);
		res = pgsink_run(
		    p, "SELECT lsn FROM walhook.progress WHERE name = $1", 1,
		    name, "reading walhook.progress", e);
	}
	if (!res)
		return -1;
	p->progress = 0;
	if (PQntuples(res) && !PQgetisnull(res, 0, 0))
		lsn_parse(PQgetvalue(res, 0, 0), &p->progress);
	PQclear(res);
	return 0;
}

static int setup_progress(struct pgsink *p, struct err *e)
{
	bool exists;
	if (find_origin(p, &exists, e) < 0)
		return -1;
	p->use_origin = false;
	if (exists && take_origin(p, e) < 0)
		return -1;
	if (PQstatus(p->conn) != CONNECTION_OK)
		return pgsql_fail(e, p->conn, NULL,
				  "setting up the replication origin");
	return read_progress(p, e);
}

int pgsink_setup(struct pgsink *p, struct err *e)
{
	return setup_session(p, e) < 0 || setup_progress(p, e) < 0 ? -1 : 0;
}

/* Connects again after the target went away: a new session, so new
 * settings and prepared statements, tables described anew (they may have
 * changed meanwhile), and the position read again (a commit whose answer
 * was lost may have happened). A target transaction that was open went
 * with the old session: that is a failure even when the new session
 * works, or the rest of the batch would commit without its first rows. */
int pgsink_ensure_connected(struct pgsink *p, struct err *e)
{
	if (PQstatus(p->conn) == CONNECTION_OK && !p->unusable)
		return 0;
	bool lost_batch = p->in_txn;
	PQreset(p->conn);
	p->unusable = false;
	p->in_txn = false;
	p->queued = 0;
	p->savepoint = 0;
	pgsink_copy_forget(p);
	pgsink_batch_forget(p);
	pgsink_forget_statements(p);
	pgsink_tables_stale(p);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pgsql_fail(e, p->conn, NULL, "connecting to the target again");
		e->transient = true;
		return -1;
	}
	if (pgsink_setup(p, e) < 0)
		return pgsink_fail(p, e);
	if (!PQenterPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, "entering pipeline mode");
		return pgsink_fail(p, e);
	}
	if (lost_batch) {
		err_set(e, "the connection to the target was lost inside a batch");
		e->transient = true;
		return -1;
	}
	return 0;
}
