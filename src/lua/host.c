#include "lua/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/json.h"
#include "lua/compat.h"
#include "lua/hostdata.h"
#include "lua/json.h"
#include "lua/pool.h"
#include "lua/sinks.h"

const char *const lh_hook_names[NHOOKS] = {
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
	"handle_ddl",
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

/* Takes the message of a failed protected call off the stack into e. */
static int pcall_failed(struct lh *h, const char *doing, struct err *e)
{
	lua_State *L = h->L;
	err_set(e, "%s", lua_tostring(L, -1));
	if (doing)
		err_prefix(e, "%s", doing);
	lua_pop(L, 1);
	/* A sink's target was down under s:write: worth a retry. */
	e->transient = delivery_take_transient(h->d);
	return -1;
}

/* lh_pcall with the message handler already pushed below the function. */
static int pcall_handled(struct lh *h, int nargs, int nresults,
			 const char *doing, struct err *e)
{
	lua_State *L = h->L;
	int handler = lua_gettop(L) - nargs - 1;
	int rc = lua_pcall(L, nargs, nresults, handler);
	lua_remove(L, handler);
	return rc == 0 ? 0 : pcall_failed(h, doing, e);
}

int lh_pcall(struct lh *h, int nargs, int nresults, const char *doing,
	     struct err *e)
{
	lua_State *L = h->L;
	/* Kept, not pushed anew: LuaJIT makes a closure of every
	 * lua_pushcfunction. */
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->traceback);
	lua_insert(L, lua_gettop(L) - nargs - 1);
	return pcall_handled(h, nargs, nresults, doing, e);
}

/* Pushes the hook's function; false when the script does not define it. */
bool lh_push_hook(struct lh *h, enum hook k)
{
	if (h->hooks[k] == LUA_NOREF)
		return false;
	lua_rawgeti(h->L, LUA_REGISTRYINDEX, h->hooks[k]);
	return true;
}

void lh_set_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

void lh_set_int(lua_State *L, const char *k, long long v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

void lh_set_lsn(lua_State *L, const char *k, uint64_t lsn)
{
	char s[LSN_STRLEN];
	lh_set_str(L, k, lsn_format(lsn, s));
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
	return lh_pcall(h, 0, 0, "running the script", e);
}

static void resolve_hooks(struct lh *h)
{
	for (int k = 0; k < NHOOKS; k++) {
		lua_getglobal(h->L, lh_hook_names[k]);
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
		lh_set_str(L, "slot", cfg->slot);
	if (cfg->plugin)
		lh_set_str(L, "plugin", cfg->plugin);
	if (cfg->publication)
		lh_set_str(L, "publication", cfg->publication);
	lua_getglobal(L, "walhook");
	lua_getfield(L, -1, "vars");
	lua_setfield(L, -3, "vars");
	lua_pop(L, 1);
	return lh_pcall(h, 1, 0, "in init", e);
}

static int panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);
	fprintf(stderr, "walhook: Lua panic: %s\n", msg ? msg : "(no message)");
	return 0; /* Lua aborts */
}

/* One table as a JSON line, encoded inside a protected call: nothing a
 * script hands back can raise an error outside one. */
struct encoding {
	struct buf *b;
	bool change;
	int rc;
	struct lh *h;
};

static int encode_in_lua(lua_State *L)
{
	/* stack: table, encoding */
	struct encoding *en = lua_touserdata(L, 2);
	/* The writer ljson_encode_change would look up, asked first: this
	 * runs for every change a script keeps. */
	const struct ljson_change_writer *w = &en->h->change_writer;
	if (en->change && w->write(L, 1, en->b, w->ctx)) {
		en->rc = 0;
		return 0;
	}
	en->rc = en->change ? ljson_encode_change(L, 1, en->b)
			    : ljson_encode(L, 1, en->b);
	return en->rc < 0 ? 1 : 0; /* the message, when it failed */
}

/* Lua 5.4 takes the pool as its allocator; LuaJIT's 64-bit states
 * allocate for themselves, and under AddressSanitizer every block goes
 * to malloc, where it is watched. */
static lua_State *new_state(struct lh *h)
{
#if LUA_VERSION_NUM >= 502 && !defined(__SANITIZE_ADDRESS__)
	if (!(h->pool = lua_pool_new()))
		return NULL;
	lua_State *L = lua_newstate(lua_pool_alloc, h->pool);
	if (L) {
		lua_atpanic(L, panic);
		/* Each change's tables die young: the generational collector
		 * frees them without walking everything that lives on. */
		lua_gc(L, LUA_GCGEN, 0, 0);
	}
	return L;
#else
	(void)h;
	(void)panic;
	return luaL_newstate();
#endif
}

