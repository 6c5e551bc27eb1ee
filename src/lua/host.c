#include "lua/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/json.h"
#include "lua/compat.h"
#include "lua/json.h"
#include "lua/sinks.h"
#include "protocol/pgsql.h"

enum hook {
	HOOK_CONNECT,
	HOOK_DISCONNECT,
	HOOK_BEGIN,
	HOOK_CHANGE,
	HOOK_TRUNCATE,
	HOOK_MESSAGE,
	HOOK_COMMIT,
	HOOK_DATA,
	HOOK_TERMINATE,
	HOOK_STREAM_START,
	HOOK_STREAM_STOP,
	HOOK_STREAM_COMMIT,
	HOOK_STREAM_ABORT,
	HOOK_PREPARE,
	HOOK_COMMIT_PREPARED,
	HOOK_ROLLBACK_PREPARED,
	HOOK_KEEPALIVE,
	NHOOKS
};

static const char *const hook_names[NHOOKS] = {
	"handle_connect",
	"handle_disconnect",
	"handle_begin",
	"handle_change",
	"handle_truncate",
	"handle_message",
	"handle_commit",
	"handle_data",
	"terminate",
	"handle_stream_start",
	"handle_stream_stop",
	"handle_stream_commit",
	"handle_stream_abort",
	"handle_prepare",
	"handle_commit_prepared",
	"handle_rollback_prepared",
	"handle_keepalive",
};

struct lh {
	lua_State *L;
	int hooks[NHOOKS]; /* registry references, LUA_NOREF when undefined */
	struct delivery
	    *d; /* owns the sinks the script makes, and the output */
	const struct stats *stats;
	const struct conn_params *conn; /* walhook.query's database */
	PGconn *side;		 /* its connection, opened on first use */
	const char *script_name; /* for walhook.log lines */
	struct buf scratch;	 /* print's line, made whole before it goes */
	/* What the sinks' Lua face needs. */
	struct luasink_ctx sink_ctx;
	/* The fixture transaction open (lh_fixture_line). */
	bool fx_open;
	lua_Integer fx_xid;
	char fx_lsn[LSN_STRLEN];
	char fx_time[PGTIME_STRLEN];
};

/* A stop asked for while a hook runs: the hook may finish within the
 * grace the sinks get too; one that runs on (an endless loop) is ended
 * with an error at the next count hook past it. */
static int64_t stop_seen_us;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	int64_t now = mono_now_us();
	if (!stop_seen_us)
		stop_seen_us = now;
	if (now - stop_seen_us >= SINK_STOP_GRACE_US)
		luaL_error(
		    L,
		    "stopped: the script was still running %d s after the stop was asked for",
		    (int)(SINK_STOP_GRACE_US / 1000000));
}

void lh_interrupt(struct lh *h)
{
	/* lua_sethook may be called from a signal handler. */
	if (h)
		lua_sethook(h->L, stop_hook, LUA_MASKCOUNT, 1000);
}

