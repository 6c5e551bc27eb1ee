/* sink_pg — the postgres sink's operations (sink.h): rows and truncates
 * applied, source transactions the target already has skipped, and the
 * target transaction committed with the source position in it. The
 * session, the pipeline, the tables and the SQL are in pg_*.c
 * (pg_internal.h). */
#include "sinks/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/lsn.h"
#include "protocol/pgsql.h"
#include "sinks/pg_internal.h"

/* A snapshot taken again replaces what an earlier run copied: the table's
 * rows go in the same target transaction as the new copy's first, so the
 * target holds either the old copy or the new one whole. DELETE rather
 * than TRUNCATE: with session_replication_role = replica it passes
 * foreign keys that point at the table. */
static int empty_table(struct pgsink *p, struct target_table *t, struct err *e)
{
	struct buf q = { 0 };
	buf_printf(&q, "DELETE FROM %s", t->qualified);
	char doing[200];
	snprintf(doing, sizeof doing,
		 "emptying %s for the snapshot taken again", t->qualified);
	int rc = pgsink_queue(p, buf_cstr(&q), 0, NULL, NULL, NULL, NULL, t,
			      doing, e);
	buf_free(&q);
	if (rc == 0)
		p->emptied = t;
	return rc;
}

static int pg_write_row(struct sink *s, const struct sink_row *r, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	struct target_table *t = pgsink_target(p, r->schema, r->table, e);
	if (!t || pgsink_check_columns(p, t, r, e) < 0 ||
	    pgsink_open_txn(p, e) < 0)
		return -1;
	bool read = r->op == CHANGE_READ && !r->backfill;
	if (read && p->fed_before && p->emptied != t &&
	    empty_table(p, t, e) < 0)
		return -1;
	if (pgsink_copies(t, r))
		return pgsink_copy_row(p, t, r, e);
	int batched = pgsink_batch_row(p, t, r, e);
	if (batched <= 0)
		return batched;
	struct buf *q = &p->sql;
	struct pgsink_params ps = { 0 };
	buf_reset(q);
	int rc = pgsink_put_change(q, &ps, t, r, e);
	if (rc == 0) {
		char doing[200];
		snprintf(doing, sizeof doing, "applying %s to %s",
			 change_op_name(r->op), t->qualified);
		rc = pgsink_queue(p, buf_cstr(q), ps.n, ps.types, ps.values,
				  ps.lengths, ps.formats, t, doing, e);
	}
	pgsink_free_params(&ps);
	if (rc < 0)
		return -1;
	sink_wrote(s, q->len);
	return 0;
}

/* TRUNCATE of the tables the source truncated, as a subscription does:
 * a partitioned table with its partitions, any other without the tables
 * that inherit from it (ONLY); RESTART IDENTITY and CASCADE as the source
 * asked. (A subscription never cascades; CASCADE reaches further only
 * where a target-only table refers to a truncated one, which stops a
 * subscription with an error.) */
static int pg_write_truncate(struct sink *s, const struct sink_truncate *tr,
			     struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	struct buf q = { 0 };
	buf_puts(&q, "TRUNCATE ");
	for (size_t i = 0; i < tr->nrels; i++) {
		struct target_table *t = pgsink_target(
		    p, tr->schemas[i], tr->tables[i] ? tr->tables[i] : "", e);
		if (!t) {
			buf_free(&q);
			return -1;
		}
		buf_puts(&q, i ? ", " : "");
		buf_puts(&q, t->relkind == 'p' ? "" : "ONLY ");
		buf_puts(&q, t->qualified);
	}
	if (tr->restart_identity)
		buf_puts(&q, " RESTART IDENTITY");
	if (tr->cascade)
		buf_puts(&q, " CASCADE");
	int rc = pgsink_open_txn(p, e);
	if (rc == 0)
		rc = pgsink_queue_plain(p, buf_cstr(&q), e);
	if (rc == 0)
		sink_wrote(s, q.len);
	buf_free(&q);
	return rc;
}

/* ---- transactions ---- */

/* A source transaction the target already has is skipped whole: its
 * commit lies before the recorded position. When the plugin does not say
 * where a transaction commits (text plugins), it is applied inside a
 * savepoint and undone at its commit if it was a repeat. */
static int pg_begin(struct sink *s, const struct txn *tx, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	(void)e;
	p->savepoint = 0;
	p->emptied = NULL;
	p->txn_lsn = tx->final_lsn;
	if (!p->progress)
		return 0;
	if (tx->final_lsn)
		sink_skip(s, tx->final_lsn < p->progress);
	else
		p->savepoint = 1;
	return 0;
}

static int pg_commit(struct sink *s, const struct txn *tx, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	if (p->savepoint == 2) {
		bool repeat = tx->end_lsn <= p->progress;
		if (pgsink_queue_plain(
			p,
			repeat ? "ROLLBACK TO SAVEPOINT walhook_source"
			       : "RELEASE SAVEPOINT walhook_source",
			e) < 0)
			return -1;
		if (repeat)
			return 0;
	}
	p->savepoint = 0;
	p->batch_end = tx->end_lsn;
	p->batch_time = tx->commit_time;
	return 0;
}

