/* luasink — the sink object as Lua holds it: s:write(t), s:flush(), the
 * batching and format options every sink takes, and the registration of
 * walhook.sink.* and walhook.format. What a write makes of t is in
 * sink_rows.c and sink_records.c, the constructors in sink_kinds.c. */
#include "lua/sinks.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/lsn.h"
#include "lua/debezium.h"
#include "lua/json.h"
#include "lua/sinks_internal.h"

#define SINK_MT "walhook.sink"

static struct sink *check_sink(lua_State *L)
{
	struct luasink_box *bx = luaL_checkudata(L, 1, SINK_MT);
	return bx->s;
}

/* t.op into out ("" when it is not a string). */
static void read_op(lua_State *L, int idx, char *out, size_t cap)
{
	lua_getfield(L, idx, "op");
	size_t n = 0;
	const char *s =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : "";
	if (n >= cap)
		n = cap - 1; /* no op is that long: it stays unknown */
	memcpy(out, s, n);
	out[n] = '\0';
	lua_pop(L, 1);
}

/* s:write(t): a change table (or any table, for JSON sinks). */
static int l_write(lua_State *L)
{
	/* stack: sink, table; upvalue 1: the context */
	struct luasink_box *bx = luaL_checkudata(L, 1, SINK_MT);
	struct sink *s = bx->s;
	bool rows = !s->ops->write_json && !s->ops->write_record;
	/* A change a hook got goes to a sink of walhook's JSON as it is: its
	 * line written without its table, its fields read as a script reads
	 * them. Anything else, and any change for the other sinks, as a
	 * table. */
	if (rows || bx->format != FORMAT_WALHOOK || !ljson_is_change(L, 2)) {
		ljson_as_table(L, 2);
		luaL_checktype(L, 2, LUA_TTABLE);
	}
	char op[16], msg[1024];
	read_op(L, 2, op, sizeof op);
	struct err e;
	int rc;
	if (rows)
		rc = luasink_write_row(L, s, op, &e) < 0 ? -2 : 0;
	else
		rc = luasink_write_records(L, bx, op, msg, sizeof msg, &e);
	if (rc == -1)
		return luaL_error(L, "sink %s: %s", s->name, msg);
	if (rc < 0)
		return luaL_error(L, "sink %s: %s", s->name, e.msg);
	return 0;
}

/* s:flush(): makes everything written so far durable now, or inside a
 * transaction at its end. */
static int l_flush(lua_State *L)
{
	struct sink *s = check_sink(L);
	struct err e;
	if (delivery_flush_sink(luasink_ctx_of(L)->d, s, &e) < 0) {
		return luaL_error(L, "%s", e.msg);
	}
	return 0;
}

static int l_tostring(lua_State *L)
{
	struct sink *s = check_sink(L);
	lua_pushfstring(L, "walhook.sink(%s)", s->name);
	return 1;
}

/* t[k] of the options table as a number from 0 to max: nil keeps *out,
 * anything else (a string, NaN, a negative number, too large) is an
 * error in msg. Converting such a number to an integer type would be
 * undefined. */
int luasink_opt_number(lua_State *L, const char *k, double max, double *out,
		       char *msg, size_t cap)
{
	lua_getfield(L, 1, k);
	int rc = 0;
	if (!lua_isnil(L, -1)) {
		double v = lua_type(L, -1) == LUA_TNUMBER
			       ? (double)lua_tonumber(L, -1)
			       : -1;
		if (v >= 0 && v <= max)
			*out = v;
		else
			rc = -1;
		if (rc < 0)
			snprintf(msg, cap, "%s must be a number from 0 to %.0f",
				 k, max);
	}
	lua_pop(L, 1);
	return rc;
}

/* Batching options every sink takes. */
static int read_batching(lua_State *L, struct sink *s, char *msg, size_t cap)
{
	double txns = (double)s->max_txns, bytes = (double)s->max_bytes;
	double seconds = (double)s->max_wait_us / 1e6;
	if (luasink_opt_number(L, "batch_transactions", 1e15, &txns, msg, cap) <
		0 ||
	    luasink_opt_number(L, "batch_bytes", 1e15, &bytes, msg, cap) < 0 ||
	    luasink_opt_number(L, "batch_seconds", 1e9, &seconds, msg, cap) < 0)
		return -1;
	s->max_txns = (size_t)txns;
	s->max_bytes = (size_t)bytes;
	s->max_wait_us = (int64_t)(seconds * 1e6);
	return 0;
}

/* format = "walhook" (the default) | "debezium", for the sinks that write
 * JSON. */
