#include "sinks/pg.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/lsn.h"
#include "decode/values.h"
#include "protocol/conn.h"
#include "protocol/pgsql.h"

/* Statements queued in the pipeline before walhook reads their results,
 * so neither side's buffers fill while the other waits. */
#define PIPELINE_DEPTH 256
/* Results a batch may have queued: the statements, their Prepares, and
 * the few plain commands (BEGIN, SAVEPOINT, ...) around them. */
#define PENDING_MAX    (2 * PIPELINE_DEPTH + 8)
/* How long a replication origin held by another session is waited for. */
#define ORIGIN_WAIT_US (10 * 1000 * 1000)

/* One column of a target table, as the target's catalog has it. */
struct target_col {
	char *name;
	uint32_t type;	/* atttypid: the type its parameters are sent as */
	uint32_t base;	/* a domain's base type, else type */
	bool generated; /* the target computes it: never written */
	bool always_identity; /* GENERATED ALWAYS AS IDENTITY */
	bool key; /* in the target's replica identity index or primary key */
};

/* What walhook knows of a target table. */
struct target_table {
	char *qualified; /* "schema"."table", quoted */
	char relkind;	 /* 'r', or 'p' for a partitioned table */
	size_t ncols;
	size_t nkeys; /* columns with key set: 0 when it has no such index */
	struct target_col *cols;
	/* Described before the last reconnect: looked up again before its
	 * next use. (A table stays allocated until the sink is freed, so a
	 * pointer to it never dangles.) */
	bool stale;
	struct target_table *next;
};

/* A prepared statement, by its text and parameter types. */
struct prepared {
	char *sql;
	int nparams;
	uint32_t *types;
	char name[24];
	struct prepared *next;
};

/* What one result in the pipeline answers: for error messages, and to
 * know which table's description an error may have made stale. */
struct pending {
	char doing[200];
	struct target_table *table;
};

struct pgsink {
	struct sink base;
	PGconn *conn;
	char progress_name[128];
	bool replica_role; /* asked for session_replication_role = replica */
	bool warned_role;
	bool use_origin;   /* else the walhook.progress table */
	uint64_t progress; /* end LSN of the last source transaction applied */
	/* The target held a position under this name when the sink started:
	 * snapshot rows then replace each table's rows (a snapshot taken
	 * again, after a run that died before its slot was made). */
	bool fed_before;
	struct target_table *emptied; /* by the open snapshot table's rows */
	bool in_txn;		      /* a target transaction is open */
	/* The open source transaction may be a repeat: 1, a savepoint is due
	 * at its first write; 2, one is open. */
	int savepoint;
	uint64_t batch_end;
	int64_t batch_time;
	int queued;    /* results not read yet */
	bool unusable; /* the session's pipeline is in no known state */
	struct pending *pending; /* PENDING_MAX of them: what each answers */
	int nprepared;
	struct prepared *stmts;
	struct target_table *tables;
	struct buf sql;
};