/* Commits the target transaction with the source position in it. */
static int pg_flush(struct sink *s, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	if (!p->in_txn)
		return 0;
	char lsn[LSN_STRLEN], doing[80];
	lsn_format(p->batch_end, lsn);
	snprintf(doing, sizeof doing, "recording the position %s", lsn);
	int rc;
	if (p->use_origin) {
		char when[PGTIME_STRLEN];
		const char *params[] = { lsn,
					 pgtime_format(p->batch_time, when) };
		rc = pgsink_queue(
		    p,
		    "SELECT pg_catalog.pg_replication_origin_xact_setup($1::pg_lsn, $2::timestamptz)",
		    2, (const uint32_t[]){ 0, 0 }, params, NULL, NULL, NULL,
		    doing, e);
	} else {
		const char *params[] = { p->progress_name, lsn };
		rc = pgsink_queue(
		    p,
		    "INSERT INTO walhook.progress (name, lsn) VALUES ($1, $2)"
		    " ON CONFLICT (name) DO UPDATE SET lsn = EXCLUDED.lsn,"
		    " updated = now()",
		    2, (const uint32_t[]){ 0, 0 }, params, NULL, NULL, NULL,
		    doing, e);
	}
	if (rc == 0) {
		snprintf(doing, sizeof doing, "committing at %s", lsn);
		if (PQsendQueryParams(p->conn, "COMMIT", 0, NULL, NULL, NULL,
				      NULL, 0)) {
			pgsink_expect(p, NULL, doing);
		} else {
			pgsql_fail(e, p->conn, NULL, doing);
			rc = pgsink_fail(p, e);
		}
	}
	if (rc == 0)
		rc = pgsink_drain(p, e);
	if (rc < 0) {
		/* The target transaction is gone; nothing of it counts. */
		if (p->in_txn && PQstatus(p->conn) == CONNECTION_OK) {
			struct err ignored;
			pgsink_after_failure(p, NULL, &ignored);
		}
		p->in_txn = false;
		return -1;
	}
	p->in_txn = false;
	p->progress = p->batch_end;
	return 0;
}

/* Before a reconnect of the source: the open batch is rolled back; the
 * server sends its transactions again. */
static void pg_discard(struct sink *s)
{
	struct pgsink *p = (struct pgsink *)s;
	struct err ignored;
	if (p->in_txn && PQstatus(p->conn) == CONNECTION_OK &&
	    pgsink_drain(p, &ignored) == 0 &&
	    pgsink_queue_plain(p, "ROLLBACK", &ignored) == 0)
		pgsink_drain(p, &ignored);
	p->in_txn = false;
	p->savepoint = 0;
}

static void pg_free(struct sink *s)
{
	struct pgsink *p = (struct pgsink *)s;
	PQfinish(p->conn);
	pgsink_free_tables(p);
	pgsink_forget_statements(p);
	pgsink_copy_free(p);
	pgsink_batch_free(p);
	buf_free(&p->sql);
	free(p->pending);
	free(p);
}

static const struct sink_ops pg_ops = {
	.kind = "postgres",
	.write_row = pg_write_row,
	.write_truncate = pg_write_truncate,
	.write_ddl = pgsink_write_ddl,
	.write_state = pgsink_write_state,
	.read_state = pgsink_read_state,
	.begin = pg_begin,
	.commit = pg_commit,
	.flush = pg_flush,
	.discard = pg_discard,
	.free = pg_free,
};

struct sink *sink_pg_new(const struct sink_pg_config *c, struct err *e)
{
	struct pgsink *p = xcalloc(1, sizeof *p);
	p->pending = xcalloc(PENDING_MAX, sizeof *p->pending);
	e->msg[0] = '\0';
	p->base.ops = &pg_ops;
	snprintf(p->base.name, sizeof p->base.name, "postgres");
	snprintf(p->progress_name, sizeof p->progress_name, "%s%s",
		 c->progress_name ? "" : "walhook_",
		 c->progress_name ? c->progress_name
				  : (c->slot ? c->slot : "replay"));
	p->replica_role = !c->no_replica_role;
	p->apply_ddl = c->apply_ddl;
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { c->conninfo, "walhook", NULL };
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pgsql_fail(e, p->conn, NULL, "connecting to the target");
		pg_free(&p->base);
		return NULL;
	}
	if (pgsink_setup(p, e) < 0 || !PQenterPipelineMode(p->conn)) {
		if (!*e->msg)
			pgsql_fail(e, p->conn, NULL, "entering pipeline mode");
		pg_free(&p->base);
		return NULL;
	}
	p->fed_before = p->progress != 0;
	return &p->base;
}
