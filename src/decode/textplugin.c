#include "decode/textplugin.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/lsn.h"
#include "decode/jsonlex.h"
#include "decode/typename.h"
#include "decode/values.h"

/*
 * What the three plugins print, as this decoder reads it (seen on
 * PostgreSQL 15 with wal2json 2.5; the unit tests hold real captures):
 *
 * wal2json format 1: one JSON object per transaction, written at commit:
 *   {"xid":731,"nextlsn":"0/1554DC8","timestamp":"...","change":[...]}
 * each change {"kind":"insert|update|delete", "schema", "table",
 * "columnnames", "columntypes", "columntypeoids", "columnvalues",
 * "oldkeys":{"keynames","keytypes","keytypeoids","keyvalues"},
 * "pk":{"pknames","pktypes"}} or {"kind":"message", "transactional",
 * "prefix", "content"}. Format 1 has no truncates: 2.5 compiles its
 * truncate callback out, so a transaction that only truncated prints
 * {"xid":..,"change":[]} and becomes a Begin and a Commit with nothing
 * between. A non-transactional message comes alone in {"change":[...]}
 * with no xid, nextlsn or timestamp, and then 2.5 may print a stray comma
 * before it ("[,{") when the last transaction it decoded had changes.
 * The XLogData header of a format 1 payload carries the transaction's
 * first LSN in streaming (the end LSN only in the SQL functions), so only
 * "nextlsn" (include-lsn) gives a position that is safe to confirm.
 *
 * wal2json format 2: one JSON object per record, {"action":"B|C|I|U|D|T|M",
 * ...}; B and C carry "lsn" (the commit record's start) and "nextlsn"
 * (its end); a row carries "columns", "identity" and "pk" arrays of
 * {"name","type","typeoid","value"}. T names one table and no options.
 *
 * Both formats: numbers are bare JSON tokens of the type's text output
 * (NaN and infinities come out as null: a loss in 2.5), booleans are
 * true/false, bytea is the hex output without its "\x", an unchanged TOAST
 * column is left out of the row, and format_type()'s quoted type names
 * are copied verbatim, so "Odd Schema"."Odd Type" is not valid JSON (the
 * type-name reader accepts it). Old rows: format 2's "identity" of a
 * REPLICA IDENTITY FULL table lists every column, NULLs included; format
 * 1's "oldkeys" leaves NULL columns out.
 *
 * test_decoding: one line per payload: "BEGIN 742", "COMMIT 742 (at
 * 2026-11-26 04:30:00.123456+00)", "table public.t: INSERT: id[integer]:1
 * name[text]:'a''b'", "UPDATE: old-key: ... new-tuple: ...", "DELETE:
 * ..." or "(no-tuple-data)", "table a.x, b.y: TRUNCATE: restart_seqs
 * cascade" or "(no-flags)", "message: transactional: 1 prefix: p, sz: 5
 * content:hello". Identifiers are quoted as quote_identifier() does; type
 * names are format_type() without the modifier; numbers, NaN and the
 * infinities bare, booleans true/false, bit strings B'101', everything
 * else single-quoted with '' for a quote. Old rows leave NULL columns
 * out. With skip-empty-xacts, a transactional message of a transaction
 * with no row changes comes with no BEGIN or COMMIT around it.
 */

/* ---- memory ---- */

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

/* ---- columns as a plugin prints them ---- */

struct tcol {
	const char *name; /* NUL-terminated */
	size_t name_len;
	const char *type; /* the type's name as printed, or NULL */
	size_t type_len;
	uint32_t typoid;
	bool has_oid;
	bool has_val;
	struct datum val;
};

struct tcols {
	struct tcol *v;
	size_t n; /* entries in use */
	size_t cap;
};

/* Entry i, zeroed if it was not in use; n grows to cover it. */
static struct tcol *tcols_at(struct tcols *l, size_t i)
{
	reserve(&l->v, &l->cap, i + 1, sizeof *l->v);
	for (; l->n <= i; l->n++)
		l->v[l->n] = (struct tcol){ 0 };
	return &l->v[i];
}

/* ---- decoder state ---- */

struct tp_state {
	struct arena arena;
	struct tcols newc, oldc, pkc;
	/* The change being delivered: its rel and rows. */
	struct rel rel;
	struct rel_column *cols;
	size_t cols_cap;
	struct datum *newv, *oldv;
	size_t newv_cap, oldv_cap;
	size_t *where; /* final position of each new column */
	size_t where_cap;
	/* Truncate: one rel per table. */
	struct rel *trels;
	size_t trels_cap;
	const struct rel **trelp;
	size_t trelp_cap;
	/* wal2json format 2 sends one TRUNCATE of several tables as one T
	 * record per table, each with the truncate's LSN: they are held
	 * here (names copied, "schema\0table\0" each) until a record that
	 * is not one of them, and delivered as one truncate, as pgoutput and
	 * test_decoding deliver it. */
	struct buf held_names;
	uint32_t held_n;
	uint64_t held_lsn;
	bool in_txn;
	/* The payload being decoded, for error messages. */
	enum textplugin_kind kind;
	const char *buf;
	size_t len;
	uint64_t lsn;
};

static const char *kind_name(enum textplugin_kind k)
{
	switch (k) {
	case TEXTPLUGIN_WAL2JSON_1: return "wal2json format 1";
	case TEXTPLUGIN_WAL2JSON_2: return "wal2json format 2";
	case TEXTPLUGIN_TEST_DECODING: return "test_decoding";
	}
	return "text plugin";
}

/* Fills e with what is wrong at position at of the payload (NULL: the
 * payload as a whole): plugin, LSN, offset and a few bytes from there. */
