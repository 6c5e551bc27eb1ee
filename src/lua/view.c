/* view — the change handle_change gets. Made as a table, a change cost Lua
 * more than everything else walhook does with it, and a script that drops
 * most changes reads two fields of each. So a script gets a userdata that
 * holds a copy of the change, values included (a script may keep it past
 * the hook), and makes each field when it is read, as convert.c makes
 * them. A write, pairs or next makes the whole change table, which from
 * then on is the change: the view hands everything to it.
 *
 * A view's states, and what its slots (below) keep in each:
 *   LAZY     the relation's description;
 *   PARTIAL  the description, and the fields read so far that are tables
 *            (key, new, old), so that c.new is the same table at every
 *            read;
 *   FULL     the change table. */
#include <string.h>

#include "core/json.h"
#include "lua/hostdata.h"
#include "lua/json.h"

enum view_state { VIEW_LAZY, VIEW_PARTIAL, VIEW_FULL };

struct view {
	struct change c; /* c.rel: the description's copy; c.txn: NULL */
	struct lh_txn tx;
	enum view_state state;
	/* c's rows (new, then old), then their bytes and the strings */
	struct datum vals[];
};

/* What getmetatable says of a view, and the pairs of LuaJIT knows one by. */
#define VIEW_NAME "walhook.change"

/* Each field's name, once for the names Lua reads and the keys a view is
 * written with. */
#define FIELD_NAMES(X)                                                       \
	X(FIELD_OP, "op")                                                    \
	X(FIELD_SCHEMA, "schema")                                            \
	X(FIELD_TABLE, "table")                                              \
	X(FIELD_RELID, "relid")                                              \
	X(FIELD_KEY, "key")                                                  \
	X(FIELD_LSN, "lsn")                                                  \
	X(FIELD_XID, "xid")                                                  \
	X(FIELD_COMMIT_TIME, "commit_time")                                  \
	X(FIELD_ORIGIN, "origin")                                            \
	X(FIELD_GID, "gid")                                                  \
	X(FIELD_BACKFILL, "backfill")                                        \
	X(FIELD_NEW, "new")                                                  \
	X(FIELD_OLD, "old")

#define NAME_OF(f, name) [f] = name,
static const char *const field_names[NFIELDS] = { FIELD_NAMES(NAME_OF) };

/* "name": — no field's name needs an escape. */
#define KEY_OF(f, name) [f] = { "\"" name "\":", sizeof(name) + 2 },
static const struct {
	const char *text;
	size_t len;
} field_keys[NFIELDS] = { FIELD_NAMES(KEY_OF) };

/* Pushes the change table's constructor: its keys are constants of the
 * chunk, where set one by one through the C API each would be looked up
 * as a C string again. It takes the fields in enum change_field's order. */
static void push_envelope(lua_State *L)
{
	struct buf b = { 0 };
	buf_puts(&b, "return function(");
	for (int f = 0; f < NFIELDS; f++)
		buf_printf(&b, "%sv%d", f ? ", " : "", f);
	buf_puts(&b, ")\n  return {");
	for (int f = 0; f < NFIELDS; f++)
		buf_printf(&b, "%s [\"%s\"] = v%d", f ? "," : "", field_names[f],
			   f);
	buf_puts(&b, " }\nend\n");
	int rc = luaL_loadbuffer(L, b.data, b.len, "=change");
	buf_free(&b);
	if (rc != 0)
		lua_error(L); /* out of memory: the chunk itself is fixed */
	lua_call(L, 0, 1);
}

/* A view keeps its description, and the tables read from it, in slots:
 * Lua 5.4's user values. A LuaJIT userdata has one Lua value, which must
 * be a table: the description while the view is LAZY, then a table of the
 * slots. A FULL view keeps its change table in SLOT_DESC. */
enum { SLOT_DESC = 1, SLOT_KEY, SLOT_NEW, SLOT_OLD, NSLOTS = SLOT_OLD };

#if LUA_VERSION_NUM >= 502
static struct view *new_view(lua_State *L, size_t size)
{
	return lua_newuserdatauv(L, size, NSLOTS);
}

/* Pushes slot s of the view v at idx. */
static void push_slot(lua_State *L, int idx, const struct view *v, int s)
{
	(void)v;
	lua_getiuservalue(L, idx, s);
}

/* Pops the top value into slot s of the view v at idx. */
static void set_slot(lua_State *L, int idx, struct view *v, int s)
{
	lua_setiuservalue(L, idx, s);
	if (s != SLOT_DESC && v->state == VIEW_LAZY)
		v->state = VIEW_PARTIAL;
}
#else
static struct view *new_view(lua_State *L, size_t size)
{
	return lua_newuserdata(L, size);
}

static void push_slot(lua_State *L, int idx, const struct view *v, int s)
{
	lua_getfenv(L, idx);
	if (v->state == VIEW_PARTIAL) {
		lua_rawgeti(L, -1, s);
		lua_remove(L, -2);
	} else if (s != SLOT_DESC) {
		lua_pop(L, 1);
		lua_pushnil(L);
	}
}

