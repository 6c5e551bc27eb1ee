/* types — the catalog of PostgreSQL's built-in types: for each, every fact
 * walhook uses about it, in one row (typelist.h): its OID and its array
 * type's, the names plugins print for it, what its text becomes in Lua
 * and JSON, how its array is written, and the converter of its binary
 * send format. The rules that read the rows are values.h (text to
 * values), typename.h (printed names to OIDs) and binary.h (binary send
 * format to text).
 *
 * Types created in a database (enums, domains, composites, an
 * extension's types) have no row: their OIDs differ from one database to
 * the next. */
#ifndef WALHOOK_TYPES_H
#define WALHOOK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a text value of a type becomes. */
enum val_class {
	VAL_STRING,
	VAL_INTEGER, /* int2, int4, int8, oid, xid, cid */
	VAL_FLOAT,   /* float4, float8: a number, NaN and infinities included */
	VAL_BOOL,
};

/* OID_INT4 = 23, OID_INT4_ARRAY = 1007, ...: a pair for each row. */
enum {
#define PG_TYPE(id, oid, array, ...) OID_##id = oid, OID_##id##_ARRAY = array,
#include "decode/typelist.h"
#undef PG_TYPE
};

/* The most dimensions an array has, in PostgreSQL (MAXDIM). */
#define TYPES_MAXDIM 6

struct pg_type;
struct bin_conv;

/* Appends to c the text of the binary value d (len bytes) of type t;
 * false when the bytes are malformed, with the reason in c (binary.h). */
typedef bool bin_to_text_fn(struct bin_conv *c, const struct pg_type *t,
			    const unsigned char *d, uint32_t len);

struct pg_type {
	uint32_t oid;
	uint32_t array;	   /* its array type */
	const char *name;  /* pg_type.typname; NULL when no plugin prints one */
	const char *alias; /* format_type()'s name where it is not typname
			    * ("integer", "\"char\""), or NULL */
	enum val_class class;
	bin_to_text_fn *to_text; /* NULL: its binary form is not read */
	uint32_t of;	 /* a range's subtype; a multirange's range type */
	char delim;	 /* between its array's elements when not ',' */
	bool array_text; /* its array reaches scripts as the server's text,
			  * not as an array of its elements */
};

/* The row of a built-in type; NULL for other OIDs, array types included. */
const struct pg_type *types_by_oid(uint32_t oid);

/* The row of the element type of a built-in array type; NULL when
 * array_oid is no built-in type's array. */
const struct pg_type *types_by_array(uint32_t array_oid);

/* The row whose typname or alias is exactly the len bytes at name. */
const struct pg_type *types_by_name(const char *name, size_t len);

/* What separates the elements of t's array in its text. */
static inline char types_delim(const struct pg_type *t)
{
	return t->delim ? t->delim : ',';
}

#endif