/* The message handler of every protected call: adds a traceback. */
static int traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (!msg)
		msg = lua_pushfstring(L, "(error object is a %s value)",
				      luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

/* Calls the function below nargs arguments on the stack, leaving nresults.
 * On error fills e with "doing: message\ntraceback" and pops everything. */
static int pcall(struct lh *h, int nargs, int nresults, const char *doing,
		 struct err *e)
{
	lua_State *L = h->L;
	int base = lua_gettop(L) - nargs; /* the function's index */
	lua_pushcfunction(L, traceback);
	lua_insert(L, base);
	int rc = lua_pcall(L, nargs, nresults, base);
	lua_remove(L, base);
	if (rc != 0) {
		err_set(e, "%s: %s", doing, lua_tostring(L, -1));
		lua_pop(L, 1);
		/* A sink's target was down under s:write: worth a retry. */
		e->transient = delivery_take_transient(h->d);
		return -1;
	}
	return 0;
}

/* Pushes the hook's function; false when the script does not define it. */
static bool push_hook(struct lh *h, enum hook k)
{
	if (h->hooks[k] == LUA_NOREF)
		return false;
	lua_rawgeti(h->L, LUA_REGISTRYINDEX, h->hooks[k]);
	return true;
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, long long v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

static void set_lsn(lua_State *L, const char *k, uint64_t lsn)
{
	char s[LSN_STRLEN];
	set_str(L, k, lsn_format(lsn, s));
}

/* ---- the walhook module ---- */

static int l_json_encode(lua_State *L)
{
	luaL_checkany(L, 1);
	struct buf b = { 0 };
	int rc = lj_encode(L, 1, &b);
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
	if (lj_decode(L, s, n, msg, sizeof msg) < 0)
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
		set_int(L, counters[i].name,
			(long long)stats_get(h->stats, counters[i].k));
	set_int(L, "changes", (long long)stats_changes(h->stats));
	uint64_t end = stats_get(h->stats, STAT_SERVER_END_LSN);
	uint64_t confirmed = stats_get(h->stats, STAT_CONFIRMED_LSN);
	set_lsn(L, "confirmed_lsn", confirmed);
	set_lsn(L, "server_wal_end", end);
	set_int(L, "lag_bytes",
		end > confirmed ? (long long)(end - confirmed) : 0);
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
			     lua_touserdata(L, i + 2) == &lj_null_sentinel);
		params[i] = null ? NULL : lh_tolstring(L, i + 2, NULL);
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
				    L, (void *)&lj_null_sentinel);
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

static void open_module(struct lh *h, const struct lh_config *cfg)
{
	lua_State *L = h->L;
	lua_newtable(L); /* stack: walhook */
	lua_pushlightuserdata(L, (void *)&lj_null_sentinel);
	lua_setfield(L, -2, "null");
	lua_pushlightuserdata(L, (void *)&lj_unchanged_sentinel);
	lua_setfield(L, -2, "unchanged");
	set_str(L, "version", WALHOOK_VERSION);

	lua_newtable(L); /* stack: walhook, json */
	lua_pushcfunction(L, l_json_encode);
	lua_setfield(L, -2, "encode");
	lua_pushcfunction(L, l_json_decode);
	lua_setfield(L, -2, "decode");
	lua_setfield(L, -2, "json");

	lua_pushlightuserdata(L, h);
	lua_pushcclosure(L, l_log, 1);
	lua_setfield(L, -2, "log");
	lua_pushlightuserdata(L, h);
	lua_pushcclosure(L, l_stats, 1);
	lua_setfield(L, -2, "stats");
	lua_pushlightuserdata(L, h);
	lua_pushcclosure(L, l_query, 1);
	lua_setfield(L, -2, "query");

	lua_newtable(L); /* stack: walhook, lsn */
	lua_pushcfunction(L, l_lsn_diff);
	lua_setfield(L, -2, "diff");
	lua_pushcfunction(L, l_lsn_compare);
	lua_setfield(L, -2, "compare");
	lua_pushcfunction(L, l_lsn_add);
	lua_setfield(L, -2, "add");
	lua_setfield(L, -2, "lsn");

	h->sink_ctx =
	    (struct luasink_ctx){ .d = cfg->delivery, .slot = cfg->slot };
	luasink_open(L, &h->sink_ctx); /* stack: walhook */

	lua_newtable(L); /* stack: walhook, vars */
	for (int i = 0; i < cfg->nvars; i++)
		set_str(L, cfg->vars[i].name, cfg->vars[i].value);
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

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int load_script(struct lh *h, const char *path, struct err *e)
{
	lua_State *L = h->L;
	if (luaL_loadfile(L, path) != 0) {
		err_set(e, "loading the script: %s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return -1;
	}
	return pcall(h, 0, 0, "running the script", e);
}

static void resolve_hooks(struct lh *h)
{
	for (int k = 0; k < NHOOKS; k++) {
		lua_getglobal(h->L, hook_names[k]);
		h->hooks[k] = lua_isfunction(h->L, -1)
				  ? luaL_ref(h->L, LUA_REGISTRYINDEX)
				  : (lua_pop(h->L, 1), LUA_NOREF);
	}
}

static int call_init(struct lh *h, const struct lh_config *cfg, struct err *e)
{
	lua_State *L = h->L;
	lua_getglobal(L, "init");
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	lua_newtable(L);
	if (cfg->slot)
		set_str(L, "slot", cfg->slot);
	if (cfg->plugin)
		set_str(L, "plugin", cfg->plugin);
	if (cfg->publication)
		set_str(L, "publication", cfg->publication);
	lua_getglobal(L, "walhook");
	lua_getfield(L, -1, "vars");
	lua_setfield(L, -3, "vars");
	lua_pop(L, 1);
	return pcall(h, 1, 0, "in init", e);
}

struct lh *lh_new(const struct lh_config *cfg, struct err *e)
{
	struct lh *h = xcalloc(1, sizeof *h);
	if (!(h->L = luaL_newstate())) {
		free(h);
		err_set(e, "cannot create a Lua state: out of memory");
		return NULL;
	}
	for (int k = 0; k < NHOOKS; k++)
		h->hooks[k] = LUA_NOREF;
	h->d = cfg->delivery;
	h->stats = cfg->stats;
	h->conn = cfg->conn;
	h->script_name = cfg->script ? basename_of(cfg->script) : "walhook";
	luaL_openlibs(h->L);
	open_module(h, cfg);
	if (cfg->extend)
		cfg->extend(h->L, cfg->extend_arg);
	if (cfg->script) {
		if (load_script(h, cfg->script, e) < 0) {
			lh_free(h);
			return NULL;
		}
		resolve_hooks(h);
		if (call_init(h, cfg, e) < 0) {
			lh_free(h);
			return NULL;
		}
	}
	return h;
}

int lh_call(struct lh *h, const char *name, bool *result, struct err *e)
{
	lua_State *L = h->L;
	/* name may be a path into tables: "walhook.test.run". */
	char path[128];
	snprintf(path, sizeof path, "%s", name);
	char *save;
	char *part = strtok_r(path, ".", &save);
	lua_getglobal(L, part);
	while ((part = strtok_r(NULL, ".", &save)) && lua_istable(L, -1)) {
		lua_getfield(L, -1, part);
		lua_remove(L, -2);
	}
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		return err_set(e, "%s is not a function", name);
	}
	char doing[160];
	snprintf(doing, sizeof doing, "in %s", name);
	if (pcall(h, 0, 1, doing, e) < 0)
		return -1;
	*result = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return 0;
}

void lh_free(struct lh *h)
{
	if (!h)
		return;
	lua_close(h->L);
	PQfinish(h->side);
	buf_free(&h->scratch);
	free(h);
}

/* ---- events ---- */

int lh_connect(struct lh *h, const struct lh_connect_info *info, struct err *e)
{
	luasink_set_database(&h->sink_ctx, info->sys->dbname);
	if (!push_hook(h, HOOK_CONNECT))
		return 0;
	lua_State *L = h->L;
	lua_createtable(L, 0, 8);
	set_str(L, "system_id", info->sys->systemid);
	set_int(L, "timeline", info->sys->timeline);
	set_int(L, "server_version", info->sys->server_version);
	set_str(L, "dbname", info->sys->dbname);
	set_lsn(L, "xlogpos", info->sys->xlogpos);
	set_str(L, "slot", info->slot);
	set_str(L, "plugin", info->plugin);
	set_lsn(L, "start_lsn", info->start_lsn);
	return pcall(h, 1, 0, "in handle_connect", e);
}

int lh_disconnect(struct lh *h, const char *why, struct err *e)
{
	if (!push_hook(h, HOOK_DISCONNECT))
		return 0;
	lua_pushstring(h->L, why);
	return pcall(h, 1, 0, "in handle_disconnect", e);
}

static void set_txn_fields(lua_State *L, const struct txn *tx)
{
	set_int(L, "xid", tx->xid);
	if (tx->commit_time)
		set_str(L, "commit_time", tx->commit_time_text);
	if (tx->origin)
		set_str(L, "origin", tx->origin);
	if (tx->gid)
		set_str(L, "gid", tx->gid);
}

/* Calls a transaction hook with every position known so far. */
static int txn_hook(struct lh *h, enum hook k, const struct txn *tx,
		    struct err *e)
{
	if (!push_hook(h, k))
		return 0;
	lua_createtable(h->L, 0, 7);
	set_txn_fields(h->L, tx);
	if (tx->final_lsn)
		set_lsn(h->L, "final_lsn", tx->final_lsn);
	if (tx->commit_lsn)
		set_lsn(h->L, "commit_lsn", tx->commit_lsn);
	if (tx->end_lsn)
		set_lsn(h->L, "end_lsn", tx->end_lsn);
	char doing[160];
	snprintf(doing, sizeof doing, "in %s (xid %u)", hook_names[k], tx->xid);
	return pcall(h, 1, 0, doing, e);
}

int lh_begin(struct lh *h, const struct txn *tx, struct err *e)
{
	return txn_hook(h, HOOK_BEGIN, tx, e);
}

int lh_commit(struct lh *h, const struct txn *tx, struct err *e)
{
	return txn_hook(h, HOOK_COMMIT, tx, e);
}

int lh_stream_commit(struct lh *h, const struct txn *tx, struct err *e)
{
	return txn_hook(h, HOOK_STREAM_COMMIT, tx, e);
}

int lh_prepare(struct lh *h, const struct txn *tx, struct err *e)
{
	return txn_hook(h, HOOK_PREPARE, tx, e);
}

int lh_commit_prepared(struct lh *h, const struct txn *tx, struct err *e)
{
	return txn_hook(h, HOOK_COMMIT_PREPARED, tx, e);
}

int lh_rollback_prepared(struct lh *h, const struct txn *tx, struct err *e)
{
	return txn_hook(h, HOOK_ROLLBACK_PREPARED, tx, e);
}

bool lh_wants_streams(const struct lh *h)
{
	for (int k = HOOK_STREAM_START; k <= HOOK_STREAM_ABORT; k++)
		if (h->hooks[k] != LUA_NOREF)
			return true;
	return false;
}

bool lh_wants_two_phase(const struct lh *h)
{
	for (int k = HOOK_PREPARE; k <= HOOK_ROLLBACK_PREPARED; k++)
		if (h->hooks[k] != LUA_NOREF)
			return true;
	return false;
}

bool lh_wants_keepalive(const struct lh *h)
{
	return h->hooks[HOOK_KEEPALIVE] != LUA_NOREF;
}

int lh_keepalive(struct lh *h, uint64_t wal_end, int64_t send_time,
		 bool reply_requested, struct err *e)
{
	if (!push_hook(h, HOOK_KEEPALIVE))
		return 0;
	char ts[PGTIME_STRLEN];
	lua_createtable(h->L, 0, 3);
	set_lsn(h->L, "wal_end", wal_end);
	set_str(h->L, "send_time", pgtime_format(send_time, ts));
	lua_pushboolean(h->L, reply_requested);
	lua_setfield(h->L, -2, "reply_requested");
	return pcall(h, 1, 0, "in handle_keepalive", e);
}

int lh_stream_start(struct lh *h, uint32_t xid, bool first_segment,
		    struct err *e)
{
	if (!push_hook(h, HOOK_STREAM_START))
		return 0;
	lua_createtable(h->L, 0, 2);
	set_int(h->L, "xid", xid);
	lua_pushboolean(h->L, first_segment);
	lua_setfield(h->L, -2, "first_segment");
	return pcall(h, 1, 0, "in handle_stream_start", e);
}

int lh_stream_stop(struct lh *h, struct err *e)
{
	if (!push_hook(h, HOOK_STREAM_STOP))
		return 0;
	return pcall(h, 0, 0, "in handle_stream_stop", e);
}

int lh_stream_abort(struct lh *h, uint32_t xid, uint32_t subxid, struct err *e)
{
	if (!push_hook(h, HOOK_STREAM_ABORT))
		return 0;
	lua_createtable(h->L, 0, 2);
	set_int(h->L, "xid", xid);
	set_int(h->L, "subxid", subxid);
	return pcall(h, 1, 0, "in handle_stream_abort", e);
}

static void push_datum(lua_State *L, uint32_t typoid, const struct datum *v);

/* Unescaped array elements and decoded bytea: the main thread only. */
static struct buf value_scratch;

struct array_lua {
	lua_State *L;
	uint32_t elem;
};

static void array_begin(void *ctx, size_t index, size_t nitems)
{
	struct array_lua *a = ctx;
	(void)index;
	lua_createtable(a->L, (int)nitems, 0);
}

static void array_end(void *ctx, size_t index)
{
	struct array_lua *a = ctx;
	if (index)
		lua_rawseti(a->L, -2, (int)index);
}

static void array_element(void *ctx, size_t index, const char *text, size_t len,
			  bool is_null)
{
	struct array_lua *a = ctx;
	struct datum d = { .kind = is_null ? DATUM_NULL : DATUM_TEXT,
			   .len = (uint32_t)len,
			   .data = text };
	push_datum(a->L, a->elem, &d);
	lua_rawseti(a->L, -2, (int)index);
}

/* An array of a built-in type as a Lua array (nested for more dimensions)
 * of converted elements; false, nothing pushed, if the text is no array. */
static bool push_array(lua_State *L, uint32_t elem, const struct datum *v)
{
	static const struct values_array_visitor visitor = {
		array_begin,
		array_end,
		array_element,
	};
	/* Elements may be bytea, which decodes into the same scratch: keep
	 * the unescaped elements apart. */
	static struct buf elements;
	struct array_lua a = { L, elem };
	char err[128];
	lua_checkstack(L, 16);
	return values_parse_array(v->data, v->len, &visitor, &a, &elements, err,
				  sizeof err) == 0;
}

/* Pushes a column value by the rules of values.h. */
static void push_datum(lua_State *L, uint32_t typoid, const struct datum *v)
{
	int64_t i;
	double d;
	bool t;
	switch (v->kind) {
	case DATUM_NULL:
		lua_pushlightuserdata(L, (void *)&lj_null_sentinel);
		return;
	case DATUM_UNCHANGED:
		lua_pushlightuserdata(L, (void *)&lj_unchanged_sentinel);
		return;
	case DATUM_BINARY: lua_pushlstring(L, v->data, v->len); return;
	}
	switch (values_class(typoid)) {
	case VAL_INTEGER:
		/* LuaJIT's numbers hold integers exactly only up to 2^53. */
		if (values_parse_int(v->data, v->len, &i) &&
		    i <= LH_EXACT_INTEGER_MAX && i >= -LH_EXACT_INTEGER_MAX) {
			lua_pushinteger(L, (lua_Integer)i);
			return;
		}
		break;
	case VAL_FLOAT:
		if (values_parse_float(v->data, v->len, &d)) {
			lua_pushnumber(L, d);
			return;
		}
		break;
	case VAL_BOOL:
		if (values_parse_bool(v->data, v->len, &t)) {
			lua_pushboolean(L, t);
			return;
		}
		break;
	case VAL_STRING: break;
	}
	if (typoid == OID_BYTEA) {
		buf_reset(&value_scratch);
		if (values_bytea_decode(v->data, v->len, &value_scratch)) {
			lua_pushlstring(
			    L, value_scratch.data ? value_scratch.data : "",
			    value_scratch.len);
			return;
		}
	}
	uint32_t elem = values_array_element(typoid);
	if (elem && push_array(L, elem, v))
		return;
	lua_pushlstring(L, v->data, v->len);
}

/* Pushes a row table: old key-only rows hold just the key columns; an
 * unchanged TOAST value in new is taken from a whole old row. */
/* The rows' metatables, by relid: registry[&row_meta] = { [relid] = mt }. */
static const char row_meta;

/* Builds the metatable of r's rows: __keys, its columns in order (the
 * order a row is written in); __bytea, the columns whose values reach Lua
 * as raw bytes (written as hex text); __gen, which description it is. */
static void new_row_meta(lua_State *L, const struct rel *r)
{
	lua_createtable(L, 0, 3); /* stack: mt */
	lua_createtable(L, r->ncols, 0);
	bool bytea = false;
	for (uint16_t i = 0; i < r->ncols; i++) {
		lua_pushlstring(L, r->cols[i].name, r->cols[i].name_len);
		lua_rawseti(L, -2, i + 1);
		bytea |= r->cols[i].typoid == OID_BYTEA;
	}
	lua_setfield(L, -2, "__keys");
	if (bytea) {
		lua_newtable(L);
		for (uint16_t i = 0; i < r->ncols; i++) {
			if (r->cols[i].typoid != OID_BYTEA)
				continue;
			lua_pushlstring(L, r->cols[i].name,
					r->cols[i].name_len);
			lua_pushboolean(L, 1);
			lua_rawset(L, -3);
		}
		lua_setfield(L, -2, "__bytea");
	}
	lua_pushnumber(L, (lua_Number)r->gen);
	lua_setfield(L, -2, "__gen");
}

/* Pushes the metatable of r's rows, made once per description. */
static void push_row_meta(lua_State *L, const struct rel *r)
{
	lua_pushlightuserdata(L, (void *)&row_meta);
	lua_rawget(L, LUA_REGISTRYINDEX);
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushlightuserdata(L, (void *)&row_meta);
		lua_pushvalue(L, -2);
		lua_rawset(L, LUA_REGISTRYINDEX);
	}
	/* stack: metas */
	lua_rawgeti(L, -1, (lua_Integer)r->relid);
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "__gen");
		bool current = lua_tonumber(L, -1) == (lua_Number)r->gen;
		lua_pop(L, 1);
		if (current) {
			lua_remove(L, -2);
			return;
		}
	}
	lua_pop(L, 1);
	new_row_meta(L, r); /* stack: metas, mt */
	lua_pushvalue(L, -1);
	lua_rawseti(L, -3, (lua_Integer)r->relid);
	lua_remove(L, -2);
}

