/* view — the change handle_change gets. Made as a table, a change cost Lua
 * more than everything else walhook does with it, and a script that drops
 * most changes reads two fields of each. So a script gets a userdata that
 * holds a copy of the change, values included (a script may keep it past
 * the hook), and makes each field when it is read, as convert.c makes
 * them. A write, pairs or next makes the whole change table, which from
 * then on is the change: the view hands everything to it.
 *
 * A view's state, and its user value in each:
 *   LAZY     the relation's description;
 *   PARTIAL  { description, key, new, old }: the fields read so far that
 *            are tables, so that c.new is the same table at every read;
 *   FULL     the change table. */
#include <string.h>

#include "core/json.h"
#include "lua/hostdata.h"
#include "lua/json.h"

enum view_state { VIEW_LAZY, VIEW_PARTIAL, VIEW_FULL };
enum { PART_DESC = 1, PART_KEY, PART_NEW, PART_OLD };

struct view {
	struct change c; /* c.rel: the description's copy; c.txn: NULL */
	struct lh_txn tx;
	enum view_state state;
	/* c's rows (new, then old), then their bytes and the strings */
	struct datum vals[];
};

/* What getmetatable says of a view, and the pairs of LuaJIT knows one by. */
#define VIEW_NAME "walhook.change"

static const char *const field_names[NFIELDS] = {
	[FIELD_OP] = "op",
	[FIELD_SCHEMA] = "schema",
	[FIELD_TABLE] = "table",
	[FIELD_RELID] = "relid",
	[FIELD_KEY] = "key",
	[FIELD_LSN] = "lsn",
	[FIELD_XID] = "xid",
	[FIELD_COMMIT_TIME] = "commit_time",
	[FIELD_ORIGIN] = "origin",
	[FIELD_GID] = "gid",
	[FIELD_BACKFILL] = "backfill",
	[FIELD_NEW] = "new",
	[FIELD_OLD] = "old",
};

/* The change table's constructor: its keys are constants of the chunk,
 * where set one by one through the C API each would be looked up as a C
 * string again. Its arguments come in enum change_field's order. */
static const char envelope_chunk[] =
    "return function(op, schema, tbl, relid, key, lsn, xid, commit_time,\n"
    "                origin, gid, backfill, new, old)\n"
    "  return { op = op, schema = schema, table = tbl, relid = relid,\n"
    "           key = key, lsn = lsn, xid = xid, commit_time = commit_time,\n"
    "           origin = origin, gid = gid, backfill = backfill,\n"
    "           new = new, old = old }\n"
    "end\n";

/* The slot of a PARTIAL view's user value that keeps field f, or 0. */
static int part_of(enum change_field f)
{
	switch (f) {
	case FIELD_KEY: return PART_KEY;
	case FIELD_NEW: return PART_NEW;
	case FIELD_OLD: return PART_OLD;
	default: return 0;
	}
}

/* The field the key at idx names, or NFIELDS. Names are found by
 * address: Lua keeps one copy of every short string. */
static enum change_field field_at(const struct lh *h, lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TSTRING)
		return NFIELDS;
	const char *k = lua_tostring(L, idx);
	for (int f = 0; f < NFIELDS; f++)
		if (h->field_names[f] == k)
			return (enum change_field)f;
	return NFIELDS;
}

/* Pushes field f of v, whose user value is at uv, made from its copy. */
static void push_made(lua_State *L, struct lh *h, struct view *v, int uv,
		      enum change_field f)
{
	if (v->state == VIEW_LAZY) {
		lh_push_field(L, h, &v->c, &v->tx, uv, f);
		return;
	}
	lua_rawgeti(L, uv, PART_DESC);
	lh_push_field(L, h, &v->c, &v->tx, lua_gettop(L), f);
	lua_remove(L, -2);
}

/* Pushes the table a PARTIAL view keeps in slot part, which the script may
 * have changed, and returns true; false, nothing pushed, if it keeps none. */
static bool push_kept(lua_State *L, const struct view *v, int uv, int part)
{
	if (!part || v->state != VIEW_PARTIAL)
		return false;
	lua_rawgeti(L, uv, part);
	if (!lua_isnil(L, -1))
		return true;
	lua_pop(L, 1);
	return false;
}

/* Makes the LAZY view at idx, whose user value is at uv, PARTIAL: its user
 * value (and uv) becomes the table of slots, its description in the first. */
