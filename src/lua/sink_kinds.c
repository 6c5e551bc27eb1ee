/* luasink kinds — the constructors of walhook.sink.stdout{}, .file{},
 * .exec{}, .http{}, .postgres{}, .kafka{}, .nats{} and .redis{}: each
 * reads its options, makes its sink with the kind's batching defaults and
 * pushes its Lua face; the brokers' also take their routing. */
#include "lua/sinks_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "sinks/http.h"
#include "sinks/lines.h"
#include "sinks/pg.h"
#ifdef WALHOOK_KAFKA
#include "sinks/kafka.h"
#endif
#ifdef WALHOOK_NATS
#include "sinks/nats.h"
#endif
#ifdef WALHOOK_REDIS
#include "sinks/redis.h"
#endif

static const char *opt_string(lua_State *L, const char *k, bool required,
			      const char *what)
{
	lua_getfield(L, 1, k);
	const char *v =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	if (!v && required)
		luaL_error(L, "%s needs %s = \"...\"", what, k);
	return v;
}

static void check_opts(lua_State *L)
{
	if (lua_isnoneornil(L, 1)) {
		lua_settop(L, 0);
		lua_newtable(L);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
}

static int l_stdout(lua_State *L)
{
	check_opts(L);
	struct err e;
	struct sink *s = sink_stdout_new(&e);
	s->max_txns = 1;
	luasink_push(L, s, &e, "walhook.sink.stdout");
	return 1;
}

static int l_file(lua_State *L)
{
	check_opts(L);
	const char *path = opt_string(L, "path", true, "walhook.sink.file");
	struct err e;
	struct sink *s = sink_file_new(path, &e);
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 4 << 20;
		s->max_wait_us = 1000000;
	}
	luasink_push(L, s, &e, "walhook.sink.file");
	return 1;
}

static int l_exec(lua_State *L)
{
	check_opts(L);
	const char *cmd = opt_string(L, "command", true, "walhook.sink.exec");
	struct err e;
	struct sink *s = sink_exec_new(cmd, &e);
	if (s) {
		s->max_txns = 100;
		s->max_wait_us = 200000;
	}
	luasink_push(L, s, &e, "walhook.sink.exec");
	return 1;
}

static int l_http(lua_State *L)
{
	check_opts(L);
	struct sink_http_config c = {
		.url = opt_string(L, "url", true, "walhook.sink.http"),
	};
	lua_getfield(L, 1, "timeout");
	c.timeout_s = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 10;
	lua_pop(L, 1);
	double retries = 10;
	char msg[128];
	if (luasink_opt_number(L, "retries", 1e6, &retries, msg, sizeof msg) <
	    0)
		return luaL_error(L, "walhook.sink.http: %s", msg);
	c.max_retries = (int)retries;
	/* headers = { ["Authorization"] = "Bearer ..." } */
	const char *headers[64];
	int nh = 0;
	struct buf hb = { 0 };
	size_t offs[64];
	lua_getfield(L, 1, "headers");
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (nh == 64) {
				buf_free(&hb);
				return luaL_error(
				    L, "walhook.sink.http: at most 64 headers");
			}
			if (lua_type(L, -2) == LUA_TSTRING) {
				/* One at a time: lc_tolstring pushes. */
				const char *name = lua_tostring(L, -2);
				const char *value = lc_tolstring(L, -1, NULL);
				offs[nh++] = hb.len;
				buf_printf(&hb, "%s: %s", name, value);
				buf_putc(&hb, '\0');
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	for (int i = 0; i < nh; i++)
		headers[i] = hb.data + offs[i];
	c.headers = headers;
	c.nheaders = nh;
	struct err e;
	struct sink *s = sink_http_new(&c, &e);
	buf_free(&hb);
	if (s) {
		s->max_txns = 500;
		s->max_bytes = 1 << 20;
		s->max_wait_us = 1000000;
	}
	luasink_push(L, s, &e, "walhook.sink.http");
	return 1;
}

static int l_postgres(lua_State *L)
{
	check_opts(L);
	struct luasink_ctx *ctx = luasink_ctx_of(L);
	struct sink_pg_config c = {
		.conninfo =
		    opt_string(L, "conninfo", true, "walhook.sink.postgres"),
		.progress_name = opt_string(L, "progress_name", false, NULL),
		.slot = ctx->slot,
	};
	lua_getfield(L, 1, "replica_role");
	c.no_replica_role =
	    lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
	lua_pop(L, 1);
	lua_getfield(L, 1, "ddl");
	const char *ddl = lua_isnil(L, -1) ? "ignore" : lua_tostring(L, -1);
	if (!ddl || (strcmp(ddl, "apply") && strcmp(ddl, "ignore")))
		return luaL_error(
		    L,
		    "walhook.sink.postgres: ddl must be \"apply\" or \"ignore\"");
	c.apply_ddl = !strcmp(ddl, "apply");
	lua_pop(L, 1);
	struct err e;
	struct sink *s = sink_pg_new(&c, &e);
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 500000;
	}
	luasink_push(L, s, &e, "walhook.sink.postgres");
	return 1;
}