static void push_row(lua_State *L, const struct change *c, bool old)
{
	const struct rel *r = c->rel;
	const struct datum *vals = old ? c->oldv : c->newv;
	bool keys_only = old && c->old_kind == 'K';
	lua_createtable(L, 0, keys_only ? r->nkeys : r->ncols);
	push_row_meta(L, r);
	lua_setmetatable(L, -2);
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (keys_only && !r->cols[i].key)
			continue;
		const struct datum *v = &vals[i];
		if (!old && v->kind == DATUM_UNCHANGED && c->oldv &&
		    c->old_kind == 'O')
			v = &c->oldv[i];
		lua_pushlstring(L, r->cols[i].name, r->cols[i].name_len);
		push_datum(L, r->cols[i].typoid, v);
		lua_rawset(L, -3);
	}
}

static void push_relation_fields(lua_State *L, const struct rel *r)
{
	set_str(L, "schema", r->nspname);
	set_str(L, "table", r->relname);
	set_int(L, "relid", r->relid);
}

static void push_change(lua_State *L, const struct change *c)
{
	const struct rel *r = c->rel;
	lua_createtable(L, 0, 10);
	set_str(L, "op", change_op_name(c->op));
	push_relation_fields(L, r);
	lua_createtable(L, r->nkeys, 0);
	for (uint16_t i = 0, n = 0; i < r->ncols; i++) {
		if (r->cols[i].key) {
			lua_pushlstring(L, r->cols[i].name,
					r->cols[i].name_len);
			lua_rawseti(L, -2, ++n);
		}
	}
	lua_setfield(L, -2, "key");
	set_lsn(L, "lsn", c->lsn);
	set_txn_fields(L, c->txn);
	if (c->newv) {
		push_row(L, c, false);
		lua_setfield(L, -2, "new");
	}
	if (c->oldv) {
		push_row(L, c, true);
		lua_setfield(L, -2, "old");
	}
}