static void make_partial(lua_State *L, struct view *v, int idx, int uv)
{
	lua_createtable(L, PART_OLD, 0);
	lua_pushvalue(L, uv);
	lua_rawseti(L, -2, PART_DESC);
	lua_pushvalue(L, -1);
	lc_setuservalue(L, idx);
	lua_replace(L, uv);
	v->state = VIEW_PARTIAL;
}

/* Pushes field f of the view v at idx, whose user value is at uv, and
 * keeps it there if it is a table. */
static void push_value(lua_State *L, struct lh *h, int idx, struct view *v,
		       int uv, enum change_field f)
{
	int part = part_of(f);
	if (push_kept(L, v, uv, part))
		return;
	if (!part) {
		push_made(L, h, v, uv, f);
		return;
	}
	if (v->state == VIEW_LAZY)
		make_partial(L, v, idx, uv);
	push_made(L, h, v, uv, f);
	lua_pushvalue(L, -1);
	lua_rawseti(L, uv, part);
}

/* Pushes the change table of the view at idx, made now if it was not. */
static void push_table(lua_State *L, struct lh *h, int idx)
{
	struct view *v = lua_touserdata(L, idx);
	lc_getuservalue(L, idx);
	if (v->state == VIEW_FULL)
		return;
	lua_checkstack(L, NFIELDS + 8);
	int uv = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->envelope);
	for (int f = 0; f < NFIELDS; f++)
		if (!push_kept(L, v, uv, part_of((enum change_field)f)))
			push_made(L, h, v, uv, (enum change_field)f);
	lua_call(L, NFIELDS, 1);
	lua_replace(L, uv);
	lua_pushvalue(L, uv);
	lc_setuservalue(L, idx);
	v->state = VIEW_FULL;
}

static struct lh *host_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static int view_index(lua_State *L)
{
	struct lh *h = host_of(L);
	struct view *v = lua_touserdata(L, 1);
	lc_getuservalue(L, 1); /* stack: view, key, user value */
	if (v->state == VIEW_FULL) {
		lua_pushvalue(L, 2);
		lua_rawget(L, 3);
		return 1;
	}
	enum change_field f = field_at(h, L, 2);
	if (f == NFIELDS)
		return 0;
	push_value(L, h, 1, v, 3, f);
	return 1;
}

static int view_newindex(lua_State *L)
{
	push_table(L, host_of(L), 1); /* stack: view, key, value, table */
	lua_insert(L, 2);
	lua_rawset(L, 2);
	return 0;
}

/* upvalue 2: Lua's own next */
static int view_pairs(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(2));
	push_table(L, host_of(L), 1);
	lua_pushnil(L);
	return 3;
}

static int view_len(lua_State *L)
{
	struct view *v = lua_touserdata(L, 1);
	if (v->state != VIEW_FULL) {
		lua_pushinteger(L, 0);
		return 1;
	}
	lc_getuservalue(L, 1);
	lua_pushinteger(L, (lua_Integer)lc_rawlen(L, -1));
	return 1;
}

/* What the encoders and sinks take a view for (json.h). */
static int view_table(lua_State *L)
{
	push_table(L, host_of(L), 1);
	return 1;
}

