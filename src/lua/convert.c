/* convert — what a change is in Lua: each value by its type's class in
 * the catalog (integer, number, boolean, string; arrays as Lua arrays;
 * bytea as its raw bytes; NULL and unchanged TOAST as sentinels), each row
 * with the metatable of its relation's description, and each field of a
 * change table (view.c makes them when a script reads them). */
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

/* What a change needs of its relation, made once per description:
 * registry[h->descs][relid] = { mt, names, schema, table, key names, gen,
 * rel }, read by index so that no change hashes a name. rel is a copy of
 * the description, a userdata: a change kept by a script outlives the
 * relcache's. */
enum {
	DESC_MT = 1,
	DESC_NAMES,
	DESC_SCHEMA,
	DESC_TABLE,
	DESC_KEY,
	DESC_GEN,
	DESC_REL
};

/* Builds the metatable of r's rows: __keys, its columns in order (the
 * order a row is written in); __bytea, the columns whose values reach Lua
 * as raw bytes (written as hex text). */
static void new_row_meta(lua_State *L, const struct rel *r)
{
	lua_createtable(L, 0, 2); /* stack: mt */
	lua_createtable(L, r->ncols, 0);
	bool bytea = false;
	for (uint16_t i = 0; i < r->ncols; i++) {
		lua_pushlstring(L, r->cols[i].name, r->cols[i].name_len);
		lua_rawseti(L, -2, i + 1);
		bytea |= r->cols[i].typoid == OID_BYTEA;
	}
	lua_setfield(L, -2, "__keys");
	if (!bytea)
		return;
	lua_newtable(L);
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (r->cols[i].typoid != OID_BYTEA)
			continue;
		lua_pushlstring(L, r->cols[i].name, r->cols[i].name_len);
		lua_pushboolean(L, 1);
		lua_rawset(L, -3);
	}
	lua_setfield(L, -2, "__bytea");
}

static void new_desc(lua_State *L, const struct rel *r)
{
	lua_createtable(L, DESC_REL, 0); /* stack: desc */
	new_row_meta(L, r);
	lua_getfield(L, -1, "__keys");
	lua_rawseti(L, -3, DESC_NAMES);
	lua_rawseti(L, -2, DESC_MT);
	lua_pushstring(L, r->nspname);
	lua_rawseti(L, -2, DESC_SCHEMA);
	lua_pushstring(L, r->relname);
	lua_rawseti(L, -2, DESC_TABLE);
	lua_createtable(L, r->nkeys, 0);
	for (uint16_t i = 0, n = 0; i < r->ncols; i++) {
		if (!r->cols[i].key)
			continue;
		lua_pushlstring(L, r->cols[i].name, r->cols[i].name_len);
		lua_rawseti(L, -2, ++n);
	}
	lua_rawseti(L, -2, DESC_KEY);
	lua_pushnumber(L, (lua_Number)r->gen);
	lua_rawseti(L, -2, DESC_GEN);
	rel_copy_into(lua_newuserdata(L, rel_copy_size(r)), r);
	lua_rawseti(L, -2, DESC_REL);
}

static const struct rel *desc_rel(lua_State *L, int desc)
{
	lua_rawgeti(L, desc, DESC_REL);
	const struct rel *r = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return r;
}

/* Pushes r's description, from registry[h->descs] or made anew. A rel
 * made for one change (the text plugins': gen 0, relid 0) gets one of its
 * own: two tables would share its slot. */
static void push_desc(struct lh *h, const struct rel *r)
{
	lua_State *L = h->L;
	if (!r->gen) {
		new_desc(L, r);
		return;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->descs); /* stack: descs */
	lua_rawgeti(L, -1, (lua_Integer)r->relid);
	if (lua_istable(L, -1)) {
		lua_rawgeti(L, -1, DESC_GEN);
		bool current = lua_tonumber(L, -1) == (lua_Number)r->gen;
		lua_pop(L, 1);
		if (current) {
			lua_remove(L, -2);
			return;
		}
	}
	lua_pop(L, 1);
	new_desc(L, r); /* stack: descs, desc */
	lua_pushvalue(L, -1);
	lua_rawseti(L, -3, (lua_Integer)r->relid);
	lua_remove(L, -2);
}

const struct rel *lh_push_desc(struct lh *h, const struct rel *r)
{
	lua_State *L = h->L;
	if (r->gen && r->gen == h->last_desc_gen) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->last_desc);
		return h->last_desc_rel;
	}
	push_desc(h, r);
	const struct rel *copy = desc_rel(L, lua_gettop(L));
	if (r->gen) {
		lua_pushvalue(L, -1);
		lua_rawseti(L, LUA_REGISTRYINDEX, h->last_desc);
		h->last_desc_gen = r->gen;
		h->last_desc_rel = copy;
	}
	return copy;
}

/* Whether column i is in the row (old or new) of c a script gets: an old
 * key-only row holds just the key columns. */
static bool in_row(const struct change *c, bool old, uint16_t i)
{
	return !old || c->old_kind != 'K' || c->rel->cols[i].key;
}

/* The value of column i in that row: in new, an unchanged TOAST value is
 * taken from a whole old row. */
static const struct datum *row_value(const struct change *c, bool old,
				     uint16_t i)
{
	const struct datum *v = old ? &c->oldv[i] : &c->newv[i];
	if (!old && v->kind == DATUM_UNCHANGED && c->oldv && c->old_kind == 'O')
		return &c->oldv[i];
	return v;
}