struct lh *lh_new(const struct lh_config *cfg, struct err *e)
{
	struct lh *h = xcalloc(1, sizeof *h);
	if (!(h->L = new_state(h))) {
		lua_pool_free(h->pool);
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
	lua_pushcfunction(h->L, traceback);
	h->traceback = luaL_ref(h->L, LUA_REGISTRYINDEX);
	lua_pushcfunction(h->L, encode_in_lua);
	h->encoder = luaL_ref(h->L, LUA_REGISTRYINDEX);
	lh_open_convert(h);
	lh_open_view(h);
	lh_open_module(h, cfg);
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
	if (lh_pcall(h, 0, 1, doing, e) < 0)
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
	lua_pool_free(h->pool);
	PQfinish(h->side);
	buf_free(&h->scratch);
	free(h);
}

/* ---- events ---- */

int lh_connect(struct lh *h, const struct lh_connect_info *info, struct err *e)
{
	luasink_set_database(&h->sink_ctx, info->sys->dbname);
	if (!lh_push_hook(h, HOOK_CONNECT))
		return 0;
	lua_State *L = h->L;
	lua_createtable(L, 0, 8);
	lh_set_str(L, "system_id", info->sys->systemid);
	lh_set_int(L, "timeline", info->sys->timeline);
	lh_set_int(L, "server_version", info->sys->server_version);
	lh_set_str(L, "dbname", info->sys->dbname);
	lh_set_lsn(L, "xlogpos", info->sys->xlogpos);
	lh_set_str(L, "slot", info->slot);
	lh_set_str(L, "plugin", info->plugin);
	lh_set_lsn(L, "start_lsn", info->start_lsn);
	return lh_pcall(h, 1, 0, "in handle_connect", e);
}

int lh_disconnect(struct lh *h, const char *why, struct err *e)
{
	if (!lh_push_hook(h, HOOK_DISCONNECT))
		return 0;
	lua_pushstring(h->L, why);
	return lh_pcall(h, 1, 0, "in handle_disconnect", e);
}

/* Calls a transaction hook with every position known so far. */
static int txn_hook(struct lh *h, enum hook k, const struct txn *tx,
		    struct err *e)
{
	if (!lh_push_hook(h, k))
		return 0;
	lua_createtable(h->L, 0, 7);
	lh_set_txn_fields(h->L, tx);
	if (tx->final_lsn)
		lh_set_lsn(h->L, "final_lsn", tx->final_lsn);
	if (tx->commit_lsn)
		lh_set_lsn(h->L, "commit_lsn", tx->commit_lsn);
	if (tx->end_lsn)
		lh_set_lsn(h->L, "end_lsn", tx->end_lsn);
	char doing[160];
	snprintf(doing, sizeof doing, "in %s (xid %u)", lh_hook_names[k],
		 tx->xid);
	return lh_pcall(h, 1, 0, doing, e);
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
	if (!lh_push_hook(h, HOOK_KEEPALIVE))
		return 0;
	char ts[PGTIME_STRLEN];
	lua_createtable(h->L, 0, 3);
	lh_set_lsn(h->L, "wal_end", wal_end);
	lh_set_str(h->L, "send_time", pgtime_format(send_time, ts));
	lua_pushboolean(h->L, reply_requested);
	lua_setfield(h->L, -2, "reply_requested");
	return lh_pcall(h, 1, 0, "in handle_keepalive", e);
}

int lh_stream_start(struct lh *h, uint32_t xid, bool first_segment,
		    struct err *e)
{
	if (!lh_push_hook(h, HOOK_STREAM_START))
		return 0;
	lua_createtable(h->L, 0, 2);
	lh_set_int(h->L, "xid", xid);
	lua_pushboolean(h->L, first_segment);
	lua_setfield(h->L, -2, "first_segment");
	return lh_pcall(h, 1, 0, "in handle_stream_start", e);
}

int lh_stream_stop(struct lh *h, struct err *e)
{
	if (!lh_push_hook(h, HOOK_STREAM_STOP))
		return 0;
	return lh_pcall(h, 0, 0, "in handle_stream_stop", e);
}

int lh_stream_abort(struct lh *h, uint32_t xid, uint32_t subxid, struct err *e)
{
	if (!lh_push_hook(h, HOOK_STREAM_ABORT))
		return 0;
	lua_createtable(h->L, 0, 2);
	lh_set_int(h->L, "xid", xid);
	lh_set_int(h->L, "subxid", subxid);
	return lh_pcall(h, 1, 0, "in handle_stream_abort", e);
}

int lh_write_line(struct lh *h, int idx, bool change, const char *doing,
		  struct err *e)
{
	lua_State *L = h->L;
	idx = lc_absindex(L, idx);
	struct buf *b = delivery_output(h->d);
	size_t mark = b->len;
	struct encoding en = { b, change, 0, h };
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->encoder);
	lua_pushvalue(L, idx);
	lua_pushlightuserdata(L, &en);
	if (lua_pcall(L, 2, 1, 0) != 0 || en.rc < 0) {
		b->len = mark;
		const char *why = lua_tostring(L, -1);
		err_set(e, "cannot write the %s table: %s",
			change ? "returned" : "event",
			why ? why : "(no message)");
		lua_pop(L, 1);
		return doing ? err_prefix(e, "%s", doing) : -1;
	}
	lua_pop(L, 1);
	buf_putc(b, '\n');
	return delivery_output_wrote(h->d, e);
}

