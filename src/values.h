/* values — column values as the output plugins send them, and the rules
 * that turn their text into typed values by type OID.
 *
 * One table of rules serves every plugin and every consumer (Lua tables,
 * JSON lines): what a column becomes depends only on its type OID. */
#ifndef WALHOOK_VALUES_H
#define WALHOOK_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One column of a row as received: a view into the message buffer, valid
 * until the next message. */
enum datum_kind {
	DATUM_NULL = 'n',
	DATUM_UNCHANGED = 'u', /* unchanged TOAST: the value was not sent */
	DATUM_TEXT = 't',
	DATUM_BINARY = 'b',
};

struct datum {
	char kind;
	uint32_t len;
	const char *data; /* not NUL-terminated */
};

/* What a text value of a type becomes. */
enum val_class {
	VAL_STRING,
	VAL_INTEGER, /* int2, int4, int8, oid, xid, cid */
	VAL_FLOAT,   /* float4, float8: a number, NaN and infinities included */
	VAL_BOOL,
};

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_NAME 19
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_XID 28
#define OID_CID 29
#define OID_JSON 114
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_BPCHAR 1042
#define OID_VARCHAR 1043
#define OID_NUMERIC 1700
#define OID_JSONB 3802

enum val_class values_class(uint32_t typoid);

/* Strict parsers of PostgreSQL's text output: the whole text must match. */
bool values_parse_int(const char *s, size_t n, int64_t *out);
bool values_parse_float(const char *s, size_t n, double *out);
bool values_parse_bool(const char *s, size_t n, bool *out);

#endif
