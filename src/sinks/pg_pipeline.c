/* sink_pg pipeline — the postgres sink's statements in libpq's pipeline
 * mode: queued with what each result answers, prepared on first use, and
 * their results read up to a sync, waiting no longer than a stop allows;
 * after a failure, the target transaction rolled back. */
#include "sinks/pg_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "protocol/pgsql.h"

void pgsink_forget_statements(struct pgsink *p)
{
	for (struct prepared *st = p->stmts, *n; st; st = n) {
		n = st->next;
		free(st->sql);
		free(st->types);
		free(st);
	}
	p->stmts = NULL;
	p->nprepared = 0;
}

/* A stop gives up on a target that does not answer (a locked table, a
 * hung server), cancelling the statement it runs; the session is not used
 * again. */
int pgsink_await(struct pgsink *p, struct err *e)
{
	while (PQisBusy(p->conn)) {
		struct pollfd pfd = { .fd = PQsocket(p->conn),
				      .events = POLLIN };
		if (pfd.fd < 0 || (poll(&pfd, 1, 100) < 0 && errno != EINTR) ||
		    !PQconsumeInput(p->conn)) {
			pgsql_fail(e, p->conn, NULL, "waiting for the target");
			p->unusable = true;
			e->transient = true;
			return -1;
		}
		if (sink_give_up(&p->base, mono_now_us())) {
			char why[256] = "";
			PGcancel *cancel = PQgetCancel(p->conn);
			if (cancel) {
				PQcancel(cancel, why, sizeof why);
				PQfreeCancel(cancel);
			}
			p->unusable = true;
			return err_set(
			    e,
			    "stopped: the target had not answered for %d s; its statement was cancelled",
			    (int)(SINK_STOP_GRACE_US / 1000000));
		}
	}
	return 0;
}

/* The pipeline's next result: NULL between one statement's results and
 * the next's. Two NULLs in a row mean the pipeline ran dry before its
 * sync; that, a lost connection or a stop are failures (*res NULL). */
static int next_result(struct pgsink *p, PGresult **res, int *nulls,
		       const char *doing, struct err *e)
{
	*res = NULL;
	if (pgsink_await(p, e) < 0)
		return -1;
	*res = PQgetResult(p->conn);
	if (*res) {
		*nulls = 0;
		return 0;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pgsql_fail(e, p->conn, NULL, doing);
		e->transient = true;
		return -1;
	}
	if (++*nulls > 1) {
		p->unusable = true;
		err_set(
		    e,
		    "%s: the target's answers ended before the end of the batch",
		    doing);
		e->transient = true;
		return -1;
	}
	return 0;
}

/* A run still held (a COPY, a batch) goes before anything queued after
 * it. At most one is open: each ends the other as it opens. */
static int end_runs(struct pgsink *p, struct err *e)
{
	return pgsink_copy_end(p, e) < 0 || pgsink_batch_end(p, e) < 0 ? -1 : 0;
}

/* Notes what the next result will answer. */
void pgsink_expect(struct pgsink *p, struct target_table *t, const char *doing)
{
	if (p->queued < PENDING_MAX) {
		struct pending *pd = &p->pending[p->queued];
		snprintf(pd->doing, sizeof pd->doing, "%s", doing);
		pd->table = t;
	}
	p->queued++;
}

/* After a failed statement: the target transaction is gone. Rolls it back
 * now, and when the failed statement's table is no longer what walhook
 * took it for (a column added, renamed or retyped on the target since),
 * describes it anew and makes the failure transient, so that walhook
 * sends the batch again and it meets the new description. */
void pgsink_after_failure(struct pgsink *p, struct target_table *t,
			  struct err *e)
{
	if (PQstatus(p->conn) != CONNECTION_OK)
		return;
	PGresult *res;
	struct err lost;
	int nulls = 0;
	if (PQsendQueryParams(p->conn, "ROLLBACK", 0, NULL, NULL, NULL, NULL,
			      0) &&
	    PQpipelineSync(p->conn)) {
		while (next_result(p, &res, &nulls, "rolling back", &lost) ==
		       0) {
			if (!res)
				continue;
			ExecStatusType st = PQresultStatus(res);
			PQclear(res);
			if (st == PGRES_PIPELINE_SYNC)
				break;
		}
	}
	p->in_txn = false;
	p->savepoint = 0;
	if (!t || PQstatus(p->conn) != CONNECTION_OK ||
	    !PQexitPipelineMode(p->conn))
		return;
	if (pgsink_changed(p, t)) {
		e->transient = true;
		err_prefix(e, "target table %s changed", t->qualified);
	}
	PQenterPipelineMode(p->conn);
}

