#include "luasink.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "luajson.h"
#include "sink_http.h"
#include "sink_lines.h"
#include "sink_pg.h"

#define SINK_MT "walhook.sink"

static struct luasink_ctx *ctx_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static struct sink *check_sink(lua_State *L)
{
	struct sink **box = luaL_checkudata(L, 1, SINK_MT);
	return *box;
}

/* ---- Lua values as PostgreSQL text, for sinks that apply rows ---- */

static void put_text(lua_State *L, int idx, struct buf *b, bool in_array);

/* A number as float8in and numeric_in read it: the shortest digits that
 * read back as the same double, NaN and the infinities spelled as the
 * server spells them (JSON's quotes around them would be part of the
 * value). */
static void put_double(struct buf *b, double d)
{
	if (isnan(d))
		buf_puts(b, "NaN");
	else if (isinf(d))
		buf_puts(b, d > 0 ? "Infinity" : "-Infinity");
	else
		json_put_double(b, d);
}

/* A Lua array as PostgreSQL's array text: {1,"a b",NULL}. */
static void put_array(lua_State *L, int idx, struct buf *b)
{
	size_t n = lh_rawlen(L, idx);
	buf_putc(b, '{');
	for (size_t i = 1; i <= n; i++) {
		if (i > 1)
			buf_putc(b, ',');
		lua_rawgeti(L, idx, (int)i);
		put_text(L, lua_gettop(L), b, true);
		lua_pop(L, 1);
	}
	buf_putc(b, '}');
}

static void put_text(lua_State *L, int idx, struct buf *b, bool in_array)
{
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		buf_putc(b, lua_toboolean(L, idx) ? 't' : 'f');
		return;
	case LUA_TNUMBER: {
		/* LuaJIT takes -0.0 for an integer: its sign would be lost. */
		double d = (double)lua_tonumber(L, idx);
		if (lh_isinteger(L, idx) && !(d == 0 && signbit(d)))
			buf_printf(b, "%lld", lh_tointeger(L, idx));
		else
			put_double(b, d);
		return;
	}
	case LUA_TTABLE:
		put_array(L, idx, b);
		return;
	case LUA_TLIGHTUSERDATA: /* walhook.null inside an array */
		buf_puts(b, "NULL");
		return;
	default: {
		size_t n;
		const char *s = lh_tolstring(L, idx, &n);
		if (!in_array) {
			buf_put(b, s, n);
		} else {
			buf_putc(b, '"');
			for (size_t i = 0; i < n; i++) {
				if (s[i] == '"' || s[i] == '\\')
					buf_putc(b, '\\');
				buf_putc(b, s[i]);
			}
			buf_putc(b, '"');
		}
		lua_pop(L, 1);
	}
	}
}

/* The row table at idx as names and values; texts go into b and are
 * pointed at once b stops growing. */
struct row_cols {
	const char **names;
	struct datum *values;
	size_t *offs;
	size_t n;
};

static void read_row(lua_State *L, int idx, struct row_cols *rc, struct buf *b)
{
	size_t cap = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -2) == LUA_TSTRING) {
			if (rc->n == cap) {
				cap = cap ? cap * 2 : 16;
				rc->names = realloc(rc->names, cap * sizeof *rc->names);
				rc->values = realloc(rc->values, cap * sizeof *rc->values);
				rc->offs = realloc(rc->offs, cap * sizeof *rc->offs);
				if (!rc->names || !rc->values || !rc->offs)
					abort();
			}
			size_t i = rc->n++;
			rc->names[i] = lua_tostring(L, -2); /* held by the table */
			void *v = lua_touserdata(L, -1);
			if (lua_islightuserdata(L, -1) && v == &lj_null_sentinel) {
				rc->values[i] = (struct datum){ .kind = DATUM_NULL };
			} else if (lua_islightuserdata(L, -1) && v == &lj_unchanged_sentinel) {
				rc->values[i] = (struct datum){ .kind = DATUM_UNCHANGED };
			} else {
				size_t off = b->len;
				put_text(L, lua_gettop(L), b, false);
				rc->values[i] = (struct datum){ .kind = DATUM_TEXT,
								.len = (uint32_t)(b->len - off) };
				rc->offs[i] = off;
				/* libpq reads text parameters up to a NUL. */
				buf_putc(b, '\0');
			}
		}
		lua_pop(L, 1);
	}
}

static void fix_row(struct row_cols *rc, struct buf *b)
{
	for (size_t i = 0; i < rc->n; i++)
		if (rc->values[i].kind == DATUM_TEXT)
			rc->values[i].data = b->data + rc->offs[i];
}