/* One table as a JSON line, encoded inside a protected call: nothing a
 * script hands back can raise an error outside one. */
struct encoding {
	struct buf *b;
	bool change;
	int rc;
};

static int encode_in_lua(lua_State *L)
{
	/* stack: table, encoding */
	struct encoding *en = lua_touserdata(L, 2);
	en->rc =
	    en->change ? lj_encode_change(L, 1, en->b) : lj_encode(L, 1, en->b);
	return en->rc < 0 ? 1 : 0; /* the message, when it failed */
}

static int write_line(struct lh *h, int idx, bool change, const char *doing,
		      struct err *e)
{
	lua_State *L = h->L;
	idx = lh_absindex(L, idx);
	struct buf *b = delivery_output(h->d);
	size_t mark = b->len;
	struct encoding en = { b, change, 0 };
	lua_pushcfunction(L, encode_in_lua);
	lua_pushvalue(L, idx);
	lua_pushlightuserdata(L, &en);
	if (lua_pcall(L, 2, 1, 0) != 0 || en.rc < 0) {
		b->len = mark;
		const char *why = lua_tostring(L, -1);
		err_set(e, "%s: cannot write the %s table: %s", doing,
			change ? "returned" : "event",
			why ? why : "(no message)");
		lua_pop(L, 1);
		return -1;
	}
	lua_pop(L, 1);
	buf_putc(b, '\n');
	return delivery_output_wrote(h->d, e);
}

