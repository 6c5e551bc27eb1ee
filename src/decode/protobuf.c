#include "decode/protobuf.h"

#include <string.h>

void pb_reader_init(struct pb_reader *r, const uint8_t *buf, size_t len)
{
	*r = (struct pb_reader){ .start = buf, .p = buf, .end = buf + len };
}

void pb_reader_sub(struct pb_reader *r, const struct pb_reader *outer,
		   const struct pb_field *f)
{
	*r = (struct pb_reader){ .start = outer->start,
				 .p = f->data,
				 .end = f->data + f->len };
}

static int fail(struct pb_reader *r, const char *why)
{
	r->err = why;
	return -1;
}

/* A base-128 varint: at most 10 bytes, the tenth holding only bit 63. */
static int read_varint(struct pb_reader *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			return fail(r, "a varint is cut short");
		uint8_t b = *r->p++;
		if (shift == 63 && b > 1)
			return fail(r, "a varint does not fit in 64 bits");
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return fail(r, "a varint is longer than 10 bytes");
}

static int read_fixed(struct pb_reader *r, int n, uint64_t *out)
{
	if (r->end - r->p < n)
		return fail(r, "a fixed-size field is cut short");
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | r->p[i];
	r->p += n;
	*out = v;
	return 0;
}

static int read_value(struct pb_reader *r, struct pb_field *f)
{
	switch (f->wire) {
	case PB_VARINT: return read_varint(r, &f->u);
	case PB_FIXED64: return read_fixed(r, 8, &f->u);
	case PB_FIXED32: return read_fixed(r, 4, &f->u);
	case PB_LEN: {
		uint64_t n;
		if (read_varint(r, &n) < 0)
			return -1;
		if (n > (uint64_t)(r->end - r->p))
			return fail(r, "a length-delimited field runs past "
				       "the end of its message");
		f->data = r->p;
		f->len = (size_t)n;
		r->p += n;
		return 0;
	}
	}
	return fail(r, "unknown wire type");
}

int pb_next(struct pb_reader *r, struct pb_field *f)
{
	if (r->p >= r->end)
		return 0;
	*f = (struct pb_field){ .offset = pb_offset(r) };
	uint64_t tag;
	if (read_varint(r, &tag) < 0)
		return -1;
	uint64_t wire = tag & 7, num = tag >> 3;
	if (num == 0 || num > 0x1fffffff) {
		r->p = r->start + f->offset;
		return fail(r, "a field number outside 1 .. 2^29-1");
	}
	if (wire != PB_VARINT && wire != PB_FIXED64 && wire != PB_LEN &&
	    wire != PB_FIXED32) {
		r->p = r->start + f->offset;
		return fail(r, wire == 3 || wire == 4
				   ? "a group (wire types 3 and 4 are not read)"
				   : "an unknown wire type (6 or 7)");
	}
	f->num = (uint32_t)num;
	f->wire = (enum pb_wire)wire;
	return read_value(r, f) < 0 ? -1 : 1;
}

float pb_float(const struct pb_field *f)
{
	uint32_t u = (uint32_t)f->u;
	float v;
	memcpy(&v, &u, sizeof v);
	return v;
}

double pb_double(const struct pb_field *f)
{
	double v;
	memcpy(&v, &f->u, sizeof v);
	return v;
}