static void set_slot(lua_State *L, int idx, struct view *v, int s)
{
	idx = lc_absindex(L, idx);
	if (s != SLOT_DESC && v->state == VIEW_LAZY) {
		lua_createtable(L, NSLOTS, 0);
		lua_getfenv(L, idx);
		lua_rawseti(L, -2, SLOT_DESC);
		lua_setfenv(L, idx);
		v->state = VIEW_PARTIAL;
	}
	if (v->state != VIEW_PARTIAL) {
		lua_setfenv(L, idx);
		return;
	}
	lua_getfenv(L, idx);
	lua_insert(L, -2);
	lua_rawseti(L, -2, s);
	lua_pop(L, 1);
}
#endif

/* The slot that keeps field f, or 0. */
static int slot_of(enum change_field f)
{
	switch (f) {
	case FIELD_KEY: return SLOT_KEY;
	case FIELD_NEW: return SLOT_NEW;
	case FIELD_OLD: return SLOT_OLD;
	default: return 0;
	}
}

/* The field the key at idx names, or NFIELDS. Names are found by
 * address: Lua keeps one copy of every short string. */
static enum change_field field_at(const struct lh *h, lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TSTRING)
		return NFIELDS;
	/* the rows first: most scripts read little else */
	static const enum change_field order[NFIELDS] = {
		FIELD_NEW,    FIELD_OLD,   FIELD_OP,	      FIELD_TABLE,
		FIELD_KEY,    FIELD_LSN,   FIELD_SCHEMA,      FIELD_RELID,
		FIELD_XID,    FIELD_COMMIT_TIME, FIELD_ORIGIN, FIELD_GID,
		FIELD_BACKFILL,
	};
	const char *k = lua_tostring(L, idx);
	for (int i = 0; i < NFIELDS; i++)
		if (h->field_names[order[i]] == k)
			return order[i];
	return NFIELDS;
}

/* Pushes field f of the view v at idx, made from its copy. */
static void push_made(lua_State *L, struct lh *h, int idx, struct view *v,
		      enum change_field f)
{
	push_slot(L, idx, v, SLOT_DESC);
	lh_push_field(L, h, &v->c, &v->tx, lua_gettop(L), f);
	lua_remove(L, -2);
}

/* Pushes the table the view v at idx keeps for field f, which the script
 * may have changed, and returns true; false, nothing pushed, if it keeps
 * none. */
static bool push_kept(lua_State *L, int idx, const struct view *v,
		      enum change_field f)
{
	int s = slot_of(f);
	if (!s || v->state == VIEW_LAZY)
		return false;
	push_slot(L, idx, v, s);
	if (!lua_isnil(L, -1))
		return true;
	lua_pop(L, 1);
	return false;
}

/* Pushes field f of the view v at idx, and keeps it there if it is a
 * table. */
static void push_value(lua_State *L, struct lh *h, int idx, struct view *v,
		       enum change_field f)
{
	if (push_kept(L, idx, v, f))
		return;
	push_made(L, h, idx, v, f);
	int s = slot_of(f);
	if (!s)
		return;
	lua_pushvalue(L, -1);
	set_slot(L, idx, v, s);
}

/* Pushes the change table of the view at idx, made now if it was not. */
static void push_table(lua_State *L, struct lh *h, int idx)
{
	struct view *v = lua_touserdata(L, idx);
	if (v->state == VIEW_FULL) {
		push_slot(L, idx, v, SLOT_DESC);
		return;
	}
	lua_checkstack(L, NFIELDS + 8);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->envelope);
	for (int f = 0; f < NFIELDS; f++)
		if (!push_kept(L, idx, v, (enum change_field)f))
			push_made(L, h, idx, v, (enum change_field)f);
	lua_call(L, NFIELDS, 1);
	lua_pushvalue(L, -1);
	v->state = VIEW_FULL;
	set_slot(L, idx, v, SLOT_DESC);
}

