/* sink_pg state — the target's records of backfills' progress, in the
 * table walhook.state: one row a backfill, named for the sink's progress
 * name and the backfill's table, so that two walhooks on one target keep
 * theirs apart. A record is written in the open target transaction, so
 * it commits with the rows of its chunk and moves with the target's data:
 * a target restored from a backup, or emptied, takes its records back
 * with it. */
#include "sinks/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "protocol/pgsql.h"

static const char *const make_table[] = {
	"CREATE SCHEMA IF NOT EXISTS walhook",
	"CREATE TABLE IF NOT EXISTS walhook.state ("
	" name text PRIMARY KEY, value text NOT NULL,"
	" updated timestamptz NOT NULL DEFAULT now())",
};

static void record_name(const struct pgsink *p, const char *name,
			struct buf *out)
{
	buf_printf(out, "%s/%s", p->progress_name, name);
}

/* walhook.state made outside any transaction, so that it is there for
 * good (p->state_table). */
static int create_table(struct pgsink *p, struct err *e)
{
	for (size_t i = 0; i < sizeof make_table / sizeof *make_table; i++) {
		PGresult *res = pgsink_run(p, make_table[i], 0, NULL,
					   "creating walhook.state", e);
		if (!res)
			return -1;
		PQclear(res);
	}
	p->state_table = true;
	return 0;
}

/* The record under key into *text, when the table is there: inside an
 * open target transaction walhook.state may not be made yet. */
static int select_record(struct pgsink *p, const char *key, char **text,
			 struct err *e)
{
	PGresult *res = pgsink_run(
	    p, "SELECT pg_catalog.to_regclass('walhook.state') IS NOT NULL", 0,
	    NULL, "looking for walhook.state", e);
	if (!res)
		return -1;
	bool there = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!there)
		return 0;
	const char *params[] = { key };
	res = pgsink_run(p, "SELECT value FROM walhook.state WHERE name = $1",
			 1, params, "reading walhook.state", e);
	if (!res)
		return -1;
	if (PQntuples(res))
		*text = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Between source transactions; a batch still open has written no
 * record yet (records are read before any chunk is), so what the
 * session sees is what the target has committed. */
int pgsink_read_state(struct sink *s, const char *name, char **text,
		      struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	*text = NULL;
	if (pgsink_ensure_connected(p, e) < 0 || pgsink_drain(p, e) < 0)
		return -1;
	if (!PQexitPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, "reading walhook.state");
		return pgsink_fail(p, e);
	}
	struct buf key = { 0 };
	record_name(p, name, &key);
	int rc = p->in_txn || p->state_table ? 0 : create_table(p, e);
	if (rc == 0)
		rc = select_record(p, buf_cstr(&key), text, e);
	buf_free(&key);
	if (!PQenterPipelineMode(p->conn) && rc == 0)
		rc = pgsql_fail(e, p->conn, NULL, "reading walhook.state");
	return rc < 0 ? pgsink_fail(p, e) : 0;
}

int pgsink_write_state(struct sink *s, const char *name, const char *text,
		       struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	if (pgsink_open_txn(p, e) < 0)
		return -1;
	/* A sink made after the records were read: the table is made in
	 * this transaction, as often as it takes to commit one. */
	for (size_t i = 0;
	     !p->state_table && i < sizeof make_table / sizeof *make_table; i++)
		if (pgsink_queue_plain(p, make_table[i], e) < 0)
			return -1;
	struct buf key = { 0 };
	record_name(p, name, &key);
	char doing[200];
	snprintf(doing, sizeof doing, "recording the backfill of %s", name);
	const char *params[] = { buf_cstr(&key), text };
	int rc = pgsink_queue(
	    p,
	    "INSERT INTO walhook.state (name, value) VALUES ($1, $2)"
	    " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value,"
	    " updated = now()",
	    2, (const uint32_t[]){ 0, 0 }, params, NULL, NULL, NULL, doing, e);
	buf_free(&key);
	if (rc == 0)
		sink_wrote(s, strlen(text));
	return rc;
}
