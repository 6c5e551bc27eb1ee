#include "sink_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"
#include "conn.h"
#include "lsn.h"
#include "values.h"

/* Statements queued in the pipeline before walhook reads their results,
 * so neither side's buffers fill while the other waits. */
#define PIPELINE_DEPTH 256

/* What walhook knows of a target table: its column types. */
struct target_table {
	char *qualified; /* "schema"."table", quoted */
	size_t ncols;
	char **names;
	uint32_t *types;
	struct target_table *next;
};

/* A prepared statement, by its text. */
struct prepared {
	char *sql;
	char name[24];
	struct prepared *next;
};

struct pgsink {
	struct sink base;
	PGconn *conn;
	char progress_name[128];
	bool use_origin;     /* else the walhook.progress table */
	uint64_t progress;   /* end LSN of the last source transaction applied */
	bool in_txn;         /* a target transaction is open */
	/* The open source transaction may be a repeat: 1, a savepoint is due
	 * at its first write; 2, one is open. */
	int savepoint;
	uint64_t batch_end;
	int64_t batch_time;
	int queued;          /* results not read yet */
	int nprepared;
	struct prepared *stmts;
	struct target_table *tables;
	struct buf sql;
	char err_context[256];
};

/* A statement outside the pipeline (setup); res is the caller's. */
static PGresult *run(struct pgsink *p, const char *sql, int n,
		     const char *const *params, const char *doing, struct err *e)
{
	PGresult *res = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		conn_fail(e, p->conn, res, doing);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* ---- progress: a replication origin, else a table ---- */

static int setup_progress(struct pgsink *p, struct err *e)
{
	const char *name[] = { p->progress_name };
	PGresult *res = run(p, "SELECT pg_catalog.pg_replication_origin_oid($1)", 1,
			    name, "looking up the replication origin", e);
	if (!res)
		return -1;
	bool exists = !PQgetisnull(res, 0, 0);
	PQclear(res);
	/* Creating and using an origin takes superuser or a grant on the
	 * functions; without it, a table keeps the position. */
	if (!exists) {
		res = PQexecParams(p->conn,
				   "SELECT pg_catalog.pg_replication_origin_create($1)",
				   1, NULL, name, NULL, NULL, 0);
		exists = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
	}
	if (exists) {
		res = PQexecParams(p->conn,
				   "SELECT pg_catalog.pg_replication_origin_session_setup($1)",
				   1, NULL, name, NULL, NULL, 0);
		p->use_origin = PQresultStatus(res) == PGRES_TUPLES_OK;
		if (!p->use_origin) {
			const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			/* In use by another session: a second walhook on one
			 * target must not share the position. */
			if (code && strcmp(code, "55006") == 0) {
				conn_fail(e, p->conn, res, "using the replication origin");
				PQclear(res);
				return -1;
			}
		}
		PQclear(res);
	}
	if (p->use_origin) {
		res = run(p, "SELECT pg_catalog.pg_replication_origin_progress($1, true)",
			  1, name, "reading the replication origin's position", e);
	} else {
		if (!(res = run(p, "CREATE SCHEMA IF NOT EXISTS walhook", 0, NULL,
				"creating the walhook schema", e)))
			return -1;
		PQclear(res);
		if (!(res = run(p,
				"CREATE TABLE IF NOT EXISTS walhook.progress ("
				" name text PRIMARY KEY, lsn pg_lsn NOT NULL,"
				" updated timestamptz NOT NULL DEFAULT now())",
				0, NULL, "creating walhook.progress", e)))
			return -1;
		PQclear(res);
		res = run(p, "SELECT lsn FROM walhook.progress WHERE name = $1", 1,
			  name, "reading walhook.progress", e);
	}
	if (!res)
		return -1;
	if (PQntuples(res) && !PQgetisnull(res, 0, 0))
		lsn_parse(PQgetvalue(res, 0, 0), &p->progress);
	PQclear(res);
	return 0;
}

static int drain(struct pgsink *p, struct err *e);

/* A target that is down, restarting or out of connections comes back:
 * walhook retries those rather than stopping. */
static int target_fail(struct pgsink *p, struct err *e)
{
	const char *c = e->code;
	e->transient = PQstatus(p->conn) != CONNECTION_OK ||
		       !strncmp(c, "08", 2) || !strncmp(c, "57", 2) ||
		       !strncmp(c, "53", 2);
	return -1;
}

static void forget_statements(struct pgsink *p)
{
	for (struct prepared *st = p->stmts, *n; st; st = n) {
		n = st->next;
		free(st->sql);
		free(st);
	}
	p->stmts = NULL;
	p->nprepared = 0;
}

/* Connects again after the target went away: a new session, so new
 * prepared statements, and the position read again (a commit whose
 * answer was lost may have happened). */
static int ensure_connected(struct pgsink *p, struct err *e)
{
	if (PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		conn_fail(e, p->conn, NULL, "connecting to the target again");
		e->transient = true;
		return -1;
	}
	p->in_txn = false;
	p->queued = 0;
	p->savepoint = 0;
	forget_statements(p);
	if (setup_progress(p, e) < 0)
		return target_fail(p, e);
	if (!PQenterPipelineMode(p->conn)) {
		conn_fail(e, p->conn, NULL, "entering pipeline mode");
		return target_fail(p, e);
	}
	return 0;
}

/* ---- target tables ---- */

static struct target_table *target(struct pgsink *p, const char *schema,
				   const char *table, struct err *e)
{
	struct buf q = { 0 };
	conn_put_ident(&q, schema ? schema : "public");
	buf_putc(&q, '.');
	conn_put_ident(&q, table);
	const char *qualified = buf_cstr(&q);
	for (struct target_table *t = p->tables; t; t = t->next) {
		if (strcmp(t->qualified, qualified) == 0) {
			buf_free(&q);
			return t;
		}
	}
	const char *params[] = { qualified };
	char doing[600];
	snprintf(doing, sizeof doing, "looking up target table %s", qualified);
	/* A lookup needs the connection out of pipeline mode for a moment;
	 * an open target transaction stays open. */
	if (drain(p, e) < 0 || !PQexitPipelineMode(p->conn)) {
		if (!*e->msg)
			conn_fail(e, p->conn, NULL, doing);
		buf_free(&q);
		return NULL;
	}
	PGresult *res = run(p,
			    "SELECT attname, atttypid FROM pg_catalog.pg_attribute"
			    " WHERE attrelid = $1::regclass AND attnum > 0"
			    " AND NOT attisdropped ORDER BY attnum",
			    1, params, doing, e);
	if (!PQenterPipelineMode(p->conn)) {
		PQclear(res);
		res = NULL;
		conn_fail(e, p->conn, NULL, doing);
	}
	if (!res) {
		buf_free(&q);
		return NULL;
	}
	struct target_table *t = calloc(1, sizeof *t);
	t->qualified = strdup(qualified);
	t->ncols = (size_t)PQntuples(res);
	t->names = calloc(t->ncols + 1, sizeof *t->names);
	t->types = calloc(t->ncols + 1, sizeof *t->types);
	for (size_t i = 0; i < t->ncols; i++) {
		t->names[i] = strdup(PQgetvalue(res, (int)i, 0));
		t->types[i] = (uint32_t)strtoul(PQgetvalue(res, (int)i, 1), NULL, 10);
	}
	PQclear(res);
	buf_free(&q);
	t->next = p->tables;
	p->tables = t;
	return t;
}

/* The type of a target column; 0 when the table has no such column. */
static uint32_t column_type(const struct target_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->names[i], name) == 0)
			return t->types[i];
	return 0;
}

