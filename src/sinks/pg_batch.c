/* sink_pg batch — runs of updates or deletes of one table found by its
 * key, applied a few dozen rows a statement (UPDATE ... FROM (VALUES ...),
 * DELETE ... USING (VALUES ...)) where the target would otherwise run a
 * statement a row. A run holds copies of its rows' values until it ends,
 * which it does before any other statement goes (the pipeline's entry
 * points end it first), so the target still sees the source's order. An
 * update of a key the run already holds ends it too: one statement
 * changes a row once, where the source changed it twice. */
#include "sinks/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* Rows a statement takes at most; a run ends there. Chunks of 64, 32, ...
 * 1 rows make at most seven statements of a shape to prepare. */
#define BATCH_MAX_ROWS	 64
/* A statement takes at most 65535 parameters. */
#define BATCH_MAX_PARAMS 65535

static size_t per_row(const struct pgsink_shape *sh)
{
	return sh->nset + sh->nkey;
}

/* Whether the run holds a row whose key values are row's. */
static bool holds_key(const struct pgsink_batch *b,
		      const struct pgsink_params *row)
{
	size_t per = per_row(&b->shape), nkey = b->shape.nkey;
	for (int r = 0; r < b->rows; r++) {
		size_t at = (size_t)r * per + b->shape.nset;
		bool same = true;
		for (size_t k = 0; k < nkey && same; k++) {
			const struct pgsink_params *ps = &b->params;
			size_t i = at + k, j = b->shape.nset + k;
			same = ps->lengths[i] == row->lengths[j] &&
			       !memcmp(b->data.data + b->offs[i],
				       row->values[j], row->lengths[j]);
		}
		if (same)
			return true;
	}
	return false;
}

/* Copies the row's parameters into the run: a call's values are views
 * valid for that call only. */
static void keep_row(struct pgsink_batch *b, const struct pgsink_params *row)
{
	struct pgsink_params *ps = &b->params;
	if (pgsink_reserve_params(ps, row->n))
		b->offs = xrealloc(b->offs, ps->cap * sizeof *b->offs);
	for (int j = 0; j < row->n; j++) {
		int i = ps->n++;
		ps->lengths[i] = row->lengths[j];
		ps->formats[i] = row->formats[j];
		ps->types[i] = row->types[j];
		/* NULL stays NULL; anything else points into data once the
		 * run ends. */
		ps->values[i] = row->values[j];
		b->offs[i] = b->data.len;
		if (row->values[j]) {
			buf_put(&b->data, row->values[j],
				(size_t)row->lengths[j]);
			buf_putc(&b->data, '\0');
		}
	}
	b->rows++;
}

int pgsink_batch_row(struct pgsink *p, struct target_table *t,
		     const struct sink_row *r, struct err *e)
{
	struct pgsink_batch *b = &p->batch;
	if (!pgsink_batch_shape(t, r, &b->next, &b->row) ||
	    per_row(&b->next) * BATCH_MAX_ROWS > BATCH_MAX_PARAMS)
		return 1;
	bool joins = b->table == t && b->rows < BATCH_MAX_ROWS &&
		     pgsink_same_shape(&b->shape, &b->next) &&
		     (b->shape.op == CHANGE_DELETE || !holds_key(b, &b->row));
	if (!joins) {
		if (pgsink_batch_end(p, e) < 0 || pgsink_copy_end(p, e) < 0)
			return -1;
		struct pgsink_shape sh = b->shape;
		b->shape = b->next;
		b->next = sh;
		b->table = t;
	}
	size_t before = b->data.len;
	keep_row(b, &b->row);
	sink_wrote(&p->base, b->data.len - before);
	return 0;
}

/* Queues rows [from, from + n) of the run in one statement. */
static int queue_rows(struct pgsink *p, struct target_table *t, int from, int n,
		      struct err *e)
{
	struct pgsink_batch *b = &p->batch;
	size_t per = per_row(&b->shape), at = (size_t)from * per;
	buf_reset(&b->sql);
	pgsink_put_batch(&b->sql, t, &b->shape, n);
	char doing[300];
	snprintf(doing, sizeof doing, "applying %d %ss to %s in one statement",
		 n, change_op_name(b->shape.op), t->qualified);
	return pgsink_queue(p, buf_cstr(&b->sql), (int)(n * per),
			    b->params.types + at, b->params.values + at,
			    b->params.lengths + at, b->params.formats + at, t,
			    doing, e);
}

int pgsink_batch_end(struct pgsink *p, struct err *e)
{
	struct pgsink_batch *b = &p->batch;
	struct target_table *t = b->table;
	if (!t)
		return 0;
	b->table = NULL;
	for (int i = 0; i < b->params.n; i++)
		if (b->params.values[i])
			b->params.values[i] = b->data.data + b->offs[i];
	int rc = 0, done = 0;
	for (int n = BATCH_MAX_ROWS; n && rc == 0; n /= 2)
		while (rc == 0 && b->rows - done >= n) {
			rc = queue_rows(p, t, done, n, e);
			done += n;
		}
	pgsink_batch_forget(p);
	return rc;
}

void pgsink_batch_forget(struct pgsink *p)
{
	struct pgsink_batch *b = &p->batch;
	b->table = NULL;
	b->rows = 0;
	b->params.n = 0;
	buf_reset(&b->data);
}

void pgsink_batch_free(struct pgsink *p)
{
	struct pgsink_batch *b = &p->batch;
	free(b->shape.cols);
	free(b->next.cols);
	pgsink_free_params(&b->row);
	pgsink_free_params(&b->params);
	free(b->offs);
	buf_free(&b->data);
	buf_free(&b->sql);
}
