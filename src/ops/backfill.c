#include "ops/backfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "core/json.h"
#include "ops/backfill_jobs.h"
#include "ops/describe.h"
#include "protocol/pgsql.h"

static void free_keys(char **k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i]);
	free(k);
}

/* next takes up from the durable progress: at the start, and after the
 * stream started again, forgetting what was not durable. */
void bf_rewind(struct job *j)
{
	j->next.rows = j->durable.rows;
	j->next.chunks = j->durable.chunks;
	j->next.state = j->durable.state;
	backfill_progress_set_key(&j->next, (const char *const *)j->durable.key,
				  j->durable.nkey);
	for (size_t i = 0; i < j->nqueue; i++)
		backfill_progress_set_key(&j->queue[i].at, NULL, 0);
	j->nqueue = 0;
}

struct job *bf_job_new(const struct backfill_request *r,
		       const struct backfill_progress *saved)
{
	struct job *j = xcalloc(1, sizeof *j);
	const char *name = r ? r->table : saved->table;
	const char *dot = strchr(name, '.');
	j->schema = dot ? xstrndup(name, (size_t)(dot - name))
			: xstrdup("public");
	j->table = xstrdup(dot ? dot + 1 : name);
	struct buf full = { 0 };
	buf_printf(&full, "%s.%s", j->schema, j->table);
	if (r) {
		j->durable = (struct backfill_progress){
			.where = xstrdup(r->where ? r->where : ""),
			.chunk = r->chunk > 0 ? r->chunk : BACKFILL_CHUNK,
			.by = r->by,
			.signal_commit = r->commit_lsn,
			.signal_lsn = r->lsn,
		};
	} else {
		j->durable = *saved;
		j->durable.where = xstrdup(saved->where);
		j->durable.key = NULL;
		j->durable.nkey = 0;
		backfill_progress_set_key(&j->durable,
					  (const char *const *)saved->key,
					  saved->nkey);
	}
	j->durable.table = xstrdup(buf_cstr(&full));
	buf_free(&full);
	bf_rewind(j);
	return j;
}

void bf_job_free(struct job *j)
{
	if (!j)
		return;
	if (j->watching)
		window_free(&j->win);
	free_keys(j->chunk_key, j->chunk_nkey);
	backfill_progress_free(&j->durable);
	backfill_progress_set_key(&j->next, NULL, 0);
	for (size_t i = 0; i < j->nqueue; i++)
		backfill_progress_set_key(&j->queue[i].at, NULL, 0);
	free(j->schema);
	free(j->table);
	free(j->pk);
	free(j);
}

/* The primary key's columns, in key order, as rel's positions. */
static int primary_key(PGconn *c, struct job *j, struct err *e)
{
	char relid[16];
	snprintf(relid, sizeof relid, "%u", j->rel->relid);
	const char *params[] = { relid };
	PGresult *res;
	if (pgsql_exec(
		c,
		"SELECT a.attname FROM pg_catalog.pg_index i,"
		" unnest(i.indkey) WITH ORDINALITY k(attnum, n)"
		" JOIN pg_catalog.pg_attribute a ON a.attnum = k.attnum"
		" WHERE i.indrelid = $1 AND i.indisprimary AND a.attrelid = $1"
		" ORDER BY k.n",
		1, params, &res, "reading the primary key", e) < 0)
		return -1;
	int n = PQntuples(res);
	j->pk = xcalloc((size_t)n + 1, sizeof *j->pk);
	for (int i = 0; i < n; i++)
		for (uint16_t col = 0; col < j->rel->ncols; col++)
			if (!strcmp(j->rel->cols[col].name,
				    PQgetvalue(res, i, 0)))
				j->pk[j->npk++] = col;
	PQclear(res);
	if (n && j->npk == n)
		return 0;
	return err_set(
	    e,
	    "the table has no primary key walhook can read it by (chunks are read in key order)");
}

/* A table outside the stream's publications would never see its
 * changes matched against its chunks. */