static void free_row(struct row_cols *rc)
{
	free(rc->names);
	free(rc->values);
	free(rc->offs);
}

static const char *field(lua_State *L, int idx, const char *k)
{
	lua_getfield(L, idx, k);
	const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1); /* the table holds the string */
	return s;
}

static int write_truncate(lua_State *L, struct sink *s, struct err *e)
{
	lua_getfield(L, 2, "relations");
	int rels = lua_gettop(L);
	size_t n = lua_istable(L, rels) ? lh_rawlen(L, rels) : 0;
	const char **schemas = calloc(n + 1, sizeof *schemas);
	const char **tables = calloc(n + 1, sizeof *tables);
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, rels, (int)i + 1);
		schemas[i] = lua_istable(L, -1) ? field(L, lua_gettop(L), "schema") : NULL;
		tables[i] = lua_istable(L, -1) ? field(L, lua_gettop(L), "table") : NULL;
		lua_pop(L, 1);
	}
	lua_getfield(L, 2, "cascade");
	lua_getfield(L, 2, "restart_identity");
	struct sink_truncate t = { n, schemas, tables, lua_toboolean(L, -2),
				   lua_toboolean(L, -1) };
	int rc = s->ops->write_truncate(s, &t, e);
	free(schemas);
	free(tables);
	lua_settop(L, rels - 1);
	return rc;
}

/* A change table as a row to apply. */
static int write_row(lua_State *L, struct sink *s, struct err *e)
{
	const char *op = field(L, 2, "op");
	if (op && strcmp(op, "truncate") == 0 && s->ops->write_truncate)
		return write_truncate(L, s, e);
	if (!op || (strcmp(op, "insert") && strcmp(op, "update") &&
		    strcmp(op, "delete") && strcmp(op, "read")))
		return err_set(e, "write: op must be insert, update, delete, read or truncate");
	struct row_cols nw = { 0 }, old = { 0 };
	struct buf text = { 0 };
	int top = lua_gettop(L);
	lua_getfield(L, 2, "new");
	if (lua_istable(L, -1))
		read_row(L, lua_gettop(L), &nw, &text);
	lua_getfield(L, 2, "old");
	if (lua_istable(L, -1))
		read_row(L, lua_gettop(L), &old, &text);
	fix_row(&nw, &text);
	fix_row(&old, &text);
	lua_getfield(L, 2, "key");
	int keyidx = lua_gettop(L);
	size_t nkeys = lua_istable(L, keyidx) ? lh_rawlen(L, keyidx) : 0;
	const char **keys = calloc(nkeys + 1, sizeof *keys);
	for (size_t i = 0; i < nkeys; i++) {
		lua_rawgeti(L, keyidx, (int)i + 1);
		keys[i] = lua_tostring(L, -1);
		lua_pop(L, 1);
	}
	struct sink_row row = {
		.op = op,
		.schema = field(L, 2, "schema"),
		.table = field(L, 2, "table"),
		.ncols = nw.n, .names = nw.names, .values = nw.values,
		.nold = old.n, .old_names = old.names, .old_values = old.values,
		.nkeys = nkeys, .keys = keys,
	};
	int rc = row.table ? s->ops->write_row(s, &row, e)
			   : err_set(e, "write: the change has no table");
	free(keys);
	free_row(&nw);
	free_row(&old);
	buf_free(&text);
	lua_settop(L, top);
	return rc;
}

/* s:write(t): a change table (or any table, for JSON sinks). */
static int l_write(lua_State *L)
{
	/* stack: sink, table; upvalue 1: the context */
	struct sink *s = check_sink(L);
	luaL_checktype(L, 2, LUA_TTABLE);
	struct err e;
	if (s->skipping)
		return 0;
	int rc;
	if (s->ops->write_json) {
		struct luasink_ctx *ctx = ctx_of(L);
		struct buf b = { 0 };
		const char *op = field(L, 2, "op");
		bool change = op && (!strcmp(op, "insert") || !strcmp(op, "update") ||
				     !strcmp(op, "delete") || !strcmp(op, "read"));
		rc = change ? lj_encode_change(L, 2, *ctx->current_rel, &b)
			    : lj_encode(L, 2, &b);
		if (rc < 0) {
			buf_free(&b);
			return luaL_error(L, "%s: write: %s", s->name, lua_tostring(L, -1));
		}
		rc = s->ops->write_json(s, b.data, b.len, &e);
		buf_free(&b);
	} else {
		rc = write_row(L, s, &e);
	}
	if (rc < 0) {
		ctx_of(L)->transient = e.transient;
		return luaL_error(L, "%s: %s", s->name, e.msg);
	}
	return 0;
}