/* Pushes a row table with the metatable of the description at desc. */
static void push_row(lua_State *L, const struct change *c, bool old, int desc)
{
	const struct rel *r = c->rel;
	if (!(old ? c->oldv : c->newv)) {
		lua_pushnil(L);
		return;
	}
	lua_rawgeti(L, desc, DESC_NAMES);
	int names = lua_gettop(L);
	bool keys_only = old && c->old_kind == 'K';
	lua_createtable(L, 0, keys_only ? r->nkeys : r->ncols);
	lua_rawgeti(L, desc, DESC_MT);
	lua_setmetatable(L, -2);
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (!in_row(c, old, i))
			continue;
		lua_rawgeti(L, names, i + 1);
		push_datum(L, r->cols[i].typoid, row_value(c, old, i));
		lua_rawset(L, -3);
	}
	lua_remove(L, names);
}

int lh_encode_row(lua_State *L, const struct change *c, bool old,
		  struct buf *b)
{
	const struct rel *r = c->rel;
	bool first = true;
	buf_putc(b, '{');
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (!in_row(c, old, i))
			continue;
		const struct rel_column *col = &r->cols[i];
		push_datum(L, col->typoid, row_value(c, old, i));
		int rc = ljson_encode_column(L, col->name, col->name_len,
					     col->typoid == OID_BYTEA, &first,
					     b);
		lua_pop(L, rc < 0 ? 2 : 1);
		if (rc < 0)
			return -1;
	}
	buf_putc(b, '}');
	return 0;
}

/* registry[h->consts]: the op names by op, then the text of the newest
 * commit time, which every change of a transaction shares. */
enum { CONST_OPS = 1, CONST_TIME = CONST_OPS + CHANGE_READ + 1 };

void lh_open_convert(struct lh *h)
{
	lua_State *L = h->L;
	lua_newtable(L);
	h->descs = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_createtable(L, CONST_TIME, 0);
	for (int op = CHANGE_INSERT; op <= CHANGE_READ; op++) {
		lua_pushstring(L, change_op_name((enum change_op)op));
		lua_rawseti(L, -2, CONST_OPS + op);
	}
	h->consts = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushboolean(L, 0);
	h->last_desc = luaL_ref(L, LUA_REGISTRYINDEX);
}

const char *lh_time_text(struct lh *h, int64_t commit_time)
{
	if (h->time_cached_at != commit_time) {
		pgtime_format(commit_time, h->time_text);
		h->time_cached_at = commit_time;
		h->time_pushed = false;
	}
	return h->time_text;
}

static void push_commit_time(lua_State *L, struct lh *h, int64_t commit_time)
{
	if (!commit_time) {
		lua_pushnil(L);
		return;
	}
	const char *text = lh_time_text(h, commit_time);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->consts);
	if (!h->time_pushed) {
		lua_pushstring(L, text);
		lua_rawseti(L, -2, CONST_TIME);
		h->time_pushed = true;
	}
	lua_rawgeti(L, -1, CONST_TIME);
	lua_remove(L, -2);
}

static void push_opt_str(lua_State *L, const char *s)
{
	if (s)
		lua_pushstring(L, s);
	else
		lua_pushnil(L);
}

/* A copy of the description's key names: a script may change its own. */
static void push_key(lua_State *L, int desc, uint16_t nkeys)
{
	lua_createtable(L, nkeys, 0);
	lua_rawgeti(L, desc, DESC_KEY);
	for (int i = 1; i <= nkeys; i++) {
		lua_rawgeti(L, -1, i);
		lua_rawseti(L, -3, i);
	}
	lua_pop(L, 1);
}

void lh_push_relation_fields(lua_State *L, const struct rel *r)
{
	lh_set_str(L, "schema", r->nspname);
	lh_set_str(L, "table", r->relname);
	lh_set_int(L, "relid", r->relid);
}

void lh_push_field(lua_State *L, struct lh *h, const struct change *c,
		   const struct lh_txn *tx, int desc, enum change_field f)
{
	char lsn[LSN_STRLEN];
	switch (f) {
	case FIELD_OP:
		lua_rawgeti(L, LUA_REGISTRYINDEX, h->consts);
		lua_rawgeti(L, -1, CONST_OPS + (int)c->op);
		lua_remove(L, -2);
		return;
	case FIELD_SCHEMA: lua_rawgeti(L, desc, DESC_SCHEMA); return;
	case FIELD_TABLE: lua_rawgeti(L, desc, DESC_TABLE); return;
	case FIELD_RELID: lua_pushinteger(L, (lua_Integer)c->rel->relid); return;
	case FIELD_KEY: push_key(L, desc, c->rel->nkeys); return;
	case FIELD_LSN: lua_pushstring(L, lsn_format(c->lsn, lsn)); return;
	case FIELD_XID: lua_pushinteger(L, (lua_Integer)tx->xid); return;
	case FIELD_COMMIT_TIME: push_commit_time(L, h, tx->commit_time); return;
	case FIELD_ORIGIN: push_opt_str(L, tx->origin); return;
	case FIELD_GID: push_opt_str(L, tx->gid); return;
	case FIELD_BACKFILL: push_opt_str(L, c->backfill); return;
	case FIELD_NEW: push_row(L, c, false, desc); return;
	case FIELD_OLD: push_row(L, c, true, desc); return;
	case NFIELDS: break;
	}
	lua_pushnil(L);
}
