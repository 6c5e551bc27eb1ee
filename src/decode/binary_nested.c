/* binary_nested — converters of the binary forms of values made of
 * other values (see binary_conv.h): ranges and multiranges, arrays, and
 * the types of the database's own, composites and enums and arrays of
 * them, read by what their bytes say of themselves. */
#include "decode/binary_conv.h"

#include <stdio.h>
#include <string.h>

/* ---- quoting ---- */

static bool is_space(char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* Whether range_out or record_out quotes the text written from mark on:
 * when it is empty or holds white space or one of specials (as strchr
 * finds them, so a NUL byte too). */
static bool needs_quotes(const struct buf *b, size_t mark, const char *specials)
{
	if (b->len == mark)
		return true;
	for (size_t i = mark; i < b->len; i++)
		if (strchr(specials, b->data[i]) || is_space(b->data[i]))
			return true;
	return false;
}

/* Puts the text written from mark on between double quotes, in place,
 * with each " and \ inside escaped: by a backslash (array_out) or by
 * doubling it (range_out, record_out). */
static void quote_from(struct buf *b, size_t mark, bool backslash)
{
	size_t n = b->len - mark, extra = 2;
	for (size_t i = mark; i < b->len; i++)
		extra += b->data[i] == '"' || b->data[i] == '\\';
	buf_reserve(b, extra);
	char *p = b->data + mark;
	size_t src = n, dst = n + extra;
	p[--dst] = '"';
	while (src > 0) {
		char ch = p[--src];
		p[--dst] = ch;
		if (ch == '"' || ch == '\\')
			p[--dst] = backslash ? '\\' : ch;
	}
	p[0] = '"';
	b->len += extra;
}

/* ---- ranges ---- */

#define RANGE_EMPTY  0x01
#define RANGE_LB_INC 0x02
#define RANGE_UB_INC 0x04
#define RANGE_LB_INF 0x08
#define RANGE_UB_INF 0x10

/* range_out's quoting of a bound: when it is empty or holds any of
 * "\()[], or white space. */
#define RANGE_SPECIALS "\"\\()[],"

/* The Int32 length at *pos of the part that follows it, which must fit
 * in the len bytes; *pos moves past the length. */
static bool part_len(struct bin_conv *c, const struct pg_type *t,
		     const unsigned char *d, uint32_t len, uint32_t *pos,
		     uint32_t *n)
{
	if (len - *pos < 4)
		return bin_fail(c, "%s: truncated", t->name);
	*n = rd32(d + *pos);
	*pos += 4;
	if (*n > len - *pos)
		return bin_fail(c, "%s: truncated", t->name);
	return true;
}

/* Byte flags, then each finite bound of a non-empty range as Int32 length
 * and the subtype's binary value. */
bool bin_range(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (len < 1)
		return bin_fail(c, "%s: no flags", t->name);
	unsigned flags = d[0];
	uint32_t pos = 1;
	if (flags & RANGE_EMPTY) {
		if (len != 1)
			return bin_fail(c, "%s: bytes after an empty range",
					t->name);
		buf_puts(c->out, "empty");
		return true;
	}
	const struct pg_type *sub = types_by_oid(t->of);
	buf_putc(c->out, flags & RANGE_LB_INC ? '[' : '(');
	for (int upper = 0; upper < 2; upper++) {
		if (upper)
			buf_putc(c->out, ',');
		if (flags & (upper ? RANGE_UB_INF : RANGE_LB_INF))
			continue;
		uint32_t blen;
		if (!part_len(c, t, d, len, &pos, &blen))
			return false;
		size_t mark = c->out->len;
		if (!sub->to_text(c, sub, d + pos, blen))
			return false;
		if (needs_quotes(c->out, mark, RANGE_SPECIALS))
			quote_from(c->out, mark, false);
		pos += blen;
	}
	if (pos != len)
		return bin_fail(c, "%s: %u bytes after the bounds", t->name,
				len - pos);
	buf_putc(c->out, flags & RANGE_UB_INC ? ']' : ')');
	return true;
}

/* Int32 count, then each range as Int32 length and range bytes. */
bool bin_multirange(struct bin_conv *c, const struct pg_type *t,
		    const unsigned char *d, uint32_t len)
{
	if (!bin_want_min(c, t, len, 4))
		return false;
	uint32_t n = rd32(d), pos = 4;
	const struct pg_type *range = types_by_oid(t->of);
	buf_putc(c->out, '{');
	for (uint32_t i = 0; i < n; i++) {
		uint32_t rlen;
		if (!part_len(c, t, d, len, &pos, &rlen))
			return false;
		if (i)
			buf_putc(c->out, ',');
		if (!range->to_text(c, range, d + pos, rlen))
			return false;
		pos += rlen;
	}
	if (pos != len)
		return bin_fail(c, "%s: %u bytes after the ranges", t->name,
				len - pos);
	buf_putc(c->out, '}');
	return true;
}

/* ---- arrays ---- */

/* Whether array_out quotes an element, the text written from mark on:
 * when it is empty, NULL in any case, or holds { } " \ the delimiter or
 * white space. */
static bool array_needs_quotes(const struct buf *b, size_t mark, char delim)
{
	const char *s = b->data + mark;
	size_t n = b->len - mark;
	if (n == 0 || (n == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' &&
		       (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l'))
		return true;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '"' || ch == '\\' || ch == '{' || ch == '}' ||
		    ch == delim || is_space(ch))
			return true;
	}
	return false;
}

/* The header of array_send's form: Int32 ndim, Int32 flags (has nulls: 0
 * or 1), UInt32 element type, per dimension Int32 size and Int32 lower
 * bound. */
struct array_head {
	int ndim;
	uint32_t sent; /* the element type the bytes name */
	int32_t dims[TYPES_MAXDIM], lbs[TYPES_MAXDIM];
	uint64_t nitems;
	bool bounds;  /* a lower bound is not 1 */
	uint32_t pos; /* where the elements start */
};

/* Reads and checks the header; name and elem as for bin_array. */
static bool array_head(struct bin_conv *c, const char *name, uint32_t elem,
		       const unsigned char *d, uint32_t len,
		       struct array_head *h)
{
	if (len < 12)
		return bin_fail(c, "%s[]: %u bytes, expected at least 12", name,
				len);
	int32_t ndim = (int32_t)rd32(d);
	int32_t flags = (int32_t)rd32(d + 4);
	h->sent = rd32(d + 8);
	if (ndim < 0 || ndim > TYPES_MAXDIM)
		return bin_fail(c, "%s[]: %d dimensions", name, ndim);
	if (flags != 0 && flags != 1)
		return bin_fail(c, "%s[]: invalid flags %d", name, flags);
	if (elem ? h->sent != elem : h->sent < FIRST_USER_OID)
		return bin_fail(c, "%s[]: element type %u, expected %u", name,
				h->sent, elem);
	if (len - 12 < 8 * (uint32_t)ndim)
		return bin_fail(c, "%s[]: truncated dimensions", name);
	h->ndim = ndim;
	h->pos = 12;
	h->nitems = ndim > 0;
	h->bounds = false;
	for (int i = 0; i < ndim; i++, h->pos += 8) {
		h->dims[i] = (int32_t)rd32(d + h->pos);
		h->lbs[i] = (int32_t)rd32(d + h->pos + 4);
		/* As ArrayCheckBounds: lower bound + size must fit. */
		if (h->dims[i] < 0 ||
		    (int64_t)h->lbs[i] + h->dims[i] > INT32_MAX)
			return bin_fail(c, "%s[]: invalid dimension %d", name,
					i + 1);
		/* Stays below 2^63: len < 2^32 and a size < 2^31. */
		h->nitems *= (uint64_t)h->dims[i];
		if (h->nitems > len)
			return bin_fail(c, "%s[]: truncated", name);
		h->bounds |= h->lbs[i] != 1;
	}
	/* Every element takes at least its 4 length bytes. */
	if (h->nitems > (len - h->pos) / 4)
		return bin_fail(c, "%s[]: truncated", name);
	return true;
}

/* Element k (from 0) at *pos, as Int32 length (-1 for NULL) and bytes,
 * quoted as array_out does; *pos moves past it. */
static bool array_item(struct bin_conv *c, const char *name, char delim,
		       const struct array_head *h, uint64_t k,
		       const unsigned char *d, uint32_t len, uint32_t *pos,
		       int depth)
{
	struct buf *b = c->out;
	if (len - *pos < 4)
		return bin_fail(c, "%s[]: truncated at element %llu", name,
				(unsigned long long)k + 1);
	int32_t elen = (int32_t)rd32(d + *pos);
	*pos += 4;
	if (elen == -1) {
		buf_puts(b, "NULL");
		return true;
	}
	if (elen < 0 || (uint32_t)elen > len - *pos)
		return bin_fail(c, "%s[]: truncated at element %llu", name,
				(unsigned long long)k + 1);
	size_t mark = b->len;
	if (!bin_value(c, h->sent, d + *pos, (uint32_t)elen, depth + 1)) {
		/* Say which element: "int4[] element 3: int4: 2 bytes,
		 * expected 4". */
		char inner[200];
		snprintf(inner, sizeof inner, "%s", c->errlen ? c->err : "");
		return bin_fail(c, "%s[] element %llu: %s", name,
				(unsigned long long)k + 1, inner);
	}
	if (array_needs_quotes(b, mark, delim))
		quote_from(b, mark, true);
	*pos += (uint32_t)elen;
	return true;
}

/* array_send: the header, then the elements in row-major order. name is
 * the element type's, for messages; elem is the element type expected, or
 * 0 for the one the bytes name (an array of the database's own type). */
bool bin_array(struct bin_conv *c, const char *name, uint32_t elem, char delim,
	       const unsigned char *d, uint32_t len, int depth)
{
	struct array_head h = { 0 };
	if (!array_head(c, name, elem, d, len, &h))
		return false;
	struct buf *b = c->out;
	uint32_t pos = h.pos;
	if (h.nitems == 0) {
		if (pos != len)
			return bin_fail(c, "%s[]: bytes after an empty array",
					name);
		buf_puts(b, "{}");
		return true;
	}
	if (h.bounds) {
		for (int i = 0; i < h.ndim; i++)
			buf_printf(b, "[%d:%d]", h.lbs[i],
				   (int)((int64_t)h.lbs[i] + h.dims[i] - 1));
		buf_putc(b, '=');
	}
	int32_t idx[TYPES_MAXDIM] = { 0 };
	for (int i = 0; i < h.ndim; i++)
		buf_putc(b, '{');
	for (uint64_t k = 0;; k++) {
		if (!array_item(c, name, delim, &h, k, d, len, &pos, depth))
			return false;
		/* Close the dimensions this element completes, then open
		 * those the next one starts. */
		int j = h.ndim - 1;
		while (j >= 0 && ++idx[j] == h.dims[j]) {
			idx[j] = 0;
			buf_putc(b, '}');
			j--;
		}
		if (j < 0)
			break;
		buf_putc(b, delim);
		for (int i = j + 1; i < h.ndim; i++)
			buf_putc(b, '{');
	}
	if (pos != len)
		return bin_fail(c, "%s[]: %u bytes after the elements", name,
				len - pos);
	return true;
}

/* ---- types of the database's own ---- */

/* record_out's quoting of a field: when it is empty or holds any of
 * "\(), or white space. */
#define RECORD_SPECIALS "\"\\(),"

/* record_send: Int32 count of columns, then per column UInt32 type, Int32
 * length (-1 for NULL) and the bytes; the fields name their types, so a
 * composite is read whatever its own OID. */
static bool bin_record(struct bin_conv *c, const unsigned char *d, uint32_t len,
		       int depth)
{
	if (len < 4)
		return false;
	uint32_t n = rd32(d), pos = 4;
	/* MaxTupleAttributeNumber; each column takes 8 bytes at least. */
	if (n > 1664 || n > (len - 4) / 8)
		return false;
	size_t start = c->out->len;
	buf_putc(c->out, '(');
	for (uint32_t i = 0; i < n; i++) {
		if (len - pos < 8)
			goto bad;
		uint32_t oid = rd32(d + pos);
		int32_t flen = (int32_t)rd32(d + pos + 4);
		pos += 8;
		if (i)
			buf_putc(c->out, ',');
		if (flen == -1)
			continue;
		if (flen < 0 || (uint32_t)flen > len - pos)
			goto bad;
		size_t mark = c->out->len;
		if (!bin_value(c, oid, d + pos, (uint32_t)flen, depth + 1))
			goto bad;
		if (needs_quotes(c->out, mark, RECORD_SPECIALS))
			quote_from(c->out, mark, false);
		pos += (uint32_t)flen;
	}
	if (pos != len)
		goto bad;
	buf_putc(c->out, ')');
	return true;
bad:
	c->out->len = start;
	return false;
}

/* Valid UTF-8 without NUL or control characters but tab, newline and
 * carriage return. */
static bool printable_utf8(const unsigned char *d, uint32_t len)
{
	for (uint32_t i = 0; i < len;) {
		unsigned char ch = d[i];
		if (ch < 0x80) {
			if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
				return false;
			if (ch == 0x7f)
				return false;
			i++;
			continue;
		}
		uint32_t n = ch >= 0xf0 && ch <= 0xf4  ? 4
			     : ch >= 0xe0	       ? 3
			     : ch >= 0xc2 && ch < 0xe0 ? 2
						       : 0;
		if (!n || len - i < n)
			return false;
		for (uint32_t k = 1; k < n; k++)
			if ((d[i + k] & 0xc0) != 0x80)
				return false;
		/* No overlong forms, surrogates, or code points past U+10FFFF.
		 */
		if ((ch == 0xe0 && d[i + 1] < 0xa0) ||
		    (ch == 0xed && d[i + 1] >= 0xa0) ||
		    (ch == 0xf0 && d[i + 1] < 0x90) ||
		    (ch == 0xf4 && d[i + 1] >= 0x90))
			return false;
		i += n;
	}
	return true;
}

/* A value of a type created in the database, which the wire names only by
 * an OID that means something in the source database alone. Its binary
 * form says what it is:
 *  - a composite's (record_send) starts with its column count, whose high
 *    bytes are zero, and names every field's type;
 *  - an array's (array_send) names its element type the same way;
 *  - an enum's is its label, text, which can hold no NUL: so neither of
 *    the above, and then the very text the server prints.
 * A value that is none of these (an extension type's binary form) stays
 * raw bytes: false, with no error. */
bool bin_user(struct bin_conv *c, const unsigned char *d, uint32_t len,
	      int depth)
{
	size_t mark = c->out->len;
	/* Trying a form is no error: nothing is reported from inside. */
	char err[8];
	struct bin_conv quiet = { c->out, err, 0 };
	if (bin_record(&quiet, d, len, depth) ||
	    bin_array(&quiet, "", 0, ',', d, len, depth))
		return true;
	c->out->len = mark;
	if (!printable_utf8(d, len))
		return false;
	buf_put(c->out, d, len);
	return true;
}
