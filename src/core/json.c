#include "core/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/dec.h"
#include "base/lsn.h"

/* Bytes that JSON text must escape: controls, '"' and '\\'. */
static const bool needs_escape[256] = {
	[0 ... 0x1f] = true,
	['"'] = true,
	['\\'] = true,
};

/* Whether any of the eight bytes of w must be escaped: a byte below 0x20,
 * '"' or '\\', each found as a zero byte by the usual borrow test. */
static bool word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
	uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
	uint64_t found = ((w - ones * 0x20) & ~w) |
			 ((quote - ones) & ~quote) | ((slash - ones) & ~slash);
	return (found & highs) != 0;
}

/* How many bytes s starts with that need no escape. Most text escapes
 * nothing: it is skipped a word at a time. */
static size_t plain_prefix(const char *s, size_t n)
{
	size_t i = 0;
	for (uint64_t w; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (word_needs_escape(w))
			break;
	}
	while (i < n && !needs_escape[(unsigned char)s[i]])
		i++;
	return i;
}

void json_put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = plain_prefix(s, n);
	char *p = buf_tail(b, n + 2);
	*p++ = '"';
	if (i) /* s may be NULL when empty */
		memcpy(p, s, i);
	p += i;
	if (i == n) {
		*p++ = '"';
		buf_end(b, p);
		return;
	}
	buf_end(b, p);
	size_t run = i; /* bytes to copy as they are, before s[i] */
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!needs_escape[c])
			continue;
		buf_put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': buf_put(b, "\\\"", 2); break;
		case '\\': buf_put(b, "\\\\", 2); break;
		case '\n': buf_put(b, "\\n", 2); break;
		case '\r': buf_put(b, "\\r", 2); break;
		case '\t': buf_put(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u',	 '0',
				      '0',  hex[c >> 4], hex[c & 15] };
			buf_put(b, u, 6);
		}
		}
	}
	buf_put(b, s + run, n - run);
	buf_putc(b, '"');
}