/* Types without an equality operator cannot find a row. */
static bool comparable(uint32_t type)
{
	switch (type) {
	case OID_JSON: case OID_XML: case OID_POINT: case OID_LSEG:
	case OID_PATH: case OID_BOX: case OID_POLYGON: case OID_LINE:
	case OID_CIRCLE:
		return false;
	default:
		return true;
	}
}

/* ---- the pipeline ---- */

/* Reads the results of everything queued, up to a sync. */
static int drain(struct pgsink *p, struct err *e)
{
	if (!p->queued)
		return 0;
	if (PQpipelineSync(p->conn) != 1)
		return conn_fail(e, p->conn, NULL, "applying changes");
	int rc = 0;
	for (;;) {
		PGresult *res = PQgetResult(p->conn);
		if (!res) {
			/* The end of one statement's results, or of the
			 * connection. */
			if (PQstatus(p->conn) != CONNECTION_OK) {
				conn_fail(e, p->conn, NULL, p->err_context);
				return target_fail(p, e);
			}
			continue;
		}
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (st == PGRES_FATAL_ERROR && rc == 0)
			rc = conn_fail(e, p->conn, res, p->err_context);
		PQclear(res);
	}
	p->queued = 0;
	return rc < 0 ? target_fail(p, e) : 0;
}