static int published(struct backfill *b, struct job *j, struct err *e)
{
	if (!b->publications)
		return 0;
	const char *params[] = { b->publications, j->rel->nspname,
				 j->rel->relname };
	PGresult *res;
	if (pgsql_exec(b->c,
		       "SELECT 1 FROM pg_catalog.pg_publication_tables"
		       " WHERE pubname = ANY(string_to_array($1, ','))"
		       " AND schemaname = $2 AND tablename = $3",
		       3, params, &res, "reading the publication's tables",
		       e) < 0)
		return -1;
	bool in = PQntuples(res) > 0;
	PQclear(res);
	return in ? 0
		  : err_set(e,
			    "the table is not in the publication %s: its changes would not be streamed (ALTER PUBLICATION ... ADD TABLE)",
			    b->publications);
}

int bf_prepare(struct backfill *b, struct job *j, struct err *e)
{
	if (bf_connect(b, e) < 0)
		return -1;
	j->rel = describe_table(b->c, j->schema, j->table, &b->rels, e);
	if (!j->rel)
		return -1;
	int rc = 0;
	if (!j->rel->ncols)
		rc = err_set(e, "no such table");
	else if (j->rel->replident != 'd' && j->rel->replident != 'f')
		rc = err_set(
		    e,
		    "its replica identity is neither DEFAULT nor FULL: deletes would not name the primary key");
	if (rc == 0)
		rc = published(b, j, e);
	if (rc == 0)
		rc = primary_key(b->c, j, e);
	if (rc < 0) {
		j->rel = NULL;
		return -1;
	}
	bf_rewind(j);
	b->info("backfill of %s%s%s (asked by %s): %s", j->durable.table,
		*j->durable.where ? " where " : "", j->durable.where,
		backfill_origin_name(j->durable.by),
		j->durable.nkey ? "going on after the last durable chunk"
				: "starting");
	return 0;
}

static void put_columns(struct buf *q, const struct rel *r,
			const uint16_t *pk, uint16_t npk)
{
	for (uint16_t i = 0; i < (pk ? npk : r->ncols); i++) {
		buf_puts(q, i ? ", " : "");
		pgsql_put_ident(q, r->cols[pk ? pk[i] : i].name);
	}
}

/* SELECT the columns ... WHERE (pk) > (next key) AND (where) ORDER BY pk
 * LIMIT chunk. */
static void chunk_sql(struct buf *q, const struct job *j)
{
	buf_puts(q, "SELECT ");
	put_columns(q, j->rel, NULL, 0);
	buf_puts(q, " FROM ");
	pgsql_put_ident(q, j->rel->nspname);
	buf_putc(q, '.');
	pgsql_put_ident(q, j->rel->relname);
	const char *glue = " WHERE ";
	if (j->next.nkey) {
		buf_printf(q, "%s(", glue);
		put_columns(q, j->rel, j->pk, j->npk);
		buf_puts(q, ") > (");
		for (uint16_t i = 0; i < j->npk; i++)
			buf_printf(q, "%s$%u", i ? ", " : "", i + 1);
		buf_putc(q, ')');
		glue = " AND ";
	}
	if (*j->durable.where)
		buf_printf(q, "%s(%s)", glue, j->durable.where);
	buf_puts(q, " ORDER BY ");
	put_columns(q, j->rel, j->pk, j->npk);
	buf_printf(q, " LIMIT %d", j->durable.chunk);
}

static int emit_mark(struct backfill *b, const char *mark, struct err *e)
{
	const char *params[] = { BACKFILL_PREFIX, mark };
	return pgsql_exec(
	    b->c, "SELECT pg_catalog.pg_logical_emit_message(true, $1, $2)", 2,
	    params, NULL, "writing a watermark", e);
}

static void mark_text(struct buf *m, const struct backfill *b,
		      const struct job *j, const char *which)
{
	buf_puts(m, "{\"backfill\":");
	json_put_string(m, j->durable.table, strlen(j->durable.table));
	buf_printf(m, ",\"run\":\"%s\",\"chunk\":%llu,\"mark\":\"%s\"}",
		   b->run, b->seq, which);
}

