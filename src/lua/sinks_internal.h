/* luasink internals — what the pieces of the sinks' Lua face share: the
 * sink object as Lua holds it (sinks.c), the rows of the sinks that apply
 * changes (sink_rows.c), the records of the sinks that write JSON
 * (sink_records.c) and the constructors of each kind (sink_kinds.c). Only
 * those files include it. */
#ifndef WALHOOK_LUASINK_INTERNAL_H
#define WALHOOK_LUASINK_INTERNAL_H

#include <stddef.h>

#include "base/err.h"
#include "core/sink.h"
#include "lua/compat.h"
#include "lua/sinks.h"

enum luasink_format {
	FORMAT_WALHOOK,
	FORMAT_DEBEZIUM
};

/* A sink as Lua holds it. The delivery module owns the sink; the box
 * keeps how records are written and routed. */
struct luasink_box {
	struct sink *s; /* first: check_sink reads it */
	enum luasink_format format;
	/* Broker sinks: where a record goes (a registry reference to a
	 * name or a function of the table; LUA_NOREF:
	 * <prefix>.<schema>.<table>) and its key (a function; LUA_NOREF: the
	 * replica identity's columns). dest_opt names the option in messages.
	 */
	int dest_ref;
	int key_ref;
	const char *dest_opt;
	char prefix[128]; /* also Debezium's source.name */
};

/* The context every function of the face has as its first upvalue. */
static inline struct luasink_ctx *luasink_ctx_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* ---- the object (sinks.c) ---- */

/* t[k] of the options table at 1 as a number from 0 to max: nil keeps
 * *out, anything else (a string, NaN, a negative number, too large) is an
 * error in msg. */
int luasink_opt_number(lua_State *L, const char *k, double max, double *out,
		       char *msg, size_t cap);
/* Pushes the Lua face of s, made from the options table at 1, and hands
 * s to the delivery module (s NULL: raises e's message after what). The
 * box is returned so that a broker's constructor can add its routing. */
struct luasink_box *luasink_push(lua_State *L, struct sink *s, struct err *e,
				 const char *what);

/* ---- s:write(t) (sink_rows.c, sink_records.c) ---- */

/* For the sinks that apply rows: the change table at 2, whose op is
 * opname, as a struct sink_row (or a truncate) delivered to s. -1 with e
 * set. The stack is left as it was. */
int luasink_write_row(lua_State *L, struct sink *s, const char *opname,
		      struct err *e);
/* For the sinks that write JSON: the table at 2, whose op is opname, as
 * one record or as the Debezium events of it, with a broker's key and
 * destination. -1 with the error in msg, -2 with it in e; the stack is
 * left as sink, table. */
int luasink_write_records(lua_State *L, const struct luasink_box *bx,
			  const char *opname, char *msg, size_t cap,
			  struct err *e);

/* ---- the kinds (sink_kinds.c) ---- */

struct luasink_kind {
	const char *name; /* walhook.sink.NAME */
	lua_CFunction fn; /* its constructor; upvalue 1: the context */
};
/* Every kind, in the order walhook.sink lists them; ends with a NULL
 * name. */
extern const struct luasink_kind luasink_kinds[];

#endif