/* The prepared statement for sql, made on first use. */
static const char *statement(struct pgsink *p, const char *sql, int nparams,
			     struct err *e)
{
	for (struct prepared *s = p->stmts; s; s = s->next)
		if (strcmp(s->sql, sql) == 0)
			return s->name;
	struct prepared *s = calloc(1, sizeof *s);
	s->sql = strdup(sql);
	snprintf(s->name, sizeof s->name, "walhook_%d", ++p->nprepared);
	if (!PQsendPrepare(p->conn, s->name, sql, nparams, NULL)) {
		free(s->sql);
		free(s);
		conn_fail(e, p->conn, NULL, "preparing a statement");
		return NULL;
	}
	p->queued++;
	s->next = p->stmts;
	p->stmts = s;
	return s->name;
}

static int queue(struct pgsink *p, const char *sql, int n,
		 const char *const *values, const int *lengths,
		 const int *formats, struct err *e)
{
	const char *name = statement(p, sql, n, e);
	if (!name)
		return -1;
	if (!PQsendQueryPrepared(p->conn, name, n, values, lengths, formats, 0))
		return conn_fail(e, p->conn, NULL, "applying changes");
	if (++p->queued >= PIPELINE_DEPTH)
		return drain(p, e);
	return 0;
}

static int queue_plain(struct pgsink *p, const char *sql, struct err *e)
{
	if (!PQsendQueryParams(p->conn, sql, 0, NULL, NULL, NULL, NULL, 0))
		return conn_fail(e, p->conn, NULL, sql);
	p->queued++;
	return 0;
}

/* Opens the target transaction at the first write of a batch, and a
 * savepoint for a source transaction that may already be applied. */
static int open_txn(struct pgsink *p, struct err *e)
{
	if (!p->in_txn) {
		if (ensure_connected(p, e) < 0)
			return -1;
		if (queue_plain(p, "BEGIN", e) < 0)
			return -1;
		p->in_txn = true;
	}
	if (p->savepoint == 1) {
		if (queue_plain(p, "SAVEPOINT walhook_source", e) < 0)
			return -1;
		p->savepoint = 2;
	}
	return 0;
}

/* ---- rows ---- */

struct params {
	const char **values;
	int *lengths;
	int *formats;
	int n, cap;
};

static void param(struct params *ps, const struct datum *v, uint32_t type)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->values = realloc(ps->values, ps->cap * sizeof *ps->values);
		ps->lengths = realloc(ps->lengths, ps->cap * sizeof *ps->lengths);
		ps->formats = realloc(ps->formats, ps->cap * sizeof *ps->formats);
		if (!ps->values || !ps->lengths || !ps->formats)
			abort();
	}
	int i = ps->n++;
	ps->values[i] = v->kind == DATUM_NULL ? NULL : v->data;
	ps->lengths[i] = (int)v->len;
	/* bytea comes as raw bytes: its binary format is exactly those. */
	ps->formats[i] = type == OID_BYTEA ? 1 : 0;
}

static bool is_key(const struct sink_row *r, const char *name)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (strcmp(r->keys[i], name) == 0)
			return true;
	return false;
}

/* Where to find the row: its key columns' values, from the old row when
 * the change carries one, else from the new. */
static int put_where(struct pgsink *p, struct buf *q, struct params *ps,
		     const struct target_table *t, const struct sink_row *r,
		     struct err *e)
{
	const char *const *names = r->nold ? r->old_names : r->names;
	const struct datum *vals = r->nold ? r->old_values : r->values;
	size_t n = r->nold ? r->nold : r->ncols;
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		uint32_t type = column_type(t, names[i]);
		if (!is_key(r, names[i]) || vals[i].kind == DATUM_UNCHANGED ||
		    !comparable(type))
			continue;
		buf_puts(q, first ? " WHERE " : " AND ");
		first = false;
		conn_put_ident(q, names[i]);
		if (vals[i].kind == DATUM_NULL) {
			buf_puts(q, " IS NULL");
		} else {
			param(ps, &vals[i], type);
			buf_printf(q, " = $%d", ps->n);
		}
	}
	if (first)
		return err_set(e, "%s: the change names no key to find the row by (REPLICA IDENTITY NOTHING?)",
			       t->qualified);
	(void)p;
	return 0;
}