/* The chunk's rows into the window, and its last key. */
static void take_rows(struct job *j, PGresult *res)
{
	int n = PQntuples(res);
	uint16_t ncols = j->rel->ncols;
	struct datum *vals = xcalloc((size_t)ncols + 1, sizeof *vals);
	for (int r = 0; r < n; r++) {
		for (uint16_t i = 0; i < ncols; i++)
			vals[i] = PQgetisnull(res, r, i)
				      ? (struct datum){ .kind = DATUM_NULL }
				      : (struct datum){
					    .kind = DATUM_TEXT,
					    .len = (uint32_t)PQgetlength(res, r,
									 i),
					    .data = PQgetvalue(res, r, i),
					};
		window_add(&j->win, vals);
	}
	free(vals);
	j->chunk_rows = (size_t)n;
	j->chunk_nkey = n || j->next.nkey ? j->npk : 0;
	j->chunk_key = xcalloc(j->npk + 1, sizeof *j->chunk_key);
	for (uint16_t i = 0; i < j->chunk_nkey; i++)
		j->chunk_key[i] =
		    xstrdup(n ? PQgetvalue(res, n - 1, j->pk[i])
			      : j->next.key[i]);
}

/* Reads the rows of one chunk in a snapshot of its own, with the list of
 * transactions in progress that the low watermark's check needs. */
static int select_chunk(struct backfill *b, struct job *j, struct err *e)
{
	PGresult *snap = NULL, *rows = NULL;
	struct buf q = { 0 };
	chunk_sql(&q, j);
	int rc = pgsql_exec(b->c,
			    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
			    0, NULL, NULL, "starting a chunk's transaction", e);
	if (rc == 0)
		rc = pgsql_exec(b->c,
				"SELECT pg_catalog.pg_current_snapshot()::text",
				0, NULL, &snap, "taking a chunk's snapshot", e);
	if (rc == 0)
		rc = pgsql_exec(b->c, buf_cstr(&q), j->next.nkey ? j->npk : 0,
				(const char *const *)j->next.key, &rows,
				"reading a chunk", e);
	if (rc == 0)
		rc = pgsql_exec(b->c, "COMMIT", 0, NULL, NULL,
				"ending a chunk's transaction", e);
	size_t nxip = 0;
	uint32_t *xip =
	    rc == 0 ? window_parse_snapshot(PQgetvalue(snap, 0, 0), &nxip)
		    : NULL;
	if (rc == 0 && !xip)
		rc = err_set(e, "the server's snapshot \"%s\" is not one",
			     PQgetvalue(snap, 0, 0));
	if (rc == 0) {
		window_set_xip(&j->win, xip, nxip);
		take_rows(j, rows);
	} else if (PQstatus(b->c) == CONNECTION_OK) {
		struct err ignored;
		pgsql_exec(b->c, "ROLLBACK", 0, NULL, NULL, "", &ignored);
	}
	free(xip);
	PQclear(snap);
	PQclear(rows);
	buf_free(&q);
	return rc;
}

/* The progress the chunk in flight makes once its rows are in: the
 * request's fields are views of the job's, the key is a copy (free it
 * with backfill_progress_set_key(p, NULL, 0)). */
static void chunk_progress(const struct job *j, struct backfill_progress *p)
{
	*p = j->durable;
	p->state = j->chunk_rows < (size_t)j->durable.chunk ? BACKFILL_DONE
							     : j->next.state;
	p->rows = j->next.rows + j->chunk_rows;
	p->chunks = j->next.chunks + 1;
	p->key = NULL;
	p->nkey = 0;
	backfill_progress_set_key(p, (const char *const *)j->chunk_key,
				  j->chunk_nkey);
}