/* A statement outside the pipeline (setup, lookups); res is the caller's. */
static PGresult *run(struct pgsink *p, const char *sql, int n,
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
static int target_fail(struct pgsink *p, struct err *e)
{
	const char *c = e->code;
	e->transient = e->transient || PQstatus(p->conn) != CONNECTION_OK ||
		       !strncmp(c, "08", 2) || !strncmp(c, "57", 2) ||
		       !strncmp(c, "53", 2);
	return -1;
}

/* ---- the session: settings, progress ---- */

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
		PGresult *res = run(p, settings[i], 0, NULL,
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
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (!code || strcmp(code, "42501") != 0) {
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

static int setup_progress(struct pgsink *p, struct err *e)
{
	const char *name[] = { p->progress_name };
	/* Creating and using an origin takes superuser or a grant on the
	 * functions (even to look one up); without it, a table keeps the
	 * position. */
	bool may = true, exists = false;
	PGresult *res = PQexecParams(
	    p->conn, "SELECT pg_catalog.pg_replication_origin_oid($1)", 1, NULL,
	    name, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		exists = !PQgetisnull(res, 0, 0);
	} else {
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (!code || strcmp(code, "42501") != 0) {
			pgsql_fail(e, p->conn, res,
				   "looking up the replication origin");
			PQclear(res);
			return -1;
		}
		may = false;
	}
	PQclear(res);
	p->use_origin = false;
	if (may && !exists) {
		res = PQexecParams(
		    p->conn,
		    "SELECT pg_catalog.pg_replication_origin_create($1)", 1,
		    NULL, name, NULL, NULL, 0);
		exists = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
	}
	/* In use by another session: a second walhook on one target must
	 * not share the position. But the session of a walhook that was just
	 * killed holds it until the server notices its client is gone, which
	 * takes a moment: wait that long. */
	int64_t give_up = mono_now_us() + ORIGIN_WAIT_US;
	while (exists) {
		res = PQexecParams(
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
		break;
	}
	if (PQstatus(p->conn) != CONNECTION_OK)
		return pgsql_fail(e, p->conn, NULL,
				  "setting up the replication origin");
	if (p->use_origin) {
		res = run(
		    p,
		    "SELECT pg_catalog.pg_replication_origin_progress($1, true)",
		    1, name, "reading the replication origin's position", e);
	} else {
		if (!(res = run(p, "CREATE SCHEMA IF NOT EXISTS walhook", 0,
				NULL, "creating the walhook schema", e)))
			return -1;
		PQclear(res);
		if (!(res = run(p,
				"CREATE TABLE IF NOT EXISTS walhook.progress ("
				" name text PRIMARY KEY, lsn pg_lsn NOT NULL,"
				" updated timestamptz NOT NULL DEFAULT now())",
				0, NULL, "creating walhook.progress", e)))
			return -1;
		PQclear(res);
		res = run(p, "SELECT lsn FROM walhook.progress WHERE name = $1",
			  1, name, "reading walhook.progress", e);
	}
	if (!res)
		return -1;
	p->progress = 0;
	if (PQntuples(res) && !PQgetisnull(res, 0, 0))
		lsn_parse(PQgetvalue(res, 0, 0), &p->progress);
	PQclear(res);
	return 0;
}

static void free_table(struct target_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	free(t->cols);
	t->cols = NULL;
	t->ncols = t->nkeys = 0;
}

static void free_tables(struct pgsink *p)
{
	for (struct target_table *t = p->tables, *n; t; t = n) {
		n = t->next;
		free_table(t);
		free(t->qualified);
		free(t);
	}
	p->tables = NULL;
}

static void forget_statements(struct pgsink *p)
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

/* Connects again after the target went away: a new session, so new
 * settings and prepared statements, tables described anew (they may have
 * changed meanwhile), and the position read again (a commit whose answer
 * was lost may have happened). */
static int ensure_connected(struct pgsink *p, struct err *e)
{
	if (PQstatus(p->conn) == CONNECTION_OK && !p->unusable)
		return 0;
	PQreset(p->conn);
	p->unusable = false;
	p->in_txn = false;
	p->queued = 0;
	p->savepoint = 0;
	forget_statements(p);
	for (struct target_table *t = p->tables; t; t = t->next)
		t->stale = true;
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pgsql_fail(e, p->conn, NULL, "connecting to the target again");
		e->transient = true;
		return -1;
	}
	if (setup_session(p, e) < 0 || setup_progress(p, e) < 0)
		return target_fail(p, e);
	if (!PQenterPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, "entering pipeline mode");
		return target_fail(p, e);
	}
	return 0;
}

/* ---- the pipeline ---- */

/* Waits until the next result can be read without blocking. A stop gives
 * up on a target that does not answer (a locked table, a hung server),
 * cancelling the statement it runs; the session is not used again. */
static int await_result(struct pgsink *p, struct err *e)
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
	if (await_result(p, e) < 0)
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

/* Notes what the next result will answer. */
static void expect(struct pgsink *p, struct target_table *t, const char *doing)
{
	if (p->queued < PENDING_MAX) {
		struct pending *pd = &p->pending[p->queued];
		snprintf(pd->doing, sizeof pd->doing, "%s", doing);
		pd->table = t;
	}
	p->queued++;
}

static int describe(struct pgsink *p, struct target_table *t, struct err *e);
static bool same_description(const struct target_table *a,
			     const struct target_table *b);

/* After a failed statement: the target transaction is gone. Rolls it back
 * now, and when the failed statement's table is no longer what walhook
 * took it for (a column added, renamed or retyped on the target since),
 * describes it anew and makes the failure transient, so that walhook
 * sends the batch again and it meets the new description. */
static void after_failure(struct pgsink *p, struct target_table *t,
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
	struct target_table fresh = { .qualified = t->qualified };
	struct err ignored;
	if (describe(p, &fresh, &ignored) == 0) {
		if (!same_description(t, &fresh)) {
			free_table(t);
			t->relkind = fresh.relkind;
			t->ncols = fresh.ncols;
			t->nkeys = fresh.nkeys;
			t->cols = fresh.cols;
			e->transient = true;
			err_prefix(e, "target table %s changed", t->qualified);
		} else {
			free_table(&fresh);
		}
	}
	PQenterPipelineMode(p->conn);
}

/* Reads the results of everything queued, up to a sync. */
static int drain(struct pgsink *p, struct err *e)
{
	if (!p->queued)
		return 0;
	if (PQpipelineSync(p->conn) != 1) {
		pgsql_fail(e, p->conn, NULL, "applying changes");
		return target_fail(p, e);
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
			return target_fail(p, e);
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
	after_failure(p, failed, e);
	return target_fail(p, e);
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
		target_fail(p, e);
		return NULL;
	}
	char doing[200];
	snprintf(doing, sizeof doing, "preparing a statement for %s",
		 t ? t->qualified : "the progress");
	expect(p, t, doing);
	s->next = p->stmts;
	p->stmts = s;
	return s->name;
}

static int queue(struct pgsink *p, const char *sql, int n,
		 const uint32_t *types, const char *const *values,
		 const int *lengths, const int *formats, struct target_table *t,
		 const char *doing, struct err *e)
{
	const char *name = statement(p, sql, n, types, t, e);
	if (!name)
		return -1;
	if (!PQsendQueryPrepared(p->conn, name, n, values, lengths, formats,
				 0)) {
		pgsql_fail(e, p->conn, NULL, doing);
		return target_fail(p, e);
	}
	expect(p, t, doing);
	if (p->queued >= PIPELINE_DEPTH)
		return drain(p, e);
	return 0;
}

static int queue_plain(struct pgsink *p, const char *sql, struct err *e)
{
	if (!PQsendQueryParams(p->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		pgsql_fail(e, p->conn, NULL, sql);
		return target_fail(p, e);
	}
	expect(p, NULL, sql);
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

/* ---- target tables ---- */

/* Reads t's columns from the target's catalog into t (whose qualified
 * name is set), outside the pipeline. */
static int describe(struct pgsink *p, struct target_table *t, struct err *e)
{
	char doing[600];
	snprintf(doing, sizeof doing, "looking up target table %s",
		 t->qualified);
	const char *params[] = { t->qualified };
	/* The key is what a subscription finds rows by: the replica identity
	 * index, else the primary key. */
	PGresult *res = run(
	    p,
	    "SELECT a.attname, a.atttypid,"
	    " CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE a.atttypid END,"
	    " a.attgenerated <> '', a.attidentity = 'a',"
	    " coalesce(a.attnum = ANY (k.indkey), false), c.relkind"
	    " FROM pg_catalog.pg_class c"
	    " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
	    " JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
	    " LEFT JOIN LATERAL (SELECT i.indkey FROM pg_catalog.pg_index i"
	    "   WHERE i.indrelid = c.oid AND i.indisvalid AND"
	    "   (i.indisreplident OR i.indisprimary)"
	    "   ORDER BY i.indisreplident DESC LIMIT 1) k ON true"
	    " WHERE c.oid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped"
	    " ORDER BY a.attnum",
	    1, params, doing, e);
	if (!res)
		return -1;
	t->ncols = (size_t)PQntuples(res);
	t->nkeys = 0;
	t->relkind = t->ncols ? PQgetvalue(res, 0, 6)[0] : 'r';
	t->cols = xcalloc(t->ncols + 1, sizeof *t->cols);
	for (size_t i = 0; i < t->ncols; i++) {
		struct target_col *c = &t->cols[i];
		int r = (int)i;
		c->name = xstrdup(PQgetvalue(res, r, 0));
		c->type = (uint32_t)strtoul(PQgetvalue(res, r, 1), NULL, 10);
		c->base = (uint32_t)strtoul(PQgetvalue(res, r, 2), NULL, 10);
		c->generated = PQgetvalue(res, r, 3)[0] == 't';
		c->always_identity = PQgetvalue(res, r, 4)[0] == 't';
		c->key = PQgetvalue(res, r, 5)[0] == 't';
		t->nkeys += c->key;
	}
	PQclear(res);
	return 0;
}

static bool same_description(const struct target_table *a,
			     const struct target_table *b)
{
	if (a->ncols != b->ncols || a->relkind != b->relkind)
		return false;
	for (size_t i = 0; i < a->ncols; i++) {
		const struct target_col *x = &a->cols[i], *y = &b->cols[i];
		if (strcmp(x->name, y->name) || x->type != y->type ||
		    x->generated != y->generated || x->key != y->key ||
		    x->always_identity != y->always_identity)
			return false;
	}
	return true;
}

/* Describes t anew, outside the pipeline; an open target transaction
 * stays open. */
static int redescribe(struct pgsink *p, struct target_table *t, struct err *e)
{
	if (ensure_connected(p, e) < 0)
		return -1;
	char doing[600];
	snprintf(doing, sizeof doing, "looking up target table %s",
		 t->qualified);
	/* A lookup needs the connection out of pipeline mode for a moment. */
	if (drain(p, e) < 0)
		return -1;
	if (!PQexitPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, doing);
		return target_fail(p, e);
	}
	struct target_table fresh = { .qualified = t->qualified };
	int rc = describe(p, &fresh, e);
	if (!PQenterPipelineMode(p->conn) && rc == 0)
		rc = pgsql_fail(e, p->conn, NULL, doing);
	if (rc < 0) {
		free_table(&fresh);
		return target_fail(p, e);
	}
	free_table(t);
	t->relkind = fresh.relkind;
	t->ncols = fresh.ncols;
	t->nkeys = fresh.nkeys;
	t->cols = fresh.cols;
	t->stale = false;
	return 0;
}

static struct target_table *target(struct pgsink *p, const char *schema,
				   const char *table, struct err *e)
{
	struct buf q = { 0 };
	pgsql_put_ident(&q, schema ? schema : "public");
	buf_putc(&q, '.');
	pgsql_put_ident(&q, table);
	const char *qualified = buf_cstr(&q);
	for (struct target_table *t = p->tables; t; t = t->next) {
		if (strcmp(t->qualified, qualified) == 0) {
			buf_free(&q);
			if (t->stale && redescribe(p, t, e) < 0)
				return NULL;
			return t;
		}
	}
	struct target_table *t = xcalloc(1, sizeof *t);
	t->qualified = xstrdup(qualified);
	buf_free(&q);
	if (redescribe(p, t, e) < 0) {
		free(t->qualified);
		free(t);
		return NULL;
	}
	t->next = p->tables;
	p->tables = t;
	return t;
}

/* A target column by name; NULL when the table has no such column. */
static const struct target_col *column(const struct target_table *t,
				       const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* Types without an equality operator cannot find a row. */
static bool comparable(uint32_t type)
{
	switch (type) {
	case OID_JSON: case OID_JSON_ARRAY:
	case OID_XML: case OID_XML_ARRAY:
	case OID_POINT: case OID_POINT_ARRAY:
	case OID_LSEG: case OID_LSEG_ARRAY:
	case OID_PATH: case OID_PATH_ARRAY:
	case OID_BOX: case OID_BOX_ARRAY:
	case OID_POLYGON: case OID_POLYGON_ARRAY:
	case OID_LINE: case OID_LINE_ARRAY:
	case OID_CIRCLE: case OID_CIRCLE_ARRAY: return false;
	default: return true;
	}
}

static const char *missing_column(const struct target_table *t, size_t n,
				  const char *const *names)
{
	for (size_t i = 0; i < n; i++)
		if (!column(t, names[i]))
			return names[i];
	return NULL;
}

/* Every column the change names must be the target's. One that is not
 * may have been added since walhook looked: look again. Still missing,
 * it is a failure that passes once the target has it (as a subscription
 * waits for it), so walhook retries. */
static int check_columns(struct pgsink *p, struct target_table *t,
			 const struct sink_row *r, struct err *e)
{
	const char *name = missing_column(t, r->ncols, r->names);
	if (!name)
		name = missing_column(t, r->nold, r->old_names);
	if (name && (redescribe(p, t, e) < 0))
		return -1;
	if (name) {
		name = missing_column(t, r->ncols, r->names);
		if (!name)
			name = missing_column(t, r->nold, r->old_names);
	}
	if (name) {
		err_set(e, "target table %s has no column \"%s\"", t->qualified,
			name);
		e->transient = true;
		return -1;
	}
	if (!t->ncols)
		return err_set(e, "target table %s has no columns",
			       t->qualified);
	return 0;
}

/* ---- rows ---- */

struct params {
	const char **values;
	int *lengths;
	int *formats;
	uint32_t *types;
	int n, cap;
};

/* Adds a parameter typed as the target column: a composite, a domain or
 * an array then needs no cast, and a value is read by the column's type. */
static int param(struct params *ps, const struct datum *v,
		 const struct target_col *c)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->values = xrealloc(ps->values, ps->cap * sizeof *ps->values);
		ps->lengths =
		    xrealloc(ps->lengths, ps->cap * sizeof *ps->lengths);
		ps->formats =
		    xrealloc(ps->formats, ps->cap * sizeof *ps->formats);
		ps->types = xrealloc(ps->types, ps->cap * sizeof *ps->types);
	}
	int i = ps->n++;
	ps->values[i] = v->kind == DATUM_NULL ? NULL : v->data;
	ps->lengths[i] = (int)v->len;
	ps->types[i] = c->type;
	/* bytea comes as raw bytes: its binary format is exactly those. */
	ps->formats[i] = c->base == OID_BYTEA ? 1 : 0;
	return ps->n;
}

static void free_params(struct params *ps)
{
	free(ps->values);
	free(ps->lengths);
	free(ps->formats);
	free(ps->types);
}

static bool is_key(const struct sink_row *r, const char *name)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (strcmp(r->keys[i], name) == 0)
			return true;
	return false;
}

/* The value a change carries for a column, or NULL. */
static const struct datum *value_of(size_t n, const char *const *names,
				    const struct datum *vals, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return &vals[i];
	return NULL;
}

static void put_match(struct buf *q, struct params *ps,
		      const struct target_col *c, const struct datum *v,
		      bool *first)
{
	buf_puts(q, *first ? "" : " AND ");
	*first = false;
	pgsql_put_ident(q, c->name);
	if (v->kind == DATUM_NULL)
		buf_puts(q, " IS NULL");
	else
		buf_printf(q, " = $%d", param(ps, v, c));
}

/* Whether the change carries a value for every column of the target's
 * key, each in the change's key (when it names one). */
static bool covers_target_key(const struct target_table *t,
			      const struct sink_row *r, size_t n,
			      const char *const *names,
			      const struct datum *vals)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const struct target_col *c = &t->cols[i];
		if (!c->key)
			continue;
		const struct datum *v = value_of(n, names, vals, c->name);
		if (!v || v->kind == DATUM_UNCHANGED ||
		    (r->nkeys && !is_key(r, c->name)))
			return false;
	}
	return true;
}