static int check_columns(const struct target_table *t, const struct sink_row *r,
			 struct err *e)
{
	if (!t->ncols)
		return err_set(e, "target table %s has no columns", t->qualified);
	for (size_t i = 0; i < r->ncols; i++)
		if (!column_type(t, r->names[i]))
			return err_set(e, "target table %s has no column \"%s\"",
				       t->qualified, r->names[i]);
	return 0;
}

static void put_insert(struct buf *q, struct params *ps,
		       const struct target_table *t, const struct sink_row *r)
{
	buf_printf(q, "INSERT INTO %s (", t->qualified);
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		if (r->values[i].kind == DATUM_UNCHANGED)
			continue;
		if (n++)
			buf_puts(q, ", ");
		conn_put_ident(q, r->names[i]);
	}
	buf_puts(q, ") VALUES (");
	n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		if (r->values[i].kind == DATUM_UNCHANGED)
			continue;
		param(ps, &r->values[i], column_type(t, r->names[i]));
		buf_printf(q, "%s$%d", n++ ? ", " : "", ps->n);
	}
	buf_putc(q, ')');
	/* A snapshot row that meets a row the target already has (a rerun)
	 * leaves it be: whatever unique constraint the target has. */
	if (strcmp(r->op, "read") == 0)
		buf_puts(q, " ON CONFLICT DO NOTHING");
}

static int put_update(struct pgsink *p, struct buf *q, struct params *ps,
		      const struct target_table *t, const struct sink_row *r,
		      struct err *e)
{
	buf_printf(q, "UPDATE %s SET ", t->qualified);
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		if (r->values[i].kind == DATUM_UNCHANGED)
			continue;
		if (n++)
			buf_puts(q, ", ");
		conn_put_ident(q, r->names[i]);
		param(ps, &r->values[i], column_type(t, r->names[i]));
		buf_printf(q, " = $%d", ps->n);
	}
	if (!n)
		return 1; /* nothing to set */
	return put_where(p, q, ps, t, r, e);
}

/* A table without a key, with its whole old row as identity, may hold
 * equal rows: change exactly one of them. */
static bool keyless(const struct target_table *t, const struct sink_row *r)
{
	return r->nold && r->nkeys >= r->nold && r->nkeys >= t->ncols;
}

static void wrap_one_row(struct buf *q, const struct target_table *t,
			 size_t where_at, bool is_update)
{
	/* stack: "UPDATE t SET ... WHERE cond" → "... WHERE ctid = (SELECT
	 * ctid FROM t WHERE cond LIMIT 1)" */
	struct buf cond = { 0 };
	buf_put(&cond, q->data + where_at + 7, q->len - where_at - 7);
	q->len = where_at;
	buf_printf(q, " WHERE ctid = (SELECT ctid FROM %s WHERE ", t->qualified);
	buf_put(q, cond.data, cond.len);
	buf_puts(q, is_update ? " LIMIT 1 FOR UPDATE)" : " LIMIT 1)");
	buf_free(&cond);
}

static int pg_write_row(struct sink *s, const struct sink_row *r, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	const struct target_table *t = target(p, r->schema, r->table, e);
	if (!t || check_columns(t, r, e) < 0 || open_txn(p, e) < 0)
		return -1;
	struct buf *q = &p->sql;
	struct params ps = { 0 };
	buf_reset(q);
	int rc = 0;
	bool is_update = strcmp(r->op, "update") == 0;
	if (strcmp(r->op, "insert") == 0 || strcmp(r->op, "read") == 0) {
		put_insert(q, &ps, t, r);
	} else if (is_update) {
		rc = put_update(p, q, &ps, t, r, e);
	} else {
		buf_printf(q, "DELETE FROM %s", t->qualified);
		rc = put_where(p, q, &ps, t, r, e);
	}
	if (rc == 0 && strcmp(r->op, "read") != 0 && keyless(t, r)) {
		const char *w = strstr(q->data, " WHERE ");
		if (w)
			wrap_one_row(q, t, (size_t)(w - q->data), is_update);
	}
	if (rc == 0) {
		snprintf(p->err_context, sizeof p->err_context, "applying %s to %s",
			 r->op, t->qualified);
		rc = queue(p, buf_cstr(q), ps.n, ps.values, ps.lengths, ps.formats, e);
	}
	free(ps.values);
	free(ps.lengths);
	free(ps.formats);
	if (rc < 0)
		return -1;
	sink_wrote(s, q->len);
	return 0;
}

