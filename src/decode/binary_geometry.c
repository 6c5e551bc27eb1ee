/* binary_geometry — converters of the binary forms of the geometric
 * types (see binary_conv.h): points, segments, boxes, lines, circles,
 * paths and polygons, whose float8 coordinates print as float8out does. */
#include "decode/binary_conv.h"

static void put_point(struct buf *b, const unsigned char *d)
{
	buf_putc(b, '(');
	bin_put_float(b, rd_float8(d), false);
	buf_putc(b, ',');
	bin_put_float(b, rd_float8(d + 8), false);
	buf_putc(b, ')');
}

static void put_points(struct buf *b, const unsigned char *d, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		put_point(b, d + 16 * i);
	}
}

bool bin_point(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 16))
		return false;
	put_point(c->out, d);
	return true;
}

bool bin_lseg(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 32))
		return false;
	buf_putc(c->out, '[');
	put_points(c->out, d, 2);
	buf_putc(c->out, ']');
	return true;
}

bool bin_box(struct bin_conv *c, const struct pg_type *t,
	     const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 32))
		return false;
	put_points(c->out, d, 2);
	return true;
}

/* {A,B,C} of Ax + By + C = 0 */
bool bin_line(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 24))
		return false;
	for (int i = 0; i < 3; i++) {
		buf_putc(c->out, i ? ',' : '{');
		bin_put_float(c->out, rd_float8(d + 8 * i), false);
	}
	buf_putc(c->out, '}');
	return true;
}

bool bin_circle(struct bin_conv *c, const struct pg_type *t,
		const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 24))
		return false;
	buf_putc(c->out, '<');
	put_point(c->out, d);
	buf_putc(c->out, ',');
	bin_put_float(c->out, rd_float8(d + 16), false);
	buf_putc(c->out, '>');
	return true;
}

/* path: Byte closed, Int32 npts, points: "((..),(..))" closed, "[...]"
 * open. polygon: Int32 npts, points: always "(...)". */
bool bin_path(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	uint32_t head = t->oid == OID_PATH ? 5 : 4;
	if (len < head)
		return bin_fail(c, "%s: %u bytes, too short", t->name, len);
	uint32_t npts = rd32(d + head - 4);
	if (npts == 0 || npts > (len - head) / 16 || len - head != 16 * npts)
		return bin_fail(c, "%s: %u bytes for %u points", t->name, len,
				npts);
	bool closed = t->oid == OID_POLYGON || d[0];
	buf_putc(c->out, closed ? '(' : '[');
	put_points(c->out, d + head, npts);
	buf_putc(c->out, closed ? ')' : ']');
	return true;
}