/* The condition that finds the changed row, as a subscription finds it:
 *  - a target with a replica identity index or a primary key: its
 *    columns, whose values the change carries as part of its key (from
 *    old when it has an old row, else from new);
 *  - a target without: every column compared with the change's old row,
 *    a column the change does not carry (one only the target has, or a
 *    NULL a plugin left out) as NULL, a column the target generates not
 *    at all. Such a condition may meet equal rows; *one_row says that
 *    exactly one of them is to change. A change that names no key and
 *    no old value is an old row of NULLs whose columns a text plugin left
 *    out (test_decoding and wal2json format 1 leave NULLs out of old
 *    rows): every column is then compared as NULL.
 * Otherwise (where a subscription would stop: a target whose key the
 * change does not carry, as when a script routes a change to another
 * table, or a change without an old row on a target without a key) the
 * change's own key columns find the row. */
static int put_condition(struct buf *q, struct params *ps,
			 const struct target_table *t, const struct sink_row *r,
			 bool *one_row, struct err *e)
{
	size_t n = r->nold ? r->nold : r->ncols;
	const char *const *names = r->nold ? r->old_names : r->names;
	const struct datum *vals = r->nold ? r->old_values : r->values;
	bool first = true;
	*one_row = false;
	if (t->nkeys && covers_target_key(t, r, n, names, vals)) {
		for (size_t i = 0; i < t->ncols; i++) {
			const struct target_col *c = &t->cols[i];
			if (c->key)
				put_match(q, ps, c,
					  value_of(n, names, vals, c->name),
					  &first);
		}
		return 0;
	}
	if (!t->nkeys && (r->nold || !r->nkeys)) {
		static const struct datum null = { .kind = DATUM_NULL };
		*one_row = true;
		for (size_t i = 0; i < t->ncols; i++) {
			const struct target_col *c = &t->cols[i];
			const struct datum *v = value_of(
			    r->nold, r->old_names, r->old_values, c->name);
			if (c->generated || !comparable(c->base) ||
			    (v && v->kind == DATUM_UNCHANGED))
				continue;
			put_match(q, ps, c, v ? v : &null, &first);
		}
	} else {
		*one_row = !t->nkeys;
		for (size_t i = 0; i < n; i++) {
			const struct target_col *c = column(t, names[i]);
			if (!is_key(r, names[i]) ||
			    vals[i].kind == DATUM_UNCHANGED ||
			    !comparable(c->base))
				continue;
			put_match(q, ps, c, &vals[i], &first);
		}
	}
	if (first)
		return err_set(
		    e,
		    "%s: the change names no key to find the row by (REPLICA IDENTITY NOTHING?)",
		    t->qualified);
	return 0;
}