static struct lh *host_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static int view_index(lua_State *L)
{
	struct lh *h = host_of(L);
	struct view *v = lua_touserdata(L, 1);
	if (v->state == VIEW_FULL) {
		push_slot(L, 1, v, SLOT_DESC);
		lua_pushvalue(L, 2);
		lua_rawget(L, -2);
		return 1;
	}
	enum change_field f = field_at(h, L, 2);
	if (f == NFIELDS)
		return 0;
	push_value(L, h, 1, v, f);
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
	push_slot(L, 1, v, SLOT_DESC);
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

static bool view_is(lua_State *L, int idx, void *ctx);
static bool view_write(lua_State *L, int idx, struct buf *b, void *ctx);

void lh_open_view(struct lh *h)
{
	lua_State *L = h->L;
	push_envelope(L);
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
	h->view_mt_at = lua_topointer(L, mt);
	h->view_mt = luaL_ref(L, LUA_REGISTRYINDEX);
	h->change_writer =
	    (struct ljson_change_writer){ view_is, view_write, h };
	ljson_set_change_writer(L, &h->change_writer);
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
	bool is = lua_topointer(L, -1) == h->view_mt_at;
	lua_pop(L, 1);
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

/* Pushes a view of size bytes in state st; its first slot is for the
 * caller to set. */
static struct view *push_new_view(struct lh *h, size_t size,
				  enum view_state st)
{
	lua_State *L = h->L;
	struct view *v = new_view(L, size);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->view_mt);
	lua_setmetatable(L, -2);
	v->state = st;
	return v;
}

void lh_push_view(struct lh *h, const struct change *c)
{
	const struct txn *tx = c->txn;
	uint16_t n = c->rel->ncols;
	size_t size = sizeof(struct view) + row_size(c->newv, n) +
		      row_size(c->oldv, n) + str_size(tx->origin) +
		      str_size(tx->gid) + str_size(c->backfill);
	struct view *v = push_new_view(h, size, VIEW_LAZY);
	v->c.rel = lh_push_desc(h, c->rel);
	set_slot(h->L, -2, v, SLOT_DESC);
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

void lh_push_whole_view(struct lh *h, int idx)
{
	lua_State *L = h->L;
	idx = lc_absindex(L, idx);
	struct view *v = push_new_view(h, sizeof *v, VIEW_FULL);
	lua_pushvalue(L, idx);
	set_slot(L, -2, v, SLOT_DESC);
}

/* Appends s as a JSON string. */
static void put_str(struct buf *b, const char *s)
{
	json_put_string(b, s, strlen(s));
}

/* Appends text that needs no escape (a time) as a JSON string. */
static void put_plain_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	buf_puts(b, s);
	buf_putc(b, '"');
}

/* Appends a table-valued field of the view v at idx as the change table's
 * encoder writes it: the table the view keeps, or the one it would make,
 * written as it is made. -1 where it failed. */
static int encode_table_field(lua_State *L, int idx, struct view *v,
			      enum change_field f, struct buf *b)
{
	if (!push_kept(L, idx, v, f)) {
		if (f == FIELD_KEY) {
			json_put_key_names(b, v->c.rel);
			return 0;
		}
		return lh_encode_row(L, &v->c, f == FIELD_OLD, b);
	}
	int rc = f == FIELD_KEY ? ljson_encode_key(L, -1, b)
				: ljson_encode_row(L, -1, b);
	lua_pop(L, rc < 0 ? 2 : 1);
	return rc;
}

/* Appends field f of the view v at idx as a change line's member. -1 where
 * it failed. */
static int encode_field(lua_State *L, struct lh *h, int idx, struct view *v,
			enum change_field f, struct buf *b)
{
	const struct rel *r = v->c.rel;
	switch (f) {
	case FIELD_OP: put_str(b, change_op_name(v->c.op)); return 0;
	case FIELD_SCHEMA: put_str(b, r->nspname); return 0;
	case FIELD_TABLE: put_str(b, r->relname); return 0;
	case FIELD_RELID: buf_put_int(b, r->relid); return 0;
	case FIELD_XID: buf_put_int(b, v->tx.xid); return 0;
	case FIELD_LSN: json_put_lsn(b, v->c.lsn); return 0;
	case FIELD_COMMIT_TIME:
		put_plain_str(b, lh_time_text(h, v->tx.commit_time));
		return 0;
	case FIELD_ORIGIN: put_str(b, v->tx.origin); return 0;
	case FIELD_GID: put_str(b, v->tx.gid); return 0;
	case FIELD_BACKFILL: put_str(b, v->c.backfill); return 0;
	case FIELD_KEY:
	case FIELD_NEW:
	case FIELD_OLD: return encode_table_field(L, idx, v, f, b);
	case NFIELDS: break;
	}
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

/* Appends the view at idx as ljson_encode_change would its table, without
 * making it (the change writer's write, json.h). */
static bool view_write(lua_State *L, int idx, struct buf *b, void *ctx)
{
	struct lh *h = ctx;
	if (!lh_is_view(L, h, idx))
		return false;
	struct view *v = lua_touserdata(L, idx);
	if (v->state == VIEW_FULL)
		return false;
	idx = lc_absindex(L, idx);
	lua_checkstack(L, 8);
	size_t mark = b->len;
	char sep = '{';
	for (int i = 0; i < NFIELDS; i++) {
		enum change_field f = h->field_order[i];
		if (!has_field(v, f))
			continue;
		buf_putc(b, sep);
		sep = ',';
		buf_put(b, field_keys[f].text, field_keys[f].len);
		if (encode_field(L, h, idx, v, f, b) < 0) {
			b->len = mark;
			return false;
		}
	}
	buf_putc(b, '}');
	return true;
}

static bool view_is(lua_State *L, int idx, void *ctx)
{
	return lh_is_view(L, ctx, idx);
}
