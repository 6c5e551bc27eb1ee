/* protobuf — a bounds-checked reader of the protocol buffers wire format:
 * a message is read one field at a time (its number, its wire type and its
 * varint, fixed 32/64-bit or length-delimited value), with no schema. What
 * the fields mean is the caller's. Everything read is a view of the bytes
 * given, valid as long as they are. */
#ifndef WALHOOK_PROTOBUF_H
#define WALHOOK_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

/* The wire types walhook reads (the deprecated groups, 3 and 4, are an
 * error). */
enum pb_wire {
	PB_VARINT = 0,
	PB_FIXED64 = 1,
	PB_LEN = 2,
	PB_FIXED32 = 5,
};

struct pb_reader {
	const uint8_t *start; /* offsets count from here (the outer message) */
	const uint8_t *p, *end;
	const char *err; /* why the last pb_next failed, a static string */
};

struct pb_field {
	uint32_t num;
	enum pb_wire wire;
	uint64_t u;	     /* PB_VARINT, PB_FIXED64 and PB_FIXED32 */
	const uint8_t *data; /* PB_LEN */
	size_t len;	     /* PB_LEN */
	size_t offset;	     /* of the field's tag, from the reader's start */
};

void pb_reader_init(struct pb_reader *r, const uint8_t *buf, size_t len);
/* A reader of the message embedded in field f (PB_LEN) of r, whose
 * offsets count from r's start. */
void pb_reader_sub(struct pb_reader *r, const struct pb_reader *outer,
		   const struct pb_field *f);

/* Reads the next field into f: 1, or 0 at the message's end, or -1 on
 * malformed bytes (r->err says what, pb_offset(r) where). */
int pb_next(struct pb_reader *r, struct pb_field *f);

/* Where r stands, from its start. */
static inline size_t pb_offset(const struct pb_reader *r)
{
	return (size_t)(r->p - r->start);
}

/* The value of a field as the .proto's scalar types read it. int32 is sent
 * as a sign-extended varint, so its low 32 bits are the value. */
static inline int32_t pb_int32(const struct pb_field *f)
{
	return (int32_t)(uint32_t)f->u;
}

static inline int64_t pb_int64(const struct pb_field *f)
{
	return (int64_t)f->u;
}

float pb_float(const struct pb_field *f);
double pb_double(const struct pb_field *f);

#endif