/* The record the chunk's rows go with to the sinks that keep one. */
static void set_record(struct job *j)
{
	struct backfill_progress after;
	struct buf text = { 0 };
	chunk_progress(j, &after);
	backfill_progress_put(&text, &after);
	window_set_progress(&j->win, buf_cstr(&text));
	backfill_progress_set_key(&after, NULL, 0);
	buf_free(&text);
}

/* Low watermark, the chunk, high watermark, each committed on its own,
 * so their places in the stream are in commit order; then the stream
 * is to watch the window. */
static int read_chunk(struct backfill *b, struct job *j, struct err *e)
{
	struct buf low = { 0 }, high = { 0 };
	b->seq++;
	mark_text(&low, b, j, "low");
	mark_text(&high, b, j, "high");
	window_init(&j->win, j->durable.table, j->rel, j->pk, j->npk,
		    buf_cstr(&low), buf_cstr(&high));
	free_keys(j->chunk_key, j->chunk_nkey);
	j->chunk_key = NULL;
	j->chunk_nkey = 0;
	int rc = emit_mark(b, low.data, e);
	if (rc == 0)
		rc = select_chunk(b, j, e);
	if (rc == 0) {
		set_record(j);
		rc = emit_mark(b, high.data, e);
	}
	buf_free(&low);
	buf_free(&high);
	if (rc < 0) {
		window_free(&j->win);
		return -1;
	}
	j->watching = true;
	pipeline_watch(b->p, &j->win);
	return 0;
}

void bf_publish(const struct backfill *b, const struct job *j)
{
	stats_set_backfill(b->stats, j->durable.table,
			   backfill_state_name(j->next.state == BACKFILL_DONE
						   ? BACKFILL_DONE
						   : j->durable.state),
			   j->next.rows, j->next.chunks);
}

/* A chunk's rows were handed on: where the next one starts, and the
 * progress it makes once durable. */
static void chunk_delivered(struct backfill *b, struct job *j)
{
	struct backfill_progress after;
	chunk_progress(j, &after);
	j->next.rows = after.rows;
	j->next.chunks = after.chunks;
	j->next.state = after.state;
	backfill_progress_set_key(&j->next, (const char *const *)after.key,
				  after.nkey);
	j->queue[j->nqueue].at = (struct backfill_progress){
		.state = after.state,
		.rows = after.rows,
		.chunks = after.chunks,
		.key = after.key,
		.nkey = after.nkey,
	};
	j->queue[j->nqueue++].lsn = window_end_lsn(&j->win);
	bf_publish(b, j);
	b->info("backfill of %s: chunk %llu, %llu rows", j->durable.table,
		(unsigned long long)j->next.chunks,
		(unsigned long long)j->next.rows);
}

void bf_unwatch(struct backfill *b, struct job *j)
{
	if (!j->watching)
		return;
	pipeline_unwatch(b->p, &j->win);
	window_free(&j->win);
	j->watching = false;
}

/* What became of the chunk in flight; false while it is still on its
 * way through the stream. */
static bool chunk_settled(struct backfill *b, struct job *j)
{
	enum window_state st = window_state_of(&j->win);
	if (st == WINDOW_DONE)
		chunk_delivered(b, j);
	else if (st == WINDOW_RETRY)
		b->info(
		    "backfill of %s: chunk read again: its snapshot missed a transaction the stream had delivered",
		    j->durable.table);
	else if (st == WINDOW_LOST)
		bf_rewind(j);
	else
		return false;
	bf_unwatch(b, j);
	return true;
}

int bf_save(struct backfill *b, struct err *e)
{
	struct backfill_progress *all = xcalloc(b->njobs + 1, sizeof *all);
	for (size_t i = 0; i < b->njobs; i++)
		all[i] = b->jobs[i]->durable;
	int rc = backfill_state_save(b->state_path, all, b->njobs, e);
	free(all);
	return rc;
}

/* The chunks whose high watermark is confirmable make their progress
 * durable. */
