/* values — column values as the output plugins send them, and the rules
 * that turn their text into typed values by type OID.
 *
 * One table of rules serves every plugin and every consumer (Lua tables,
 * JSON lines): what a column becomes depends only on its type OID, by the
 * type's row in the catalog (types.h). */
#ifndef WALHOOK_VALUES_H
#define WALHOOK_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/types.h"

struct buf;

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

/* The value class of typoid's row in the catalog (types.h); a string
 * for a type without one. */
enum val_class values_class(uint32_t typoid);

/* Strict parsers of PostgreSQL's text output: the whole text must match. */
bool values_parse_int(const char *s, size_t n, int64_t *out);
bool values_parse_float(const char *s, size_t n, double *out);
bool values_parse_bool(const char *s, size_t n, bool *out);

/* ---- arrays ---- */

/* The element type of a built-in array type whose text becomes an array
 * of its elements (1007 int4[] -> 23 int4), or 0: for a scalar type
 * (int2vector and oidvector too: their text is "1 2 3", not braces), for
 * an array of a type created in the database (enum, domain, extension
 * type: their OIDs differ from database to database), and for the arrays
 * the catalog keeps as text (types.h: bytea[]; box[], whose elements are
 * separated by ';', which values_parse_array does not read). */
uint32_t values_array_element(uint32_t array_typoid);

/* Callbacks of values_parse_array, called in document order; any of them
 * may be NULL. index is the 1-based position inside the enclosing array (0
 * for the outermost array), so a caller can fill Lua tables or JSON arrays
 * without keeping its own counters:
 *
 *   begin_array: lua_createtable(L, nitems, 0)
 *   element:     push the converted element; lua_rawseti(L, -2, index)
 *   end_array:   if (index) lua_rawseti(L, -2, index)
 */
struct values_array_visitor {
	/* nitems: the number of elements or sub-arrays directly inside, so a
	 * table can be created at its final size. */
	void (*begin_array)(void *ctx, size_t index, size_t nitems);
	void (*end_array)(void *ctx, size_t index);
	/* text: the element with quotes and backslash escapes undone, not
	 * NUL-terminated, valid only during the call (it points into s, or into
	 * scratch when there were escapes). is_null for a bare NULL (any case;
	 * then text is that word); a quoted "NULL" is a string. */
	void (*element)(void *ctx, size_t index, const char *text, size_t len,
			bool is_null);
};

/* Walks PostgreSQL's text form of an array: "{1,2,NULL}",
 * "{{a,\"b c\"},{\"\",d}}", "[1:2]={x,y}" (a dimension prefix whose lower
 * bounds are 1 is checked and skipped: the visitor sees only the nesting),
 * "{}" (one empty array). An array with another lower bound ("[0:1]={x,y}",
 * as the server prints one) is refused (-1, err says so): a Lua or JSON
 * array, which starts at 1, would lose its bounds, so it stays text.
 * The grammar is array_in's: white space around elements and braces is
 * ignored, elements may be quoted with \" and \\ escapes inside, and
 * sub-arrays must all have the same length.
 *
 * The whole text is checked before the first callback, so on error the
 * visitor has seen nothing; v may be NULL to only check. scratch (caller
 * owned, not NULL; its contents are replaced) holds unescaped elements: no
 * allocation per element once it has grown. At most 6 dimensions, as in
 * PostgreSQL. Returns 0, or -1 with err set. */
int values_parse_array(const char *s, size_t n,
		       const struct values_array_visitor *v, void *ctx,
		       struct buf *scratch, char *err, size_t errlen);

/* ---- bytea ---- */

/* Appends to out the bytes of bytea's text form: hex "\x0102ab" (either
 * case, white space between pairs allowed, as byteain allows) or the
 * legacy escape form of bytea_output = escape ("a\\b\001": \\ is a
 * backslash, \ooo an octal byte, anything else itself). false on malformed
 * text, with out unchanged. */
bool values_bytea_decode(const char *s, size_t n, struct buf *out);

#endif
