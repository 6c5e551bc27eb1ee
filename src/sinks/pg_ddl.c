/* sink_pg ddl — schema changes applied to the target: the statement text
 * the source ran, once per text, in the target transaction that holds
 * the rows around it, so the target's tables change where the source's
 * did. The text may hold several statements (a query string), which only
 * the simple protocol runs: it goes outside the pipeline. */
#include "sinks/pg_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/lsn.h"
#include "protocol/pgsql.h"

/* The commands whose text is replayed; any other (a publication, a
 * function, a role) belongs to the source alone. */
static bool applies(const char *tag)
{
	static const char *const tags[] = { "ALTER TABLE", "CREATE TABLE",
					    "DROP TABLE", "CREATE INDEX" };
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strcmp(tag, tags[i]) == 0)
			return true;
	return false;
}

/* Runs sql outside the pipeline, in the open target transaction; on a
 * refusal the transaction is rolled back. */
static int run_outside(struct pgsink *p, const char *sql, const char *doing,
		       struct err *e)
{
	if (pgsink_drain(p, e) < 0)
		return -1;
	if (!PQexitPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, doing);
		return pgsink_fail(p, e);
	}
	int rc = pgsql_exec_simple(p->conn, sql, NULL, doing, e);
	if (rc < 0 && PQstatus(p->conn) == CONNECTION_OK) {
		PQclear(PQexec(p->conn, "ROLLBACK"));
		p->in_txn = false;
		p->savepoint = 0;
	}
	if (!PQenterPipelineMode(p->conn) && rc == 0)
		rc = pgsql_fail(e, p->conn, NULL, doing);
	return rc < 0 ? pgsink_fail(p, e) : 0;
}

int pgsink_write_ddl(struct sink *s, const struct sink_ddl *d, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	if (d->command == 1)
		p->ddl_done = false;
	if (!p->apply_ddl || p->ddl_done || !applies(d->tag))
		return 0;
	if (pgsink_open_txn(p, e) < 0)
		return -1;
	char doing[300], lsn[LSN_STRLEN];
	snprintf(doing, sizeof doing, "applying %s %s (lsn %s) to the target",
		 d->tag, d->identity, lsn_format(d->lsn, lsn));
	if (run_outside(p, d->statement, doing, e) < 0)
		return -1;
	p->ddl_done = true;
	pgsink_tables_stale(p);
	sink_wrote(s, strlen(d->statement));
	return 0;
}
