#include "decode/jsonlex.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/hex.h"

void jsonlex_init(struct jsonlex *lx, const char *s, size_t n, int max_depth)
{
	*lx = (struct jsonlex){
		.start = s,
		.end = s + n,
		.p = s,
		.max_depth = max_depth,
	};
}

static int fail(struct jsonlex *lx, enum jsonlex_fault f, const char *at)
{
	lx->fault = f;
	lx->fault_at = at;
	return -1;
}

static void skip_ws(struct jsonlex *lx)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' ||
				   *lx->p == '\n' || *lx->p == '\r'))
		lx->p++;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool word_next(const struct jsonlex *lx, const char *word, size_t n)
{
	return (size_t)(lx->end - lx->p) >= n && memcmp(lx->p, word, n) == 0;
}

enum jsonlex_kind jsonlex_peek(struct jsonlex *lx)
{
	skip_ws(lx);
	if (lx->p >= lx->end)
		return JSONLEX_END;
	switch (*lx->p) {
	case '{': return JSONLEX_OBJECT;
	case '[': return JSONLEX_ARRAY;
	case '"': return JSONLEX_STRING;
	case '-': return JSONLEX_NUMBER;
	case 't': return word_next(lx, "true", 4) ? JSONLEX_TRUE : JSONLEX_BAD;
	case 'f':
		return word_next(lx, "false", 5) ? JSONLEX_FALSE : JSONLEX_BAD;
	case 'n': return word_next(lx, "null", 4) ? JSONLEX_NULL : JSONLEX_BAD;
	default: return is_digit(*lx->p) ? JSONLEX_NUMBER : JSONLEX_BAD;
	}
}

bool jsonlex_take(struct jsonlex *lx, char c)
{
	skip_ws(lx);
	if (lx->p < lx->end && *lx->p == c) {
		lx->p++;
		return true;
	}
	return false;
}

bool jsonlex_at_end(struct jsonlex *lx)
{
	skip_ws(lx);
	return lx->p >= lx->end;
}

/* ---- strings ---- */

/* The \uXXXX whose backslash is at p, when its four digits come before
 * end. */