/* Writes what a handler kept: the table at idx as a change line. */
static int write_kept(struct lh *h, int idx, const char *doing, struct err *e)
{
	return write_line(h, idx, true, doing, e);
}

/* A handler's verdict on the table at idx, left below its result: false
 * drops it, a table replaces it, nil keeps it. */
static int keep_or_replace(struct lh *h, const char *hook, const char *doing,
			   struct err *e)
{
	lua_State *L = h->L;
	int rc = 0;
	switch (lua_type(L, -1)) {
	case LUA_TNIL: rc = write_kept(h, -2, doing, e); break;
	case LUA_TTABLE: rc = write_kept(h, -1, doing, e); break;
	case LUA_TBOOLEAN:
		if (!lua_toboolean(L, -1))
			break;
		rc = write_kept(h, -2, doing, e);
		break;
	default:
		rc = err_set(
		    e,
		    "%s: %s returned a %s; expected a table, true, false or nil",
		    doing, hook, luaL_typename(L, -1));
	}
	lua_pop(L, 2);
	return rc;
}

int lh_change(struct lh *h, const struct change *c, struct err *e)
{
	if (h->hooks[HOOK_CHANGE] == LUA_NOREF) {
		json_change_line(delivery_output(h->d), c);
		return delivery_output_wrote(h->d, e);
	}
	char doing[512], lsn[LSN_STRLEN];
	snprintf(doing, sizeof doing,
		 "in handle_change (%s.%s, xid %u, lsn %s)", c->rel->nspname,
		 c->rel->relname, c->txn->xid, lsn_format(c->lsn, lsn));
	push_change(h->L, c);
	push_hook(h, HOOK_CHANGE);
	lua_pushvalue(h->L, -2); /* stack: change, hook, change */
	if (pcall(h, 1, 1, doing, e) < 0) {
		lua_pop(h->L, 1);
		return -1;
	}
	return keep_or_replace(h, "handle_change", doing, e);
}