/* ---- the brokers ---- */

#if !defined(WALHOOK_KAFKA) || !defined(WALHOOK_NATS) || !defined(WALHOOK_REDIS)
/* A broker's constructor in a walhook built without its client library. */
static int not_built(lua_State *L, const char *what, const char *lib,
		     const char *package)
{
	return luaL_error(L,
			  "%s: this walhook was built without %s "
			  "(install %s and build again)",
			  what, lib, package);
}
#endif

#if defined(WALHOOK_KAFKA) || defined(WALHOOK_NATS) || defined(WALHOOK_REDIS)
/* Every option the table at 1 has is one of own's or a common one:
 * anything else (a typo) is an error naming it. */
static void check_known(lua_State *L, const char *what, const char *const *own)
{
	static const char *const common[] = { "batch_transactions",
					      "batch_bytes", "batch_seconds",
					      "format", NULL };
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1); /* stack: ..., key */
		const char *k =
		    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		bool known = false;
		for (const char *const *o = own; k && *o && !known; o++)
			known = !strcmp(*o, k);
		for (const char *const *o = common; k && *o && !known; o++)
			known = !strcmp(*o, k);
		if (!known)
			luaL_error(L, "%s: unknown option %s", what,
				   k ? k : luaL_typename(L, -1));
	}
}

/* dest_opt (a name or a function), key (a function) and prefix (a name):
 * checked before the sink is made, kept in its box after. */
static void check_routing(lua_State *L, const char *what, const char *dest_opt)
{
	lua_getfield(L, 1, dest_opt);
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING &&
	    !lua_isfunction(L, -1))
		luaL_error(
		    L,
		    "%s: %s must be a name or a function of the change, not a %s",
		    what, dest_opt, luaL_typename(L, -1));
	lua_getfield(L, 1, "key");
	if (!lua_isnil(L, -1) && !lua_isfunction(L, -1))
		luaL_error(L,
			   "%s: key must be a function of the change, not a %s",
			   what, luaL_typename(L, -1));
	lua_getfield(L, 1, "prefix");
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "%s: prefix must be a string, not a %s", what,
			   luaL_typename(L, -1));
	lua_pop(L, 3);
}

/* A broker's options: each one of own's or a common one, and its
 * routing (dest_opt, key, prefix) of the right types. */
static void check_broker_options(lua_State *L, const char *what,
				 const char *const *own, const char *dest_opt)
{
	check_known(L, what, own);
	check_routing(L, what, dest_opt);
}

/* Fills the box on top of the stack from the options checked above. */
static int set_routing(lua_State *L, struct luasink_box *bx,
		       const char *dest_opt)
{
	bx->dest_opt = dest_opt;
	lua_getfield(L, 1, dest_opt);
	if (lua_isnil(L, -1))
		lua_pop(L, 1);
	else
		bx->dest_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_getfield(L, 1, "key");
	if (lua_isnil(L, -1))
		lua_pop(L, 1);
	else
		bx->key_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_getfield(L, 1, "prefix");
	if (lua_type(L, -1) == LUA_TSTRING)
		snprintf(bx->prefix, sizeof bx->prefix, "%s",
			 lua_tostring(L, -1));
	lua_pop(L, 1);
	return 1; /* the box */
}

/* Pushes a broker's sink (NULL: raises e) with the brokers' batching
 * defaults and its routing; returns 1, the box. */
static int push_broker(lua_State *L, struct sink *s, struct err *e,
		       const char *what, const char *dest_opt)
{
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 200000;
	}
	return set_routing(L, luasink_push(L, s, e, what), dest_opt);
}
#endif

#if defined(WALHOOK_NATS) || defined(WALHOOK_REDIS)
static double opt_seconds(lua_State *L, const char *what, const char *k,
			  double def)
{
	double v = def;
	char msg[128];
	if (luasink_opt_number(L, k, 86400, &v, msg, sizeof msg) < 0 || v <= 0)
		luaL_error(
		    L,
		    "%s: %s must be a number of seconds above 0 and at most 86400",
		    what, k);
	return v;
}
#endif

#ifdef WALHOOK_KAFKA
/* Strings for config names and values: 128 properties. */
#define KAFKA_MAX_CONFIG 256

/* config = { ["linger.ms"] = 5, ... }: each a librdkafka property, its
 * name and value as strings in cb, pointed at from pairs. Returns how many
 * strings (twice the properties); raises on a bad one, with cb freed. */
