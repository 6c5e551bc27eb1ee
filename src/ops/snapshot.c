#include "ops/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "decode/copytext.h"
#include "ops/describe.h"
#include "protocol/pgsql.h"

/* COPY one table out and hand each row on. */
static int copy_table(PGconn *c, const struct rel *r, struct pipeline *p,
		      struct err *e)
{
	struct buf sql = { 0 };
	buf_puts(&sql, "COPY (SELECT ");
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (i)
			buf_puts(&sql, ", ");
		pgsql_put_ident(&sql, r->cols[i].name);
	}
	buf_puts(&sql, " FROM ");
	pgsql_put_ident(&sql, r->nspname);
	buf_putc(&sql, '.');
	pgsql_put_ident(&sql, r->relname);
	buf_puts(&sql, ") TO STDOUT");
	char doing[300];
	snprintf(doing, sizeof doing, "copying %s.%s", r->nspname, r->relname);
	PGresult *res = PQexec(c, buf_cstr(&sql));
	buf_free(&sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		pgsql_fail(e, c, res, doing);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	struct datum *vals = xcalloc((size_t)r->ncols + 1, sizeof *vals);
	struct buf scratch = { 0 };
	char *line;
	int n, rc = 0;
	uint64_t rows = 0;
	while ((n = PQgetCopyData(c, &line, 0)) > 0) {
		char why[128];
		size_t len = (size_t)n;
		if (len && line[len - 1] == '\n')
			len--;
		if (rc == 0 && copytext_row(line, len, &scratch, vals, r->ncols,
					    why, sizeof why) < 0)
			rc = err_set(e, "%s: row %llu: %s", doing,
				     (unsigned long long)rows + 1, why);
		if (rc == 0)
			rc = pipeline_read_row(p, r, vals, e);
		rows++;
		PQfreemem(line);
	}
	free(vals);
	buf_free(&scratch);
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0)
			rc = pgsql_fail(e, c, res, doing);
		PQclear(res);
	}
	return rc;
}

/* The exported snapshot's slot: the permanent slot's own name would make
 * a slot exist before its snapshot is delivered. */
static void export_slot_name(const struct snapshot_plan *plan, char *out,
			     size_t n)
{
	if (plan->temporary)
		snprintf(out, n, "%s", plan->slot);
	else
		snprintf(out, n, "walhook_snapshot_%ld_%x", (long)getpid(),
			 (unsigned)rand() & 0xffff);
}

int snapshot_begin(PGconn *repl, const struct snapshot_plan *plan,
		   struct slot_info *out, struct err *e)
{
	char name[64];
	export_slot_name(plan, name, sizeof name);
	return conn_create_slot(repl, name, plan->plugin, true, plan->two_phase,
				true, false, out, e);
}

static int copy_tables(PGconn *c, const struct slot_info *slot,
		       const char *publications, struct pipeline *p,
		       struct err *e)
{
	const char *pubs[] = { publications };
	PGresult *tables = NULL;
	struct relcache cache;
	relcache_init(&cache);
	int rc = -1;
	if (pgsql_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
		       NULL, NULL, "starting the snapshot transaction", e) < 0)
		goto out;
	/* SET TRANSACTION SNAPSHOT takes no parameters: quote it. */
	char *lit = PQescapeLiteral(c, slot->snapshot, strlen(slot->snapshot));
	struct buf set = { 0 };
	buf_printf(&set, "SET TRANSACTION SNAPSHOT %s", lit);
	PQfreemem(lit);
	rc = pgsql_exec(c, buf_cstr(&set), 0, NULL, NULL,
			"using the slot's snapshot", e);
	buf_free(&set);
	if (rc < 0)
		goto out;
	rc = pgsql_exec(
	    c,
	    "SELECT DISTINCT schemaname, tablename FROM pg_catalog.pg_publication_tables"
	    " WHERE pubname = ANY(string_to_array($1, ',')) ORDER BY 1, 2",
	    1, pubs, &tables, "listing the published tables", e);
	if (rc < 0)
		goto out;
	for (int i = 0; i < PQntuples(tables) && rc == 0; i++) {
		const struct rel *r =
		    describe_table(c, PQgetvalue(tables, i, 0),
			     PQgetvalue(tables, i, 1), &cache, e);
		if (!r ||
		    pipeline_snapshot_begin(p, slot->consistent_point, e) < 0 ||
		    copy_table(c, r, p, e) < 0 ||
		    pipeline_snapshot_end(p, slot->consistent_point, e) < 0)
			rc = -1;
	}
	if (rc == 0)
		rc = pgsql_exec(c, "COMMIT", 0, NULL, NULL,
				"ending the snapshot", e);
out:
	PQclear(tables);
	relcache_free(&cache);
	return rc;
}

/* The permanent slot, a copy of the exported one, which then goes. */
static int make_permanent(PGconn *repl, PGconn *c,
			  const struct snapshot_plan *plan,
			  const struct slot_info *slot, struct err *e)
{
	const char *names[] = { slot->name, plan->slot };
	char doing[200];
	snprintf(doing, sizeof doing, "creating replication slot \"%s\"",
		 plan->slot);
	if (pgsql_exec(
		c,
		"SELECT pg_catalog.pg_copy_logical_replication_slot($1, $2, false)",
		2, names, NULL, doing, e) < 0)
		return -1;
	return conn_drop_slot(repl, slot->name, e);
}

int snapshot_deliver(PGconn *repl, const struct conn_params *params,
		     const struct snapshot_plan *plan,
		     const struct slot_info *slot, struct pipeline *p,
		     struct err *e)
{
	PGconn *c = conn_open(params, false, e);
	if (!c)
		return err_prefix(e, "the initial snapshot");
	int rc = copy_tables(c, slot, plan->publications, p, e);
	if (rc == 0)
		rc = pipeline_finish(p, e);
	if (rc == 0 && !plan->temporary)
		rc = make_permanent(repl, c, plan, slot, e);
	PQfinish(c);
	return rc;
}