int lh_truncate(struct lh *h, const struct truncate *t, struct err *e)
{
	if (!push_hook(h, HOOK_TRUNCATE)) {
		json_truncate_line(delivery_output(h->d), t);
		return delivery_output_wrote(h->d, e);
	}
	lua_State *L = h->L;
	lua_createtable(L, 0, 7);
	set_str(L, "op", "truncate");
	lua_createtable(L, (int)t->nrels, 0);
	for (uint32_t i = 0; i < t->nrels; i++) {
		lua_createtable(L, 0, 3);
		push_relation_fields(L, t->rels[i]);
		lua_rawseti(L, -2, (int)i + 1);
	}
	lua_setfield(L, -2, "relations");
	lua_pushboolean(L, t->cascade);
	lua_setfield(L, -2, "cascade");
	lua_pushboolean(L, t->restart_identity);
	lua_setfield(L, -2, "restart_identity");
	set_lsn(L, "lsn", t->lsn);
	set_txn_fields(L, t->txn);
	char doing[64];
	snprintf(doing, sizeof doing, "in handle_truncate (xid %u)",
		 t->txn->xid);
	return pcall(h, 1, 0, doing, e);
}

int lh_message(struct lh *h, const struct message *m, struct err *e)
{
	if (!push_hook(h, HOOK_MESSAGE)) {
		json_message_line(delivery_output(h->d), m);
		return delivery_output_wrote(h->d, e);
	}
	lua_State *L = h->L;
	lua_createtable(L, 0, 7);
	set_str(L, "op", "message");
	set_str(L, "prefix", m->prefix);
	lua_pushlstring(L, m->content, m->len);
	lua_setfield(L, -2, "content");
	lua_pushboolean(L, m->transactional);
	lua_setfield(L, -2, "transactional");
	set_lsn(L, "lsn", m->lsn);
	if (m->txn)
		set_txn_fields(L, m->txn);
	char doing[300], lsn[LSN_STRLEN];
	snprintf(doing, sizeof doing,
		 "in handle_message (prefix \"%s\", lsn %s)", m->prefix,
		 lsn_format(m->lsn, lsn));
	return pcall(h, 1, 0, doing, e);
}