/* " WHERE cond", or for one of equal rows
 * " WHERE ctid = (SELECT ctid FROM t WHERE cond LIMIT 1)": a partitioned
 * table's ctid is unique only with the partition, its tableoid. */
static int put_where(struct buf *q, struct params *ps,
		     const struct target_table *t, const struct sink_row *r,
		     bool lock, struct err *e)
{
	struct buf cond = { 0 };
	bool one_row;
	int rc = put_condition(&cond, ps, t, r, &one_row, e);
	if (rc == 0 && !one_row) {
		buf_puts(q, " WHERE ");
		buf_put(q, cond.data, cond.len);
	} else if (rc == 0) {
		bool parted = t->relkind == 'p';
		buf_printf(q, " WHERE %s = (SELECT %s FROM %s WHERE ",
			   parted ? "(tableoid, ctid)" : "ctid",
			   parted ? "tableoid, ctid" : "ctid", t->qualified);
		buf_put(q, cond.data, cond.len);
		buf_puts(q, lock ? " LIMIT 1 FOR UPDATE)" : " LIMIT 1)");
	}
	buf_free(&cond);
	return rc;
}

/* Whether the column is written from the value v: not when the target
 * generates it, nor when the value was not sent (unchanged TOAST). */
static bool written(const struct target_col *c, const struct datum *v)
{
	return !c->generated && v->kind != DATUM_UNCHANGED;
}

