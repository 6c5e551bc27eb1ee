#include "decode/textrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "decode/typename.h"
#include "decode/values.h"

static const struct datum datum_null = { .kind = DATUM_NULL };
static const struct datum datum_unchanged = { .kind = DATUM_UNCHANGED };

/* Makes room for need elements of size elem in *arr. */
static void reserve(void *arr, size_t *cap, size_t need, size_t elem)
{
	void **p = arr;
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

struct tcol *tcols_at(struct tcols *l, size_t i)
{
	reserve(&l->v, &l->cap, i + 1, sizeof *l->v);
	for (; l->n <= i; l->n++)
		l->v[l->n] = (struct tcol){ 0 };
	return &l->v[i];
}

void tcols_free(struct tcols *l)
{
	free(l->v);
	*l = (struct tcols){ 0 };
}

void textrow_init(struct textrow *r, struct arena *arena, bool bare_bytea)
{
	*r = (struct textrow){ .arena = arena, .bare_bytea = bare_bytea };
}

void textrow_free(struct textrow *r)
{
	free(r->cols);
	free(r->newv);
	free(r->oldv);
	free(r->where);
	free(r->trels);
	free(r->trelp);
	*r = (struct textrow){ 0 };
}

static uint32_t tcol_typoid(const struct tcol *c)
{
	if (c->has_oid)
		return c->typoid;
	return c->type ? typename_oid(c->type, c->type_len) : 0;
}

/* wal2json prints bytea's hex output without the leading "\x"; put it
 * back so the text is what PostgreSQL's output function wrote. */
static struct datum fix_value(struct textrow *r, uint32_t typoid,
			      struct datum v)
{
	if (typoid != OID_BYTEA || v.kind != DATUM_TEXT || !r->bare_bytea)
		return v;
	char *p = arena_alloc(r->arena, (size_t)v.len + 2);
	p[0] = '\\';
	p[1] = 'x';
	memcpy(p + 2, v.data, v.len);
	v.data = p;
	v.len += 2;
	return v;
}

/* The position of the column called name in l, searching from index
 * from onwards first (the plugins print old and new rows in the table's
 * order); l->n when there is none. */
static size_t tcols_find(const struct tcols *l, const char *name, size_t len,
			 size_t from)
{
	for (size_t k = 0; k < l->n; k++) {
		size_t i = (from + k) % l->n;
		if (l->v[i].name_len == len &&
		    memcmp(l->v[i].name, name, len) == 0)
			return i;
	}
	return l->n;
}

static void add_column(struct textrow *r, size_t f, const struct tcol *c)
{
	uint32_t typoid = tcol_typoid(c);
	r->cols[f] = (struct rel_column){
		.name = c->name,
		.name_len = c->name_len,
		.typoid = typoid,
		.typmod = -1,
	};
	r->newv[f] = fix_value(r, typoid, c->val);
	r->oldv[f] = datum_null;
}

/* Places the new row's columns from *next up to (not including) upto at
 * the end of the rel, which has *n columns. */
static void place_new(struct textrow *r, const struct tcols *newc, size_t *next,
		      size_t upto, size_t *n)
{
	for (; *next < upto; (*next)++) {
		r->where[*next] = *n;
		add_column(r, (*n)++, &newc->v[*next]);
	}
}

/* Merges the old row's columns into the rel being built (*n columns so
 * far), each where the new row has it, else after what is placed. */
static int merge_old(struct textrow *r, const struct textrow_in *in, size_t *n,
		     size_t *next, char *why, size_t whylen)
{
	size_t nn = in->newc ? in->newc->n : 0;
	for (size_t k = 0; k < in->oldc->n; k++) {
		const struct tcol *o = &in->oldc->v[k];
		size_t j =
		    in->newc ? tcols_find(in->newc, o->name, o->name_len, *next)
			     : nn;
		size_t f;
		if (j < nn) {
			place_new(r, in->newc, next, j + 1, n);
			f = r->where[j];
		} else {
			f = (*n)++;
			add_column(r, f, o);
			r->newv[f] = datum_unchanged;
		}
		if (r->cols[f].key) {
			snprintf(
			    why, whylen,
			    "the old row of %s.%s names column \"%s\" twice",
			    in->schema, in->table, o->name);
			return -1;
		}
		r->cols[f].key = true;
		r->oldv[f] = fix_value(r, r->cols[f].typoid, o->val);
	}
	return 0;
}

/* Without an old row, the primary key's names flag the key columns. */
static void mark_pk(struct textrow *r, size_t n, const struct tcols *pkc)
{
	for (size_t k = 0; k < pkc->n; k++)
		for (size_t i = 0; i < n; i++)
			if (r->cols[i].name_len == pkc->v[k].name_len &&
			    memcmp(r->cols[i].name, pkc->v[k].name,
				   pkc->v[k].name_len) == 0)
				r->cols[i].key = true;
}

int textrow_change(struct textrow *r, const struct textrow_in *in,
		   struct event *ev, char *why, size_t whylen)
{
	size_t nn = in->newc ? in->newc->n : 0, no = in->oldc ? in->oldc->n : 0;
	size_t max = nn + no;
	if (max > UINT16_MAX) {
		snprintf(
		    why, whylen,
		    "a row of %s.%s has %zu columns, more than walhook handles",
		    in->schema, in->table, max);
		return -1;
	}
	/* one more, so an empty row is an array and not NULL */
	reserve(&r->cols, &r->cols_cap, max + 1, sizeof *r->cols);
	reserve(&r->newv, &r->newv_cap, max + 1, sizeof *r->newv);
	reserve(&r->oldv, &r->oldv_cap, max + 1, sizeof *r->oldv);
	reserve(&r->where, &r->where_cap, nn, sizeof *r->where);

	size_t n = 0, next = 0; /* next: first new column not yet placed */
	if (in->oldc && merge_old(r, in, &n, &next, why, whylen) < 0)
		return -1;
	place_new(r, in->newc, &next, nn, &n);
	if (!in->oldc && in->pkc)
		mark_pk(r, n, in->pkc);
	uint16_t nkeys = 0;
	for (size_t i = 0; i < n; i++)
		nkeys += r->cols[i].key;

	r->rel = (struct rel){
		.nspname = in->schema,
		.relname = in->table,
		.ncols = (uint16_t)n,
		.nkeys = nkeys,
		.cols = r->cols,
	};
	ev->kind = EVENT_CHANGE;
	ev->lsn = in->lsn;
	ev->change = (struct change){
		.op = in->op == 'I'   ? CHANGE_INSERT
		      : in->op == 'U' ? CHANGE_UPDATE
				      : CHANGE_DELETE,
		.rel = &r->rel,
		.lsn = in->lsn,
		.newv = in->newc ? r->newv : NULL,
		.oldv = in->oldc ? r->oldv : NULL,
		.old_kind = in->oldc ? (nkeys == n ? 'O' : 'K') : 0,
	};
	return 0;
}

void textrow_truncate_rel(struct textrow *r, size_t i, const char *schema,
			  const char *table)
{
	reserve(&r->trels, &r->trels_cap, i + 1, sizeof *r->trels);
	r->trels[i] = (struct rel){ .nspname = schema, .relname = table };
}

void textrow_truncate(struct textrow *r, struct event *ev, uint32_t nrels,
		      bool cascade, bool restart, uint64_t lsn)
{
	/* trels may have moved while it grew: point at it only now */
	reserve(&r->trelp, &r->trelp_cap, nrels, sizeof *r->trelp);
	for (uint32_t i = 0; i < nrels; i++)
		r->trelp[i] = &r->trels[i];
	ev->kind = EVENT_TRUNCATE;
	ev->lsn = lsn;
	ev->truncate.nrels = nrels;
	ev->truncate.rels = r->trelp;
	ev->truncate.cascade = cascade;
	ev->truncate.restart_identity = restart;
}