/* s:flush(): makes everything written so far durable now. */
static int l_flush(lua_State *L)
{
	struct sink *s = check_sink(L);
	struct err e;
	if (s->ops->flush(s, &e) < 0)
		return luaL_error(L, "%s: %s", s->name, e.msg);
	return 0;
}

static int l_tostring(lua_State *L)
{
	struct sink *s = check_sink(L);
	lua_pushfstring(L, "walhook.sink(%s)", s->name);
	return 1;
}

/* Batching options every sink takes. */
static void read_batching(lua_State *L, struct sink *s)
{
	lua_getfield(L, 1, "batch_transactions");
	if (lua_isnumber(L, -1))
		s->max_txns = (size_t)lua_tonumber(L, -1);
	lua_getfield(L, 1, "batch_bytes");
	if (lua_isnumber(L, -1))
		s->max_bytes = (size_t)lua_tonumber(L, -1);
	lua_getfield(L, 1, "batch_seconds");
	if (lua_isnumber(L, -1))
		s->max_wait_us = (int64_t)(lua_tonumber(L, -1) * 1e6);
	lua_pop(L, 3);
}

static int push_sink(lua_State *L, struct sink *s, struct err *e,
		     const char *what)
{
	if (!s)
		return luaL_error(L, "%s: %s", what, e->msg);
	struct luasink_ctx *ctx = ctx_of(L);
	read_batching(L, s);
	sinks_add(ctx->sinks, s);
	struct sink **box = lua_newuserdata(L, sizeof *box);
	*box = s; /* the sink list owns the sink */
	luaL_getmetatable(L, SINK_MT);
	lua_setmetatable(L, -2);
	return 1;
}

static const char *opt_string(lua_State *L, const char *k, bool required,
			      const char *what)
{
	lua_getfield(L, 1, k);
	const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
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
	return push_sink(L, s, &e, "walhook.sink.stdout");
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
	return push_sink(L, s, &e, "walhook.sink.file");
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
	return push_sink(L, s, &e, "walhook.sink.exec");
}

static int l_http(lua_State *L)
{
	check_opts(L);
	struct sink_http_config c = {
		.url = opt_string(L, "url", true, "walhook.sink.http"),
	};
	lua_getfield(L, 1, "timeout");
	c.timeout_s = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 10;
	lua_getfield(L, 1, "retries");
	c.max_retries = lua_isnumber(L, -1) ? (int)lua_tonumber(L, -1) : 10;
	lua_pop(L, 2);
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
				return luaL_error(L, "walhook.sink.http: at most 64 headers");
			}
			if (lua_type(L, -2) == LUA_TSTRING) {
				/* One at a time: lh_tolstring pushes. */
				const char *name = lua_tostring(L, -2);
				const char *value = lh_tolstring(L, -1, NULL);
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
	return push_sink(L, s, &e, "walhook.sink.http");
}

static int l_postgres(lua_State *L)
{
	check_opts(L);
	struct luasink_ctx *ctx = ctx_of(L);
	struct sink_pg_config c = {
		.conninfo = opt_string(L, "conninfo", true, "walhook.sink.postgres"),
		.progress_name = opt_string(L, "progress_name", false, NULL),
		.slot = ctx->slot,
	};
	lua_getfield(L, 1, "replica_role");
	c.no_replica_role = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
	lua_pop(L, 1);
	struct err e;
	struct sink *s = sink_pg_new(&c, &e);
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 500000;
	}
	return push_sink(L, s, &e, "walhook.sink.postgres");
}

void luasink_open(lua_State *L, struct luasink_ctx *ctx)
{
	luaL_newmetatable(L, SINK_MT);
	lua_newtable(L);
	lua_pushlightuserdata(L, ctx);
	lua_pushcclosure(L, l_write, 1);
	lua_setfield(L, -2, "write");
	lua_pushcfunction(L, l_flush);
	lua_setfield(L, -2, "flush");
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	static const struct {
		const char *name;
		lua_CFunction fn;
	} kinds[] = {
		{ "stdout", l_stdout }, { "file", l_file }, { "exec", l_exec },
		{ "http", l_http },     { "postgres", l_postgres },
	};
	lua_newtable(L); /* stack: walhook, sink */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		lua_pushlightuserdata(L, ctx);
		lua_pushcclosure(L, kinds[i].fn, 1);
		lua_setfield(L, -2, kinds[i].name);
	}
	lua_setfield(L, -2, "sink");
}
