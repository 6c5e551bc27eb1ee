#include "decode/values.h"
#include "base/hex.h"

#include "base/buf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum val_class values_class(uint32_t typoid)
{
	const struct pg_type *t = types_by_oid(typoid);
	return t ? t->class : VAL_STRING;
}

bool values_parse_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - v);
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

bool values_parse_float(const char *s, size_t n, double *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* PostgreSQL spells these exactly so; strtod would also take "nan(…)".
	 */
	if (strcmp(tmp, "NaN") == 0) {
		*out = NAN;
		return true;
	}
	if (strcmp(tmp, "Infinity") == 0 || strcmp(tmp, "-Infinity") == 0) {
		*out = tmp[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	/* Otherwise only decimal digits, sign, point and exponent: strtod
	 * alone would also take spaces, hex floats and other spellings. */
	if (strspn(tmp, "+-0123456789.eE") != n || !strpbrk(tmp, "0123456789"))
		return false;
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (end != tmp + n || (errno == ERANGE && isinf(v)))
		return false;
	*out = v;
	return true;
}

bool values_parse_bool(const char *s, size_t n, bool *out)
{
	if (n != 1 || (s[0] != 't' && s[0] != 'f'))
		return false;
	*out = s[0] == 't';
	return true;
}

/* ---- arrays ---- */

uint32_t values_array_element(uint32_t array_typoid)
{
	const struct pg_type *e = types_by_array(array_typoid);
	if (!e || e->array_text || types_delim(e) != ',')
		return 0;
	return e->oid;
}

/* array_in's notion of white space. */
static bool array_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

struct arr_parse {
	const char *p, *end;
	const struct values_array_visitor *v; /* NULL while checking */
	void *ctx;
	struct buf *scratch;
	char *err;
	size_t errlen;
	/* Per depth: what the arrays there hold (0 not seen yet, 1 elements,
	 * 2 sub-arrays) and how many (SIZE_MAX: not seen yet). */
	int holds[TYPES_MAXDIM];
	size_t len[TYPES_MAXDIM];
};

static int arr_fail(struct arr_parse *a, const char *what)
{
	if (a->errlen)
		snprintf(a->err, a->errlen, "malformed array: %s", what);
	return -1;
}

static void arr_skip_space(struct arr_parse *a)
{
	while (a->p < a->end && array_space(*a->p))
		a->p++;
}

/* The number of items directly inside the non-empty array whose '{' was
 * just passed, in text already checked: one more than its own commas. */
static size_t arr_count_items(const char *p, const char *end)
{
	size_t n = 1;
	int depth = 0;
	bool quoted = false;
	for (; p < end; p++) {
		char c = *p;
		if (c == '\\')
			p++;
		else if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '{')
			depth++;
		else if (c == '}' && depth-- == 0)
			break;
		else if (c == ',' && depth == 0)
			n++;
	}
	return n;
}

/* One element at a->p: emits it and leaves a->p after it. */
static int arr_element(struct arr_parse *a, size_t index)
{
	const char *start = a->p, *stop; /* the text, escapes still in */
	bool escaped = false, quoted = false;
	if (*a->p == '"') {
		quoted = true;
		start = ++a->p;
		for (;;) {
			if (a->p == a->end)
				return arr_fail(a,
						"unterminated quoted element");
			if (*a->p == '"')
				break;
			if (*a->p == '\\') {
				escaped = true;
				if (++a->p == a->end)
					return arr_fail(
					    a, "unterminated quoted element");
			}
			a->p++;
		}
		stop = a->p++;
	} else {
		/* Unquoted: up to ',' or '}', white space at both ends dropped
		 * unless escaped. */
		stop = a->p;
		for (;;) {
			if (a->p == a->end)
				return arr_fail(a, "unexpected end");
			char c = *a->p;
			if (c == ',' || c == '}') {
				if (a->p == start)
					return arr_fail(a, "empty element");
				break;
			}
			if (c == '{' || c == '"')
				return arr_fail(
				    a, "unexpected character in element");
			if (c == '\\') {
				escaped = true;
				if (++a->p == a->end)
					return arr_fail(a, "unexpected end");
				stop = a->p + 1;
			} else if (!array_space(c)) {
				stop = a->p + 1;
			}
			a->p++;
		}
	}
	if (!a->v || !a->v->element)
		return 0;
	const char *text = start;
	size_t len = (size_t)(stop - start);
	bool is_null = !quoted && !escaped && len == 4 &&
		       (start[0] == 'N' || start[0] == 'n') &&
		       (start[1] == 'U' || start[1] == 'u') &&
		       (start[2] == 'L' || start[2] == 'l') &&
		       (start[3] == 'L' || start[3] == 'l');
	if (escaped) {
		buf_reset(a->scratch);
		buf_reserve(a->scratch, len);
		for (const char *q = start; q < stop; q++) {
			if (*q == '\\')
				q++;
			a->scratch->data[a->scratch->len++] = *q;
		}
		text = a->scratch->data;
		len = a->scratch->len;
	}
	a->v->element(a->ctx, index, text, len, is_null);
	return 0;
}

/* The array whose '{' is at a->p, at nesting depth. */
static int arr_level(struct arr_parse *a, int depth, size_t index)
{
	if (depth >= TYPES_MAXDIM)
		return arr_fail(a, "more than 6 dimensions");
	a->p++;
	arr_skip_space(a);
	bool emit = a->v != NULL;
	if (a->p < a->end && *a->p == '}') {
		/* "{}" is the empty array, which has no dimensions at all. */
		if (depth > 0)
			return arr_fail(a, "empty sub-array");
		a->p++;
		if (emit && a->v->begin_array)
			a->v->begin_array(a->ctx, index, 0);
		if (emit && a->v->end_array)
			a->v->end_array(a->ctx, index);
		return 0;
	}
	if (emit && a->v->begin_array)
		a->v->begin_array(a->ctx, index, arr_count_items(a->p, a->end));
	size_t n = 0;
	for (;;) {
		arr_skip_space(a);
		if (a->p == a->end)
			return arr_fail(a, "unexpected end");
		int holds = *a->p == '{' ? 2 : 1;
		if (a->holds[depth] && a->holds[depth] != holds)
			return arr_fail(a, "elements and sub-arrays mixed");
		a->holds[depth] = holds;
		n++;
		int rc =
		    holds == 2 ? arr_level(a, depth + 1, n) : arr_element(a, n);
		if (rc)
			return rc;
		arr_skip_space(a);
		if (a->p == a->end)
			return arr_fail(a, "unexpected end");
		if (*a->p == '}')
			break;
		if (*a->p != ',')
			return arr_fail(a,
					"unexpected character after element");
		a->p++;
	}
	a->p++;
	if (a->len[depth] == SIZE_MAX)
		a->len[depth] = n;
	else if (a->len[depth] != n)
		return arr_fail(a, "sub-arrays of different lengths");
	if (emit && a->v->end_array)
		a->v->end_array(a->ctx, index);
	return 0;
}

/* The signed integer of a dimension prefix; *one says whether it is 1. */
static bool arr_bound(struct arr_parse *a, bool *one)
{
	const char *start = a->p;
	if (a->p < a->end && (*a->p == '-' || *a->p == '+'))
		a->p++;
	const char *digits = a->p;
	while (a->p < a->end && *a->p >= '0' && *a->p <= '9')
		a->p++;
	if (a->p == digits)
		return false;
	/* "1", "+1", "01": but not "-1" */
	const char *d = digits;
	while (d < a->p - 1 && *d == '0')
		d++;
	*one = *start != '-' && a->p - d == 1 && *d == '1';
	return true;
}

static int arr_walk(struct arr_parse *a)
{
	for (int i = 0; i < TYPES_MAXDIM; i++) {
		a->holds[i] = 0;
		a->len[i] = SIZE_MAX;
	}
	arr_skip_space(a);
	/* "[lower:upper]" per dimension (or "[upper]", lower 1), then '='. */
	bool lower_one = true;
	if (a->p < a->end && *a->p == '[') {
		while (a->p < a->end && *a->p == '[') {
			bool one, upper_one;
			a->p++;
			arr_skip_space(a);
			if (!arr_bound(a, &one))
				return arr_fail(a, "bad dimension");
			arr_skip_space(a);
			if (a->p < a->end && *a->p == ':') {
				a->p++;
				arr_skip_space(a);
				if (!arr_bound(a, &upper_one))
					return arr_fail(a, "bad dimension");
				arr_skip_space(a);
				lower_one &= one;
			}
			if (a->p == a->end || *a->p != ']')
				return arr_fail(a, "bad dimension");
			a->p++;
			arr_skip_space(a);
		}
		if (a->p == a->end || *a->p != '=')
			return arr_fail(a, "missing '=' after dimensions");
		a->p++;
		arr_skip_space(a);
	}
	/* A Lua or JSON array starts at 1: other bounds would be lost. */
	if (!lower_one) {
		if (a->errlen)
			snprintf(a->err, a->errlen,
				 "lower bounds other than 1: kept as text");
		return -1;
	}
	if (a->p == a->end || *a->p != '{')
		return arr_fail(a, "does not start with '{'");
	int rc = arr_level(a, 0, 0);
	if (rc)
		return rc;
	arr_skip_space(a);
	if (a->p != a->end)
		return arr_fail(a, "text after the closing '}'");
	return 0;
}

int values_parse_array(const char *s, size_t n,
		       const struct values_array_visitor *v, void *ctx,
		       struct buf *scratch, char *err, size_t errlen)
{
	struct arr_parse a = {
		.p = s,
		.end = s + n,
		.v = NULL,
		.ctx = ctx,
		.scratch = scratch,
		.err = err,
		.errlen = errlen,
	};
	if (n == 0)
		return arr_fail(&a, "empty text");
	if (arr_walk(&a))
		return -1;
	if (!v)
		return 0;
	a.p = s;
	a.v = v;
	return arr_walk(&a);
}

/* ---- bytea ---- */

bool values_bytea_decode(const char *s, size_t n, struct buf *out)
{
	size_t mark = out->len;
	size_t i = 0;
	if (n >= 2 && s[0] == '\\' && s[1] == 'x') {
		buf_reserve(out, (n - 2) / 2);
		for (i = 2; i < n; i++) {
			/* byteain allows white space between the pairs. */
			if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' ||
			    s[i] == '\r')
				continue;
			int hi = hex_digit(s[i]);
			int lo = i + 1 < n ? hex_digit(s[i + 1]) : -1;
			if (hi < 0 || lo < 0)
				goto bad;
			out->data[out->len++] = (char)(hi << 4 | lo);
			i++;
		}
		return true;
	}
	/* The escape form: never longer than its text. */
	buf_reserve(out, n);
	while (i < n) {
		if (s[i] != '\\') {
			out->data[out->len++] = s[i++];
		} else if (i + 1 < n && s[i + 1] == '\\') {
			out->data[out->len++] = '\\';
			i += 2;
		} else if (i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
			   s[i + 2] >= '0' && s[i + 2] <= '7' &&
			   s[i + 3] >= '0' && s[i + 3] <= '7') {
			out->data[out->len++] =
			    (char)((s[i + 1] - '0') << 6 |
				   (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 4;
		} else {
			goto bad;
		}
	}
	return true;
bad:
	out->len = mark;
	return false;
}