/* Reads the results of everything queued, up to a sync. */
int pgsink_drain(struct pgsink *p, struct err *e)
{
	if (end_runs(p, e) < 0)
		return -1;
	if (!p->queued)
		return 0;
	if (PQpipelineSync(p->conn) != 1) {
		pgsql_fail(e, p->conn, NULL, "applying changes");
		return pgsink_fail(p, e);
	}
	int rc = 0, at = 0, nulls = 0;
	struct target_table *failed = NULL;
	for (;;) {
		PGresult *res;
		const char *doing = at < p->queued && at < PENDING_MAX
					? p->pending[at].doing
					: "applying changes";
		struct err lost;
		if (next_result(p, &res, &nulls, doing, &lost) < 0) {
			if (rc == 0)
				*e = lost;
			p->queued = 0;
			return pgsink_fail(p, e);
		}
		if (!res)
			continue; /* the end of one statement's results */
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (st == PGRES_FATAL_ERROR && rc == 0) {
			const struct pending *pd =
			    at < PENDING_MAX ? &p->pending[at] : NULL;
			rc = pgsql_fail(e, p->conn, res,
					pd ? pd->doing : "applying changes");
			failed = pd ? pd->table : NULL;
		}
		at++;
		PQclear(res);
	}
	p->queued = 0;
	if (rc == 0)
		return 0;
	pgsink_after_failure(p, failed, e);
	return pgsink_fail(p, e);
}

/* The prepared statement for sql with these parameter types, made on
 * first use. */
static const char *statement(struct pgsink *p, const char *sql, int nparams,
			     const uint32_t *types, struct target_table *t,
			     struct err *e)
{
	for (struct prepared *s = p->stmts; s; s = s->next)
		if (s->nparams == nparams && strcmp(s->sql, sql) == 0 &&
		    (!nparams ||
		     !memcmp(s->types, types, nparams * sizeof *types)))
			return s->name;
	struct prepared *s = xcalloc(1, sizeof *s);
	s->sql = xstrdup(sql);
	s->nparams = nparams;
	s->types = xmalloc((nparams ? nparams : 1) * sizeof *types);
	if (nparams)
		memcpy(s->types, types, nparams * sizeof *types);
	snprintf(s->name, sizeof s->name, "walhook_%d", ++p->nprepared);
	if (!PQsendPrepare(p->conn, s->name, sql, nparams,
			   (const Oid *)s->types)) {
		free(s->sql);
		free(s->types);
		free(s);
		pgsql_fail(e, p->conn, NULL, "preparing a statement");
		pgsink_fail(p, e);
		return NULL;
	}
	char doing[200];
	snprintf(doing, sizeof doing, "preparing a statement for %s",
		 t ? t->qualified : "the progress");
	pgsink_expect(p, t, doing);
	s->next = p->stmts;
	p->stmts = s;
	return s->name;
}

int pgsink_queue(struct pgsink *p, const char *sql, int n,
		 const uint32_t *types, const char *const *values,
		 const int *lengths, const int *formats, struct target_table *t,
		 const char *doing, struct err *e)
{
	if (end_runs(p, e) < 0)
		return -1;
	const char *name = statement(p, sql, n, types, t, e);
	if (!name)
		return -1;
	if (!PQsendQueryPrepared(p->conn, name, n, values, lengths, formats,
				 0)) {
		pgsql_fail(e, p->conn, NULL, doing);
		return pgsink_fail(p, e);
	}
	pgsink_expect(p, t, doing);
	if (p->queued >= PIPELINE_DEPTH)
		return pgsink_drain(p, e);
	return 0;
}

int pgsink_queue_plain(struct pgsink *p, const char *sql, struct err *e)
{
	if (end_runs(p, e) < 0)
		return -1;
	if (!PQsendQueryParams(p->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		pgsql_fail(e, p->conn, NULL, sql);
		return pgsink_fail(p, e);
	}
	pgsink_expect(p, NULL, sql);
	return 0;
}

/* Opens the target transaction at the first write of a batch, and a
 * savepoint for a source transaction that may already be applied. */
int pgsink_open_txn(struct pgsink *p, struct err *e)
{
	if (!p->in_txn) {
		if (pgsink_ensure_connected(p, e) < 0)
			return -1;
		if (pgsink_queue_plain(p, "BEGIN", e) < 0)
			return -1;
		p->in_txn = true;
	}
	if (p->savepoint == 1) {
		if (pgsink_queue_plain(p, "SAVEPOINT walhook_source", e) < 0)
			return -1;
		p->savepoint = 2;
	}
	return 0;
}
