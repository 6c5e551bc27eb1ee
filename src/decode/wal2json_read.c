#include "decode/wal2json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/lsn.h"
#include "decode/values.h"

void wj_init(struct wj *j, struct tp_state *st, struct err *e)
{
	j->st = st;
	j->e = e;
	jsonlex_init(&j->lx, st->buf, st->len, WJ_MAX_DEPTH);
}

static int wj_vfail(struct wj *j, const char *at, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int wj_vfail(struct wj *j, const char *at, const char *fmt, va_list ap)
{
	char what[400];
	vsnprintf(what, sizeof what, fmt, ap);
	if (at >= j->lx.end && j->st->kind == TEXTPLUGIN_WAL2JSON_1)
		return tp_fail(
		    j->st, at, j->e,
		    "%s (walhook needs each transaction whole in one message: is write-in-chunks on?)",
		    what);
	return tp_fail(j->st, at, j->e, "%s", what);
}

int wj_fail_at(struct wj *j, const char *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = wj_vfail(j, at, fmt, ap);
	va_end(ap);
	return rc;
}

int wj_fail(struct wj *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = wj_vfail(j, j->lx.p, fmt, ap);
	va_end(ap);
	return rc;
}

/* Fails with the lexer's fault, where it found it. */
static int wj_fault(struct wj *j)
{
	char what[160];
	return wj_fail_at(j, j->lx.fault_at, "%s",
			  jsonlex_fault_text(&j->lx, what, sizeof what));
}

const char *wj_here(struct wj *j)
{
	jsonlex_peek(&j->lx);
	return j->lx.p;
}

int wj_open(struct wj *j, enum jsonlex_kind kind, const char *what)
{
	struct jsonlex_token t;
	if (jsonlex_peek(&j->lx) != kind)
		return wj_fail(j, "expected %s", what);
	return jsonlex_value(&j->lx, &t) < 0 ? wj_fault(j) : 0;
}

/* The text of the string t: a view into the payload when it holds no
 * escapes (and nul is not asked for), else a copy in the arena; with nul
 * the text is always NUL-terminated. */
static void wj_text(struct wj *j, const struct jsonlex_token *t, bool nul,
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

int wj_string(struct wj *j, const char **s, size_t *n, bool nul)
{
	struct jsonlex_token t;
	if (jsonlex_peek(&j->lx) != JSONLEX_STRING)
		return wj_fail(j, "expected a string");
	if (jsonlex_value(&j->lx, &t) < 0)
		return wj_fault(j);
	wj_text(j, &t, nul, s, n);
	return 0;
}

/* Reads a JSON number; *s and *n get its text. */
static int wj_number(struct wj *j, const char **s, size_t *n)
{
	struct jsonlex_token t;
	if (jsonlex_peek(&j->lx) != JSONLEX_NUMBER)
		return wj_fail(j, "expected a number");
	if (jsonlex_value(&j->lx, &t) < 0)
		return wj_fault(j);
	*s = t.text;
	*n = t.len;
	return 0;
}

/* Is the word (true, false, null) next? Consumes it if so. */
static bool wj_word(struct wj *j, enum jsonlex_kind word)
{
	struct jsonlex_token t;
	return jsonlex_peek(&j->lx) == word && jsonlex_value(&j->lx, &t) == 0;
}

int wj_member(struct wj *j, bool *first, const char **key, size_t *klen)
{
	struct jsonlex_token t;
	int rc = jsonlex_member(&j->lx, first, &t);
	if (rc < 0)
		return wj_fault(j);
	if (rc > 0)
		wj_text(j, &t, false, key, klen);
	return rc;
}

int wj_element(struct wj *j, bool *first)
{
	int rc = jsonlex_element(&j->lx, first);
	return rc < 0 ? wj_fault(j) : rc;
}

int wj_skip(struct wj *j)
{
	return jsonlex_skip(&j->lx) < 0 ? wj_fault(j) : 0;
}

int wj_datum(struct wj *j, struct datum *d)
{
	const char *s = NULL;
	size_t n = 0;
	enum jsonlex_kind k = jsonlex_peek(&j->lx);
	switch (k) {
	case JSONLEX_END: return wj_fail(j, "expected a column value");
	case JSONLEX_STRING:
		if (wj_string(j, &s, &n, false) < 0)
			return -1;
		break;
	case JSONLEX_NUMBER:
		if (wj_number(j, &s, &n) < 0)
			return -1;
		break;
	case JSONLEX_TRUE:
	case JSONLEX_FALSE:
		wj_word(j, k);
		s = k == JSONLEX_TRUE ? "t" : "f";
		n = 1;
		break;
	case JSONLEX_NULL:
		wj_word(j, k);
		*d = (struct datum){ .kind = DATUM_NULL };
		return 0;
	default:
		return wj_fail(
		    j,
		    "expected a column value (a string, number, true, false or null)");
	}
	if (n > UINT32_MAX)
		return wj_fail(j, "a column value too long");
	*d =
	    (struct datum){ .kind = DATUM_TEXT, .len = (uint32_t)n, .data = s };
	return 0;
}

int wj_bool(struct wj *j, bool *out)
{
	if (wj_word(j, JSONLEX_TRUE))
		*out = true;
	else if (wj_word(j, JSONLEX_FALSE))
		*out = false;
	else
		return wj_fail(j, "expected true or false");
	return 0;
}

int wj_uint32(struct wj *j, uint32_t *out, bool *isnull)
{
	const char *s;
	size_t n;
	if (isnull) {
		*isnull = wj_word(j, JSONLEX_NULL);
		if (*isnull)
			return 0;
	}
	const char *at = wj_here(j);
	if (wj_number(j, &s, &n) < 0)
		return -1;
	int64_t v;
	if (!values_parse_int(s, n, &v) || v < INT32_MIN || v > UINT32_MAX)
		return wj_fail_at(j, at, "expected an integer of 32 bits");
	*out = (uint32_t)v;
	return 0;
}

int wj_lsn(struct wj *j, uint64_t *out)
{
	const char *s;
	size_t n;
	char tmp[LSN_STRLEN];
	const char *at = wj_here(j);
	if (wj_string(j, &s, &n, false) < 0)
		return -1;
	if (n < sizeof tmp) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (lsn_parse(tmp, out))
			return 0;
	}
	return wj_fail_at(j, at, "expected an LSN such as \"16/B374D848\"");
}

int wj_time(struct wj *j, int64_t *out, bool *isnull)
{
	const char *s;
	size_t n;
	*isnull = wj_word(j, JSONLEX_NULL);
	if (*isnull)
		return 0;
	const char *at = wj_here(j);
	if (wj_string(j, &s, &n, false) < 0)
		return -1;
	if (!pgtime_parse(s, n, out))
		return wj_fail_at(
		    j, at,
		    "expected a timestamp such as \"2026-11-26 04:30:00.123456+00\"");
	return 0;
}

int wj_typename(struct wj *j, const char **s, size_t *n)
{
	struct jsonlex *lx = &j->lx;
	const char *t;
	size_t tn;
	const char *start = wj_here(j);
	if (wj_string(j, s, n, false) < 0)
		return -1;
	/* What follows the first string is read here, past the lexer,
	 * moving its cursor on. */
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
					return wj_fail(
					    j,
					    "expected a type name after '.'");
				continue;
			}
		} else {
			break;
		}
		if (wj_string(j, &t, &tn, false) < 0)
			return -1;
	}
	if (pieces) {
		*s = start;
		*n = (size_t)(lx->p - start);
	}
	return 0;
}
