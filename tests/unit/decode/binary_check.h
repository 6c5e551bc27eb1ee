/* binary_check — what the unit tests of binary.h share: the shape of a
 * vector, hex to bytes, and the checks each family of converters runs on
 * its vectors (test_binary_*.c, one file a family, as in src/decode/).
 *
 * Every (type, bytes, text) triple in those files was taken from a
 * PostgreSQL 15.20 server in a session with TimeZone = UTC, DateStyle =
 * ISO, IntervalStyle = postgres and extra_float_digits = 1:
 *
 *   SELECT pg_typeof(x)::oid, encode(<typsend>(x), 'hex'), format('%s', x)
 *   FROM (SELECT '<literal>'::<type> x) s;
 *
 * (format's %s uses the output function, as pgoutput's text mode does;
 * a ::text cast would not, e.g. inet::text always shows the mask). */
#ifndef WALHOOK_TEST_BINARY_CHECK_H
#define WALHOOK_TEST_BINARY_CHECK_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "decode/binary.h"
#include "decode/values.h"

struct vector {
	uint32_t oid;
	const char *type;
	const char *hex;
	const char *text;
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Hex to bytes; the caller frees. */
static inline char *unhex(const char *hex, uint32_t *len)
{
	size_t n = strlen(hex) / 2;
	char *d = malloc(n + 1);
	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		ck_assert(sscanf(hex + 2 * i, "%2x", &v) == 1);
		d[i] = (char)v;
	}
	*len = (uint32_t)n;
	return d;
}

/* The vector's bytes give its text, and its type is known. */
static inline void check_vector(const struct vector *v)
{
	uint32_t len;
	char *d = unhex(v->hex, &len);
	struct buf out = { 0 };
	char err[200] = "untouched";
	ck_assert_msg(binary_known_type(v->oid), "%s (%u) not known", v->type,
		      v->oid);
	bool ok = binary_to_text(v->oid, d, len, &out, err, sizeof err);
	ck_assert_msg(ok, "%s %s: failed: %s", v->type, v->hex, err);
	ck_assert_msg(out.len == strlen(v->text) &&
			  memcmp(buf_cstr(&out), v->text, out.len) == 0,
		      "%s %s: got \"%.*s\", want \"%s\"", v->type, v->hex,
		      (int)out.len, out.data, v->text);
	ck_assert_str_eq(err, "");
	buf_free(&out);
	free(d);
}

/* Values PostgreSQL would not send but that must still print as the
 * server would after receiving them. */
static inline void assert_text(uint32_t oid, const char *hex, const char *want)
{
	uint32_t len;
	char *d = unhex(hex, &len);
	struct buf out = { 0 };
	char err[200] = "";
	ck_assert_msg(binary_to_text(oid, d, len, &out, err, sizeof err),
		      "%u %s: %s", oid, hex, err);
	ck_assert_str_eq(buf_cstr(&out), want);
	buf_free(&out);
	free(d);
}

/* Malformed bytes: false, err set, out unchanged. */
static inline void assert_malformed(uint32_t oid, const char *d, uint32_t len)
{
	struct buf out = { 0 };
	char err[200] = "";
	buf_puts(&out, "keep");
	bool ok = binary_to_text(oid, d, len, &out, err, sizeof err);
	ck_assert_msg(!ok, "oid %u, %u bytes: accepted as \"%s\"", oid, len,
		      buf_cstr(&out));
	ck_assert_msg(err[0] != '\0', "oid %u, %u bytes: no error text", oid,
		      len);
	ck_assert_str_eq(buf_cstr(&out), "keep");
	buf_free(&out);
}

static inline void assert_malformed_hex(uint32_t oid, const char *hex)
{
	uint32_t len;
	char *d = unhex(hex, &len);
	assert_malformed(oid, d, len);
	free(d);
}

/* Every shorter prefix and one extra byte of each vector whose length is
 * fixed by its content must be rejected. Strings (any length is a value)
 * and bytes whose prefix happens to be a valid value are left out. */
static inline bool length_checked(uint32_t oid)
{
	switch (oid) {
	case OID_TEXT:
	case OID_VARCHAR:
	case OID_BPCHAR:
	case OID_NAME:
	case OID_BYTEA:
	case OID_JSON:
	case OID_XML:
	case OID_JSONB:
	case OID_JSONPATH: return false;
	default: return true;
	}
}

/* Every prefix of the vector, and the vector with a byte more, is
 * malformed (where length_checked says so). */
static inline void check_truncations(const struct vector *v)
{
	if (!length_checked(v->oid))
		return;
	uint32_t len;
	char *d = unhex(v->hex, &len);
	for (uint32_t n = 0; n < len; n++) {
		/* A range's prefix "empty" (flags 01) is a whole value. */
		if (n == 1 && len > 1 && d[0] == 1 && strstr(v->type, "range"))
			continue;
		assert_malformed(v->oid, d, n);
	}
	char *longer = malloc(len + 1);
	memcpy(longer, d, len);
	longer[len] = 0;
	assert_malformed(v->oid, longer, len + 1);
	free(longer);
	free(d);
}

#endif