/* next, for tables and views alike. */
static int view_next(lua_State *L)
{
	struct lh *h = host_of(L);
	if (lh_is_view(L, h, 1)) {
		push_table(L, h, 1);
		lua_replace(L, 1);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

#if LUA_VERSION_NUM < 502
/* LuaJIT's pairs does not ask __pairs; in Lua, so that its loops still
 * compile. */
static const char pairs_chunk[] =
    "local mark, totable, rawpairs, rawnext, getmetatable = ...\n"
    "return function(t)\n"
    "  if getmetatable(t) == mark then return rawnext, totable(t), nil end\n"
    "  return rawpairs(t)\n"
    "end\n";

static void open_pairs(lua_State *L, int totable)
{
	if (luaL_loadbuffer(L, pairs_chunk, sizeof pairs_chunk - 1,
			    "=pairs") != 0)
		lua_error(L);
	lua_pushstring(L, VIEW_NAME);
	lua_pushvalue(L, totable);
	lua_getglobal(L, "pairs");
	lua_getglobal(L, "next");
	lua_getglobal(L, "getmetatable");
	lua_call(L, 5, 1);
	lua_setglobal(L, "pairs");
}
#endif

/* The order ljson_encode_change writes a change table's fields in: the
 * keys it knows first, in its order, then the rest sorted. */
static void open_order(struct lh *h)
{
	bool placed[NFIELDS] = { false };
	int n = 0;
	const char *k;
	for (size_t i = 0; (k = ljson_change_key(i)); i++) {
		for (int f = 0; f < NFIELDS; f++) {
			if (!placed[f] && strcmp(field_names[f], k) == 0) {
				h->field_order[n++] = (enum change_field)f;
				placed[f] = true;
			}
		}
	}
	while (n < NFIELDS) {
		int least = -1;
		for (int f = 0; f < NFIELDS; f++)
			if (!placed[f] &&
			    (least < 0 ||
			     strcmp(field_names[f], field_names[least]) < 0))
				least = f;
		h->field_order[n++] = (enum change_field)least;
		placed[least] = true;
	}
}

/* A metamethod with the host (and Lua's next) as upvalues. */
static void set_method(struct lh *h, int mt, const char *name,
		       lua_CFunction fn, int next)
{
	lua_State *L = h->L;
	lua_pushlightuserdata(L, h);
	lua_pushvalue(L, next);
	lua_pushcclosure(L, fn, 2);
	lua_setfield(L, mt, name);
}

void lh_open_view(struct lh *h)
{
	lua_State *L = h->L;
	if (luaL_loadbuffer(L, envelope_chunk, sizeof envelope_chunk - 1,
			    "=change") != 0)
		lua_error(L); /* out of memory: the chunk itself is fixed */
	lua_call(L, 0, 1);
	h->envelope = luaL_ref(L, LUA_REGISTRYINDEX);
	open_order(h);
	lua_getglobal(L, "next");
	int next = lua_gettop(L);
	lua_createtable(L, NFIELDS, 8);
	int mt = next + 1;
	set_method(h, mt, "__index", view_index, next);
	set_method(h, mt, "__newindex", view_newindex, next);
	set_method(h, mt, "__pairs", view_pairs, next);
	set_method(h, mt, "__len", view_len, next);
	set_method(h, mt, "__table", view_table, next);
	lua_pushstring(L, VIEW_NAME);
	lua_setfield(L, mt, "__metatable");
	lua_pushstring(L, VIEW_NAME);
	lua_setfield(L, mt, "__name");
	/* The names stay in the metatable: their addresses must not change. */
	for (int f = 0; f < NFIELDS; f++) {
		lua_pushstring(L, field_names[f]);
		h->field_names[f] = lua_tostring(L, -1);
		lua_rawseti(L, mt, f + 1);
	}
	lua_pushvalue(L, mt);
	h->view_mt = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushlightuserdata(L, h);
	lua_pushcclosure(L, view_next, 1);
	lua_setglobal(L, "next");
#if LUA_VERSION_NUM < 502
	lua_getfield(L, mt, "__table");
	open_pairs(L, lua_gettop(L));
#endif
	lua_settop(L, next - 1);
}

bool lh_is_view(lua_State *L, struct lh *h, int idx)
{
	if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
		return false;
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->view_mt);
	bool is = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return is;
}

/* Whether a value has bytes of its own to copy. */
static bool has_bytes(const struct datum *d)
{
	return d->kind == DATUM_TEXT || d->kind == DATUM_BINARY;
}

static size_t row_size(const struct datum *vals, uint16_t n)
{
	if (!vals)
		return 0;
	size_t size = n * sizeof *vals;
	for (uint16_t i = 0; i < n; i++)
		if (has_bytes(&vals[i]))
			size += vals[i].len;
	return size;
}

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies n values to dst, their bytes to *tail; returns dst. */
static const struct datum *copy_row(struct datum *dst, const struct datum *src,
				    uint16_t n, char **tail)
{
	if (!src)
		return NULL;
	for (uint16_t i = 0; i < n; i++) {
		dst[i] = src[i];
		if (has_bytes(&src[i]) && src[i].len) {
			memcpy(*tail, src[i].data, src[i].len);
			dst[i].data = *tail;
			*tail += src[i].len;
		}
	}
	return dst;
}

static const char *copy_str(const char *s, char **tail)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *copy = memcpy(*tail, s, n);
	*tail += n;
	return copy;
}

