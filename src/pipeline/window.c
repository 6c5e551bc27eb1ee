#include "pipeline/window.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void xid_ring_note(struct xid_ring *r, uint32_t xid)
{
	r->xids[r->next] = xid;
	r->next = (r->next + 1) % XID_RING_SIZE;
	if (r->n < XID_RING_SIZE)
		r->n++;
}

bool xid_ring_has(const struct xid_ring *r, uint32_t xid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->xids[i] == xid)
			return true;
	return false;
}

void window_init(struct window *w, const char *name, const struct rel *rel,
		 const uint16_t *pk, uint16_t npk, const char *low,
		 const char *high)
{
	*w = (struct window){
		.name = name,
		.rel = rel,
		.pk = pk,
		.npk = npk,
		.low = xstrdup(low),
		.high = xstrdup(high),
		.state = WINDOW_ARMED,
	};
}

void window_free(struct window *w)
{
	for (size_t i = 0; i < w->nrows; i++)
		free(w->rows[i].vals);
	free(w->rows);
	free(w->slots);
	free(w->xip);
	free(w->low);
	free(w->high);
	free(w->progress);
	buf_free(&w->scratch);
	*w = (struct window){ 0 };
}

/* A key's encoding: each value's kind and length before its bytes, so
 * that no two keys of different values meet. */
static void put_key_value(struct buf *b, const struct datum *v)
{
	uint32_t len = v->kind == DATUM_TEXT || v->kind == DATUM_BINARY
			   ? v->len
			   : 0;
	buf_putc(b, v->kind);
	buf_put(b, &len, sizeof len);
	buf_put(b, v->data, len);
}

static size_t hash_key(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)k[i]) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot where key is, or the free one where it would go. */
static size_t *find_slot(const struct window *w, const char *key, size_t n)
{
	size_t mask = w->nslots - 1;
	for (size_t i = hash_key(key, n) & mask;; i = (i + 1) & mask) {
		size_t *s = &w->slots[i];
		if (!*s)
			return s;
		const struct window_row *r = &w->rows[*s - 1];
		if (r->keylen == n && memcmp(r->key, key, n) == 0)
			return s;
	}
}

static void rehash(struct window *w)
{
	free(w->slots);
	w->nslots = w->nslots ? w->nslots * 2 : 64;
	w->slots = xcalloc(w->nslots, sizeof *w->slots);
	for (size_t i = 0; i < w->nrows; i++)
		*find_slot(w, w->rows[i].key, w->rows[i].keylen) = i + 1;
}

/* One block holding the row's datums, their text and its key. */
static void row_store(struct window_row *r, uint16_t ncols,
		      const struct datum *vals, const struct buf *key)
{
	size_t size = ncols * sizeof *vals + key->len;
	for (uint16_t i = 0; i < ncols; i++)
		size += vals[i].kind == DATUM_TEXT ? vals[i].len + 1 : 0;
	struct datum *copy = xmalloc(size);
	char *text = (char *)(copy + ncols);
	for (uint16_t i = 0; i < ncols; i++) {
		copy[i] = vals[i];
		if (vals[i].kind != DATUM_TEXT)
			continue;
		memcpy(text, vals[i].data, vals[i].len);
		text[vals[i].len] = '\0';
		copy[i].data = text;
		text += vals[i].len + 1;
	}
	memcpy(text, key->data, key->len);
	free(r->vals);
	r->vals = copy;
	r->key = text;
	r->keylen = key->len;
}

void window_add(struct window *w, const struct datum *vals)
{
	buf_reset(&w->scratch);
	for (uint16_t i = 0; i < w->npk; i++)
		put_key_value(&w->scratch, &vals[w->pk[i]]);
	if (2 * (w->nrows + 1) > w->nslots)
		rehash(w);
	if (w->nrows == w->rows_cap) {
		w->rows_cap = w->rows_cap ? 2 * w->rows_cap : 64;
		w->rows = xrealloc(w->rows, w->rows_cap * sizeof *w->rows);
	}
	struct window_row *r = &w->rows[w->nrows];
	*r = (struct window_row){ 0 };
	row_store(r, w->rel->ncols, vals, &w->scratch);
	*find_slot(w, r->key, r->keylen) = ++w->nrows;
}

void window_set_xip(struct window *w, const uint32_t *xip, size_t n)
{
	free(w->xip);
	w->xip = xcalloc(n + 1, sizeof *xip);
	memcpy(w->xip, xip, n * sizeof *xip);
	w->nxip = n;
}

