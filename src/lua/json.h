/* luajson — JSON to and from Lua values, for walhook.json and for writing
 * the changes a script keeps. Shares json.c's spelling of every value, so a
 * change prints the same whether or not it went through a script (but for
 * the gid and origin fields a script's change table also carries). */
#ifndef WALHOOK_LUAJSON_H
#define WALHOOK_LUAJSON_H

#include "base/buf.h"
#include "decode/relcache.h"
#include "lua/compat.h"

/* How deeply tables (encoding) and JSON arrays and objects (decoding) may
 * nest: far more than documents have, far less than the C and Lua stacks
 * take. Deeper input is an error naming where it went too deep. */
#define LJ_MAX_DEPTH 500

/* The sentinels' addresses, pushed as light userdata. */
extern const char ljson_null_sentinel;
extern const char ljson_unchanged_sentinel;

/* A userdata whose metatable has a __table function stands for the table
 * that function returns (a change handle_change got). If the value at idx
 * is one, replaces it with that table and returns true. */
bool ljson_as_table(lua_State *L, int idx);

/* Who writes the userdata that stand for changes without their tables:
 * is says whether the value at idx is one; write appends it as
 * ljson_encode_change would its table and returns true, or returns false,
 * b and the stack as they were, for the table's way (which names where a
 * bad value is). */
struct ljson_change_writer {
	bool (*is)(lua_State *L, int idx, void *ctx);
	bool (*write)(lua_State *L, int idx, struct buf *b, void *ctx);
	void *ctx;
};
/* Makes w L's writer of changes; w must outlive L. */
void ljson_set_change_writer(lua_State *L, const struct ljson_change_writer *w);
/* Whether the value at idx is a change L's writer writes. */
bool ljson_is_change(lua_State *L, int idx);
/* Appends the value at idx. Tables with keys 1..n are arrays; others are
 * objects with keys sorted. Returns 0, or -1 with a message pushed (the
 * stack otherwise as it was); the message names where the bad value is,
 * as a Lua path ("at doc.a[2]"). Raw access only: no metamethod runs. */
int ljson_encode(lua_State *L, int idx, struct buf *b);
/* Appends a change table: known keys first in the default output's order,
 * then the rest sorted. "new" and "old" as ljson_encode_row writes them. */
int ljson_encode_change(lua_State *L, int idx, struct buf *b);
/* The i-th of the keys ljson_encode_change writes first, in their order;
 * NULL past the last. */
const char *ljson_change_key(size_t i);
/* Appends a change's key list as ljson_encode_change does: [] when
 * empty. Errors as ljson_encode. */
int ljson_encode_key(lua_State *L, int idx, struct buf *b);
/* Appends a row table (a change's new or old): its columns in the order
 * the __keys array of its metatable gives (walhook gives every row it
 * makes one, from its relation; json.decode's tables have one), the
 * columns named in its __bytea set as bytea's hex text, an unchanged
 * TOAST value left out; then any other keys sorted. Errors as ljson_encode. */
int ljson_encode_row(lua_State *L, int idx, struct buf *b);
/* Appends the value on top (left there) as ljson_encode_row writes the
 * column k of a row, bytea: whether the row's __bytea names it; *first:
 * no member is written yet. Errors as ljson_encode, the message above the
 * value. */
int ljson_encode_column(lua_State *L, const char *k, size_t n, bool bytea,
			bool *first, struct buf *b);
/* Pushes the value of the JSON text; on error pushes nothing and returns
 * -1 with msg filled. */
int ljson_decode(lua_State *L, const char *s, size_t n, char *msg, size_t msglen);

#endif