static int pg_write_truncate(struct sink *s, const struct sink_truncate *tr,
			     struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	if (open_txn(p, e) < 0)
		return -1;
	struct buf q = { 0 };
	buf_puts(&q, "TRUNCATE ");
	for (size_t i = 0; i < tr->nrels; i++) {
		if (i)
			buf_puts(&q, ", ");
		conn_put_ident(&q, tr->schemas[i] ? tr->schemas[i] : "public");
		buf_putc(&q, '.');
		conn_put_ident(&q, tr->tables[i] ? tr->tables[i] : "");
	}
	if (tr->restart_identity)
		buf_puts(&q, " RESTART IDENTITY");
	if (tr->cascade)
		buf_puts(&q, " CASCADE");
	snprintf(p->err_context, sizeof p->err_context, "applying truncate");
	int rc = queue_plain(p, buf_cstr(&q), e);
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
		if (queue_plain(p, repeat ? "ROLLBACK TO SAVEPOINT walhook_source"
					  : "RELEASE SAVEPOINT walhook_source", e) < 0)
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
	char lsn[LSN_STRLEN];
	lsn_format(p->batch_end, lsn);
	snprintf(p->err_context, sizeof p->err_context, "recording the position %s", lsn);
	int rc;
	if (p->use_origin) {
		char when[PGTIME_STRLEN];
		const char *params[] = { lsn, pgtime_format(p->batch_time, when) };
		rc = queue(p, "SELECT pg_catalog.pg_replication_origin_xact_setup($1::pg_lsn, $2::timestamptz)",
			   2, params, NULL, NULL, e);
	} else {
		const char *params[] = { p->progress_name, lsn };
		rc = queue(p, "INSERT INTO walhook.progress (name, lsn) VALUES ($1, $2)"
			      " ON CONFLICT (name) DO UPDATE SET lsn = EXCLUDED.lsn,"
			      " updated = now()",
			   2, params, NULL, NULL, e);
	}
	if (rc == 0) {
		snprintf(p->err_context, sizeof p->err_context, "committing at %s", lsn);
		rc = queue_plain(p, "COMMIT", e);
	}
	if (rc == 0)
		rc = drain(p, e);
	p->in_txn = false;
	if (rc < 0) {
		/* The target transaction is gone; nothing of it counts. */
		struct err ignored;
		if (PQstatus(p->conn) == CONNECTION_OK &&
		    queue_plain(p, "ROLLBACK", &ignored) == 0)
			drain(p, &ignored);
		return -1;
	}
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
	    drain(p, &ignored) == 0 && queue_plain(p, "ROLLBACK", &ignored) == 0)
		drain(p, &ignored);
	p->in_txn = false;
	p->savepoint = 0;
}

static void pg_free(struct sink *s)
{
	struct pgsink *p = (struct pgsink *)s;
	PQfinish(p->conn);
	for (struct target_table *t = p->tables, *n; t; t = n) {
		n = t->next;
		for (size_t i = 0; i < t->ncols; i++)
			free(t->names[i]);
		free(t->names);
		free(t->types);
		free(t->qualified);
		free(t);
	}
	forget_statements(p);
	buf_free(&p->sql);
	free(p);
}

static const struct sink_ops pg_ops = {
	.kind = "postgres",
	.write_row = pg_write_row,
	.write_truncate = pg_write_truncate,
	.begin = pg_begin,
	.commit = pg_commit,
	.flush = pg_flush,
	.discard = pg_discard,
	.free = pg_free,
};

struct sink *sink_pg_new(const struct sink_pg_config *c, struct err *e)
{
	struct pgsink *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	e->msg[0] = '\0';
	p->base.ops = &pg_ops;
	snprintf(p->base.name, sizeof p->base.name, "postgres");
	snprintf(p->progress_name, sizeof p->progress_name, "%s%s",
		 c->progress_name ? "" : "walhook_",
		 c->progress_name ? c->progress_name : (c->slot ? c->slot : "replay"));
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { c->conninfo, "walhook", NULL };
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		conn_fail(e, p->conn, NULL, "connecting to the target");
		pg_free(&p->base);
		return NULL;
	}
	if (setup_progress(p, e) < 0 || !PQenterPipelineMode(p->conn)) {
		if (!*e->msg)
			conn_fail(e, p->conn, NULL, "entering pipeline mode");
		pg_free(&p->base);
		return NULL;
	}
	return &p->base;
}