void lh_push_view(struct lh *h, const struct change *c)
{
	lua_State *L = h->L;
	const struct txn *tx = c->txn;
	uint16_t n = c->rel->ncols;
	size_t size = sizeof(struct view) + row_size(c->newv, n) +
		      row_size(c->oldv, n) + str_size(tx->origin) +
		      str_size(tx->gid) + str_size(c->backfill);
	struct view *v = lc_newuserdata1(L, size);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->view_mt);
	lua_setmetatable(L, -2);
	v->c.rel = lh_push_desc(h, c->rel);
	lc_setuservalue(L, -2);
	v->state = VIEW_LAZY;
	v->c.op = c->op;
	v->c.lsn = c->lsn;
	v->c.txn = NULL;
	v->c.old_kind = c->old_kind;
	v->tx.xid = tx->xid;
	v->tx.commit_time = tx->commit_time;
	struct datum *vals = v->vals;
	char *tail = (char *)(vals + (c->newv ? n : 0) + (c->oldv ? n : 0));
	v->c.newv = copy_row(vals, c->newv, n, &tail);
	v->c.oldv = copy_row(vals + (c->newv ? n : 0), c->oldv, n, &tail);
	v->tx.origin = copy_str(tx->origin, &tail);
	v->tx.gid = copy_str(tx->gid, &tail);
	v->c.backfill = copy_str(c->backfill, &tail);
}

/* Appends s as a JSON string. */
static void put_str(struct buf *b, const char *s)
{
	json_put_string(b, s, strlen(s));
}

/* Appends a table-valued field of the view, whose user value is at uv,
 * as the change table's encoder writes it: the table the view keeps, or
 * one made for the line alone. -1 where it failed. */
static int encode_table_field(lua_State *L, struct lh *h, struct view *v,
			      int uv, enum change_field f, struct buf *b)
{
	if (!push_kept(L, v, uv, part_of(f))) {
		if (f == FIELD_KEY) {
			json_put_key_names(b, v->c.rel);
			return 0;
		}
		push_made(L, h, v, uv, f);
	}
	int rc = f == FIELD_KEY ? ljson_encode_key(L, -1, b)
				: ljson_encode_row(L, -1, b);
	lua_pop(L, rc < 0 ? 2 : 1);
	return rc;
}

/* Appends field f of the view, whose user value is at uv, as a change
 * line's member. -1 where it failed. */
static int encode_field(lua_State *L, struct lh *h, struct view *v, int uv,
			enum change_field f, struct buf *b)
{
	const struct rel *r = v->c.rel;
	const char *s = NULL;
	char text[PGTIME_STRLEN];
	switch (f) {
	case FIELD_OP: s = change_op_name(v->c.op); break;
	case FIELD_SCHEMA: s = r->nspname; break;
	case FIELD_TABLE: s = r->relname; break;
	case FIELD_RELID: buf_put_int(b, r->relid); return 0;
	case FIELD_XID: buf_put_int(b, v->tx.xid); return 0;
	case FIELD_LSN: s = lsn_format(v->c.lsn, text); break;
	case FIELD_COMMIT_TIME: {
		/* the text kept for the transaction */
		lh_push_field(L, h, &v->c, &v->tx, uv, f);
		size_t n;
		const char *t = lua_tolstring(L, -1, &n);
		json_put_string(b, t, n);
		lua_pop(L, 1);
		return 0;
	}
	case FIELD_ORIGIN: s = v->tx.origin; break;
	case FIELD_GID: s = v->tx.gid; break;
	case FIELD_BACKFILL: s = v->c.backfill; break;
	case FIELD_KEY:
	case FIELD_NEW:
	case FIELD_OLD: return encode_table_field(L, h, v, uv, f, b);
	case NFIELDS: break;
	}
	put_str(b, s);
	return 0;
}

static bool has_field(const struct view *v, enum change_field f)
{
	switch (f) {
	case FIELD_COMMIT_TIME: return v->tx.commit_time != 0;
	case FIELD_ORIGIN: return v->tx.origin;
	case FIELD_GID: return v->tx.gid;
	case FIELD_BACKFILL: return v->c.backfill;
	case FIELD_NEW: return v->c.newv;
	case FIELD_OLD: return v->c.oldv;
	default: return true;
	}
}

int lh_view_encode(lua_State *L, struct lh *h, int idx, struct buf *b)
{
	struct view *v = lua_touserdata(L, idx);
	if (v->state == VIEW_FULL)
		return -1;
	lua_checkstack(L, 8);
	lc_getuservalue(L, idx);
	int uv = lua_gettop(L);
	size_t mark = b->len;
	char sep = '{';
	for (int i = 0; i < NFIELDS; i++) {
		enum change_field f = h->field_order[i];
		if (!has_field(v, f))
			continue;
		buf_putc(b, sep);
		sep = ',';
		put_str(b, field_names[f]);
		buf_putc(b, ':');
		if (encode_field(L, h, v, uv, f, b) < 0) {
			b->len = mark;
			lua_settop(L, uv - 1);
			return -1;
		}
	}
	buf_putc(b, '}');
	lua_settop(L, uv - 1);
	return 0;
}