static int bad(struct tp_state *st, const char *at, struct err *e,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bad(struct tp_state *st, const char *at, struct err *e,
	       const char *fmt, ...)
{
	char what[512], where[160] = "", l[LSN_STRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (at) {
		size_t off = (size_t)(at - st->buf);
		if (off >= st->len) {
			snprintf(where, sizeof where,
				 " at its end (%zu bytes): it is cut short",
				 st->len);
		} else {
			char near[100];
			size_t n = 0, i = off;
			for (; i < st->len && i < off + 24; i++) {
				unsigned char c = (unsigned char)st->buf[i];
				if (c >= 0x20 && c < 0x7f && c != '`' &&
				    c != '\\')
					near[n++] = (char)c;
				else
					n += (size_t)snprintf(near + n,
							      sizeof near - n,
							      "\\x%02x", c);
			}
			near[n] = '\0';
			snprintf(where, sizeof where,
				 " at byte %zu of %zu (near `%s%s`)", off,
				 st->len, near, i < st->len ? "..." : "");
		}
	}
	return err_set(e, "%s payload at %s%s: %s", kind_name(st->kind),
		       lsn_format(st->lsn, l), where, what);
}

/* ---- building events ---- */

static const struct datum datum_null = { .kind = DATUM_NULL };
static const struct datum datum_unchanged = { .kind = DATUM_UNCHANGED };

static uint32_t tcol_typoid(const struct tcol *c)
{
	if (c->has_oid)
		return c->typoid;
	return c->type ? typename_oid(c->type, c->type_len) : 0;
}

/* wal2json prints bytea's hex output without the leading "\x"; put it
 * back so the text is what PostgreSQL's output function wrote. */
static struct datum fix_value(struct tp_state *st, uint32_t typoid,
			      struct datum v)
{
	if (typoid != OID_BYTEA || v.kind != DATUM_TEXT ||
	    st->kind == TEXTPLUGIN_TEST_DECODING)
		return v;
	char *p = arena_alloc(&st->arena, (size_t)v.len + 2);
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

static void add_column(struct tp_state *st, size_t f, const struct tcol *c)
{
	uint32_t typoid = tcol_typoid(c);
	st->cols[f] = (struct rel_column){
		.name = c->name,
		.name_len = c->name_len,
		.typoid = typoid,
		.typmod = -1,
	};
	st->newv[f] = fix_value(st, typoid, c->val);
	st->oldv[f] = datum_null;
}

/*
 * Fills ev with a row change from what the plugin printed: newc (NULL when
 * no new row was printed), oldc (NULL when no old row was), pkc (primary
 * key names, for the key flags when there is no old row; may be NULL).
 *
 * The rel lists the new row's columns in their order, with any column that
 * only the old row names (wal2json leaves an unchanged TOAST value out of
 * the new row but not out of a FULL identity) merged in at its place and
 * marked unchanged in the new row. The old row's columns are the key
 * columns; old_kind is 'O' when the old row names every column, else 'K'
 * (the plugins do not say the replica identity, and leave NULLs out of
 * some old rows). The rel, its strings and the rows belong to st.
 */
static int build_change(struct tp_state *st, struct event *ev, char op,
			const char *schema, const char *table,
			const struct tcols *newc, const struct tcols *oldc,
			const struct tcols *pkc, uint64_t lsn, const char *at,
			struct err *e)
{
	size_t nn = newc ? newc->n : 0, no = oldc ? oldc->n : 0;
	size_t max = nn + no;
	if (max > UINT16_MAX)
		return bad(
		    st, at, e,
		    "a row of %s.%s has %zu columns, more than walhook handles",
		    schema, table, max);
	/* one more, so an empty row is an array and not NULL */
	reserve(&st->cols, &st->cols_cap, max + 1, sizeof *st->cols);
	reserve(&st->newv, &st->newv_cap, max + 1, sizeof *st->newv);
	reserve(&st->oldv, &st->oldv_cap, max + 1, sizeof *st->oldv);
	reserve(&st->where, &st->where_cap, nn, sizeof *st->where);

	size_t n = 0, next = 0; /* next: first new column not yet placed */
	for (size_t k = 0; k < no; k++) {
		const struct tcol *o = &oldc->v[k];
		size_t j =
		    newc ? tcols_find(newc, o->name, o->name_len, next) : nn;
		size_t f;
		if (j < nn && j >= next) {
			for (; next <= j; next++) {
				st->where[next] = n;
				add_column(st, n++, &newc->v[next]);
			}
			f = st->where[j];
		} else if (j < nn) {
			f = st->where[j];
		} else {
			f = n++;
			add_column(st, f, o);
			st->newv[f] = datum_unchanged;
		}
		if (st->cols[f].key)
			return bad(
			    st, at, e,
			    "the old row of %s.%s names column \"%s\" twice",
			    schema, table, o->name);
		st->cols[f].key = true;
		st->oldv[f] = fix_value(st, st->cols[f].typoid, o->val);
	}
	for (; next < nn; next++) {
		st->where[next] = n;
		add_column(st, n++, &newc->v[next]);
	}
	if (!oldc && pkc) {
		for (size_t k = 0; k < pkc->n; k++) {
			for (size_t i = 0; i < n; i++) {
				if (st->cols[i].name_len ==
					pkc->v[k].name_len &&
				    memcmp(st->cols[i].name, pkc->v[k].name,
					   pkc->v[k].name_len) == 0)
					st->cols[i].key = true;
			}
		}
	}
	uint16_t nkeys = 0;
	for (size_t i = 0; i < n; i++)
		nkeys += st->cols[i].key;

	st->rel = (struct rel){
		.relid = 0,
		.nspname = schema,
		.relname = table,
		.replident = 0,
		.ncols = (uint16_t)n,
		.nkeys = nkeys,
		.cols = st->cols,
	};
	ev->kind = EVENT_CHANGE;
	ev->lsn = lsn;
	ev->change = (struct change){
		.op = op == 'I'	  ? CHANGE_INSERT
		      : op == 'U' ? CHANGE_UPDATE
				  : CHANGE_DELETE,
		.rel = &st->rel,
		.lsn = lsn,
		.newv = newc ? st->newv : NULL,
		.oldv = oldc ? st->oldv : NULL,
		.old_kind = oldc ? (nkeys == n ? 'O' : 'K') : 0,
	};
	return 0;
}

/* Sets relation i of a truncate (a rel with no columns). */
static void truncate_rel(struct tp_state *st, size_t i, const char *schema,
			 const char *table)
{
	reserve(&st->trels, &st->trels_cap, i + 1, sizeof *st->trels);
	st->trels[i] = (struct rel){ .nspname = schema, .relname = table };
}

static void truncate_event(struct tp_state *st, struct event *ev,
			   uint32_t nrels, bool cascade, bool restart,
			   uint64_t lsn)
{
	/* trels may have moved while it grew: point at it only now */
	reserve(&st->trelp, &st->trelp_cap, nrels, sizeof *st->trelp);
	for (uint32_t i = 0; i < nrels; i++)
		st->trelp[i] = &st->trels[i];
	ev->kind = EVENT_TRUNCATE;
	ev->lsn = lsn;
	ev->truncate.nrels = nrels;
	ev->truncate.rels = st->trelp;
	ev->truncate.cascade = cascade;
	ev->truncate.restart_identity = restart;
}

/* Delivers the truncate held from wal2json format 2's T records. */
static int flush_held_truncate(struct tp_state *st, event_fn fn, void *ctx,
			       struct err *e)
{
	if (!st->held_n)
		return 0;
	const char *p = st->held_names.data;
	for (uint32_t i = 0; i < st->held_n; i++) {
		const char *schema = p;
		const char *table = schema + strlen(schema) + 1;
		truncate_rel(st, i, schema, table);
		p = table + strlen(table) + 1;
	}
	struct event ev;
	truncate_event(st, &ev, st->held_n, false, false, st->held_lsn);
	st->held_n = 0;
	int rc = fn(ctx, &ev, e);
	buf_reset(&st->held_names);
	return rc;
}

static void hold_truncate(struct tp_state *st, const char *schema,
			  const char *table, uint64_t lsn)
{
	if (!st->held_n)
		buf_reset(&st->held_names);
	buf_put(&st->held_names, schema, strlen(schema) + 1);
	buf_put(&st->held_names, table, strlen(table) + 1);
	st->held_n++;
	st->held_lsn = lsn;
}

/* ---- wal2json's JSON, read with jsonlex ---- */

/* How many arrays and objects may be open at once (wal2json nests four
 * deep). */
#define JSON_MAX_DEPTH 64

struct jp {
	struct jsonlex lx;
	struct tp_state *st;
	struct err *e;
};

static int j_vfail(struct jp *j, const char *at, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int j_vfail(struct jp *j, const char *at, const char *fmt, va_list ap)
{
	char what[400];
	vsnprintf(what, sizeof what, fmt, ap);
	if (at >= j->lx.end && j->st->kind == TEXTPLUGIN_WAL2JSON_1)
		return bad(
		    j->st, at, j->e,
		    "%s (walhook needs each transaction whole in one message: is write-in-chunks on?)",
		    what);
	return bad(j->st, at, j->e, "%s", what);
}

/* Fails at position at of the payload. */
static int j_fail_at(struct jp *j, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int j_fail_at(struct jp *j, const char *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = j_vfail(j, at, fmt, ap);
	va_end(ap);
	return rc;
}

/* Fails at the next byte, where jsonlex_peek stopped. */
static int j_fail(struct jp *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int j_fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = j_vfail(j, j->lx.p, fmt, ap);
	va_end(ap);
	return rc;
}

/* Fails with the lexer's fault, where it found it. */
static int j_fault(struct jp *j)
{
	char what[160];
	return j_fail_at(j, j->lx.fault_at, "%s",
			 jsonlex_fault_text(&j->lx, what, sizeof what));
}

/* The next byte after white space, for messages about what starts there. */
static const char *j_here(struct jp *j)
{
	jsonlex_peek(&j->lx);
	return j->lx.p;
}

/* Reads the opening bracket of kind (an object or an array); what names
 * it in the message when something else is there. */
static int j_open(struct jp *j, enum jsonlex_kind kind, const char *what)
{
	struct jsonlex_token t;
	if (jsonlex_peek(&j->lx) != kind)
		return j_fail(j, "expected %s", what);
	return jsonlex_value(&j->lx, &t) < 0 ? j_fault(j) : 0;
}

/* The text of the string t: a view into the payload when it holds no
 * escapes (and nul is not asked for), else a copy in the arena; with nul
 * the text is always NUL-terminated. */
static void j_text(struct jp *j, const struct jsonlex_token *t, bool nul,
		   const char **s, size_t *n)
{
	if (!t->escaped && !nul) {
		*s = t->text;
		*n = t->len;
		return;
	}
	char *o = arena_alloc(&j->st->arena, t->len + 1);
	size_t k = t->len;
	if (t->escaped)
		k = jsonlex_unescape(t, o);
	else
		memcpy(o, t->text, k);
	o[k] = '\0';
	*s = o;
	*n = k;
}

/* Reads a JSON string; *s and *n get its text as j_text gives it. */
static int j_string(struct jp *j, const char **s, size_t *n, bool nul)
{
	struct jsonlex_token t;
	if (jsonlex_peek(&j->lx) != JSONLEX_STRING)
		return j_fail(j, "expected a string");
	if (jsonlex_value(&j->lx, &t) < 0)
		return j_fault(j);
	j_text(j, &t, nul, s, n);
	return 0;
}

/* Reads a JSON number; *s and *n get its text. */
static int j_number(struct jp *j, const char **s, size_t *n)
{
	struct jsonlex_token t;
	if (jsonlex_peek(&j->lx) != JSONLEX_NUMBER)
		return j_fail(j, "expected a number");
	if (jsonlex_value(&j->lx, &t) < 0)
		return j_fault(j);
	*s = t.text;
	*n = t.len;
	return 0;
}

/* Is the word (true, false, null) next? Consumes it if so. */
static bool j_word(struct jp *j, enum jsonlex_kind word)
{
	struct jsonlex_token t;
	return jsonlex_peek(&j->lx) == word && jsonlex_value(&j->lx, &t) == 0;
}

/* Object members: call after the '{'. 1 with *key set for each member
 * (the ':' consumed), 0 after the closing '}', -1 on error. */
static int j_member(struct jp *j, bool *first, const char **key, size_t *klen)
{
	struct jsonlex_token t;
	int rc = jsonlex_member(&j->lx, first, &t);
	if (rc < 0)
		return j_fault(j);
	if (rc > 0)
		j_text(j, &t, false, key, klen);
	return rc;
}

/* Array elements: call after the '['. 1 when an element follows, 0 after
 * the closing ']', -1 on error. */
static int j_element(struct jp *j, bool *first)
{
	int rc = jsonlex_element(&j->lx, first);
	return rc < 0 ? j_fault(j) : rc;
}

/* A value walhook has no use for, read whole. */
static int j_skip(struct jp *j)
{
	return jsonlex_skip(&j->lx) < 0 ? j_fault(j) : 0;
}

/* A column value: its text as PostgreSQL's output function wrote it. */
static int j_datum(struct jp *j, struct datum *d)
{
	const char *s = NULL;
	size_t n = 0;
	enum jsonlex_kind k = jsonlex_peek(&j->lx);
	switch (k) {
	case JSONLEX_END: return j_fail(j, "expected a column value");
	case JSONLEX_STRING:
		if (j_string(j, &s, &n, false) < 0)
			return -1;
		break;
	case JSONLEX_NUMBER:
		if (j_number(j, &s, &n) < 0)
			return -1;
		break;
	case JSONLEX_TRUE:
	case JSONLEX_FALSE:
		j_word(j, k);
		s = k == JSONLEX_TRUE ? "t" : "f";
		n = 1;
		break;
	case JSONLEX_NULL:
		j_word(j, k);
		*d = datum_null;
		return 0;
	default:
		return j_fail(
		    j,
		    "expected a column value (a string, number, true, false or null)");
	}
	if (n > UINT32_MAX)
		return j_fail(j, "a column value too long");
	*d =
	    (struct datum){ .kind = DATUM_TEXT, .len = (uint32_t)n, .data = s };
	return 0;
}

static int j_bool(struct jp *j, bool *out)
{
	if (j_word(j, JSONLEX_TRUE))
		*out = true;
	else if (j_word(j, JSONLEX_FALSE))
		*out = false;
	else
		return j_fail(j, "expected true or false");
	return 0;
}

/* An xid or a type OID. wal2json prints OIDs with %d, so an OID past
 * 2^31 comes out negative: take it modulo 2^32. null sets *isnull when
 * that is allowed (format 2's xid of a non-transactional message). */
static int j_uint32(struct jp *j, uint32_t *out, bool *isnull)
{
	const char *s;
	size_t n;
	if (isnull) {
		*isnull = j_word(j, JSONLEX_NULL);
		if (*isnull)
			return 0;
	}
	const char *at = j_here(j);
	if (j_number(j, &s, &n) < 0)
		return -1;
	int64_t v;
	if (!values_parse_int(s, n, &v) || v < INT32_MIN || v > UINT32_MAX)
		return j_fail_at(j, at, "expected an integer of 32 bits");
	*out = (uint32_t)v;
	return 0;
}

static int j_lsn(struct jp *j, uint64_t *out)
{
	const char *s;
	size_t n;
	char tmp[LSN_STRLEN];
	const char *at = j_here(j);
	if (j_string(j, &s, &n, false) < 0)
		return -1;
	if (n < sizeof tmp) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (lsn_parse(tmp, out))
			return 0;
	}
	return j_fail_at(j, at, "expected an LSN such as \"16/B374D848\"");
}

/* A timestamp string, or null when isnull is given. */
static int j_time(struct jp *j, int64_t *out, bool *isnull)
{
	const char *s;
	size_t n;
	*isnull = j_word(j, JSONLEX_NULL);
	if (*isnull)
		return 0;
	const char *at = j_here(j);
	if (j_string(j, &s, &n, false) < 0)
		return -1;
	if (!pgtime_parse(s, n, out))
		return j_fail_at(
		    j, at,
		    "expected a timestamp such as \"2026-11-26 04:30:00.123456+00\"");
	return 0;
}

/*
 * A type's name. wal2json 2.5 copies a name that format_type() quoted
 * into its JSON verbatim: "char" reads as the string char, but
 * "Odd Schema"."Odd Type" or "we""ird" are several JSON strings in a row.
 * Those are taken whole (quotes included) and name no built-in type. What
 * is not JSON here is read past the lexer, moving its cursor on.
 */
static int j_typename(struct jp *j, const char **s, size_t *n)
{
	struct jsonlex *lx = &j->lx;
	const char *t;
	size_t tn;
	const char *start = j_here(j);
	if (j_string(j, s, n, false) < 0)
		return -1;
	bool pieces = false;
	for (;;) {
		if (lx->p < lx->end && *lx->p == '"') {
			pieces = true;
		} else if (lx->p < lx->end && *lx->p == '.') {
			pieces = true;
			lx->p++;
			if (lx->p < lx->end && *lx->p != '"') {
				const char *w = lx->p;
				while (lx->p < lx->end &&
				       ((*lx->p >= '0' && *lx->p <= '9') ||
					*lx->p == '_' ||
					(*lx->p >= 'a' && *lx->p <= 'z')))
					lx->p++;
				if (lx->p == w)
					return j_fail(
					    j,
					    "expected a type name after '.'");
				continue;
			}
		} else {
			break;
		}
		if (j_string(j, &t, &tn, false) < 0)
			return -1;
	}
	if (pieces) {
		*s = start;
		*n = (size_t)(lx->p - start);
	}
	return 0;
}

/* ---- wal2json: the members of a change or record ---- */

struct rec {
	char action;	    /* B C I U D T M; 0 until told */
	const char *schema; /* NUL-terminated */
	const char *table;
	bool has_new, has_old, has_pk;
	/* format 1's parallel arrays: how many of each */
	size_t nnames, ntypes, noids, nvals;
	size_t knames, ktypes, koids, kvals;
	bool has_xid;
	uint32_t xid;
	bool has_time;
	int64_t time;
	bool has_lsn;
	uint64_t lsn;
	bool has_nextlsn;
	uint64_t nextlsn;
	bool has_transactional, transactional;
	const char *prefix; /* NUL-terminated */
	const char *content;
	size_t content_len;
};

#define KEY_IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)

enum field {
	F_NAME,
	F_TYPE,
	F_OID,
	F_VALUE
};

/* A format 1 array of names, types, type OIDs or values into l; *count
 * gets its length. */
static int w1_array(struct jp *j, struct tcols *l, enum field f, size_t *count,
		    const char *what)
{
	bool first = true;
	int rc;
	size_t i = 0;
	/* A key given twice would leave columns of the longer array without
	 * their name or value. */
	if (*count)
		return j_fail(j, "an array given twice in one change (%s)",
			      what);
	if (j_open(j, JSONLEX_ARRAY, what) < 0)
		return -1;
	while ((rc = j_element(j, &first)) > 0) {
		struct tcol *c = tcols_at(l, i++);
		switch (f) {
		case F_NAME:
			rc = j_string(j, &c->name, &c->name_len, true);
			break;
		case F_TYPE: rc = j_typename(j, &c->type, &c->type_len); break;
		case F_OID:
			rc = j_uint32(j, &c->typoid, NULL);
			c->has_oid = true;
			break;
		case F_VALUE:
			rc = j_datum(j, &c->val);
			c->has_val = true;
			break;
		}
		if (rc < 0)
			return -1;
	}
	*count = i;
	return rc;
}

/* Format 1's "oldkeys" or "pk" object. */
static int w1_keys(struct jp *j, struct rec *r, bool pk)
{
	const char *key;
	size_t klen, npk = 0;
	bool first = true;
	int rc;
	if (j_open(j, JSONLEX_OBJECT,
		   pk ? "'{' opening \"pk\"" : "'{' opening \"oldkeys\"") < 0)
		return -1;
	struct tcols *l = pk ? &j->st->pkc : &j->st->oldc;
	while ((rc = j_member(j, &first, &key, &klen)) > 0) {
		if (pk && KEY_IS("pknames"))
			rc = w1_array(j, l, F_NAME, &npk,
				      "'[' opening \"pknames\"");
		else if (!pk && KEY_IS("keynames"))
			rc = w1_array(j, l, F_NAME, &r->knames,
				      "'[' opening \"keynames\"");
		else if (!pk && KEY_IS("keytypes"))
			rc = w1_array(j, l, F_TYPE, &r->ktypes,
				      "'[' opening \"keytypes\"");
		else if (!pk && KEY_IS("keytypeoids"))
			rc = w1_array(j, l, F_OID, &r->koids,
				      "'[' opening \"keytypeoids\"");
		else if (!pk && KEY_IS("keyvalues"))
			rc = w1_array(j, l, F_VALUE, &r->kvals,
				      "'[' opening \"keyvalues\"");
		else
			rc = j_skip(j); /* pktypes: the OIDs say more */
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* Format 2's "columns", "identity" or "pk": [{"name", "type", "typeoid",
 * "value"}, ...]; values are required except in pk. */
static int w2_columns(struct jp *j, struct tcols *l, bool values,
		      const char *what)
{
	bool first = true;
	int rc;
	size_t i = 0;
	if (j_open(j, JSONLEX_ARRAY, what) < 0)
		return -1;
	while ((rc = j_element(j, &first)) > 0) {
		const char *key, *open = j->lx.p;
		size_t klen;
		bool mfirst = true;
		struct tcol *c = tcols_at(l, i++);
		if (j_open(j, JSONLEX_OBJECT, "'{' opening a column") < 0)
			return -1;
		while ((rc = j_member(j, &mfirst, &key, &klen)) > 0) {
			if (KEY_IS("name")) {
				rc = j_string(j, &c->name, &c->name_len, true);
			} else if (KEY_IS("type")) {
				rc = j_typename(j, &c->type, &c->type_len);
			} else if (KEY_IS("typeoid")) {
				rc = j_uint32(j, &c->typoid, NULL);
				c->has_oid = true;
			} else if (KEY_IS("value")) {
				rc = j_datum(j, &c->val);
				c->has_val = true;
			} else {
				rc = j_skip(j);
			}
			if (rc < 0)
				return -1;
		}
		if (rc < 0)
			return -1;
		if (!c->name || (values && !c->has_val)) {
			return j_fail_at(j, open, "a column without \"%s\"",
					 c->name ? "value" : "name");
		}
	}
	return rc;
}

/* Members common to format 1 changes and format 2 records. */
static int rec_member(struct jp *j, struct rec *r, const char *key, size_t klen,
		      bool *done)
{
	size_t n;
	bool isnull;
	*done = true;
	if (KEY_IS("schema"))
		return j_string(j, &r->schema, &n, true);
	if (KEY_IS("table"))
		return j_string(j, &r->table, &n, true);
	if (KEY_IS("xid")) {
		if (j_uint32(j, &r->xid, &isnull) < 0)
			return -1;
		r->has_xid = !isnull;
		return 0;
	}
	if (KEY_IS("timestamp")) {
		if (j_time(j, &r->time, &isnull) < 0)
			return -1;
		r->has_time = !isnull;
		return 0;
	}
	if (KEY_IS("transactional")) {
		r->has_transactional = true;
		return j_bool(j, &r->transactional);
	}
	if (KEY_IS("prefix"))
		return j_string(j, &r->prefix, &n, true);
	if (KEY_IS("content"))
		return j_string(j, &r->content, &r->content_len, false);
	*done = false;
	return 0;
}

/* One element of format 1's "change" array. */
static int w1_change(struct jp *j, struct rec *r)
{
	struct tp_state *st = j->st;
	const char *key, *open;
	size_t klen;
	bool first = true, done;
	int rc;
	*r = (struct rec){ 0 };
	st->newc.n = st->oldc.n = st->pkc.n = 0;
	open = j_here(j);
	if (j_open(j, JSONLEX_OBJECT, "'{' opening a change") < 0)
		return -1;
	while ((rc = j_member(j, &first, &key, &klen)) > 0) {
		if (KEY_IS("kind")) {
			const char *s, *at = j_here(j);
			size_t n;
			if (j_string(j, &s, &n, false) < 0)
				return -1;
			r->action = n == 6 && !memcmp(s, "insert", 6)	  ? 'I'
				    : n == 6 && !memcmp(s, "update", 6)	  ? 'U'
				    : n == 6 && !memcmp(s, "delete", 6)	  ? 'D'
				    : n == 7 && !memcmp(s, "message", 7)  ? 'M'
				    : n == 8 && !memcmp(s, "truncate", 8) ? 'T'
									  : 0;
			if (!r->action) {
				return j_fail_at(j, at,
						 "unknown change kind \"%.*s\"",
						 (int)(n > 40 ? 40 : n), s);
			}
			continue;
		}
		if (rec_member(j, r, key, klen, &done) < 0)
			return -1;
		if (done)
			continue;
		if (KEY_IS("columnnames")) {
			r->has_new = true;
			rc = w1_array(j, &st->newc, F_NAME, &r->nnames,
				      "'[' opening \"columnnames\"");
		} else if (KEY_IS("columntypes")) {
			rc = w1_array(j, &st->newc, F_TYPE, &r->ntypes,
				      "'[' opening \"columntypes\"");
		} else if (KEY_IS("columntypeoids")) {
			rc = w1_array(j, &st->newc, F_OID, &r->noids,
				      "'[' opening \"columntypeoids\"");
		} else if (KEY_IS("columnvalues")) {
			r->has_new = true;
			rc = w1_array(j, &st->newc, F_VALUE, &r->nvals,
				      "'[' opening \"columnvalues\"");
		} else if (KEY_IS("oldkeys")) {
			r->has_old = true;
			rc = w1_keys(j, r, false);
		} else if (KEY_IS("pk")) {
			r->has_pk = true;
			rc = w1_keys(j, r, true);
		} else {
			rc = j_skip(j);
		}
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;

	/* The parallel arrays must agree. */
	const char *why = NULL;
	if (!r->action)
		why = "a change without \"kind\"";
	else if (r->has_new && r->nnames != r->nvals)
		why = "\"columnnames\" and \"columnvalues\" differ in length";
	else if (r->has_new && ((r->ntypes && r->ntypes != r->nnames) ||
				(r->noids && r->noids != r->nnames)))
		why =
		    "\"columntypes\" or \"columntypeoids\" differ in length from \"columnnames\"";
	else if (r->has_old && r->knames != r->kvals)
		why = "\"keynames\" and \"keyvalues\" differ in length";
	else if (r->has_old && ((r->ktypes && r->ktypes != r->knames) ||
				(r->koids && r->koids != r->knames)))
		why =
		    "\"keytypes\" or \"keytypeoids\" differ in length from \"keynames\"";
	if (why) {
		return j_fail_at(j, open, "%s", why);
	}
	return 0;
}

/* Are the members a row change, truncate or message needs there? */
static int rec_check(struct jp *j, const struct rec *r, const char *open)
{
	struct tp_state *st = j->st;
	const char *missing = NULL;
	bool v2 = st->kind == TEXTPLUGIN_WAL2JSON_2;
	if (r->action == 'M') {
		if (!r->has_transactional)
			missing = "transactional";
		else if (!r->prefix)
			missing = "prefix";
		else if (!r->content)
			missing = "content";
		else if (r->content_len > UINT32_MAX)
			return bad(st, open, j->e, "a message too long");
	} else if (!r->table) {
		missing = "table";
	} else if ((r->action == 'I' || r->action == 'U') && !r->has_new) {
		missing = v2 ? "columns" : "columnvalues";
	} else if (r->action == 'D' && !r->has_old) {
		missing = v2 ? "identity" : "oldkeys";
	}
	if (missing)
		return bad(st, open, j->e, "%s without \"%s\"",
			   r->action == 'M' ? "a message" : "a change",
			   missing);
	return 0;
}

/* A checked row change, truncate or message of either format as an
 * event. */
static int rec_event(struct jp *j, struct rec *r, const char *open,
		     uint64_t lsn, struct event *ev)
{
	struct tp_state *st = j->st;
	const char *schema = r->schema ? r->schema : "";
	switch (r->action) {
	case 'M':
		ev->kind = EVENT_MESSAGE;
		ev->lsn = lsn;
		ev->message.prefix = r->prefix;
		ev->message.content = r->content;
		ev->message.len = (uint32_t)r->content_len;
		ev->message.transactional = r->transactional;
		return 0;
	case 'T':
		truncate_rel(st, 0, schema, r->table);
		truncate_event(st, ev, 1, false, false, lsn);
		return 0;
	default:
		return build_change(st, ev, r->action, schema, r->table,
				    r->action != 'D' ? &st->newc : NULL,
				    r->has_old ? &st->oldc : NULL,
				    r->has_pk ? &st->pkc : NULL, lsn, open,
				    j->e);
	}
}

/* ---- wal2json format 1 ---- */

static int decode_w2j1(struct tp_state *st, struct jp *j, uint64_t lsn,
		       event_fn fn, void *ctx, struct err *e)
{
	const char *key;
	size_t klen;
	bool first = true, seen_change = false, begun = false, alone = false;
	struct rec doc = { 0 }, r;
	struct event ev;
	int rc;
	if (j_open(j, JSONLEX_OBJECT, "'{' opening the transaction") < 0)
		return -1;
	while ((rc = j_member(j, &first, &key, &klen)) > 0) {
		bool done;
		if (KEY_IS("nextlsn")) {
			if (j_lsn(j, &doc.nextlsn) < 0)
				return -1;
			doc.has_nextlsn = true;
			continue;
		}
		if (!KEY_IS("change")) {
			if (rec_member(j, &doc, key, klen, &done) < 0 ||
			    (!done && j_skip(j) < 0))
				return -1;
			continue;
		}
		if (seen_change)
			return j_fail(j, "a second \"change\" array");
		seen_change = true;
		if (j_open(j, JSONLEX_ARRAY, "'[' opening \"change\"") < 0)
			return -1;
		/* 2.5's stray comma before a lone message: see the top. */
		bool efirst = true;
		if (jsonlex_take(&j->lx, ',')) {
			if (jsonlex_peek(&j->lx) != JSONLEX_OBJECT)
				return j_fail(
				    j,
				    "expected a change after the leading ','");
		}
		while ((rc = j_element(j, &efirst)) > 0) {
			const char *open = j->lx.p;
			if (w1_change(j, &r) < 0 || rec_check(j, &r, open) < 0)
				return -1;
			bool lone = r.action == 'M' && !r.transactional;
			if (!begun && !alone) {
				/* A non-transactional message comes in a
				 * document of its own, without xid, nextlsn
				 * or timestamp. */
				alone = lone && !doc.has_xid &&
					!doc.has_nextlsn && !doc.has_time;
				if (!alone) {
					ev =
					    (struct event){ .kind = EVENT_BEGIN,
							    .lsn = lsn };
					ev.begin.xid = doc.xid;
					ev.begin.commit_time = doc.time;
					ev.begin.end_lsn =
					    doc.has_nextlsn ? doc.nextlsn : 0;
					if (fn(ctx, &ev, e) < 0)
						return -1;
					begun = true;
				}
			}
			if (alone != lone)
				return bad(
				    st, open, e,
				    alone
					? "a row change or transactional message among non-transactional messages"
					: "a non-transactional message inside a transaction");
			if (rec_event(j, &r, open, lsn, &ev) < 0 ||
			    fn(ctx, &ev, e) < 0)
				return -1;
			arena_reset(&st->arena);
		}
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!seen_change)
		return bad(st, NULL, e, "no \"change\" array");
	if (!jsonlex_at_end(&j->lx))
		return j_fail(j, "text after the end of the transaction");
	if (alone)
		return 0;
	if (!begun) {
		ev = (struct event){ .kind = EVENT_BEGIN, .lsn = lsn };
		ev.begin.xid = doc.xid;
		ev.begin.commit_time = doc.time;
		ev.begin.end_lsn = doc.has_nextlsn ? doc.nextlsn : 0;
		if (fn(ctx, &ev, e) < 0)
			return -1;
	}
	ev = (struct event){ .kind = EVENT_COMMIT, .lsn = lsn };
	ev.commit.xid = doc.xid;
	ev.commit.end_lsn = doc.has_nextlsn ? doc.nextlsn : lsn;
	ev.commit.commit_time = doc.time;
	return fn(ctx, &ev, e);
}

/* ---- wal2json format 2 ---- */

static int decode_w2j2(struct textplugin *d, struct tp_state *st, struct jp *j,
		       uint64_t lsn, event_fn fn, void *ctx, struct err *e)
{
	const char *key, *open;
	size_t klen;
	bool first = true, done;
	struct rec r = { 0 };
	struct event ev;
	int rc;
	st->newc.n = st->oldc.n = st->pkc.n = 0;
	open = j_here(j);
	if (j_open(j, JSONLEX_OBJECT, "'{' opening a record") < 0)
		return -1;
	while ((rc = j_member(j, &first, &key, &klen)) > 0) {
		if (KEY_IS("action")) {
			const char *s, *at = j_here(j);
			size_t n;
			if (j_string(j, &s, &n, false) < 0)
				return -1;
			if (n != 1 || !strchr("BCIUDTM", s[0])) {
				return j_fail_at(j, at,
						 "unknown action \"%.*s\"",
						 (int)(n > 40 ? 40 : n), s);
			}
			r.action = s[0];
			continue;
		}
		if (KEY_IS("lsn")) {
			rc = j_lsn(j, &r.lsn);
			r.has_lsn = true;
		} else if (KEY_IS("nextlsn")) {
			rc = j_lsn(j, &r.nextlsn);
			r.has_nextlsn = true;
		} else if (KEY_IS("columns")) {
			rc = w2_columns(j, &st->newc, true,
					"'[' opening \"columns\"");
			r.has_new = true;
		} else if (KEY_IS("identity")) {
			rc = w2_columns(j, &st->oldc, true,
					"'[' opening \"identity\"");
			r.has_old = true;
		} else if (KEY_IS("pk")) {
			rc = w2_columns(j, &st->pkc, false,
					"'[' opening \"pk\"");
			r.has_pk = true;
		} else {
			rc = rec_member(j, &r, key, klen, &done);
			if (rc == 0 && !done)
				rc = j_skip(j);
		}
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!jsonlex_at_end(&j->lx))
		return j_fail(j, "text after the end of the record");
	if (!r.action)
		return bad(st, open, e, "a record without \"action\"");

	uint64_t at_lsn = r.has_lsn ? r.lsn : lsn;
	if (r.action != 'B' && r.action != 'C' && rec_check(j, &r, open) < 0)
		return -1;
	/* A T record of the truncate held joins it; anything else comes
	 * after it. */
	bool joins = r.action == 'T' && st->in_txn &&
		     (!st->held_n || st->held_lsn == at_lsn);
	if (!joins && flush_held_truncate(st, fn, ctx, e) < 0)
		return -1;
	if (r.action == 'T' && st->in_txn) {
		hold_truncate(st, r.schema ? r.schema : "", r.table, at_lsn);
		return 0;
	}
	switch (r.action) {
	case 'B':
		if (st->in_txn)
			return bad(st, open, e,
				   "B (begin) of xid %u inside transaction %u",
				   r.xid, d->xid);
		st->in_txn = true;
		d->xid = r.xid;
		ev = (struct event){ .kind = EVENT_BEGIN, .lsn = lsn };
		ev.begin.xid = r.xid;
		ev.begin.commit_time = r.time;
		ev.begin.end_lsn = r.has_nextlsn ? r.nextlsn : 0;
		return fn(ctx, &ev, e);
	case 'C':
		if (!st->in_txn)
			return bad(st, open, e,
				   "C (commit) of xid %u outside a transaction",
				   r.xid);
		if (r.has_xid && r.xid != d->xid)
			return bad(st, open, e,
				   "C (commit) of xid %u inside transaction %u",
				   r.xid, d->xid);
		st->in_txn = false;
		ev = (struct event){ .kind = EVENT_COMMIT, .lsn = at_lsn };
		ev.commit.xid = d->xid;
		ev.commit.commit_lsn = r.has_lsn ? r.lsn : 0;
		ev.commit.end_lsn = r.has_nextlsn ? r.nextlsn : at_lsn;
		ev.commit.commit_time = r.time;
		d->xid = 0;
		return fn(ctx, &ev, e);
	case 'M':
		if (r.has_transactional && r.transactional && !st->in_txn)
			return bad(
			    st, open, e,
			    "a transactional message outside a transaction");
		break;
	default:
		if (!st->in_txn)
			return bad(
			    st, open, e,
			    "%c record outside a transaction (walhook needs include-transaction on)",
			    r.action);
		break;
	}
	if (rec_event(j, &r, open, at_lsn, &ev) < 0)
		return -1;
	return fn(ctx, &ev, e);
}

/* ---- test_decoding ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

struct tdp {
	const char *p, *end;
	struct tp_state *st;
	struct err *e;
};

static int td_fail(struct tdp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int td_fail(struct tdp *c, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return bad(c->st, c->p, c->e, "%s", what);
}

/* Consumes s if the text goes on with it. */
static bool td_lit(struct tdp *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool td_rest_is(struct tdp *c, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(c->end - c->p) == n && memcmp(c->p, s, n) == 0;
}

/* An unsigned decimal of 32 bits (an xid). */
static bool td_uint32(struct tdp *c, uint32_t *out)
{
	uint64_t v = 0;
	const char *s = c->p;
	while (c->p < c->end && is_digit(*c->p) && v <= UINT32_MAX)
		v = v * 10 + (uint64_t)(*c->p++ - '0');
	*out = (uint32_t)v;
	return c->p > s && v <= UINT32_MAX &&
	       !(c->p < c->end && is_digit(*c->p));
}

/* An identifier as quote_identifier() prints it: in double quotes with ""
 * for a quote, or bare up to one of stop. NUL-terminated in the arena. */
static int td_ident(struct tdp *c, const char *stop, const char **out,
		    size_t *len, const char *what)
{
	if (c->p < c->end && *c->p == '"') {
		const char *s = ++c->p;
		size_t quotes = 0;
		for (;;) {
			if (c->p >= c->end)
				return td_fail(c, "%s in quotes is not closed",
					       what);
			if (*c->p == '"') {
				if (c->p + 1 < c->end && c->p[1] == '"') {
					quotes++;
					c->p += 2;
					continue;
				}
				break;
			}
			c->p++;
		}
		size_t n = (size_t)(c->p - s) - quotes;
		char *o = arena_alloc(&c->st->arena, n + 1);
		for (size_t i = 0, k = 0; k < n; i++) {
			o[k++] = s[i];
			if (s[i] == '"')
				i++;
		}
		o[n] = '\0';
		c->p++;
		*out = o;
		*len = n;
		return 0;
	}
	const char *s = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '"' &&
	       !strchr(stop, *c->p))
		c->p++;
	if (c->p == s)
		return td_fail(c, "expected %s", what);
	*len = (size_t)(c->p - s);
	*out = arena_strndup(&c->st->arena, s, *len);
	return 0;
}

/* schema.table */
static int td_qualified(struct tdp *c, const char **schema, const char **table)
{
	size_t n;
	if (td_ident(c, ".", schema, &n, "a schema name") < 0)
		return -1;
	if (!td_lit(c, "."))
		return td_fail(c, "expected '.' between schema and table name");
	return td_ident(c, ":,", table, &n, "a table name");
}

/* One column: name[type]:value. */
static int td_column(struct tdp *c, struct tcol *col)
{
	if (td_ident(c, "[", &col->name, &col->name_len, "a column name") < 0)
		return -1;
	if (!td_lit(c, "["))
		return td_fail(c,
			       "expected '[' before the type of column \"%s\"",
			       col->name);
	/* The type ends at the "]:" outside quotes: "integer[]]:" and
	 * "\"char\"[]]:" hold brackets of their own. */
	const char *t = c->p;
	bool quoted = false;
	for (;; c->p++) {
		if (c->p + 1 >= c->end)
			return td_fail(
			    c,
			    "the type of column \"%s\" is not closed by \"]:\"",
			    col->name);
		if (*c->p == '"')
			quoted = !quoted;
		else if (!quoted && c->p[0] == ']' && c->p[1] == ':')
			break;
	}
	col->type = t;
	col->type_len = (size_t)(c->p - t);
	c->p += 2;

	const char *v = c->p;
	if (c->p < c->end && *c->p == '\'') {
		/* 'text' with '' for a quote */
		size_t quotes = 0;
		const char *s = ++c->p;
		for (;;) {
			if (c->p >= c->end) {
				c->p = v;
				return td_fail(
				    c,
				    "the quoted value of column \"%s\" is not closed",
				    col->name);
			}
			if (*c->p == '\'') {
				if (c->p + 1 < c->end && c->p[1] == '\'') {
					quotes++;
					c->p += 2;
					continue;
				}
				break;
			}
			c->p++;
		}
		size_t n = (size_t)(c->p - s) - quotes;
		const char *text = s;
		if (quotes) {
			char *o = arena_alloc(&c->st->arena, n);
			for (size_t i = 0, k = 0; k < n; i++) {
				o[k++] = s[i];
				if (s[i] == '\'')
					i++;
			}
			text = o;
		}
		c->p++;
		col->val = (struct datum){ .kind = DATUM_TEXT,
					   .len = (uint32_t)n,
					   .data = text };
	} else if (td_lit(c, "B'")) {
		/* a bit string: only 0 and 1 inside */
		const char *s = c->p;
		while (c->p < c->end && *c->p != '\'')
			c->p++;
		if (c->p >= c->end) {
			c->p = v;
			return td_fail(
			    c, "the bit string of column \"%s\" is not closed",
			    col->name);
		}
		col->val = (struct datum){ .kind = DATUM_TEXT,
					   .len = (uint32_t)(c->p - s),
					   .data = s };
		c->p++;
	} else {
		/* bare: a number, NaN, Infinity, true, false, null,
		 * unchanged-toast-datum */
		while (c->p < c->end && *c->p != ' ')
			c->p++;
		size_t n = (size_t)(c->p - v);
		if (n == 0)
			return td_fail(c, "column \"%s\" has no value",
				       col->name);
		if (n == 4 && !memcmp(v, "null", 4))
			col->val = datum_null;
		else if (n == 21 && !memcmp(v, "unchanged-toast-datum", 21))
			col->val = datum_unchanged;
		else if (n == 4 && !memcmp(v, "true", 4))
			col->val = (struct datum){ .kind = DATUM_TEXT,
						   .len = 1,
						   .data = "t" };
		else if (n == 5 && !memcmp(v, "false", 5))
			col->val = (struct datum){ .kind = DATUM_TEXT,
						   .len = 1,
						   .data = "f" };
		else
			col->val = (struct datum){ .kind = DATUM_TEXT,
						   .len = (uint32_t)n,
						   .data = v };
	}
	col->has_val = true;
	if (c->p < c->end && *c->p != ' ')
		return td_fail(
		    c,
		    "expected a space or the end after the value of column \"%s\"",
		    col->name);
	return 0;
}

/* Columns " name[type]:value" until the end of the line or, with
 * to_marker, the " new-tuple:" that ends an old key. */
static int td_tuple(struct tdp *c, struct tcols *l, bool to_marker)
{
	l->n = 0;
	while (c->p < c->end) {
		if (to_marker && (size_t)(c->end - c->p) >= 11 &&
		    !memcmp(c->p, " new-tuple:", 11))
			return 0;
		if (!td_lit(c, " "))
			return td_fail(c, "expected a space before a column");
		if (td_column(c, tcols_at(l, l->n)) < 0)
			return -1;
	}
	if (to_marker)
		return td_fail(c, "an old key without \"new-tuple:\"");
	return 0;
}

/* "table ...: INSERT|UPDATE|DELETE|TRUNCATE: ..." */
static int td_table(struct tdp *c, uint64_t lsn, struct event *ev)
{
	struct tp_state *st = c->st;
	const char *schema, *table, *open = c->p;
	size_t nrels = 0;
	/* the names first: one, or several for a truncate */
	for (;;) {
		if (td_qualified(c, &schema, &table) < 0)
			return -1;
		truncate_rel(st, nrels++, schema, table);
		if (td_lit(c, ": "))
			break;
		if (!td_lit(c, ", "))
			return td_fail(
			    c, "expected ': ' or ', ' after a table name");
	}
	schema = st->trels[0].nspname;
	table = st->trels[0].relname;

	const char *action = c->p;
	if (td_lit(c, "TRUNCATE:")) {
		bool restart = false, cascade = false;
		if (!td_rest_is(c, " (no-flags)")) {
			restart = td_lit(c, " restart_seqs");
			cascade = td_lit(c, " cascade");
			if (c->p != c->end || (!restart && !cascade))
				return td_fail(
				    c,
				    "expected TRUNCATE's flags: (no-flags), restart_seqs, cascade");
		}
		if (nrels > UINT32_MAX)
			return td_fail(c, "too many tables");
		truncate_event(st, ev, (uint32_t)nrels, cascade, restart, lsn);
		return 0;
	}
	if (nrels > 1) {
		c->p = action;
		return td_fail(c, "several tables for a row change");
	}
	char op;
	bool has_new = false, has_old = false;
	if (td_lit(c, "INSERT:")) {
		op = 'I';
		has_new = !td_rest_is(c, " (no-tuple-data)");
		if (has_new && td_tuple(c, &st->newc, false) < 0)
			return -1;
	} else if (td_lit(c, "UPDATE:")) {
		op = 'U';
		if (td_lit(c, " old-key:")) {
			has_old = true;
			if (td_tuple(c, &st->oldc, true) < 0)
				return -1;
			td_lit(c, " new-tuple:");
		}
		has_new = !td_rest_is(c, " (no-tuple-data)");
		if (has_new && td_tuple(c, &st->newc, false) < 0)
			return -1;
	} else if (td_lit(c, "DELETE:")) {
		op = 'D';
		has_old = !td_rest_is(c, " (no-tuple-data)");
		if (has_old && td_tuple(c, &st->oldc, false) < 0)
			return -1;
	} else {
		return td_fail(
		    c, "expected INSERT:, UPDATE:, DELETE: or TRUNCATE:");
	}
	return build_change(st, ev, op, schema, table,
			    has_new ? &st->newc : NULL,
			    has_old ? &st->oldc : NULL, NULL, lsn, open, c->e);
}

/* "message: transactional: 1 prefix: p, sz: 5 content:hello". The prefix
 * is printed as it is, so it may itself hold ", sz: ": take the first
 * split whose size matches the content that follows. */
static int td_message(struct tdp *c, uint64_t lsn, struct event *ev)
{
	bool transactional;
	if (td_lit(c, "1"))
		transactional = true;
	else if (td_lit(c, "0"))
		transactional = false;
	else
		return td_fail(c, "expected 0 or 1 after \"transactional: \"");
	if (!td_lit(c, " prefix: "))
		return td_fail(c, "expected \" prefix: \"");
	const char *prefix = c->p;
	for (const char *s = prefix; s < c->end; s++) {
		struct tdp t = *c;
		t.p = s;
		uint64_t sz = 0;
		if (!td_lit(&t, ", sz: "))
			continue;
		const char *digits_at = t.p;
		while (t.p < t.end && is_digit(*t.p) && sz <= UINT32_MAX)
			sz = sz * 10 + (uint64_t)(*t.p++ - '0');
		if (t.p == digits_at || !td_lit(&t, " content:") ||
		    (uint64_t)(t.end - t.p) != sz)
			continue;
		ev->kind = EVENT_MESSAGE;
		ev->lsn = lsn;
		ev->message.prefix =
		    arena_strndup(&c->st->arena, prefix, (size_t)(s - prefix));
		ev->message.content = t.p;
		ev->message.len = (uint32_t)sz;
		ev->message.transactional = transactional;
		return 0;
	}
	return td_fail(c, "expected \", sz: N content:\" followed by N bytes");
}

static int decode_td(struct textplugin *d, struct tp_state *st, const char *buf,
		     size_t len, uint64_t lsn, event_fn fn, void *ctx,
		     struct err *e)
{
	static const char *const unsupported[] = {
		"PREPARE TRANSACTION",
		"COMMIT PREPARED",
		"ROLLBACK PREPARED",
		"opening a streamed block",
		"closing a streamed block",
		"aborting streamed",
		"preparing streamed",
		"committing streamed",
		"streaming ",
	};
	struct tdp c = { .p = buf, .end = buf + len, .st = st, .e = e };
	struct event ev;
	for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++)
		if (td_lit(&c, unsupported[i]))
			return bad(
			    st, buf, e,
			    "two-phase and streamed transactions are not supported: do not turn on two-phase or stream-changes");

	if (td_lit(&c, "BEGIN")) {
		uint32_t xid = 0;
		if (td_lit(&c, " ") && !td_uint32(&c, &xid))
			return td_fail(&c, "expected an xid after BEGIN");
		if (c.p != c.end)
			return td_fail(&c, "text after BEGIN's xid");
		if (st->in_txn)
			return bad(st, buf, e, "BEGIN %u inside transaction %u",
				   xid, d->xid);
		st->in_txn = true;
		d->xid = xid;
		ev = (struct event){ .kind = EVENT_BEGIN, .lsn = lsn };
		ev.begin.xid = xid;
		return fn(ctx, &ev, e);
	}
	if (td_lit(&c, "COMMIT")) {
		/* COMMIT [xid] [(at time)] */
		uint32_t xid = 0;
		int64_t t = 0;
		bool more = td_lit(&c, " ");
		if (more && c.p < c.end && is_digit(*c.p)) {
			if (!td_uint32(&c, &xid))
				return td_fail(&c,
					       "expected an xid after COMMIT");
			more = td_lit(&c, " ");
		}
		if (more) {
			if (!td_lit(&c, "(at "))
				return td_fail(
				    &c,
				    "expected \"(at \" and the commit time");
			const char *s = c.p;
			if (c.end - s < 2 || c.end[-1] != ')' ||
			    !pgtime_parse(s, (size_t)(c.end - 1 - s), &t))
				return td_fail(
				    &c,
				    "expected a commit time such as \"2026-11-26 04:30:00.123456+00)\"");
			c.p = c.end;
		}
		if (c.p != c.end)
			return td_fail(&c, "unexpected text in a COMMIT line");
		if (!st->in_txn)
			return bad(st, buf, e,
				   "COMMIT %u outside a transaction", xid);
		if (xid && d->xid && xid != d->xid)
			return bad(st, buf, e,
				   "COMMIT %u inside transaction %u", xid,
				   d->xid);
		st->in_txn = false;
		ev = (struct event){ .kind = EVENT_COMMIT, .lsn = lsn };
		ev.commit.xid = xid ? xid : d->xid;
		ev.commit.end_lsn = lsn;
		ev.commit.commit_time = t;
		d->xid = 0;
		return fn(ctx, &ev, e);
	}
	if (td_lit(&c, "table ")) {
		if (!st->in_txn)
			return bad(
			    st, buf, e,
			    "a row change or truncate outside a transaction");
		if (td_table(&c, lsn, &ev) < 0)
			return -1;
		return fn(ctx, &ev, e);
	}
	if (td_lit(&c, "message: transactional: ")) {
		if (td_message(&c, lsn, &ev) < 0)
			return -1;
		return fn(ctx, &ev, e);
	}
	return bad(
	    st, buf, e,
	    "not a line test_decoding writes (BEGIN, COMMIT, table ..., message: ...)");
}

/* ---- the interface ---- */

void textplugin_init(struct textplugin *d, enum textplugin_kind kind)
{
	*d = (struct textplugin){ .kind = kind };
	relcache_init(&d->rels);
	struct tp_state *st = xmalloc(sizeof *st);
	*st = (struct tp_state){ .kind = kind };
	d->scratch = st;
}

void textplugin_free(struct textplugin *d)
{
	struct tp_state *st = d->scratch;
	if (st) {
		arena_free(&st->arena);
		free(st->newc.v);
		free(st->oldc.v);
		free(st->pkc.v);
		free(st->cols);
		free(st->newv);
		free(st->oldv);
		free(st->where);
		free(st->trels);
		free(st->trelp);
		buf_free(&st->held_names);
		free(st);
	}
	relcache_free(&d->rels);
	d->scratch = NULL;
}

void textplugin_reset(struct textplugin *d)
{
	struct tp_state *st = d->scratch;
	d->xid = 0;
	st->in_txn = false;
	st->held_n = 0;
	arena_reset(&st->arena);
	relcache_clear(&d->rels);
}

int textplugin_decode(struct textplugin *d, const uint8_t *buf, size_t len,
		      uint64_t lsn, event_fn fn, void *ctx, struct err *e)
{
	struct tp_state *st = d->scratch;
	const char *text = (const char *)buf;
	st->kind = d->kind;
	st->buf = text;
	st->len = len;
	st->lsn = lsn;
	arena_reset(&st->arena);
	struct jp j = { .st = st, .e = e };
	jsonlex_init(&j.lx, text, len, JSON_MAX_DEPTH);
	switch (d->kind) {
	case TEXTPLUGIN_WAL2JSON_1: return decode_w2j1(st, &j, lsn, fn, ctx, e);
	case TEXTPLUGIN_WAL2JSON_2:
		return decode_w2j2(d, st, &j, lsn, fn, ctx, e);
	case TEXTPLUGIN_TEST_DECODING:
		return decode_td(d, st, text, len, lsn, fn, ctx, e);
	}
	return err_set(e, "unknown text plugin kind %d", (int)d->kind);
}

const char *const *textplugin_required_options(enum textplugin_kind kind)
{
	/* Checked against wal2json 2.5 and PostgreSQL 15's test_decoding
	 * (tests/unit/decode/test_textplugin.c holds what they printed). */
	static const char *const wal2json_1[] = {
		"include-xids",
		"1",
		"include-timestamp",
		"1",
		"include-type-oids",
		"1",
		"include-pk",
		"1",
		"include-lsn",
		"1",
		NULL,
	};
	static const char *const wal2json_2[] = {
		"format-version",
		"2",
		"include-xids",
		"1",
		"include-timestamp",
		"1",
		"include-type-oids",
		"1",
		"include-pk",
		"1",
		"include-lsn",
		"1",
		"include-transaction",
		"1",
		NULL,
	};
	static const char *const test_decoding[] = {
		"include-xids",
		"1",
		"include-timestamp",
		"1",
		"skip-empty-xacts",
		"1",
		NULL,
	};
	switch (kind) {
	case TEXTPLUGIN_WAL2JSON_1: return wal2json_1;
	case TEXTPLUGIN_WAL2JSON_2: return wal2json_2;
	case TEXTPLUGIN_TEST_DECODING: return test_decoding;
	}
	static const char *const none[] = { NULL };
	return none;
}