static void put_insert(struct buf *q, struct params *ps,
		       const struct target_table *t, const struct sink_row *r)
{
	buf_printf(q, "INSERT INTO %s (", t->qualified);
	int n = 0;
	bool overriding = false;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = column(t, r->names[i]);
		if (!written(c, &r->values[i]))
			continue;
		if (n++)
			buf_puts(q, ", ");
		pgsql_put_ident(q, c->name);
		overriding |= c->always_identity;
	}
	if (!n) {
		/* Nothing to write but what the target makes itself. */
		q->len -= 2;
		buf_puts(q, " DEFAULT VALUES");
		if (r->op == CHANGE_READ)
			buf_puts(q, " ON CONFLICT DO NOTHING");
		return;
	}
	/* A subscription writes identity columns as the source had them. */
	buf_puts(q, overriding ? ") OVERRIDING SYSTEM VALUE VALUES ("
			       : ") VALUES (");
	n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = column(t, r->names[i]);
		if (!written(c, &r->values[i]))
			continue;
		buf_printf(q, "%s$%d", n++ ? ", " : "",
			   param(ps, &r->values[i], c));
	}
	buf_putc(q, ')');
	/* A snapshot row that meets a row the target already has (a rerun)
	 * leaves it be: whatever unique constraint the target has. */
	if (r->op == CHANGE_READ)
		buf_puts(q, " ON CONFLICT DO NOTHING");
}