/* Writes what a handler kept: the table at idx as a change line. */
static int write_kept(struct lh *h, int idx, const char *doing, struct err *e)
{
	return lh_write_line(h, idx, true, doing, e);
}

/* A handler's verdict on the table at idx, left below its result: false
 * drops it, a table replaces it, nil keeps it. */
int lh_keep_or_replace(struct lh *h, const char *hook, const char *doing,
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
	case LUA_TUSERDATA:
		if (lh_is_view(L, h, -1)) {
			rc = write_kept(h, -1, doing, e);
			break;
		}
		/* fall through */
	default:
		rc = err_set(e,
			     "%s returned a %s; expected a table, true, false "
			     "or nil",
			     hook, luaL_typename(L, -1));
		if (doing)
			err_prefix(e, "%s", doing);
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
	/* The message handler is pushed in its place, not moved there as
	 * lh_pcall does: this runs for every change. */
	lua_State *L = h->L;
	lh_push_view(h, c);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->traceback);
	lh_push_hook(h, HOOK_CHANGE);
	lua_pushvalue(L, -3); /* stack: view, handler, hook, view */
	int rc = pcall_handled(h, 1, 1, NULL, e);
	if (rc < 0)
		lua_pop(L, 1);
	else
		rc = lh_keep_or_replace(h, "handle_change", NULL, e);
	if (rc == 0)
		return 0;
	/* The context is written only when there was an error: not for
	 * every change. */
	char lsn[LSN_STRLEN];
	return err_prefix(e, "in handle_change (%s.%s, xid %u, lsn %s)",
			  c->rel->nspname, c->rel->relname, c->txn->xid,
			  lsn_format(c->lsn, lsn));
}

int lh_truncate(struct lh *h, const struct truncate *t, struct err *e)
{
	if (!lh_push_hook(h, HOOK_TRUNCATE)) {
		json_truncate_line(delivery_output(h->d), t);
		return delivery_output_wrote(h->d, e);
	}
	lua_State *L = h->L;
	lua_createtable(L, 0, 7);
	lh_set_str(L, "op", "truncate");
	lua_createtable(L, (int)t->nrels, 0);
	for (uint32_t i = 0; i < t->nrels; i++) {
		lua_createtable(L, 0, 3);
		lh_push_relation_fields(L, t->rels[i]);
		lua_rawseti(L, -2, (int)i + 1);
	}
	lua_setfield(L, -2, "relations");
	lua_pushboolean(L, t->cascade);
	lua_setfield(L, -2, "cascade");
	lua_pushboolean(L, t->restart_identity);
	lua_setfield(L, -2, "restart_identity");
	lh_set_lsn(L, "lsn", t->lsn);
	lh_set_txn_fields(L, t->txn);
	char doing[64];
	snprintf(doing, sizeof doing, "in handle_truncate (xid %u)",
		 t->txn->xid);
	return lh_pcall(h, 1, 0, doing, e);
}

int lh_message(struct lh *h, const struct message *m, struct err *e)
{
	if (!lh_push_hook(h, HOOK_MESSAGE)) {
		json_message_line(delivery_output(h->d), m);
		return delivery_output_wrote(h->d, e);
	}
	lua_State *L = h->L;
	lua_createtable(L, 0, 7);
	lh_set_str(L, "op", "message");
	lh_set_str(L, "prefix", m->prefix);
	lua_pushlstring(L, m->content, m->len);
	lua_setfield(L, -2, "content");
	lua_pushboolean(L, m->transactional);
	lua_setfield(L, -2, "transactional");
	lh_set_lsn(L, "lsn", m->lsn);
	if (m->txn)
		lh_set_txn_fields(L, m->txn);
	char doing[300], lsn[LSN_STRLEN];
	snprintf(doing, sizeof doing,
		 "in handle_message (prefix \"%s\", lsn %s)", m->prefix,
		 lsn_format(m->lsn, lsn));
	return lh_pcall(h, 1, 0, doing, e);
}

int lh_ddl(struct lh *h, const struct ddl *d, struct err *e)
{
	if (!lh_push_hook(h, HOOK_DDL)) {
		json_ddl_line(delivery_output(h->d), d);
		return delivery_output_wrote(h->d, e);
	}
	lh_push_ddl(h->L, d);
	char doing[300], lsn[LSN_STRLEN];
	snprintf(doing, sizeof doing, "in handle_ddl (%s %s, lsn %s)", d->tag,
		 d->identity, lsn_format(d->lsn, lsn));
	return lh_pcall(h, 1, 0, doing, e);
}

int lh_data(struct lh *h, const uint8_t *data, size_t len, uint64_t lsn,
	    struct err *e)
{
	if (!lh_push_hook(h, HOOK_DATA)) {
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
	return lh_pcall(h, 2, 0, doing, e);
}

int lh_terminate(struct lh *h, const char *reason, struct err *e)
{
	if (!lh_push_hook(h, HOOK_TERMINATE))
		return 0;
	lua_pushstring(h->L, reason);
	return lh_pcall(h, 1, 0, "in terminate", e);
}
