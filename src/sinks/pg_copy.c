/* sink_pg copy — runs of inserts into one table sent by COPY, inside the
 * batch's target transaction: the target takes the rows as they come
 * while walhook reads the next, with none of a statement's cost a row.
 * libpq's pipeline mode has no COPY, so a run opens once the statements
 * before it are answered, and ends before any other statement goes (the
 * pipeline's entry points end it first): the target sees every change in
 * the source's order. */
#include "sinks/pg_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/lsn.h"
#include "protocol/pgsql.h"

/* What the run does, for its error messages. */
static void describe_run(const struct pgsink *p, const struct target_table *t,
			 char *out, size_t n)
{
	char lsn[LSN_STRLEN];
	if (p->copy.lsn)
		snprintf(
		    out, n,
		    "applying %zu inserts to %s by COPY, the first in the source transaction committing at %s",
		    p->copy.rows, t->qualified, lsn_format(p->copy.lsn, lsn));
	else
		snprintf(out, n, "applying %zu inserts to %s by COPY",
			 p->copy.rows, t->qualified);
}

/* The server's CONTEXT names the row of the run that failed ("COPY t,
 * line 3"). */
static void add_context(struct err *e, const PGresult *res)
{
	const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	size_t len = strlen(e->msg);
	if (ctx && len < sizeof e->msg)
		snprintf(e->msg + len, sizeof e->msg - len, "\nCONTEXT: %s",
			 ctx);
}

/* Reads the COPY's results to their end, first (if not NULL), and goes
 * back to pipeline mode. A refusal rolls the target transaction back;
 * put_failed says libpq could not send what the run had. */
static int finish(struct pgsink *p, struct target_table *t, PGresult *first,
		  bool put_failed, const char *doing, struct err *e)
{
	bool failed = false;
	PGresult *res = first;
	for (;;) {
		if (!res && pgsink_await(p, e) < 0)
			return -1;
		if (!res && !(res = PQgetResult(p->conn)))
			break;
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_COPY_IN) {
			/* Still copying: the data could not be sent. */
			PQclear(res);
			p->unusable = true;
			pgsql_fail(e, p->conn, NULL, doing);
			e->transient = true;
			return -1;
		}
		if (st != PGRES_COMMAND_OK && !failed) {
			pgsql_fail(e, p->conn, res, doing);
			add_context(e, res);
			failed = true;
		}
		PQclear(res);
		res = NULL;
	}
	if (put_failed && !failed)
		pgsql_fail(e, p->conn, NULL, doing);
	if (PQstatus(p->conn) != CONNECTION_OK ||
	    !PQenterPipelineMode(p->conn)) {
		p->unusable = true;
		return pgsink_fail(p, e);
	}
	if (!failed && !put_failed)
		return 0;
	pgsink_after_failure(p, t, e);
	return pgsink_fail(p, e);
}

/* Opens a run into t with the statement in p->copy.next, once the
 * statements before it are answered. */
static int start(struct pgsink *p, struct target_table *t, struct err *e)
{
	struct pgsink_copy *c = &p->copy;
	char doing[300];
	snprintf(doing, sizeof doing, "starting a COPY into %s", t->qualified);
	if (pgsink_drain(p, e) < 0)
		return -1;
	if (!PQexitPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, doing);
		return pgsink_fail(p, e);
	}
	if (!PQsendQuery(p->conn, buf_cstr(&c->next)))
		return finish(p, t, NULL, true, doing, e);
	if (pgsink_await(p, e) < 0)
		return -1;
	PGresult *res = PQgetResult(p->conn);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return finish(p, t, res, false, doing, e);
	PQclear(res);
	struct buf stmt = c->stmt;
	c->stmt = c->next;
	c->next = stmt;
	c->table = t;
	c->rows = 0;
	c->lsn = p->txn_lsn;
	return 0;
}

int pgsink_copy_end(struct pgsink *p, struct err *e)
{
	struct target_table *t = p->copy.table;
	if (!t)
		return 0;
	p->copy.table = NULL;
	char doing[300];
	describe_run(p, t, doing, sizeof doing);
	bool put_failed = PQputCopyEnd(p->conn, NULL) != 1;
	return finish(p, t, NULL, put_failed, doing, e);
}

int pgsink_copy_row(struct pgsink *p, struct target_table *t,
		    const struct sink_row *r, struct err *e)
{
	struct pgsink_copy *c = &p->copy;
	buf_reset(&c->next);
	pgsink_put_copy(&c->next, t, r);
	if (c->table != t || c->next.len != c->stmt.len ||
	    memcmp(c->next.data, c->stmt.data, c->stmt.len) != 0) {
		if (pgsink_copy_end(p, e) < 0 || start(p, t, e) < 0)
			return -1;
	}
	buf_reset(&c->row);
	pgsink_put_copy_row(&c->row, t, r);
	c->rows++;
	if (PQputCopyData(p->conn, c->row.data, (int)c->row.len) != 1) {
		/* The server stopped the COPY (an error), or the target is
		 * gone: its results say which. */
		char doing[300];
		describe_run(p, t, doing, sizeof doing);
		c->table = NULL;
		return finish(p, t, NULL, true, doing, e);
	}
	sink_wrote(&p->base, c->row.len);
	return 0;
}

void pgsink_copy_forget(struct pgsink *p)
{
	p->copy.table = NULL;
}

void pgsink_copy_free(struct pgsink *p)
{
	buf_free(&p->copy.stmt);
	buf_free(&p->copy.next);
	buf_free(&p->copy.row);
}