/* Whether an update leaves the column as it was: its new value is its
 * old one, or with no old row, it is a key column of the change or of the
 * target, by whose new value the row is found (pgoutput and the text
 * plugins send an old key when the key changes). */
static bool kept(const struct sink_row *r, size_t i, const struct target_col *c)
{
	const struct datum *old =
	    value_of(r->nold, r->old_names, r->old_values, r->names[i]);
	const struct datum *v = &r->values[i];
	if (!old)
		return r->nold == 0 && (is_key(r, r->names[i]) || c->key);
	return old->kind == v->kind && old->len == v->len &&
	       (v->kind != DATUM_TEXT || !memcmp(old->data, v->data, v->len));
}

static int put_update(struct buf *q, struct params *ps,
		      const struct target_table *t, const struct sink_row *r,
		      struct err *e)
{
	buf_printf(q, "UPDATE %s SET ", t->qualified);
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = column(t, r->names[i]);
		/* An identity column GENERATED ALWAYS can only be set to
		 * DEFAULT: leave it alone unless it changed. */
		if (!written(c, &r->values[i]) ||
		    (c->always_identity && kept(r, i, c)))
			continue;
		if (n++)
			buf_puts(q, ", ");
		pgsql_put_ident(q, c->name);
		buf_printf(q, " = $%d", param(ps, &r->values[i], c));
	}
	if (!n)
		return 1; /* nothing to set */
	return put_where(q, ps, t, r, true, e);
}

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
	int rc = queue(p, buf_cstr(&q), 0, NULL, NULL, NULL, NULL, t, doing, e);
	buf_free(&q);
	if (rc == 0)
		p->emptied = t;
	return rc;
}

