/* luasink records — what the sinks that write JSON take from s:write(t):
 * the table as JSON text (walhook's or Debezium's), and for the broker
 * sinks each record's destination (topic, subject or stream) and key,
 * from the script's routing functions or from the change itself. */
#include "lua/sinks_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/lsn.h"
#include "core/json.h"
#include "decode/change.h"
#include "lua/debezium.h"
#include "lua/json.h"

/* Whether op names a row change (not a truncate or message). */
static bool is_change(const char *op)
{
	enum change_op ignored;
	return change_op_parse(op, &ignored);
}

/* Calls the function referenced by ref with the table at t, protected;
 * leaves its one result on the stack. -1 with the error in msg. */
static int call_route(lua_State *L, int ref, int t, char *msg, size_t cap)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	lua_pushvalue(L, t);
	if (lua_pcall(L, 1, 1, 0) != 0) {
		const char *m = lua_tostring(L, -1);
		snprintf(msg, cap, "%s",
			 m ? m : "(an error that is not a string)");
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* Where the record of the table at t goes, into out: the option (a name
 * or a function of t), or <prefix>.<schema>.<table> of rt (the table
 * that names the relation: t itself, a truncate's relation), or
 * <prefix>.messages for a message. */
static int route(lua_State *L, const struct luasink_box *bx, int t, int rt,
		 const char *op, struct buf *out, char *msg, size_t cap)
{
	buf_reset(out);
	if (bx->dest_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, bx->dest_ref);
		bool fn = lua_isfunction(L, -1);
		lua_pop(L, 1);
		if (fn && call_route(L, bx->dest_ref, t, msg, cap) < 0)
			return -1;
		if (!fn)
			lua_rawgeti(L, LUA_REGISTRYINDEX, bx->dest_ref);
		size_t n = 0;
		const char *name = lua_type(L, -1) == LUA_TSTRING
				       ? lua_tolstring(L, -1, &n)
				       : NULL;
		if (!name || !n || memchr(name, '\0', n)) {
			snprintf(
			    msg, cap,
			    "%s function returned %s; expected a name (a string)",
			    bx->dest_opt,
			    name ? "an empty or NUL-holding string"
				 : luaL_typename(L, -1));
			lua_pop(L, 1);
			return -1;
		}
		buf_put(out, name, n);
		lua_pop(L, 1);
		buf_cstr(out);
		return 0;
	}
	lua_getfield(L, rt, "schema");
	lua_getfield(L, rt, "table");
	const char *schema =
	    lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
	const char *table =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (table)
		buf_printf(out, "%s.%s.%s", bx->prefix,
			   schema ? schema : "public", table);
	else if (!strcmp(op, "message"))
		buf_printf(out, "%s.messages", bx->prefix);
	else if (!strcmp(op, "ddl"))
		buf_printf(out, "%s.ddl", bx->prefix);
	lua_pop(L, 2);
	if (!out->len) {
		snprintf(
		    msg, cap,
		    "a record with no table to name its %s by: give %s = ...",
		    bx->dest_opt, bx->dest_opt);
		return -1;
	}
	buf_cstr(out);
	return 0;
}

/* The key function's result for the change at t, into out: a string as
 * it is, a table as JSON, nil for none (*has false). */
static int function_key(lua_State *L, const struct luasink_box *bx, int t,
			bool *has, struct buf *out, char *msg, size_t cap)
{
	if (call_route(L, bx->key_ref, t, msg, cap) < 0)
		return -1;
	int rc = 0;
	if (lua_type(L, -1) == LUA_TSTRING) {
		size_t n;
		const char *k = lua_tolstring(L, -1, &n);
		buf_put(out, k, n);
		*has = true;
	} else if (lua_istable(L, -1)) {
		if (ljson_encode(L, -1, out) < 0) {
			snprintf(msg, cap, "key: %s", lua_tostring(L, -1));
			lua_pop(L, 1);
			rc = -1;
		}
		*has = rc == 0;
	} else if (!lua_isnil(L, -1)) {
		snprintf(
		    msg, cap,
		    "key function returned a %s; expected a string, a table or nil",
		    luaL_typename(L, -1));
		rc = -1;
	}
	lua_pop(L, 1);
	return rc;
}

/* The replica identity's columns of the change at t as a JSON object,
 * into out (*has false: t names no key), values from old when it has
 * them. */
static int identity_key(lua_State *L, int t, bool *has, struct buf *out,
			char *msg, size_t cap)
{
	lua_getfield(L, t, "key");
	int keys = lua_gettop(L);
	size_t n = lua_istable(L, keys) ? lc_rawlen(L, keys) : 0;
	if (n) {
		lua_getfield(L, t, "old");
		lua_getfield(L, t, "new"); /* stack: key, old, new */
		buf_putc(out, '{');
		for (size_t i = 1; i <= n; i++) {
			lua_rawgeti(L, keys, (int)i);
			if (lua_type(L, -1) != LUA_TSTRING) {
				lua_pop(L, 1);
				continue;
			}
			size_t len;
			const char *col = lua_tolstring(L, -1, &len);
			lua_pushnil(L);
			if (lua_istable(L, keys + 1)) {
				lua_pushvalue(L, -2);
				lua_rawget(L, keys + 1);
				lua_replace(L, -2);
			}
			if (lua_isnil(L, -1) && lua_istable(L, keys + 2)) {
				lua_pushvalue(L, -2);
				lua_rawget(L, keys + 2);
				lua_replace(L, -2);
			}
			if (out->len > 1)
				buf_putc(out, ',');
			json_put_string(out, col, len);
			buf_putc(out, ':');
			if (ljson_encode(L, -1, out) < 0) {
				snprintf(msg, cap, "key: %s",
					 lua_tostring(L, -1));
				lua_settop(L, keys - 1);
				return -1;
			}
			lua_pop(L, 2);
		}
		buf_putc(out, '}');
		*has = true;
	}
	lua_settop(L, keys - 1);
	return 0;
}

/* The key of the change at t, into out (*has false: none): the key
 * function's result, or the replica identity's columns. */
static int record_key(lua_State *L, const struct luasink_box *bx, int t,
		      bool *has, struct buf *out, char *msg, size_t cap)
{
	buf_reset(out);
	*has = false;
	if (bx->key_ref != LUA_NOREF)
		return function_key(L, bx, t, has, out, msg, cap);
	return identity_key(L, t, has, out, msg, cap);
}

/* Hands one record (JSON in b) to the sink; for a broker sink with its
 * key, destination and labels, from the table at t (rt names the
 * relation). */
static int emit(lua_State *L, const struct luasink_box *bx, int t, int rt,
		const char *op, const struct buf *b, struct buf *dest,
		struct buf *key, char *msg, size_t cap, struct err *e)
{
	struct luasink_ctx *ctx = luasink_ctx_of(L);
	struct sink *s = bx->s;
	if (!s->ops->write_record)
		return delivery_write_json(ctx->d, s, b->data, b->len, e) < 0
			   ? -2
			   : 0;
	bool has_key = false;
	if (route(L, bx, t, rt, op, dest, msg, cap) < 0)
		return -1;
	if (is_change(op) && record_key(L, bx, t, &has_key, key, msg, cap) < 0)
		return -1;
	lua_getfield(L, t, "lsn");
	lua_getfield(L, t, "xid");
	lua_getfield(L, rt, "schema");
	lua_getfield(L, rt, "table"); /* stack: lsn, xid, schema, table */
	struct sink_record r = {
		.json = b->data,
		.len = b->len,
		.key = has_key ? buf_cstr(key) : NULL,
		.key_len = key->len,
		.dest = dest->data,
		.op = op,
		.schema =
		    lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "",
		.table =
		    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "",
	};
	if (lua_type(L, -4) == LUA_TSTRING)
		lsn_parse(lua_tostring(L, -4), &r.lsn);
	if (lua_type(L, -3) == LUA_TNUMBER && lua_tonumber(L, -3) > 0 &&
	    lua_tonumber(L, -3) <= 4294967295.0)
		r.xid = (uint32_t)lua_tonumber(L, -3);
	int rc = delivery_write_record(ctx->d, s, &r, e);
	lua_pop(L, 4);
	return rc < 0 ? -2 : 0;
}

/* s:write(t) for the sinks that write JSON (luasink_write_records in
 * sinks_internal.h): a truncate in Debezium's format is one event per
 * relation, and each relation names its event's destination. */
int luasink_write_records(lua_State *L, const struct luasink_box *bx,
			  const char *op, char *msg, size_t cap, struct err *e)
{
	struct luasink_ctx *ctx = luasink_ctx_of(L);
	bool change = is_change(op);
	int events = bx->format == FORMAT_DEBEZIUM ? dbz_events(L, 2) : 0;
	struct dbz_source src = { bx->prefix, ctx->dbname };
	int64_t now_ms = (pgtime_now() / 1000) + PG_EPOCH_OFFSET_S * 1000;
	struct buf b = { 0 }, dest = { 0 }, key = { 0 };
	int rc = 0;
	bool truncate = !strcmp(op, "truncate");
	lua_getfield(L, 2, "relations");
	int rels = lua_gettop(L); /* stack: sink, table, relations */
	for (int i = 0; i < (events ? events : 1) && rc == 0; i++) {
		buf_reset(&b);
		int enc = events   ? dbz_encode(L, 2, i, &src, now_ms, &b)
			  : change ? ljson_encode_change(L, 2, &b)
				   : ljson_encode(L, 2, &b);
		if (enc < 0) {
			snprintf(msg, cap, "write: %s", lua_tostring(L, -1));
			lua_pop(L, 1);
			rc = -1;
			break;
		}
		/* A truncate's relation names its destination. */
		int rt = 2;
		if (truncate && lua_istable(L, rels)) {
			lua_rawgeti(L, rels, i + 1);
			if (lua_istable(L, -1))
				rt = lua_gettop(L);
			else
				lua_pop(L, 1);
		}
		rc = emit(L, bx, 2, rt, op, &b, &dest, &key, msg, cap, e);
		lua_settop(L, rels);
	}
	lua_settop(L, 2);
	buf_free(&b);
	buf_free(&dest);
	buf_free(&key);
	return rc;
}