static int kafka_config(lua_State *L, const char *what, struct buf *cb,
			const char **pairs)
{
	size_t offs[KAFKA_MAX_CONFIG];
	int n = 0;
	lua_getfield(L, 1, "config");
	if (!lua_isnil(L, -1) && !lua_istable(L, -1)) {
		buf_free(cb);
		return luaL_error(
		    L, "%s: config must be a table of librdkafka properties",
		    what);
	}
	if (lua_istable(L, -1)) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			int t = lua_type(L, -1);
			if (lua_type(L, -2) != LUA_TSTRING ||
			    (t != LUA_TSTRING && t != LUA_TNUMBER &&
			     t != LUA_TBOOLEAN)) {
				buf_free(cb);
				return luaL_error(
				    L,
				    "%s: config takes names of librdkafka properties "
				    "with strings, numbers or booleans",
				    what);
			}
			if (n == KAFKA_MAX_CONFIG) {
				buf_free(cb);
				return luaL_error(
				    L, "%s: at most 128 config properties",
				    what);
			}
			offs[n++] = cb->len;
			buf_puts(cb, lua_tostring(L, -2));
			buf_putc(cb, '\0');
			offs[n++] = cb->len;
			if (t == LUA_TBOOLEAN) {
				buf_puts(cb, lua_toboolean(L, -1) ? "true"
								  : "false");
			} else {
				lua_pushvalue(L,
					      -1); /* tostring of a copy, not of
						      the value next uses */
				buf_puts(cb, lua_tostring(L, -1));
				lua_pop(L, 1);
			}
			buf_putc(cb, '\0');
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	for (int i = 0; i < n; i++)
		pairs[i] = cb->data + offs[i];
	return n;
}
#endif

static int l_kafka(lua_State *L)
{
	static const char *const what = "walhook.sink.kafka";
	check_opts(L);
#ifndef WALHOOK_KAFKA
	return not_built(L, what, "librdkafka", "librdkafka-dev");
#else
	static const char *const own[] = { "brokers",	    "topic",
					   "key",	    "prefix",
					   "config",	    "transactional_id",
					   "offsets_topic", NULL };
	check_broker_options(L, what, own, "topic");
	struct sink_kafka_config c = {
		.brokers = opt_string(L, "brokers", true, what),
		.transactional_id =
		    opt_string(L, "transactional_id", false, NULL),
		.offsets_topic = opt_string(L, "offsets_topic", false, NULL),
	};
	struct buf cb = { 0 };
	const char *pairs[KAFKA_MAX_CONFIG];
	int n = kafka_config(L, what, &cb, pairs);
	c.config = pairs;
	c.nconfig = n / 2;
	struct err e;
	struct sink *s = sink_kafka_new(&c, &e);
	buf_free(&cb);
	return push_broker(L, s, &e, what, "topic");
#endif
}

static int l_nats(lua_State *L)
{
	static const char *const what = "walhook.sink.nats";
	check_opts(L);
#ifndef WALHOOK_NATS
	return not_built(L, what, "libnats", "libnats-dev");
#else
	static const char *const own[] = { "url",    "subject", "key",
					   "prefix", "timeout", "msg_id_prefix",
					   NULL };
	check_broker_options(L, what, own, "subject");
	struct luasink_ctx *ctx = luasink_ctx_of(L);
	const char *slot = opt_string(L, "msg_id_prefix", false, NULL);
	struct sink_nats_config c = {
		.url = opt_string(L, "url", false, NULL),
		.slot = slot	    ? slot
			: ctx->slot ? ctx->slot
				    : "walhook",
		.timeout_s = opt_seconds(L, what, "timeout", 10),
	};
	if (!c.url)
		c.url = "nats://127.0.0.1:4222";
	struct err e;
	struct sink *s = sink_nats_new(&c, &e);
	return push_broker(L, s, &e, what, "subject");
#endif
}

static int l_redis(lua_State *L)
{
	static const char *const what = "walhook.sink.redis";
	check_opts(L);
#ifndef WALHOOK_REDIS
	return not_built(L, what, "hiredis", "libhiredis-dev");
#else
	static const char *const own[] = { "url",     "stream", "key",
					   "prefix",  "maxlen", "replicas",
					   "timeout", NULL };
	check_broker_options(L, what, own, "stream");
	double maxlen = 0, replicas = 0;
	char msg[128];
	if (luasink_opt_number(L, "maxlen", 1e15, &maxlen, msg, sizeof msg) <
		0 ||
	    luasink_opt_number(L, "replicas", 1000, &replicas, msg,
			       sizeof msg) < 0)
		return luaL_error(L, "%s: %s", what, msg);
	struct sink_redis_config c = {
		.url = opt_string(L, "url", false, NULL),
		.maxlen = (long long)maxlen,
		.replicas = (int)replicas,
		.timeout_s = opt_seconds(L, what, "timeout", 10),
	};
	if (!c.url)
		c.url = "redis://127.0.0.1:6379";
	struct err e;
	struct sink *s = sink_redis_new(&c, &e);
	return push_broker(L, s, &e, what, "stream");
#endif
}

const struct luasink_kind luasink_kinds[] = {
	{ "stdout", l_stdout },
	{ "file", l_file },
	{ "exec", l_exec },
	{ "http", l_http },
	{ "postgres", l_postgres },
	{ "kafka", l_kafka },
	{ "nats", l_nats },
	{ "redis", l_redis },
	{ NULL, NULL },
};