void json_put_double(struct buf *b, double d)
{
	if (isnan(d)) {
		buf_puts(b, "\"NaN\"");
		return;
	}
	if (isinf(d)) {
		buf_puts(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		return;
	}
	/* Any decimal of 15 digits or fewer survives a trip through a normal
	 * double, so the first precision from 15 that reads back is the
	 * shortest. Subnormals hold fewer digits: search from 1. */
	char tmp[32];
	int from = fabs(d) < DBL_MIN && d != 0 ? 1 : 15;
	for (int prec = from; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	buf_puts(b, tmp);
}

void json_put_bytea(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_puts(b, "\"\\\\x");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		buf_putc(b, hex[c >> 4]);
		buf_putc(b, hex[c & 15]);
	}
	buf_putc(b, '"');
}

struct array_json {
	struct buf *b;
	uint32_t elem;
};

static void array_begin(void *ctx, size_t index, size_t nitems)
{
	struct array_json *a = ctx;
	(void)nitems;
	if (index > 1)
		buf_putc(a->b, ',');
	buf_putc(a->b, '[');
}

static void array_end(void *ctx, size_t index)
{
	struct array_json *a = ctx;
	(void)index;
	buf_putc(a->b, ']');
}

static void array_element(void *ctx, size_t index, const char *text, size_t len,
			  bool is_null)
{
	struct array_json *a = ctx;
	if (index > 1)
		buf_putc(a->b, ',');
	struct datum d = { .kind = is_null ? DATUM_NULL : DATUM_TEXT,
			   .len = (uint32_t)len,
			   .data = text };
	json_put_datum(a->b, a->elem, &d);
}

/* An array of a built-in type as a JSON array of converted elements;
 * false (nothing written) when the text is not an array after all. */
static bool put_array(struct buf *b, uint32_t elem, const struct datum *v)
{
	static const struct values_array_visitor visitor = {
		array_begin,
		array_end,
		array_element,
	};
	/* Unescaped elements; the default output runs on one thread. */
	static struct buf scratch;
	struct array_json a = { b, elem };
	char err[128];
	/* The text is checked whole before the visitor sees anything. */
	return values_parse_array(v->data, v->len, &visitor, &a, &scratch, err,
				  sizeof err) == 0;
}

/* Whether s is an integer as JSON writes one, within int8: an optional
 * minus, then "0" or digits not starting with 0. Up to 18 digits by a
 * scan alone (the common case); longer ones are checked for overflow. */
static bool json_integer_token(const char *s, size_t n)
{
	size_t i = n && s[0] == '-';
	if (i == n || s[i] < '0' || s[i] > '9' || (s[i] == '0' && n - i > 1))
		return false;
	if (n - i > 18) {
		int64_t ignored;
		return values_parse_int(s, n, &ignored);
	}
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A value by the rules of its type's class, and as an array of elem
 * elements when elem is not 0 (the text of an array type). */
static void put_value(struct buf *b, enum val_class cls, uint32_t elem,
		      const struct datum *v)
{
	if (v->kind == DATUM_NULL || v->kind == DATUM_UNCHANGED) {
		buf_puts(b, "null");
		return;
	}
	if (v->kind == DATUM_BINARY) {
		json_put_bytea(b, v->data, v->len);
		return;
	}
	double d;
	bool t;
	switch (cls) {
	case VAL_INTEGER:
		/* The server's text of an integer is already a JSON number. */
		if (json_integer_token(v->data, v->len)) {
			buf_put(b, v->data, v->len);
			return;
		}
		break;
	case VAL_FLOAT:
		if (values_parse_float(v->data, v->len, &d)) {
			json_put_double(b, d);
			return;
		}
		break;
	case VAL_BOOL:
		if (values_parse_bool(v->data, v->len, &t)) {
			buf_puts(b, t ? "true" : "false");
			return;
		}
		break;
	case VAL_STRING: break;
	}
	if (elem && put_array(b, elem, v))
		return;
	json_put_string(b, v->data, v->len);
}

void json_put_datum(struct buf *b, uint32_t typoid, const struct datum *v)
{
	put_value(b, values_class(typoid), values_array_element(typoid), v);
}

/* Member names are walhook's own literals, none needing an escape. */
#define put_key(b, key) buf_putlit((b), ",\"" key "\":")

void json_put_lsn(struct buf *b, uint64_t lsn)
{
	char *p = buf_tail(b, LSN_STRLEN + 2);
	*p++ = '"';
	p = lsn_put(p, lsn);
	*p++ = '"';
	buf_end(b, p);
}

static void put_lsn(struct buf *b, uint64_t lsn)
{
	put_key(b, "lsn");
	json_put_lsn(b, lsn);
}

/* The same for every line of a transaction: made once, kept as its memo. */
static void put_txn(struct buf *b, const struct txn *tx)
{
	size_t n;
	const char *kept = txn_memo(tx, &n);
	if (kept) {
		buf_put(b, kept, n);
		return;
	}
	size_t start = b->len;
	put_key(b, "xid");
	buf_put_int(b, tx->xid);
	if (tx->commit_time) {
		put_key(b, "commit_time");
		buf_putc(b, '"');
		buf_puts(b, tx->commit_time_text);
		buf_putc(b, '"');
	}
	txn_set_memo(tx, b->data + start, b->len - start);
}

/* The value a column shows in "new": an unchanged TOAST value is taken from
 * the old row when that row carries it, and left out otherwise. */
static const struct datum *new_value(const struct change *c, uint16_t i)
{
	const struct datum *v = &c->newv[i];
	if (v->kind != DATUM_UNCHANGED)
		return v;
	if (c->oldv && c->old_kind == 'O' && c->oldv[i].kind != DATUM_UNCHANGED)
		return &c->oldv[i];
	return NULL;
}

/* A column's "name": (from off to the next column's off) and the rules
 * its values are written by, looked up once a relation. */
struct col_json {
	size_t off;
	enum val_class cls;
	uint32_t elem; /* an array type's element type, else 0 */
};

/* What a change line takes from its relation, the same for every change:
 * "schema", "table", "relid" and "key" (head, up to head_len), then each
 * column's (ncols + 1 entries, the last one only an end). */
struct rel_json {
	struct buf text;
	size_t head_len;
	struct col_json cols[];
};

static void rel_json_free(void *memo)
{
	struct rel_json *j = memo;
	buf_free(&j->text);
	free(j);
}

static void put_relation(struct buf *b, const struct rel *r)
{
	buf_puts(b, "\"schema\":");
	json_put_string(b, r->nspname, strlen(r->nspname));
	put_key(b, "table");
	json_put_string(b, r->relname, strlen(r->relname));
	put_key(b, "relid");
	buf_put_int(b, r->relid);
}

void json_put_key_names(struct buf *b, const struct rel *r)
{
	buf_putc(b, '[');
	bool first = true;
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (!r->cols[i].key)
			continue;
		if (!first)
			buf_putc(b, ',');
		first = false;
		json_put_string(b, r->cols[i].name, r->cols[i].name_len);
	}
	buf_putc(b, ']');
}

static struct rel_json *rel_json_new(const struct rel *r)
{
	struct rel_json *j =
	    xmalloc(sizeof *j + ((size_t)r->ncols + 1) * sizeof *j->cols);
	struct buf *h = &j->text;
	*h = (struct buf){ 0 };
	put_relation(h, r);
	buf_puts(h, ",\"key\":");
	json_put_key_names(h, r);
	j->head_len = h->len;
	for (uint16_t i = 0; i < r->ncols; i++) {
		uint32_t typoid = r->cols[i].typoid;
		j->cols[i] = (struct col_json){
			.off = h->len,
			.cls = values_class(typoid),
			.elem = values_array_element(typoid),
		};
		json_put_string(h, r->cols[i].name, r->cols[i].name_len);
		buf_putc(h, ':');
	}
	j->cols[r->ncols] = (struct col_json){ .off = h->len };
	return j;
}

/* A described relation keeps its text as the rel's memo; a rel made
 * for one change (the text plugins') gets it made anew, and freed by
 * the caller (*made). */
static const struct rel_json *rel_json_of(const struct rel *r, bool *made)
{
	*made = false;
	if (r->memo)
		return r->memo;
	struct rel_json *j = rel_json_new(r);
	if (!rel_set_memo(r, j, rel_json_free))
		*made = true;
	return j;
}

static void put_row(struct buf *b, const struct change *c,
		    const struct rel_json *j, bool old)
{
	const struct rel *r = c->rel;
	bool keys_only = old && c->old_kind == 'K';
	bool first = true;
	buf_putc(b, '{');
	for (uint16_t i = 0; i < r->ncols; i++) {
		const struct datum *v = old ? &c->oldv[i] : new_value(c, i);
		if (!v || v->kind == DATUM_UNCHANGED ||
		    (keys_only && !r->cols[i].key))
			continue;
		if (!first)
			buf_putc(b, ',');
		first = false;
		const struct col_json *col = &j->cols[i];
		buf_put(b, j->text.data + col->off, col[1].off - col->off);
		put_value(b, col->cls, col->elem, v);
	}
	buf_putc(b, '}');
}

void json_change_line(struct buf *b, const struct change *c)
{
	bool made;
	const struct rel_json *j = rel_json_of(c->rel, &made);
	buf_puts(b, "{\"op\":\"");
	buf_puts(b, change_op_name(c->op));
	buf_puts(b, "\",");
	buf_put(b, j->text.data, j->head_len);
	put_lsn(b, c->lsn);
	put_txn(b, c->txn);
	if (c->backfill) {
		put_key(b, "backfill");
		json_put_string(b, c->backfill, strlen(c->backfill));
	}
	if (c->newv) {
		put_key(b, "new");
		put_row(b, c, j, false);
	}
	if (c->oldv) {
		put_key(b, "old");
		put_row(b, c, j, true);
	}
	buf_puts(b, "}\n");
	if (made)
		rel_json_free((struct rel_json *)j);
}

void json_truncate_line(struct buf *b, const struct truncate *t)
{
	buf_puts(b, "{\"op\":\"truncate\",\"relations\":[");
	for (uint32_t i = 0; i < t->nrels; i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '{');
		put_relation(b, t->rels[i]);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	put_key(b, "cascade");
	buf_puts(b, t->cascade ? "true" : "false");
	put_key(b, "restart_identity");
	buf_puts(b, t->restart_identity ? "true" : "false");
	put_lsn(b, t->lsn);
	put_txn(b, t->txn);
	buf_puts(b, "}\n");
}

void json_message_line(struct buf *b, const struct message *m)
{
	buf_puts(b, "{\"op\":\"message\",\"prefix\":");
	json_put_string(b, m->prefix, strlen(m->prefix));
	put_key(b, "content");
	json_put_string(b, m->content, m->len);
	put_key(b, "transactional");
	buf_puts(b, m->transactional ? "true" : "false");
	put_lsn(b, m->lsn);
	if (m->txn)
		put_txn(b, m->txn);
	buf_puts(b, "}\n");
}

static void put_string(struct buf *b, const char *s)
{
	json_put_string(b, s, strlen(s));
}

#define put_string_member(b, key, s) (put_key(b, key), put_string(b, s))

void json_ddl_line(struct buf *b, const struct ddl *d)
{
	buf_puts(b, "{\"op\":\"ddl\"");
	put_string_member(b, "tag", d->tag);
	put_string_member(b, "object_type", d->object_type);
	put_string_member(b, "identity", d->identity);
	if (d->schema)
		put_string_member(b, "schema", d->schema);
	put_string_member(b, "statement", d->statement);
	put_key(b, "command");
	buf_put_int(b, d->command);
	put_lsn(b, d->lsn);
	if (d->txn)
		put_txn(b, d->txn);
	buf_puts(b, "}\n");
}