static bool read_u(const char *p, const char *end, uint32_t *cp)
{
	if (end - p < 6 || p[1] != 'u')
		return false;
	uint32_t v = 0;
	for (int i = 2; i < 6; i++) {
		int d = hex_digit(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*cp = v;
	return true;
}

/*
 * Reads the escape whose backslash is at p, in a string's text that ends
 * at end: the code point it stands for into *cp, the bytes it takes into
 * *n. A surrogate is taken only as the first of a pair, so what would not
 * be UTF-8 is refused, as jsonb refuses it.
 */
static enum jsonlex_fault read_escape(const char *p, const char *end,
				      uint32_t *cp, size_t *n)
{
	static const char written[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
	const char *c = end - p >= 2 && p[1] ? strchr(written, p[1]) : NULL;
	if (c) {
		*cp = (unsigned char)meant[c - written];
		*n = 2;
		return JSONLEX_OK;
	}
	uint32_t hi, lo;
	if (!read_u(p, end, &hi))
		return JSONLEX_BAD_ESCAPE;
	*cp = hi;
	*n = 6;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return JSONLEX_LONE_LOW_SURROGATE;
	if (hi < 0xd800 || hi > 0xdbff)
		return JSONLEX_OK;
	if (!read_u(p + 6, end, &lo) || lo < 0xdc00 || lo > 0xdfff)
		return JSONLEX_LONE_HIGH_SURROGATE;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	*n = 12;
	return JSONLEX_OK;
}

/* Every escape of the string t, once its end is known. */
static int check_escapes(struct jsonlex *lx, const struct jsonlex_token *t)
{
	const char *end = t->text + t->len;
	for (const char *q = memchr(t->text, '\\', t->len); q;) {
		uint32_t cp;
		size_t n;
		enum jsonlex_fault f = read_escape(q, end, &cp, &n);
		if (f != JSONLEX_OK)
			return fail(lx, f, q);
		q += n;
		q = q < end ? memchr(q, '\\', (size_t)(end - q)) : NULL;
	}
	return 0;
}

/* A string whose opening quote is next. Where it ends is found first, so a
 * string cut short says so whatever escapes it holds. */
static int read_string(struct jsonlex *lx, struct jsonlex_token *t)
{
	const char *s = ++lx->p;
	bool escaped = false;
	for (;;) {
		if (lx->p >= lx->end)
			return fail(lx, JSONLEX_END_IN_STRING, lx->end);
		unsigned char c = (unsigned char)*lx->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(lx, JSONLEX_CONTROL_CHAR, lx->p);
		if (c == '\\') {
			escaped = true;
			if (++lx->p >= lx->end)
				return fail(lx, JSONLEX_END_IN_STRING, lx->end);
		}
		lx->p++;
	}
	*t = (struct jsonlex_token){
		.kind = JSONLEX_STRING,
		.text = s,
		.len = (size_t)(lx->p - s),
		.escaped = escaped,
	};
	lx->p++;
	return escaped ? check_escapes(lx, t) : 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t jsonlex_unescape(const struct jsonlex_token *t, char *out)
{
	const char *s = t->text, *end = t->text + t->len;
	size_t k = 0;
	while (s < end) {
		if (*s != '\\') {
			out[k++] = *s++;
			continue;
		}
		uint32_t cp;
		size_t n;
		read_escape(s, end, &cp, &n); /* checked by read_string */
		k += put_utf8(out + k, cp);
		s += n;
	}
	return k;
}

/* ---- numbers, words, brackets ---- */

static const char *skip_digits(const char *p, const char *end)
{
	while (p < end && is_digit(*p))
		p++;
	return p;
}

/* A number, by JSON's grammar: no leading zeros, no '+', digits on both
 * sides of a decimal point. */
static int read_number(struct jsonlex *lx, struct jsonlex_token *t)
{
	const char *s = lx->p, *p = s, *end = lx->end;
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && is_digit(*p))
		p = skip_digits(p, end);
	else
		return fail(lx, JSONLEX_NO_DIGITS, s);
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return fail(lx, JSONLEX_NO_FRACTION, p);
		p = skip_digits(p, end);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return fail(lx, JSONLEX_NO_EXPONENT, p);
		p = skip_digits(p, end);
	}
	*t = (struct jsonlex_token){
		.kind = JSONLEX_NUMBER,
		.text = s,
		.len = (size_t)(p - s),
	};
	lx->p = p;
	return 0;
}

int jsonlex_value(struct jsonlex *lx, struct jsonlex_token *t)
{
	enum jsonlex_kind k = jsonlex_peek(lx);
	size_t n = 1; /* the bytes of a bracket or word */
	switch (k) {
	case JSONLEX_STRING: return read_string(lx, t);
	case JSONLEX_NUMBER: return read_number(lx, t);
	case JSONLEX_OBJECT:
	case JSONLEX_ARRAY:
		if (lx->depth >= lx->max_depth)
			return fail(lx, JSONLEX_TOO_DEEP, lx->p);
		lx->depth++;
		break;
	case JSONLEX_TRUE:
	case JSONLEX_NULL: n = 4; break;
	case JSONLEX_FALSE: n = 5; break;
	case JSONLEX_END:
	case JSONLEX_BAD:
	default: return fail(lx, JSONLEX_NO_VALUE, lx->p);
	}
	*t = (struct jsonlex_token){ .kind = k, .text = lx->p, .len = n };
	lx->p += n;
	return 0;
}

/* Reads the closing bracket c if it is next. */
static bool close_with(struct jsonlex *lx, char c)
{
	if (!jsonlex_take(lx, c))
		return false;
	lx->depth--;
	return true;
}

int jsonlex_member(struct jsonlex *lx, bool *first, struct jsonlex_token *key)
{
	if (close_with(lx, '}'))
		return 0;
	if (!*first && !jsonlex_take(lx, ','))
		return fail(lx, JSONLEX_NO_MEMBER_SEP, lx->p);
	*first = false;
	if (jsonlex_peek(lx) != JSONLEX_STRING)
		return fail(lx, JSONLEX_NO_KEY, lx->p);
	if (read_string(lx, key) < 0)
		return -1;
	if (!jsonlex_take(lx, ':'))
		return fail(lx, JSONLEX_NO_COLON, lx->p);
	return 1;
}

int jsonlex_element(struct jsonlex *lx, bool *first)
{
	if (close_with(lx, ']'))
		return 0;
	if (!*first && !jsonlex_take(lx, ','))
		return fail(lx, JSONLEX_NO_ELEMENT_SEP, lx->p);
	*first = false;
	if (jsonlex_at_end(lx))
		return fail(lx, JSONLEX_NO_ELEMENT, lx->p);
	return 1;
}

/* Recursion is bounded by max_depth: opening one container too many
 * fails before it recurses. */
int jsonlex_skip(struct jsonlex *lx)
{
	struct jsonlex_token t;
	bool first = true;
	int rc;
	if (jsonlex_value(lx, &t) < 0)
		return -1;
	if (t.kind == JSONLEX_OBJECT) {
		while ((rc = jsonlex_member(lx, &first, &t)) > 0)
			if (jsonlex_skip(lx) < 0)
				return -1;
		return rc;
	}
	if (t.kind == JSONLEX_ARRAY) {
		while ((rc = jsonlex_element(lx, &first)) > 0)
			if (jsonlex_skip(lx) < 0)
				return -1;
		return rc;
	}
	return 0;
}

const char *jsonlex_fault_text(const struct jsonlex *lx, char *buf, size_t n)
{
	static const char *const words[] = {
		[JSONLEX_OK] = "no fault",
		[JSONLEX_NO_VALUE] = "expected a value",
		[JSONLEX_NO_ELEMENT] = "expected an array element",
		[JSONLEX_NO_KEY] = "expected a member name in double quotes",
		[JSONLEX_NO_COLON] = "expected ':' after a member name",
		[JSONLEX_NO_MEMBER_SEP] =
		    "expected ',' or '}' after an object member",
		[JSONLEX_NO_ELEMENT_SEP] =
		    "expected ',' or ']' after an array element",
		[JSONLEX_END_IN_STRING] = "the text ends inside a string",
		[JSONLEX_BAD_ESCAPE] = "invalid escape in a string",
		[JSONLEX_LONE_LOW_SURROGATE] =
		    "a \\u low surrogate without a high one, an invalid escape in a string",
		[JSONLEX_LONE_HIGH_SURROGATE] =
		    "a \\u high surrogate without a low one, an invalid escape in a string",
		[JSONLEX_NO_DIGITS] = "expected a number",
		[JSONLEX_NO_FRACTION] = "expected digits after a decimal point",
		[JSONLEX_NO_EXPONENT] = "expected digits in an exponent",
		[JSONLEX_TOO_DEEP] = "JSON nested too deeply",
	};
	if (lx->fault == JSONLEX_CONTROL_CHAR)
		snprintf(buf, n, "control character 0x%02x inside a string",
			 (unsigned char)*lx->fault_at);
	else if ((size_t)lx->fault < sizeof words / sizeof *words &&
		 words[lx->fault])
		snprintf(buf, n, "%s", words[lx->fault]);
	else
		snprintf(buf, n, "JSON fault %d", (int)lx->fault);
	return buf;
}
