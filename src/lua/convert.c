/* convert — a change as the table a script gets: each value by its type's
 * class in the catalog (integer, number, boolean, string; arrays as Lua
 * arrays; bytea as its raw bytes; NULL and unchanged TOAST as sentinels),
 * and each row with the metatable of its relation's description. */
#include <stdio.h>
#include <string.h>

#include "decode/types.h"
#include "decode/values.h"
#include "lua/compat.h"
#include "lua/hostdata.h"
#include "lua/json.h"

void lh_set_txn_fields(lua_State *L, const struct txn *tx)
{
	lh_set_int(L, "xid", tx->xid);
	if (tx->commit_time)
		lh_set_str(L, "commit_time", tx->commit_time_text);
	if (tx->origin)
		lh_set_str(L, "origin", tx->origin);
	if (tx->gid)
		lh_set_str(L, "gid", tx->gid);
}

void lh_push_ddl(lua_State *L, const struct ddl *d)
{
	lua_createtable(L, 0, 12);
	lh_set_str(L, "op", "ddl");
	lh_set_str(L, "tag", d->tag);
	lh_set_str(L, "object_type", d->object_type);
	lh_set_str(L, "identity", d->identity);
	if (d->schema)
		lh_set_str(L, "schema", d->schema);
	lh_set_str(L, "statement", d->statement);
	lh_set_int(L, "command", d->command);
	lh_set_lsn(L, "lsn", d->lsn);
	if (d->txn)
		lh_set_txn_fields(L, d->txn);
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
		lua_pushlightuserdata(L, (void *)&ljson_null_sentinel);
		return;
	case DATUM_UNCHANGED:
		lua_pushlightuserdata(L, (void *)&ljson_unchanged_sentinel);
		return;
	case DATUM_BINARY: lua_pushlstring(L, v->data, v->len); return;
	}
	switch (values_class(typoid)) {
	case VAL_INTEGER:
		/* LuaJIT's numbers hold integers exactly only up to 2^53. */
		if (values_parse_int(v->data, v->len, &i) &&
		    i <= LC_EXACT_INTEGER_MAX && i >= -LC_EXACT_INTEGER_MAX) {
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

/* Pushes the metatable of r's rows, made once per description. A rel
 * made for one change (the text plugins': gen 0, relid 0) gets one of its
 * own: two tables would share its slot. */
static void push_row_meta(lua_State *L, const struct rel *r)
{
	if (!r->gen) {
		new_row_meta(L, r);
		return;
	}
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

/* Pushes a row with the metatable at index mt; the column names are
 * taken from its __keys, at index names, made once per description. */
static void push_row(lua_State *L, const struct change *c, bool old, int mt,
		     int names)
{
	const struct rel *r = c->rel;
	const struct datum *vals = old ? c->oldv : c->newv;
	bool keys_only = old && c->old_kind == 'K';
	lua_createtable(L, 0, keys_only ? r->nkeys : r->ncols);
	lua_pushvalue(L, mt);
	lua_setmetatable(L, -2);
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (keys_only && !r->cols[i].key)
			continue;
		const struct datum *v = &vals[i];
		if (!old && v->kind == DATUM_UNCHANGED && c->oldv &&
		    c->old_kind == 'O')
			v = &c->oldv[i];
		lua_rawgeti(L, names, i + 1);
		push_datum(L, r->cols[i].typoid, v);
		lua_rawset(L, -3);
	}
}

void lh_push_relation_fields(lua_State *L, const struct rel *r)
{
	lh_set_str(L, "schema", r->nspname);
	lh_set_str(L, "table", r->relname);
	lh_set_int(L, "relid", r->relid);
}

void lh_push_change(lua_State *L, const struct change *c)
{
	const struct rel *r = c->rel;
	lua_createtable(L, 0, 10);
	int change = lua_gettop(L);
	push_row_meta(L, r);
	int mt = lua_gettop(L);
	lua_getfield(L, mt, "__keys");
	int names = lua_gettop(L);
	lua_pushvalue(L, change); /* the fields go on a copy at the top */
	lh_set_str(L, "op", change_op_name(c->op));
	lh_push_relation_fields(L, r);
	lua_createtable(L, r->nkeys, 0);
	for (uint16_t i = 0, n = 0; i < r->ncols; i++) {
		if (r->cols[i].key) {
			lua_rawgeti(L, names, i + 1);
			lua_rawseti(L, -2, ++n);
		}
	}
	lua_setfield(L, -2, "key");
	lh_set_lsn(L, "lsn", c->lsn);
	lh_set_txn_fields(L, c->txn);
	if (c->backfill)
		lh_set_str(L, "backfill", c->backfill);
	if (c->newv) {
		push_row(L, c, false, mt, names);
		lua_setfield(L, -2, "new");
	}
	if (c->oldv) {
		push_row(L, c, true, mt, names);
		lua_setfield(L, -2, "old");
	}
	lua_settop(L, change);
}