static int read_format(lua_State *L, const struct sink *s,
		       enum luasink_format *out, char *msg, size_t cap)
{
	*out = FORMAT_WALHOOK;
	lua_getfield(L, 1, "format");
	const char *f =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	int rc = 0;
	if (!lua_isnil(L, -1)) {
		if (!s->ops->write_json && !s->ops->write_record)
			rc = -1,
			snprintf(msg, cap,
				 "format is for the sinks that write JSON");
		else if (f && !strcmp(f, "debezium"))
			*out = FORMAT_DEBEZIUM;
		else if (!f || strcmp(f, "walhook"))
			rc = -1,
			snprintf(
			    msg, cap,
			    "format must be \"walhook\" or \"debezium\", not %s%s%s",
			    f ? "\"" : "a ", f ? f : luaL_typename(L, -1),
			    f ? "\"" : "");
	}
	lua_pop(L, 1);
	return rc;
}

/* Pushes the Lua face of s (NULL: raises e); the box is returned so that
 * a broker's constructor can add its routing. */
struct luasink_box *luasink_push(lua_State *L, struct sink *s, struct err *e,
				 const char *what)
{
	if (!s) {
		luaL_error(L, "%s: %s", what, e->msg);
		return NULL;
	}
	struct luasink_ctx *ctx = luasink_ctx_of(L);
	char msg[128];
	enum luasink_format format;
	if (read_batching(L, s, msg, sizeof msg) < 0 ||
	    read_format(L, s, &format, msg, sizeof msg) < 0) {
		s->ops->free(s);
		luaL_error(L, "%s: %s", what, msg);
		return NULL;
	}
	delivery_add(ctx->d, s);
	struct luasink_box *bx = lua_newuserdata(L, sizeof *bx);
	*bx = (struct luasink_box){ .s = s,
				    .format = format,
				    .dest_ref = LUA_NOREF,
				    .key_ref = LUA_NOREF,
				    .dest_opt = "topic" };
	snprintf(bx->prefix, sizeof bx->prefix, "%s",
		 ctx->slot ? ctx->slot : "walhook");
	luaL_getmetatable(L, SINK_MT);
	lua_setmetatable(L, -2);
	return bx;
}

/* walhook.format.debezium(c): the Debezium event of a change, truncate
 * (its first relation) or message, as a table (its keys keep the event's
 * order when written). */
static int l_format_debezium(lua_State *L)
{
	ljson_as_table(L, 1);
	luaL_checktype(L, 1, LUA_TTABLE);
	struct luasink_ctx *ctx = luasink_ctx_of(L);
	if (dbz_events(L, 1) == 0)
		return luaL_error(
		    L,
		    "walhook.format.debezium: not a change, truncate or message");
	struct dbz_source src = { ctx->slot ? ctx->slot : "walhook",
				  ctx->dbname };
	int64_t now_ms = (pgtime_now() / 1000) + PG_EPOCH_OFFSET_S * 1000;
	struct buf b = { 0 };
	if (dbz_encode(L, 1, 0, &src, now_ms, &b) < 0) {
		buf_free(&b);
		return luaL_error(L, "walhook.format.debezium: %s",
				  lua_tostring(L, -1));
	}
	char msg[256];
	int rc = ljson_decode(L, b.data, b.len, msg, sizeof msg);
	buf_free(&b);
	if (rc < 0)
		return luaL_error(L, "walhook.format.debezium: %s", msg);
	return 1;
}

void luasink_set_database(struct luasink_ctx *ctx, const char *dbname)
{
	snprintf(ctx->dbname, sizeof ctx->dbname, "%s", dbname);
}

void luasink_open(lua_State *L, struct luasink_ctx *ctx)
{
	luaL_newmetatable(L, SINK_MT);
	static const luaL_Reg methods[] = { { "write", l_write },
					    { "flush", l_flush },
					    { NULL, NULL } };
	lua_newtable(L);
	lua_pushlightuserdata(L, ctx);
	luaL_setfuncs(L, methods, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	lua_newtable(L); /* stack: walhook, sink */
	for (const struct luasink_kind *k = luasink_kinds; k->name; k++) {
		lua_pushlightuserdata(L, ctx);
		lua_pushcclosure(L, k->fn, 1);
		lua_setfield(L, -2, k->name);
	}
	lua_setfield(L, -2, "sink");

	lua_newtable(L); /* stack: walhook, format */
	lua_pushlightuserdata(L, ctx);
	lua_pushcclosure(L, l_format_debezium, 1);
	lua_setfield(L, -2, "debezium");
	lua_setfield(L, -2, "format");
}
