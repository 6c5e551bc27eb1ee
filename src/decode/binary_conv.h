/* binary_conv — what the converters behind binary.h share: where a
 * conversion writes and reports malformed bytes, readers of big-endian
 * fields, and the converters themselves, by family, which the catalog's
 * rows name (typelist.h). Only the binary*.c files and types.c include it.
 *
 * Every converter mirrors a PostgreSQL output function (int4out,
 * float8out, numeric_out, timestamptz_out, array_out, ...) in a session
 * with DateStyle = ISO, TimeZone = UTC, IntervalStyle = postgres and
 * extra_float_digits = 1, and the receive function's checks (numeric_recv,
 * array_recv, ...) decide what is malformed. */
#ifndef WALHOOK_BINARY_CONV_H
#define WALHOOK_BINARY_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "decode/types.h"

/* OIDs from here on are the database's own types (FirstNormalObjectId). */
#define FIRST_USER_OID 16384

/* Where a conversion writes, and where it reports malformed bytes. */
struct bin_conv {
	struct buf *out;
	char *err;
	size_t errlen; /* 0: err is not written */
};

/* Sets c's error; always false, so a converter can return it. */
bool bin_fail(struct bin_conv *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether len is want; if not, fails naming t. */
bool bin_want_len(struct bin_conv *c, const struct pg_type *t, uint32_t len,
		  uint32_t want);

/* Whether len is at least min; if not, fails naming t. */
bool bin_want_min(struct bin_conv *c, const struct pg_type *t, uint32_t len,
		  uint32_t min);

static inline uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static inline double rd_float8(const unsigned char *p)
{
	uint64_t u = rd64(p);
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* n bytes as lower-case hex pairs. */
void bin_put_hex(struct buf *b, const unsigned char *d, size_t n);

/* Any value by its type's OID, at nesting depth (0 for a column's value):
 * a built-in type by its row, an array of one, or a type of the
 * database's own by what its bytes say of themselves. */
bool bin_value(struct bin_conv *c, uint32_t oid, const unsigned char *d,
	       uint32_t len, int depth);

/* Numbers: integers, bool, "char", floats, numeric, money, pg_lsn, tid. */
bin_to_text_fn bin_int2, bin_int4, bin_int8, bin_uint4, bin_uint8, bin_bool,
    bin_char, bin_float4, bin_float8, bin_numeric, bin_money, bin_pg_lsn,
    bin_tid;

/* The shortest text of a float8 (or, single, a float4) that reads back
 * as the same value, as float8out and float4out print it. */
void bin_put_float(struct buf *b, double v, bool single);

/* Text: strings, jsonb and jsonpath, bytea, uuid, text search. */
bin_to_text_fn bin_text, bin_versioned_text, bin_bytea, bin_uuid, bin_tsvector,
    bin_tsquery;

/* Dates, times and intervals. */
bin_to_text_fn bin_date, bin_time, bin_timetz, bin_timestamp, bin_interval;

/* Network addresses and bit strings. */
bin_to_text_fn bin_macaddr, bin_inet, bin_bits;

/* Geometry. */
bin_to_text_fn bin_point, bin_lseg, bin_box, bin_line, bin_circle, bin_path;

/* Ranges and multiranges, whose rows name what they are of. */
bin_to_text_fn bin_range, bin_multirange;

/* array_send's form, of elements of type elem (named name in messages,
 * delim between them in the text); elem 0 takes the element type the
 * bytes name, which must be one of the database's own. */
bool bin_array(struct bin_conv *c, const char *name, uint32_t elem, char delim,
	       const unsigned char *d, uint32_t len, int depth);

/* A value of a type of the database's own, by what its bytes say of
 * themselves (binary_nested.c tells how); false, with no error, when
 * they say nothing. */
bool bin_user(struct bin_conv *c, const unsigned char *d, uint32_t len,
	      int depth);

#endif
