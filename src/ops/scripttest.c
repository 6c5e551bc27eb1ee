#include "ops/scripttest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/delivery.h"
#include "lua/compat.h"
#include "lua/host.h"
#include "lua/json.h"
#include "ops/replay.h"
#include "sinks/lines.h"
#include "walhook_test_lua.h"

#define SCRIPT_MT "walhook.test.script"

/* A script under test: its own host, and sinks whose output is kept in
 * memory. */
struct script {
	struct lh *lh;
	struct delivery d;
	struct buf text; /* what it wrote, read back */
	char path[512];
};

static const char *default_replay;

static struct script *check_script(lua_State *L)
{
	struct script *s = luaL_checkudata(L, 1, SCRIPT_MT);
	if (!s->lh)
		luaL_error(L, "the script was closed");
	return s;
}

/* Pushes a list of what the script wrote since the last call: a table for
 * each JSON line, a string for any other line (print). */
static void push_output(lua_State *L, struct script *s)
{
	struct buf *b = &s->text;
	buf_reset(b);
	sink_memory_take(s->d.output, b);
	lua_newtable(L);
	int n = 0;
	char msg[64];
	for (size_t start = 0; start < b->len;) {
		char *nl = memchr(b->data + start, '\n', b->len - start);
		size_t end = nl ? (size_t)(nl - b->data) : b->len;
		if (ljson_decode(L, b->data + start, end - start, msg,
				 sizeof msg) < 0)
			lua_pushlstring(L, b->data + start, end - start);
		lua_rawseti(L, -2, ++n);
		start = end + 1;
	}
}

/* s:feed(events): each event table goes through the script as a fixture
 * line would. */
static int l_feed(lua_State *L)
{
	struct script *s = check_script(L);
	luaL_checktype(L, 2, LUA_TTABLE);
	struct buf line = { 0 };
	struct err e;
	int failed = 0;
	size_t n = lc_rawlen(L, 2);
	for (size_t i = 1; i <= n && !failed; i++) {
		lua_rawgeti(L, 2, (int)i);
		buf_reset(&line);
		if (ljson_encode(L, -1, &line) < 0) {
			buf_free(&line);
			return luaL_error(L, "s:feed: event %d: %s", (int)i,
					  lua_tostring(L, -1));
		}
		lua_pop(L, 1);
		char where[64];
		snprintf(where, sizeof where, "event %d", (int)i);
		failed =
		    lh_fixture_line(s->lh, line.data, line.len, where, &e) < 0;
	}
	buf_free(&line);
	if (!failed)
		failed = lh_fixture_end(s->lh, &e) < 0;
	if (failed)
		return luaL_error(L, "%s: %s", s->path, e.msg);
	push_output(L, s);
	return 1;
}

/* s:replay([file]): a recording or fixture through the script; by default
 * the file given with --replay. */
static int l_replay(lua_State *L)
{
	struct script *s = check_script(L);
	const char *path = luaL_optstring(L, 2, default_replay);
	if (!path)
		return luaL_error(
		    L,
		    "s:replay(): no file given, and walhook was run without --replay");
	static volatile sig_atomic_t never;
	struct err e;
	if (replay_run(path, s->lh, &s->d, NULL, 0, &never, &e) < 0)
		return luaL_error(L, "%s", e.msg);
	push_output(L, s);
	return 1;
}

static int l_script_gc(lua_State *L)
{
	struct script *s = luaL_checkudata(L, 1, SCRIPT_MT);
	if (!s->lh)
		return 0;
	lh_free(s->lh);
	delivery_free(&s->d);
	buf_free(&s->text);
	s->lh = NULL;
	return 0;
}

/* t.load(path[, {vars = {...}}]) */
static int l_load(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct pair vars[64];
	int nvars = 0;
	/* The vars as strings, in a table that keeps them alive until the
	 * script has copied them: stack: path, opts, strings. */
	lua_settop(L, 2);
	lua_newtable(L);
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "vars");
		if (lua_istable(L, -1)) {
			lua_pushnil(L);
			while (lua_next(L, -2) && nvars < 64) {
				if (lua_type(L, -2) == LUA_TSTRING) {
					lua_pushvalue(L, -2);
					lua_rawseti(L, 3, 2 * nvars + 1);
					lc_tolstring(L, -1, NULL);
					lua_rawseti(L, 3, 2 * nvars + 2);
					nvars++;
				}
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	for (int i = 0; i < nvars; i++) {
		lua_rawgeti(L, 3, 2 * i + 1);
		vars[i].name = lua_tostring(L, -1);
		lua_rawgeti(L, 3, 2 * i + 2);
		vars[i].value = lua_tostring(L, -1);
		lua_pop(L, 2);
	}
	struct script *s = lua_newuserdata(L, sizeof *s);
	memset(s, 0, sizeof *s);
	snprintf(s->path, sizeof s->path, "%s", path);
	delivery_init(&s->d, NULL, NULL);
	delivery_set_output(&s->d, sink_memory_new());
	luaL_getmetatable(L, SCRIPT_MT);
	lua_setmetatable(L, -2);
	struct lh_config cfg = {
		.script = path,
		.vars = vars,
		.nvars = nvars,
		.delivery = &s->d,
	};
	struct err e;
	s->lh = lh_new(&cfg, &e);
	if (!s->lh) {
		delivery_free(&s->d);
		return luaL_error(L, "%s", e.msg);
	}
	return 1;
}

/* Adds walhook.test (the Lua module compiled into walhook, plus t.load)
 * to the test file's state. */
static void open_test_module(void *state, void *arg)
{
	lua_State *L = state;
	(void)arg;
	luaL_newmetatable(L, SCRIPT_MT);
	static const luaL_Reg methods[] = { { "feed", l_feed },
					    { "replay", l_replay },
					    { NULL, NULL } };
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_script_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);

	if (luaL_loadbuffer(L, walhook_test_lua, sizeof walhook_test_lua,
			    "@walhook/test.lua") != 0 ||
	    lua_pcall(L, 0, 1, 0) != 0) {
		fprintf(stderr, "walhook: %s\n", lua_tostring(L, -1));
		abort(); /* the module is part of walhook itself */
	}
	lua_pushcfunction(L, l_load);
	lua_setfield(L, -2, "load");
	/* stack: module; as walhook.test and require "walhook.test" */
	lua_getglobal(L, "walhook");
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "test");
	lua_pop(L, 1);
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "loaded");
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "walhook.test");
	lua_pop(L, 3);
}

int luatest_run(const char *test_file, const char *replay)
{
	struct delivery d;
	struct err e;
	default_replay = replay;
	delivery_init(&d, NULL, NULL);
	delivery_set_output(&d, sink_output_new(NULL, 0, &e));
	struct lh_config cfg = {
		.script = test_file,
		.delivery = &d,
		.extend = open_test_module,
	};
	struct lh *h = lh_new(&cfg, &e);
	bool passed = false;
	int rc = 1;
	if (h && lh_call(h, "walhook.test.run", &passed, &e) == 0)
		rc = passed ? 0 : 1;
	else
		fprintf(stderr, "walhook: %s\n", e.msg);
	if (delivery_stop(&d, &e) < 0) {
		fprintf(stderr, "walhook: %s\n", e.msg);
		rc = 1;
	}
	lh_free(h);
	delivery_free(&d);
	return rc;
}
