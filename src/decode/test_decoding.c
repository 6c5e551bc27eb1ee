#include "decode/test_decoding.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/lsn.h"
#include "decode/textrow.h"
#include "decode/textstate.h"

/*
 * What test_decoding prints, as this decoder reads it (seen on
 * PostgreSQL 15; the unit tests hold real captures): one line per
 * payload: "BEGIN 742", "COMMIT 742 (at 2026-11-26 04:30:00.123456+00)",
 * "table public.t: INSERT: id[integer]:1 name[text]:'a''b'", "UPDATE:
 * old-key: ... new-tuple: ...", "DELETE: ..." or "(no-tuple-data)",
 * "table a.x, b.y: TRUNCATE: restart_seqs cascade" or "(no-flags)",
 * "message: transactional: 1 prefix: p, sz: 5 content:hello".
 * Identifiers are quoted as quote_identifier() does; type names are
 * format_type() without the modifier; numbers, NaN and the infinities
 * bare, booleans true/false, bit strings B'101', everything else
 * single-quoted with '' for a quote. Old rows leave NULL columns out.
 * With skip-empty-xacts, a transactional message of a transaction with
 * no row changes comes with no BEGIN or COMMIT around it.
 */

static const struct datum datum_null = { .kind = DATUM_NULL };
static const struct datum datum_unchanged = { .kind = DATUM_UNCHANGED };