static int pg_write_row(struct sink *s, const struct sink_row *r, struct err *e)
{
	struct pgsink *p = (struct pgsink *)s;
	struct target_table *t = target(p, r->schema, r->table, e);
	if (!t || check_columns(p, t, r, e) < 0 || open_txn(p, e) < 0)
		return -1;
	bool read = r->op == CHANGE_READ;
	if (read && p->fed_before && p->emptied != t &&
	    empty_table(p, t, e) < 0)
		return -1;
	struct buf *q = &p->sql;
	struct params ps = { 0 };
	buf_reset(q);
	int rc = 0;
	if (r->op == CHANGE_INSERT || read) {
		put_insert(q, &ps, t, r);
	} else if (r->op == CHANGE_UPDATE) {
		rc = put_update(q, &ps, t, r, e);
	} else {
		buf_printf(q, "DELETE FROM %s", t->qualified);
		rc = put_where(q, &ps, t, r, false, e);
	}
	if (rc == 0) {
		char doing[200];
		snprintf(doing, sizeof doing, "applying %s to %s",
			 change_op_name(r->op), t->qualified);
		rc = queue(p, buf_cstr(q), ps.n, ps.types, ps.values,
			   ps.lengths, ps.formats, t, doing, e);
	}
	free_params(&ps);
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
		struct target_table *t = target(
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
	int rc = open_txn(p, e);
	if (rc == 0)
		rc = queue_plain(p, buf_cstr(&q), e);
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
		if (queue_plain(p,
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
		rc = queue(
		    p,
		    "SELECT pg_catalog.pg_replication_origin_xact_setup($1::pg_lsn, $2::timestamptz)",
		    2, (const uint32_t[]){ 0, 0 }, params, NULL, NULL, NULL,
		    doing, e);
	} else {
		const char *params[] = { p->progress_name, lsn };
		rc = queue(
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
			expect(p, NULL, doing);
		} else {
			pgsql_fail(e, p->conn, NULL, doing);
			rc = target_fail(p, e);
		}
	}
	if (rc == 0)
		rc = drain(p, e);
	if (rc < 0) {
		/* The target transaction is gone; nothing of it counts. */
		if (p->in_txn && PQstatus(p->conn) == CONNECTION_OK) {
			struct err ignored;
			after_failure(p, NULL, &ignored);
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
	    drain(p, &ignored) == 0 &&
	    queue_plain(p, "ROLLBACK", &ignored) == 0)
		drain(p, &ignored);
	p->in_txn = false;
	p->savepoint = 0;
}

static void pg_free(struct sink *s)
{
	struct pgsink *p = (struct pgsink *)s;
	PQfinish(p->conn);
	free_tables(p);
	forget_statements(p);
	buf_free(&p->sql);
	free(p->pending);
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
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { c->conninfo, "walhook", NULL };
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		pgsql_fail(e, p->conn, NULL, "connecting to the target");
		pg_free(&p->base);
		return NULL;
	}
	if (setup_session(p, e) < 0 || setup_progress(p, e) < 0 ||
	    !PQenterPipelineMode(p->conn)) {
		if (!*e->msg)
			pgsql_fail(e, p->conn, NULL, "entering pipeline mode");
		pg_free(&p->base);
		return NULL;
	}
	p->fed_before = p->progress != 0;
	return &p->base;
}