int lh_data(struct lh *h, const uint8_t *data, size_t len, uint64_t lsn,
	    struct err *e)
{
	if (!push_hook(h, HOOK_DATA)) {
		struct buf *b = delivery_output(h->d);
		buf_put(b, data, len);
		buf_putc(b, '\n');
		return delivery_output_wrote(h->d, e);
	}
	char s[LSN_STRLEN];
	lua_pushlstring(h->L, (const char *)data, len);
	lua_pushstring(h->L, lsn_format(lsn, s));
	char doing[64];
	snprintf(doing, sizeof doing, "in handle_data (lsn %s)", s);
	return pcall(h, 2, 0, doing, e);
}

int lh_terminate(struct lh *h, const char *reason, struct err *e)
{
	if (!push_hook(h, HOOK_TERMINATE))
		return 0;
	lua_pushstring(h->L, reason);
	return pcall(h, 1, 0, "in terminate", e);
}

/* ---- fixtures: JSON lines through the hooks ---- */

static void copy_field(lua_State *L, int t, const char *k, char *out, size_t n)
{
	lua_getfield(L, t, k);
	const char *v =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (v)
		snprintf(out, n, "%s", v);
	lua_pop(L, 1);
}

/* handle_begin or handle_commit of a fixture transaction. */
static int fixture_txn_hook(struct lh *h, enum hook k, struct err *e)
{
	if (!push_hook(h, k))
		return 0;
	lua_State *L = h->L;
	lua_createtable(L, 0, 3);
	if (h->fx_xid) {
		lua_pushinteger(L, h->fx_xid);
		lua_setfield(L, -2, "xid");
	}
	if (*h->fx_time)
		set_str(L, "commit_time", h->fx_time);
	if (*h->fx_lsn)
		set_str(L, k == HOOK_BEGIN ? "final_lsn" : "end_lsn",
			h->fx_lsn);
	return pcall(h, 1, 0,
		     k == HOOK_BEGIN ? "in handle_begin" : "in handle_commit",
		     e);
}

