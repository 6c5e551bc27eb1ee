/* module — the walhook module a script sees, global and require
 * "walhook": the sentinels, json, log, print, stats, LSN helpers, query on
 * a side connection, vars, and the sinks' face. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "lua/compat.h"
#include "lua/hostdata.h"
#include "lua/json.h"
#include "lua/sinks.h"
#include "protocol/conn.h"
#include "protocol/pgsql.h"

/* ---- the walhook module ---- */

static int l_json_encode(lua_State *L)
{
	luaL_checkany(L, 1);
	struct buf b = { 0 };
	int rc = ljson_encode(L, 1, &b);
	if (rc == 0)
		lua_pushlstring(L, b.data ? b.data : "", b.len);
	buf_free(&b);
	if (rc < 0)
		return lua_error(L);
	return 1;
}

static int l_json_decode(lua_State *L)
{
	size_t n;
	const char *s = luaL_checklstring(L, 1, &n);
	char msg[128];
	if (ljson_decode(L, s, n, msg, sizeof msg) < 0)
		return luaL_error(L, "walhook.json.decode: %s", msg);
	return 1;
}

static struct lh *host_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* print and walhook.log write their arguments as tostring does, separated
 * by sep. */
static void put_args(lua_State *L, struct buf *b, const char *sep)
{
	int n = lua_gettop(L);
	lua_getglobal(L, "tostring");
	for (int i = 1; i <= n; i++) {
		lua_pushvalue(L, -1);
		lua_pushvalue(L, i);
		lua_call(L, 1, 1);
		size_t len;
		const char *s = lua_tolstring(L, -1, &len);
		if (!s)
			luaL_error(L, "tostring must return a string");
		if (i > 1)
			buf_puts(b, sep);
		buf_put(b, s, len);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* print goes to walhook's output, so it is flushed with everything else
 * before a transaction is confirmed. The line is made whole first: a
 * tostring that fails half way leaves nothing behind. */
static int l_print(lua_State *L)
{
	struct lh *h = host_of(L);
	struct buf *line = &h->scratch;
	buf_reset(line);
	put_args(L, line, "\t");
	buf_putc(line, '\n');
	struct buf *out = delivery_output(h->d);
	buf_put(out, line->data, line->len);
	struct err e;
	if (delivery_output_wrote(h->d, &e) < 0)
		return luaL_error(L, "%s", e.msg);
	return 0;
}

static int l_log(lua_State *L)
{
	struct lh *h = host_of(L);
	struct buf b = { 0 };
	buf_printf(&b, "%s: ", h->script_name);
	put_args(L, &b, " ");
	buf_putc(&b, '\n');
	fwrite(b.data, 1, b.len, stderr);
	buf_free(&b);
	return 0;
}

/* walhook.stats(): the counters of the metrics endpoint, as a table. */
static int l_stats(lua_State *L)
{
	struct lh *h = host_of(L);
	static const struct {
		const char *name;
		enum stat_id k;
	} counters[] = {
		{ "inserts", STAT_INSERTS },
		{ "updates", STAT_UPDATES },
		{ "deletes", STAT_DELETES },
		{ "truncates", STAT_TRUNCATES },
		{ "messages", STAT_MESSAGES },
		{ "reads", STAT_READS },
		{ "transactions", STAT_TRANSACTIONS },
		{ "reconnects", STAT_RECONNECTS },
		{ "errors", STAT_ERRORS },
		{ "sink_errors", STAT_SINK_ERRORS },
		{ "bytes_received", STAT_BYTES_RECEIVED },
	};
	lua_createtable(L, 0, 12);
	if (!h->stats)
		return 1;
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
		lh_set_int(L, counters[i].name,
			   (long long)stats_get(h->stats, counters[i].k));
	lh_set_int(L, "changes", (long long)stats_changes(h->stats));
	uint64_t end = stats_get(h->stats, STAT_SERVER_END_LSN);
	uint64_t confirmed = stats_get(h->stats, STAT_CONFIRMED_LSN);
	lh_set_lsn(L, "confirmed_lsn", confirmed);
	lh_set_lsn(L, "server_wal_end", end);
	lh_set_int(L, "lag_bytes",
		   end > confirmed ? (long long)(end - confirmed) : 0);
	size_t n = stats_backfills(h->stats);
	lua_createtable(L, 0, (int)n); /* stack: stats, backfills */
	for (size_t i = 0; i < n; i++) {
		struct stats_backfill b = stats_get_backfill(h->stats, i);
		lua_createtable(L, 0, 3);
		lh_set_str(L, "state", b.state);
		lh_set_int(L, "rows", (long long)b.rows);
		lh_set_int(L, "chunks", (long long)b.chunks);
		lua_setfield(L, -2, b.table);
	}
	lua_setfield(L, -2, "backfills");
	return 1;
}

void lh_set_backfills(struct lh *h, backfill_control act, void *ctx)
{
	h->backfills = act;
	h->backfills_ctx = ctx;
}

/* The string or nil at field k of the table at 1, left on the stack. */
static const char *opt_field(lua_State *L, const char *k)
{
	lua_getfield(L, 1, k);
	int t = lua_type(L, -1);
	if (t != LUA_TNIL && t != LUA_TSTRING)
		luaL_error(L, "walhook.backfill: %s must be a string", k);
	return lua_tostring(L, -1);
}

/* walhook.backfill{ table = "public.t", where = "...", chunk = 1024 }:
 * true once the backfill is asked for (and recorded), or nil and why it
 * was refused (no such table, no primary key, one in progress). */
static int l_backfill(lua_State *L)
{
	struct lh *h = host_of(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	struct backfill_request r = { .by = BACKFILL_BY_SCRIPT };
	if (!(r.table = opt_field(L, "table")))
		return luaL_error(L, "walhook.backfill: no table");
	r.where = opt_field(L, "where");
	lua_getfield(L, 1, "chunk");
	if (!lua_isnil(L, -1)) {
		lua_Number chunk = lua_tonumber(L, -1);
		if (!lc_isinteger(L, -1) || chunk < 1 || chunk > 1000000)
			return luaL_error(
			    L, "walhook.backfill: chunk must be from 1 to 1000000");
		r.chunk = (int)chunk;
	}
	struct err e;
	int rc = BACKFILL_REFUSED;
	if (!h->backfills)
		err_set(&e, "no backfill can run here (a replay or a test)");
	else
		rc = h->backfills(h->backfills_ctx, SIGNAL_BACKFILL, &r, &e);
	if (rc < 0 && !e.transient)
		return luaL_error(L, "walhook.backfill: %s", e.msg);
	if (rc != 0) {
		lua_pushnil(L);
		lua_pushstring(L, e.msg);
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* ---- LSNs as text, the way scripts meet them ---- */

static uint64_t check_lsn(lua_State *L, int idx)
{
	uint64_t v;
	if (!lsn_parse(luaL_checkstring(L, idx), &v))
		luaL_argerror(L, idx, "an LSN like 0/16B3748");
	return v;
}

/* walhook.lsn.diff(a, b): bytes from b to a (negative when a is before). */
static int l_lsn_diff(lua_State *L)
{
	uint64_t a = check_lsn(L, 1), b = check_lsn(L, 2);
	lua_pushinteger(L, (lua_Integer)(int64_t)(a - b));
	return 1;
}

/* walhook.lsn.compare(a, b): -1, 0 or 1. */
static int l_lsn_compare(lua_State *L)
{
	uint64_t a = check_lsn(L, 1), b = check_lsn(L, 2);
	lua_pushinteger(L, (a > b) - (a < b));
	return 1;
}

/* walhook.lsn.add(a, bytes): the LSN that many bytes on. */
static int l_lsn_add(lua_State *L)
{
	uint64_t a = check_lsn(L, 1);
	lua_Number n = luaL_checknumber(L, 2);
	char s[LSN_STRLEN];
	uint64_t v = n >= 0 ? a + (uint64_t)n : a - (uint64_t)-n;
	lua_pushstring(L, lsn_format(v, s));
	return 1;
}

/* walhook.query(sql, ...): runs sql with the given parameters on a side
 * connection to the streamed database (opened on first use) and returns
 * its rows as tables, column name to text or walhook.null. */
static int l_query(lua_State *L)
{
	struct lh *h = host_of(L);
	const char *sql = luaL_checkstring(L, 1);
	if (!h->conn)
		return luaL_error(
		    L, "walhook.query: no database here (a replay or a test)");
	struct err e;
	if (!h->side && !(h->side = conn_open(h->conn, false, &e)))
		return luaL_error(L, "walhook.query: %s", e.msg);
	int n = lua_gettop(L) - 1;
	const char *params[64];
	if (n > 64)
		return luaL_error(L, "walhook.query: at most 64 parameters");
	for (int i = 0; i < n; i++) {
		bool null = lua_isnil(L, i + 2) ||
			    (lua_islightuserdata(L, i + 2) &&
			     lua_touserdata(L, i + 2) == &ljson_null_sentinel);
		params[i] = null ? NULL : lc_tolstring(L, i + 2, NULL);
	}
	PGresult *res;
	if (pgsql_exec(h->side, sql, n, params, &res, "walhook.query", &e) <
	    0) {
		if (PQstatus(h->side) != CONNECTION_OK) {
			PQfinish(h->side); /* the next call connects again */
			h->side = NULL;
		}
		return luaL_error(L, "%s", e.msg);
	}
	int rows = PQntuples(res), cols = PQnfields(res);
	lua_createtable(L, rows, 0);
	for (int r = 0; r < rows; r++) {
		lua_createtable(L, 0, cols);
		for (int c = 0; c < cols; c++) {
			if (PQgetisnull(res, r, c))
				lua_pushlightuserdata(
				    L, (void *)&ljson_null_sentinel);
			else
				lua_pushlstring(L, PQgetvalue(res, r, c),
						(size_t)PQgetlength(res, r, c));
			lua_setfield(L, -2, PQfname(res, c));
		}
		lua_rawseti(L, -2, r + 1);
	}
	PQclear(res);
	return 1;
}

void lh_open_module(struct lh *h, const struct lh_config *cfg)
{
	lua_State *L = h->L;
	lua_newtable(L); /* stack: walhook */
	lua_pushlightuserdata(L, (void *)&ljson_null_sentinel);
	lua_setfield(L, -2, "null");
	lua_pushlightuserdata(L, (void *)&ljson_unchanged_sentinel);
	lua_setfield(L, -2, "unchanged");
	lh_set_str(L, "version", WALHOOK_VERSION);

	static const luaL_Reg json[] = { { "encode", l_json_encode },
					 { "decode", l_json_decode },
					 { NULL, NULL } };
	luaL_newlib(L, json);
	lua_setfield(L, -2, "json");

	/* Each of these has the host as its upvalue. */
	static const luaL_Reg hosted[] = { { "log", l_log },
					   { "stats", l_stats },
					   { "query", l_query },
					   { "backfill", l_backfill },
					   { NULL, NULL } };
	lua_pushlightuserdata(L, h);
	luaL_setfuncs(L, hosted, 1);

	static const luaL_Reg lsn[] = { { "diff", l_lsn_diff },
					{ "compare", l_lsn_compare },
					{ "add", l_lsn_add },
					{ NULL, NULL } };
	luaL_newlib(L, lsn);
	lua_setfield(L, -2, "lsn");

	h->sink_ctx =
	    (struct luasink_ctx){ .d = cfg->delivery, .slot = cfg->slot };
	luasink_open(L, &h->sink_ctx); /* stack: walhook */

	lua_newtable(L); /* stack: walhook, vars */
	for (int i = 0; i < cfg->nvars; i++)
		lh_set_str(L, cfg->vars[i].name, cfg->vars[i].value);
	lua_setfield(L, -2, "vars");

	/* require "walhook" finds it too. */
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "loaded");
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "walhook");
	lua_pop(L, 2);
	lua_setglobal(L, "walhook");

	lua_pushlightuserdata(L, h);
	lua_pushcclosure(L, l_print, 1);
	lua_setglobal(L, "print");
}