void window_set_progress(struct window *w, const char *text)
{
	free(w->progress);
	w->progress = xstrdup(text);
}

uint32_t *window_parse_snapshot(const char *text, size_t *n)
{
	const char *p = strchr(text, ':');
	p = p ? strchr(p + 1, ':') : NULL;
	if (!p)
		return NULL;
	size_t cap = 1;
	for (const char *q = p; *q; q++)
		cap += *q == ',';
	uint32_t *xip = xcalloc(cap, sizeof *xip);
	*n = 0;
	for (p++; *p;) {
		char *end;
		unsigned long long x = strtoull(p, &end, 10);
		if (end == p || (*end && *end != ',')) {
			free(xip);
			return NULL;
		}
		xip[(*n)++] = (uint32_t)x;
		p = *end ? end + 1 : end;
	}
	return xip;
}

void window_open(struct window *w, const struct xid_ring *recent)
{
	w->state = WINDOW_OPEN;
	for (size_t i = 0; i < w->nxip; i++)
		if (xid_ring_has(recent, w->xip[i]))
			w->state = WINDOW_RACED;
}

/* Where the stream's description has the column name; -1 when nowhere. */
static int column_of(const struct rel *r, const char *name)
{
	for (uint16_t i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, name) == 0)
			return i;
	return -1;
}

/* The key of a streamed tuple into w->scratch; false when the tuple does
 * not hold every key column (a key-only old tuple of another index). */
static bool stream_key(struct window *w, const struct rel *r,
		       const struct datum *vals)
{
	buf_reset(&w->scratch);
	for (uint16_t i = 0; i < w->npk; i++) {
		int at = column_of(r, w->rel->cols[w->pk[i]].name);
		if (at < 0 || vals[at].kind == DATUM_NULL ||
		    vals[at].kind == DATUM_UNCHANGED)
			return false;
		put_key_value(&w->scratch, &vals[at]);
	}
	return true;
}

/* The buffered row whose key is in w->scratch, or NULL. */
static struct window_row *buffered(struct window *w)
{
	if (!w->nslots)
		return NULL;
	size_t *s = find_slot(w, w->scratch.data, w->scratch.len);
	struct window_row *row = *s ? &w->rows[*s - 1] : NULL;
	return row && !row->gone ? row : NULL;
}

/* The row takes the streamed version: every column the stream sent,
 * those it left out (unchanged TOAST, unpublished) as they were. */
static void take_version(struct window *w, struct window_row *row,
			 const struct rel *r, const struct datum *vals)
{
	uint16_t n = w->rel->ncols;
	struct datum *merged = xcalloc((size_t)n + 1, sizeof *merged);
	for (uint16_t i = 0; i < n; i++) {
		int at = column_of(r, w->rel->cols[i].name);
		merged[i] = at >= 0 && vals[at].kind != DATUM_UNCHANGED
				? vals[at]
				: row->vals[i];
	}
	struct buf key = { 0 };
	buf_put(&key, row->key, row->keylen);
	/* row_store frees the old block only after copying from it. */
	struct datum *old = row->vals;
	row->vals = NULL;
	row_store(row, n, merged, &key);
	free(old);
	free(merged);
	buf_free(&key);
}

void window_change(struct window *w, const struct change *c)
{
	if (w->state != WINDOW_OPEN && w->state != WINDOW_RACED)
		return;
	struct window_row *row;
	if (c->oldv && stream_key(w, c->rel, c->oldv) && (row = buffered(w))) {
		/* Deleted, or its key changed: the stream says what became
		 * of it. An update under REPLICA IDENTITY FULL keeps its
		 * key, and is taken below. */
		bool same = c->op == CHANGE_UPDATE && c->newv &&
			    stream_key(w, c->rel, c->newv) &&
			    row == buffered(w);
		if (!same)
			row->gone = true;
	}
	if (c->newv && c->op != CHANGE_DELETE &&
	    stream_key(w, c->rel, c->newv) && (row = buffered(w)))
		take_version(w, row, c->rel, c->newv);
}

void window_truncate(struct window *w)
{
	for (size_t i = 0; i < w->nrows; i++)
		w->rows[i].gone = true;
}

const struct datum *window_next(const struct window *w, size_t *at)
{
	while (*at < w->nrows) {
		const struct window_row *r = &w->rows[(*at)++];
		if (!r->gone)
			return r->vals;
	}
	return NULL;
}