/* The fixture's position as text, 0 when it has none. */
static uint64_t fixture_lsn(const char *text)
{
	uint64_t lsn = 0;
	return lsn_parse(text, &lsn) ? lsn : 0;
}

int lh_fixture_end(struct lh *h, struct err *e)
{
	if (!h->fx_open)
		return 0;
	h->fx_open = false;
	if (fixture_txn_hook(h, HOOK_COMMIT, e) < 0)
		return -1;
	struct txn tx = { .xid = (uint32_t)h->fx_xid,
			  .end_lsn = fixture_lsn(h->fx_lsn) };
	return delivery_end(h->d, &tx, e);
}

/* Writes the event table on top as a line, in the order it was written. */
static int fixture_write(struct lh *h, const char *doing, struct err *e)
{
	return write_line(h, -1, false, doing, e);
}

/* Calls the hook for the event table on top (popping it), or writes it. */
static int fixture_event(struct lh *h, enum hook k, bool change,
			 const char *doing, struct err *e)
{
	lua_State *L = h->L;
	if (!push_hook(h, k)) {
		int rc = change ? write_kept(h, -1, doing, e)
				: fixture_write(h, doing, e);
		lua_pop(L, 1);
		return rc;
	}
	lua_pushvalue(L, -2); /* stack: event, hook, event */
	if (pcall(h, 1, change, doing, e) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	if (change) /* stack: event, verdict */
		return keep_or_replace(h, "handle_change", doing, e);
	lua_pop(L, 1);
	return 0;
}

int lh_fixture_line(struct lh *h, const char *line, size_t n, const char *where,
		    struct err *e)
{
	lua_State *L = h->L;
	char msg[160];
	if (lj_decode(L, line, n, msg, sizeof msg) < 0)
		return err_set(e, "%s: not JSON: %s", where, msg);
	char op[16] = "";
	if (lua_istable(L, -1))
		copy_field(L, -1, "op", op, sizeof op);
	enum change_op kind;
	bool change = change_op_parse(op, &kind);
	enum hook k = change			? HOOK_CHANGE
		      : !strcmp(op, "truncate") ? HOOK_TRUNCATE
		      : !strcmp(op, "message")	? HOOK_MESSAGE
						: NHOOKS;
	if (k == NHOOKS) {
		lua_pop(L, 1);
		return err_set(
		    e,
		    "%s: a change needs \"op\": insert, update, delete, truncate or message",
		    where);
	}
	lua_getfield(L, -1, "xid");
	/* An xid is a transaction id: a whole number that fits 32 bits (a
	 * cast of anything else would be undefined). */
	lua_Number xn = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 0;
	if (!(xn >= 0 && xn <= 4294967295.0 &&
	      xn == (lua_Number)(lua_Integer)xn)) {
		lua_pop(L, 2);
		return err_set(
		    e,
		    "%s: \"xid\" must be a whole number from 0 to 4294967295",
		    where);
	}
	lua_Integer xid = (lua_Integer)xn;
	lua_getfield(L, -2, "transactional");
	bool outside =
	    k == HOOK_MESSAGE && lua_isboolean(L, -1) && !lua_toboolean(L, -1);
	lua_pop(L, 2);
	/* A new xid, or none, ends the open transaction. */
	if (h->fx_open && (!xid || xid != h->fx_xid) &&
	    lh_fixture_end(h, e) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	if (!outside && !h->fx_open) {
		h->fx_open = true;
		h->fx_xid = xid;
		*h->fx_lsn = *h->fx_time = '\0';
		copy_field(L, -1, "lsn", h->fx_lsn, sizeof h->fx_lsn);
		copy_field(L, -1, "commit_time", h->fx_time, sizeof h->fx_time);
		struct txn tx = { .xid = (uint32_t)xid,
				  .final_lsn = fixture_lsn(h->fx_lsn) };
		if (delivery_begin(h->d, &tx, e) < 0 ||
		    fixture_txn_hook(h, HOOK_BEGIN, e) < 0) {
			lua_pop(L, 1);
			return -1;
		}
	}
	copy_field(L, -1, "lsn", h->fx_lsn, sizeof h->fx_lsn);
	char doing[300];
	snprintf(doing, sizeof doing, "in %s (%s)", hook_names[k], where);
	if (fixture_event(h, k, change, doing, e) < 0)
		return -1;
	if (outside)
		return delivery_event(h->d, fixture_lsn(h->fx_lsn), e);
	return xid ? 0 : lh_fixture_end(h, e);
}