/* A line being read: p is the next byte. */
struct tdp {
	const char *p, *end;
	struct tp_state *st;
	struct err *e;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Fails at the next byte. */
static int td_fail(struct tdp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int td_fail(struct tdp *c, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return tp_fail(c->st, c->p, c->e, "%s", what);
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

/* Text quoted with q, where a doubled q stands for one, read after the
 * opening q and up to the closing one: *s and *n get it as printed,
 * *doubled how many doubled q it holds. False when the line ends first
 * (c->p then at the end). */
static bool td_quoted(struct tdp *c, char q, const char **s, size_t *n,
		      size_t *doubled)
{
	*s = c->p;
	*doubled = 0;
	for (;;) {
		if (c->p >= c->end)
			return false;
		if (*c->p == q) {
			if (c->p + 1 < c->end && c->p[1] == q) {
				(*doubled)++;
				c->p += 2;
				continue;
			}
			break;
		}
		c->p++;
	}
	*n = (size_t)(c->p - *s);
	c->p++;
	return true;
}

/* The quoted text s, n bytes as printed, with each doubled q made one:
 * n - doubled bytes, NUL-terminated, in the arena. */
static const char *td_undouble(struct tdp *c, const char *s, size_t n,
			       size_t doubled, char q)
{
	size_t len = n - doubled;
	char *o = arena_alloc(&c->st->arena, len + 1);
	for (size_t i = 0, k = 0; k < len; i++) {
		o[k++] = s[i];
		if (s[i] == q)
			i++;
	}
	o[len] = '\0';
	return o;
}

/* An identifier as quote_identifier() prints it: in double quotes with ""
 * for a quote, or bare up to one of stop. NUL-terminated in the arena. */
static int td_ident(struct tdp *c, const char *stop, const char **out,
		    size_t *len, const char *what)
{
	const char *s;
	size_t n, doubled;
	if (td_lit(c, "\"")) {
		if (!td_quoted(c, '"', &s, &n, &doubled))
			return td_fail(c, "%s in quotes is not closed", what);
		*out = td_undouble(c, s, n, doubled, '"');
		*len = n - doubled;
		return 0;
	}
	s = c->p;
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

/* A column's "[type]:", after its name. The type ends at the "]:"
 * outside quotes: "integer[]]:" and "\"char\"[]]:" hold brackets of their
 * own. */
static int td_type(struct tdp *c, struct tcol *col)
{
	if (!td_lit(c, "["))
		return td_fail(c,
			       "expected '[' before the type of column \"%s\"",
			       col->name);
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
	return 0;
}

static struct datum text_datum(const char *s, size_t n)
{
	return (
	    struct datum){ .kind = DATUM_TEXT, .len = (uint32_t)n, .data = s };
}

/* A value in single quotes, with '' for a quote; v is where it starts. */
static int td_string(struct tdp *c, struct tcol *col, const char *v)
{
	const char *s;
	size_t n, doubled;
	c->p++;
	if (!td_quoted(c, '\'', &s, &n, &doubled)) {
		c->p = v;
		return td_fail(
		    c, "the quoted value of column \"%s\" is not closed",
		    col->name);
	}
	if (doubled)
		s = td_undouble(c, s, n, doubled, '\'');
	col->val = text_datum(s, n - doubled);
	return 0;
}

/* A bit string B'101' (only 0 and 1 inside), after its "B'". */
static int td_bits(struct tdp *c, struct tcol *col, const char *v)
{
	const char *s = c->p;
	while (c->p < c->end && *c->p != '\'')
		c->p++;
	if (c->p >= c->end) {
		c->p = v;
		return td_fail(c,
			       "the bit string of column \"%s\" is not closed",
			       col->name);
	}
	col->val = text_datum(s, (size_t)(c->p - s));
	c->p++;
	return 0;
}

/* A bare value: a number, NaN, Infinity, true, false, null or
 * unchanged-toast-datum. */
static int td_bare(struct tdp *c, struct tcol *col, const char *v)
{
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	size_t n = (size_t)(c->p - v);
	if (n == 0)
		return td_fail(c, "column \"%s\" has no value", col->name);
	if (n == 4 && !memcmp(v, "null", 4))
		col->val = datum_null;
	else if (n == 21 && !memcmp(v, "unchanged-toast-datum", 21))
		col->val = datum_unchanged;
	else if (n == 4 && !memcmp(v, "true", 4))
		col->val = text_datum("t", 1);
	else if (n == 5 && !memcmp(v, "false", 5))
		col->val = text_datum("f", 1);
	else
		col->val = text_datum(v, n);
	return 0;
}

/* One column: name[type]:value. */
static int td_column(struct tdp *c, struct tcol *col)
{
	if (td_ident(c, "[", &col->name, &col->name_len, "a column name") < 0 ||
	    td_type(c, col) < 0)
		return -1;
	const char *v = c->p;
	int rc;
	if (c->p < c->end && *c->p == '\'')
		rc = td_string(c, col, v);
	else if (td_lit(c, "B'"))
		rc = td_bits(c, col, v);
	else
		rc = td_bare(c, col, v);
	if (rc < 0)
		return -1;
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

/* "TRUNCATE: ..." of the nrels tables set in st's row. */
static int td_truncate(struct tdp *c, size_t nrels, uint64_t lsn,
		       struct event *ev)
{
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
	textrow_truncate(&c->st->row, ev, (uint32_t)nrels, cascade, restart,
			 lsn);
	return 0;
}

/* "INSERT: ...", "UPDATE: ..." or "DELETE: ..." of the table the row's
 * first truncate rel names; open is where the line's table starts. */
static int td_row(struct tdp *c, const char *open, uint64_t lsn,
		  struct event *ev)
{
	struct tp_state *st = c->st;
	struct textrow_in in = { .schema = st->row.trels[0].nspname,
				 .table = st->row.trels[0].relname,
				 .lsn = lsn };
	bool has_new = false, has_old = false;
	if (td_lit(c, "INSERT:")) {
		in.op = 'I';
		has_new = !td_rest_is(c, " (no-tuple-data)");
	} else if (td_lit(c, "UPDATE:")) {
		in.op = 'U';
		if (td_lit(c, " old-key:")) {
			has_old = true;
			if (td_tuple(c, &st->oldc, true) < 0)
				return -1;
			td_lit(c, " new-tuple:");
		}
		has_new = !td_rest_is(c, " (no-tuple-data)");
	} else if (td_lit(c, "DELETE:")) {
		in.op = 'D';
		has_old = !td_rest_is(c, " (no-tuple-data)");
		if (has_old && td_tuple(c, &st->oldc, false) < 0)
			return -1;
	} else {
		return td_fail(
		    c, "expected INSERT:, UPDATE:, DELETE: or TRUNCATE:");
	}
	if (has_new && td_tuple(c, &st->newc, false) < 0)
		return -1;
	in.newc = has_new ? &st->newc : NULL;
	in.oldc = has_old ? &st->oldc : NULL;
	char why[512];
	if (textrow_change(&st->row, &in, ev, why, sizeof why) < 0)
		return tp_fail(st, open, c->e, "%s", why);
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
		textrow_truncate_rel(&st->row, nrels++, schema, table);
		if (td_lit(c, ": "))
			break;
		if (!td_lit(c, ", "))
			return td_fail(
			    c, "expected ': ' or ', ' after a table name");
	}
	const char *action = c->p;
	if (td_lit(c, "TRUNCATE:"))
		return td_truncate(c, nrels, lsn, ev);
	if (nrels > 1) {
		c->p = action;
		return td_fail(c, "several tables for a row change");
	}
	return td_row(c, open, lsn, ev);
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

/* "BEGIN [xid]", after the BEGIN. */
static int td_begin(struct textplugin *d, struct tdp *c, event_fn fn, void *ctx)
{
	struct tp_state *st = c->st;
	uint32_t xid = 0;
	if (td_lit(c, " ") && !td_uint32(c, &xid))
		return td_fail(c, "expected an xid after BEGIN");
	if (c->p != c->end)
		return td_fail(c, "text after BEGIN's xid");
	if (st->in_txn)
		return tp_fail(st, st->buf, c->e,
			       "BEGIN %u inside transaction %u", xid, d->xid);
	st->in_txn = true;
	d->xid = xid;
	struct event ev = { .kind = EVENT_BEGIN, .lsn = st->lsn };
	ev.begin.xid = xid;
	return fn(ctx, &ev, c->e);
}

/* What follows COMMIT: "[xid] [(at time)]". */
static int td_commit_tail(struct tdp *c, uint32_t *xid, int64_t *t)
{
	bool more = td_lit(c, " ");
	if (more && c->p < c->end && is_digit(*c->p)) {
		if (!td_uint32(c, xid))
			return td_fail(c, "expected an xid after COMMIT");
		more = td_lit(c, " ");
	}
	if (more) {
		if (!td_lit(c, "(at "))
			return td_fail(c,
				       "expected \"(at \" and the commit time");
		const char *s = c->p;
		if (c->end - s < 2 || c->end[-1] != ')' ||
		    !pgtime_parse(s, (size_t)(c->end - 1 - s), t))
			return td_fail(
			    c,
			    "expected a commit time such as \"2026-11-26 04:30:00.123456+00)\"");
		c->p = c->end;
	}
	if (c->p != c->end)
		return td_fail(c, "unexpected text in a COMMIT line");
	return 0;
}

/* "COMMIT [xid] [(at time)]", after the COMMIT. */
static int td_commit(struct textplugin *d, struct tdp *c, event_fn fn,
		     void *ctx)
{
	struct tp_state *st = c->st;
	uint32_t xid = 0;
	int64_t t = 0;
	if (td_commit_tail(c, &xid, &t) < 0)
		return -1;
	if (!st->in_txn)
		return tp_fail(st, st->buf, c->e,
			       "COMMIT %u outside a transaction", xid);
	if (xid && d->xid && xid != d->xid)
		return tp_fail(st, st->buf, c->e,
			       "COMMIT %u inside transaction %u", xid, d->xid);
	st->in_txn = false;
	struct event ev = { .kind = EVENT_COMMIT, .lsn = st->lsn };
	ev.commit.xid = xid ? xid : d->xid;
	ev.commit.end_lsn = st->lsn;
	ev.commit.commit_time = t;
	d->xid = 0;
	return fn(ctx, &ev, c->e);
}

int test_decoding_decode(struct textplugin *d, event_fn fn, void *ctx,
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
	struct tp_state *st = d->scratch;
	struct tdp c = {
		.p = st->buf, .end = st->buf + st->len, .st = st, .e = e
	};
	struct event ev;
	for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++)
		if (td_lit(&c, unsupported[i]))
			return tp_fail(
			    st, st->buf, e,
			    "two-phase and streamed transactions are not supported: do not turn on two-phase or stream-changes");
	if (td_lit(&c, "BEGIN"))
		return td_begin(d, &c, fn, ctx);
	if (td_lit(&c, "COMMIT"))
		return td_commit(d, &c, fn, ctx);
	if (td_lit(&c, "table ")) {
		if (!st->in_txn)
			return tp_fail(
			    st, st->buf, e,
			    "a row change or truncate outside a transaction");
		if (td_table(&c, st->lsn, &ev) < 0)
			return -1;
		return fn(ctx, &ev, e);
	}
	if (td_lit(&c, "message: transactional: ")) {
		if (td_message(&c, st->lsn, &ev) < 0)
			return -1;
		return fn(ctx, &ev, e);
	}
	return tp_fail(
	    st, st->buf, e,
	    "not a line test_decoding writes (BEGIN, COMMIT, table ..., message: ...)");
}