static int settle_durable(struct backfill *b, struct job *j, struct err *e)
{
	uint64_t confirmable = delivery_confirmable(b->d);
	size_t n = 0;
	while (n < j->nqueue && j->queue[n].lsn <= confirmable)
		n++;
	if (!n)
		return 0;
	struct backfill_progress *at = &j->queue[n - 1].at;
	if (at->state == BACKFILL_DONE)
		j->durable.state = BACKFILL_DONE;
	j->durable.rows = at->rows;
	j->durable.chunks = at->chunks;
	backfill_progress_set_key(&j->durable, (const char *const *)at->key,
				  at->nkey);
	for (size_t i = 0; i < n; i++)
		backfill_progress_set_key(&j->queue[i].at, NULL, 0);
	memmove(j->queue, j->queue + n, (j->nqueue - n) * sizeof *j->queue);
	j->nqueue -= n;
	if (j->durable.state == BACKFILL_DONE)
		b->info("backfill of %s: done, %llu rows in %llu chunks",
			j->durable.table, (unsigned long long)j->durable.rows,
			(unsigned long long)j->durable.chunks);
	return bf_save(b, e);
}

/* A table a script or a signal asked for that cannot be read any more
 * (dropped since, its key gone) is given up, not retried at every
 * start; one the command line names stops walhook, as at its first
 * start. */
static int unpreparable(struct backfill *b, struct job *j, struct err *e)
{
	if (PQstatus(b->c) != CONNECTION_OK || j->durable.by == BACKFILL_BY_FLAG)
		return err_prefix(e, "backfill of %s", j->durable.table);
	fprintf(stderr, "walhook: backfill of %s (asked by %s) cancelled: %s\n",
		j->durable.table, backfill_origin_name(j->durable.by), e->msg);
	j->durable.state = BACKFILL_CANCELLED;
	bf_publish(b, j);
	return bf_save(b, e);
}

static int step_job(struct backfill *b, struct job *j, struct err *e)
{
	enum backfill_state st = j->durable.state;
	if (st == BACKFILL_DONE || st == BACKFILL_CANCELLED)
		return 0;
	if (!j->rel && bf_prepare(b, j, e) < 0)
		return unpreparable(b, j, e);
	if (settle_durable(b, j, e) < 0)
		return -1;
	if (j->watching && !chunk_settled(b, j))
		return 0;
	/* The chunks ran as far ahead of what is durable as they may, or the
	 * last one is read: what they wait for is made durable as soon as it
	 * is handled (the oldest chunk, to make room; else all of them), so a
	 * backfill goes at the pace of its chunks, not of the sinks' batches. */
	bool full = j->nqueue == BACKFILL_QUEUE;
	bool last = j->nqueue && j->next.state == BACKFILL_DONE;
	if ((full || last) &&
	    (delivery_make_durable(b->d,
				   j->queue[last ? j->nqueue - 1 : 0].lsn,
				   e) < 0 ||
	     settle_durable(b, j, e) < 0))
		return -1;
	if (st == BACKFILL_PAUSED || j->next.state == BACKFILL_DONE ||
	    j->nqueue == BACKFILL_QUEUE)
		return 0;
	if (read_chunk(b, j, e) < 0)
		return err_prefix(e, "backfill of %s", j->durable.table);
	return 0;
}

int bf_connect(struct backfill *b, struct err *e)
{
	if (!b->c && !(b->c = conn_open(b->params, false, e)))
		return err_prefix(e, "the backfill's connection");
	return 0;
}

int backfill_step(void *ctx, struct err *e)
{
	struct backfill *b = ctx;
	if (!b->enabled)
		return 0;
	if (!b->resumed && bf_resume(b, e) < 0)
		return -1;
	b->resumed = true;
	for (size_t i = 0; i < b->njobs; i++) {
		if (bf_connect(b, e) < 0 || step_job(b, b->jobs[i], e) < 0) {
			/* A lost side connection is made again; the
			 * stream starts again from what is durable. */
			if (!b->c || PQstatus(b->c) != CONNECTION_OK) {
				PQfinish(b->c);
				b->c = NULL;
				e->transient = true;
			}
			return -1;
		}
	}
	return 0;
}
