#include "lua/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "decode/jsonlex.h"

const char ljson_null_sentinel = 0;
const char ljson_unchanged_sentinel = 0;

/* Where the encoder or the decoder is, from the outermost value down: a
 * key or an index per level, for messages that say where a value is
 * ("new.doc.a[2]"). open counts the tables the encoder opened, which
 * LJ_MAX_DEPTH bounds as jsonlex bounds the decoder's arrays and objects;
 * a change's own object and its new and old rows are not counted, so
 * whatever decode gave can be written back as a column. Keys are views of
 * strings the tables or the stack hold. */
struct trail {
	int n;
	int open;
	struct {
		const char *key; /* NULL: an array index */
		size_t len;
		lua_Number index;
	} at[LJ_MAX_DEPTH + 4];
};

static void trail_key(struct trail *t, const char *key, size_t len)
{
	if (t->n < (int)(sizeof t->at / sizeof t->at[0]))
		t->at[t->n] = (typeof(t->at[0])){ key, len, 0 };
	t->n++;
}

static void trail_index(struct trail *t, lua_Number index)
{
	if (t->n < (int)(sizeof t->at / sizeof t->at[0]))
		t->at[t->n] = (typeof(t->at[0])){ NULL, 0, index };
	t->n++;
}

static void trail_pop(struct trail *t)
{
	t->n--;
}

static bool plain_key(const char *k, size_t n)
{
	if (n == 0 || n > 40 || (k[0] >= '0' && k[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* One level as a Lua expression's tail: .key, ["odd key"] or [3]. */
static void put_part(struct buf *b, const struct trail *t, int i, bool first)
{
	if (!t->at[i].key) {
		lua_Number x = t->at[i].index;
		if (x == (lua_Number)(long long)x)
			buf_printf(b, "[%lld]", (long long)x);
		else
			buf_printf(b, "[%.14g]", (double)x);
	} else if (plain_key(t->at[i].key, t->at[i].len)) {
		if (!first)
			buf_putc(b, '.');
		buf_put(b, t->at[i].key, t->at[i].len);
	} else {
		buf_putc(b, '[');
		size_t n = t->at[i].len;
		json_put_string(b, t->at[i].key, n > 40 ? 40 : n);
		if (n > 40) /* the cut string's closing quote, then a mark */
			buf_puts(b, "...");
		buf_putc(b, ']');
	}
}

/* The trail as text ("the top level" when empty). A long one keeps its
 * first and last levels, about budget bytes, around how many it leaves
 * out, so a message stays one short line. */
static void put_trail(struct buf *b, const struct trail *t, size_t budget)
{
	int n = t->n < (int)(sizeof t->at / sizeof t->at[0])
		    ? t->n
		    : (int)(sizeof t->at / sizeof t->at[0]);
	if (n == 0) {
		buf_puts(b, "the top level");
		return;
	}
	struct buf all = { 0 };
	size_t ends[sizeof t->at / sizeof t->at[0]];
	for (int i = 0; i < n; i++) {
		put_part(&all, t, i, i == 0);
		ends[i] = all.len;
	}
	if (all.len <= budget || n < 3) {
		buf_put(b, all.data, all.len);
		buf_free(&all);
		return;
	}
	int head = 1;
	while (head < n - 1 && ends[head] <= budget * 2 / 3)
		head++;
	int tail = n - 1; /* the first part of the tail */
	while (tail > head + 1 && all.len - ends[tail - 2] <= budget / 3)
		tail--;
	buf_put(b, all.data, ends[head - 1]);
	buf_printf(b, " ...%d more... ", tail - head);
	buf_put(b, all.data + ends[tail - 1], all.len - ends[tail - 1]);
	buf_free(&all);
}

/* Pushes "what at PATH" as the error message; returns -1. Needs one free
 * stack slot, which every caller has checked. */
static int fail_at(lua_State *L, const struct trail *t, const char *what)
{
	struct buf b = { 0 };
	buf_puts(&b, what);
	buf_puts(&b, " at ");
	put_trail(&b, t, 80);
	lua_pushlstring(L, b.data, b.len);
	buf_free(&b);
	return -1;
}

/* Room for what one level pushes (a key, a value, a key order, and the
 * conversions and messages in between). */
#define LEVEL_SLOTS 8

static int room(lua_State *L, const struct trail *t)
{
	if (lua_checkstack(L, LEVEL_SLOTS))
		return 0;
	/* lua_checkstack failed: the slots the caller was guaranteed are
	 * still there for the message. */
	return fail_at(L, t, "out of Lua stack");
}

static int is_sentinel(lua_State *L, int idx, const char *which)
{
	return lua_islightuserdata(L, idx) && lua_touserdata(L, idx) == which;
}

/* A key of an object, kept so the keys can be sorted before writing. */
struct key {
	const char *s; /* string keys: owned by the table being encoded */
	size_t n;
	int isnum;
	lua_Number num;
	char text[32]; /* numeric keys, as text */
};

static const char *key_text(const struct key *k)
{
	return k->isnum ? k->text : k->s;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t nx = x->n, ny = y->n;
	int c = memcmp(key_text(x), key_text(y), nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

static int encode(lua_State *L, int idx, struct buf *b, struct trail *t);

static void put_number(lua_State *L, int idx, struct buf *b)
{
	if (lc_isinteger(L, idx))
		buf_put_int(b, lc_tointeger(L, idx));
	else
		json_put_double(b, (double)lua_tonumber(L, idx));
}

/* Counts a table's entries, whatever their keys. */
static size_t count_entries(lua_State *L, int idx)
{
	size_t count = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		lua_pop(L, 1);
	}
	return count;
}

/* Whether the string key k is an element of the array at index order. */
static bool in_order(lua_State *L, int order, const char *k, size_t n)
{
	size_t len = order ? lc_rawlen(L, order) : 0;
	for (size_t i = 1; i <= len; i++) {
		lua_rawgeti(L, order, (int)i);
		size_t m;
		const char *s = lua_type(L, -1) == LUA_TSTRING
				    ? lua_tolstring(L, -1, &m)
				    : NULL;
		bool same = s && m == n && memcmp(s, k, n) == 0;
		lua_pop(L, 1);
		if (same)
			return true;
	}
	return false;
}

/* Writes the member k: value, the value on top of the stack (left there),
 * unless it is walhook.unchanged. */
static int encode_member(lua_State *L, const char *k, size_t n, bool *first,
			 struct buf *b, struct trail *t)
{
	if (is_sentinel(L, -1, &ljson_unchanged_sentinel))
		return 0;
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	json_put_string(b, k, n);
	buf_putc(b, ':');
	return encode(L, lua_gettop(L), b, t);
}

/* Writes the members of the table at idx whose keys skip (NULL: none)
 * does not take and are not in the array at index order (0: none), keys
 * sorted. */
static int encode_rest(lua_State *L, int idx,
		       bool (*skip)(const char *k, size_t n),
		       int order, bool first, struct buf *b, struct trail *t)
{
	size_t cap = count_entries(L, idx), n = 0;
	/* The keys live in a userdata on the stack, so an error thrown
	 * from inside (out of memory) leaks nothing. */
	struct key *keys = lua_newuserdata(L, cap ? cap * sizeof *keys : 1);
	int keys_at = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		/* stack: ..., key, value */
		struct key k = { 0 };
		if (lua_type(L, -2) == LUA_TSTRING) {
			k.s = lua_tolstring(L, -2, &k.n);
		} else if (lua_type(L, -2) == LUA_TNUMBER) {
			k.isnum = 1;
			k.num = lua_tonumber(L, -2);
			lua_pushvalue(L, -2);
			k.n = (size_t)snprintf(k.text, sizeof k.text, "%s",
					       lua_tostring(L, -1));
			if (k.n >= sizeof k.text)
				k.n = sizeof k.text - 1;
			lua_pop(L, 1);
		} else {
			const char *type = luaL_typename(L, -2);
			lua_pop(L, 2);
			char what[80];
			snprintf(
			    what, sizeof what,
			    "cannot encode a table key that is a %s (only strings and numbers)",
			    type);
			return fail_at(L, t, what);
		}
		lua_pop(L, 1);
		bool skipped = !k.isnum && skip && skip(k.s, k.n);
		if (!skipped && !k.isnum && order)
			skipped = in_order(L, order, k.s, k.n);
		if (!skipped && n < cap)
			keys[n++] = k;
	}
	if (n)
		qsort(keys, n, sizeof *keys, key_cmp);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (keys[i].isnum)
			lua_pushnumber(L, keys[i].num);
		else
			lua_pushlstring(L, keys[i].s, keys[i].n);
		lua_rawget(L, idx);
		if (keys[i].isnum)
			trail_index(t, keys[i].num);
		else
			trail_key(t, keys[i].s, keys[i].n);
		rc = encode_member(L, key_text(&keys[i]), keys[i].n, &first, b,
				   t);
		trail_pop(t);
		if (rc == 0)
			lua_pop(L, 1);
	}
	if (rc == 0)
		lua_remove(L, keys_at);
	return rc;
}

/* Pushes the tables the metatable of the table at idx keeps at names[0..n)
 * and sets at[i] to each one's index; 0 for a name that holds no table,
 * with nothing pushed for it. */
static void push_meta_tables(lua_State *L, int idx, const char *const *names,
			     int *at, int n)
{
	for (int i = 0; i < n; i++)
		at[i] = 0;
	if (!lua_getmetatable(L, idx))
		return;
	int mt = lua_gettop(L);
	for (int i = 0; i < n; i++) {
		lua_pushstring(L, names[i]);
		lua_rawget(L, mt);
		if (lua_istable(L, -1))
			at[i] = lua_gettop(L) - 1; /* once mt is removed */
		else
			lua_pop(L, 1);
	}
	lua_remove(L, mt);
}

/* One member, its value on top: the plain one (encode_named) or a row's
 * column (encode_column); aux is what the kind needs. */
typedef int member_fn(lua_State *L, int aux, const char *k, size_t n,
		      bool *first, struct buf *b, struct trail *t);

static int encode_named(lua_State *L, int aux, const char *k, size_t n,
			bool *first, struct buf *b, struct trail *t)
{
	(void)aux;
	trail_key(t, k, n);
	int rc = encode_member(L, k, n, first, b, t);
	trail_pop(t);
	return rc;
}

/* Writes the members named in the array at index order, in its order, each
 * by fn; counts in *present those the table has. */
static int encode_ordered(lua_State *L, int idx, int order, member_fn *fn,
			  int aux, bool *first, size_t *present, struct buf *b,
			  struct trail *t)
{
	size_t len = lc_rawlen(L, order);
	for (size_t i = 1; i <= len; i++) {
		lua_rawgeti(L, order, (int)i); /* stack: ..., key */
		size_t n;
		const char *k = lua_type(L, -1) == LUA_TSTRING
				    ? lua_tolstring(L, -1, &n)
				    : NULL;
		lua_pushvalue(L, -1);
		lua_rawget(L, idx); /* stack: ..., key, value */
		if (k && !lua_isnil(L, -1)) {
			(*present)++;
			if (fn(L, aux, k, n, first, b, t) < 0)
				return -1;
		}
		lua_pop(L, 2);
	}
	return 0;
}

static int encode_table(lua_State *L, int idx, struct buf *b, struct trail *t)
{
	if (t->open >= LJ_MAX_DEPTH) {
		char what[96];
		snprintf(
		    what, sizeof what,
		    "cannot encode tables nested more than %d deep (a table that holds itself?)",
		    LJ_MAX_DEPTH);
		return fail_at(L, t, what);
	}
	t->open++;
	int rc = 0;
	size_t len = lc_rawlen(L, idx);
	if (len > 0 && count_entries(L, idx) == len) {
		buf_putc(b, '[');
		for (size_t i = 1; i <= len && rc == 0; i++) {
			if (i > 1)
				buf_putc(b, ',');
			lua_rawgeti(L, idx, (int)i);
			trail_index(t, (lua_Number)i);
			rc = encode(L, lua_gettop(L), b, t);
			trail_pop(t);
			if (rc == 0)
				lua_pop(L, 1);
		}
		if (rc == 0)
			buf_putc(b, ']');
		t->open--;
		return rc;
	}
	buf_putc(b, '{');
	bool first = true;
	size_t present = 0;
	static const char *const keys[] = { "__keys" };
	int order;
	push_meta_tables(L, idx, keys, &order, 1);
	if (order)
		rc = encode_ordered(L, idx, order, encode_named, 0, &first,
				    &present, b, t);
	if (rc == 0 && (!order || count_entries(L, idx) > present))
		rc = encode_rest(L, idx, NULL, order, first, b, t);
	if (rc == 0) {
		if (order)
			lua_remove(L, order);
		buf_putc(b, '}');
	}
	t->open--;
	return rc;
}

/* A value. Only a table's level, and a message, need room on the stack:
 * a scalar pushes nothing. */
static int encode(lua_State *L, int idx, struct buf *b, struct trail *t)
{
	switch (lua_type(L, idx)) {
	case LUA_TNIL: buf_puts(b, "null"); return 0;
	case LUA_TBOOLEAN:
		buf_puts(b, lua_toboolean(L, idx) ? "true" : "false");
		return 0;
	case LUA_TNUMBER: put_number(L, idx, b); return 0;
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		json_put_string(b, s, n);
		return 0;
	}
	case LUA_TTABLE:
		return room(L, t) < 0 ? -1 : encode_table(L, idx, b, t);
	case LUA_TUSERDATA:
		if (room(L, t) < 0)
			return -1;
		if (ljson_as_table(L, idx))
			return encode_table(L, idx, b, t);
		break;
	case LUA_TLIGHTUSERDATA:
		if (is_sentinel(L, idx, &ljson_null_sentinel) ||
		    is_sentinel(L, idx, &ljson_unchanged_sentinel)) {
			buf_puts(b, "null");
			return 0;
		}
		break;
	}
	if (room(L, t) < 0)
		return -1;
	char what[64];
	snprintf(what, sizeof what, "cannot encode a %s", luaL_typename(L, idx));
	return fail_at(L, t, what);
}

/* The registry's key of the change writer. */
static const char change_writer_key = 0;

void ljson_set_change_writer(lua_State *L, const struct ljson_change_writer *w)
{
	lua_pushlightuserdata(L, (void *)&change_writer_key);
	lua_pushlightuserdata(L, (void *)w);
	lua_rawset(L, LUA_REGISTRYINDEX);
}

/* L's change writer when the value at idx is a userdata (what a change
 * may be), else NULL. */
static const struct ljson_change_writer *change_writer(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TUSERDATA)
		return NULL;
	lua_pushlightuserdata(L, (void *)&change_writer_key);
	lua_rawget(L, LUA_REGISTRYINDEX);
	const struct ljson_change_writer *w = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return w;
}

bool ljson_is_change(lua_State *L, int idx)
{
	const struct ljson_change_writer *w = change_writer(L, idx);
	return w && w->is(L, idx, w->ctx);
}

/* Appends the change at idx by L's change writer; false when it is not
 * one the writer takes, or it goes the table's way. */
static bool write_change(lua_State *L, int idx, struct buf *b)
{
	const struct ljson_change_writer *w = change_writer(L, idx);
	return w && w->write(L, idx, b, w->ctx);
}

bool ljson_as_table(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TUSERDATA ||
	    !luaL_getmetafield(L, idx, "__table"))
		return false;
	idx = lc_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_call(L, 1, 1);
	lua_replace(L, idx);
	return true;
}

/* An encoder's entry: on error the stack is as it was but for the
 * message on top. */
static int finish(lua_State *L, int top, int rc)
{
	if (rc < 0) {
		lua_replace(L, top + 1);
		lua_settop(L, top + 1);
	}
	return rc;
}

int ljson_encode(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	return finish(L, top, encode(L, lc_absindex(L, idx), b, &t));
}

/* One column of a row: an unchanged TOAST value is left out, a bytea one
 * (raw bytes in Lua) is written as its hex text. The value is on top. */
static int put_column(lua_State *L, bool bytea, const char *k, size_t n,
		      bool *first, struct buf *b, struct trail *t)
{
	if (!bytea || lua_type(L, -1) != LUA_TSTRING)
		return encode_named(L, 0, k, n, first, b, t);
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	json_put_string(b, k, n);
	buf_putc(b, ':');
	size_t len;
	const char *p = lua_tolstring(L, -1, &len);
	json_put_bytea(b, p, len);
	return 0;
}

/* The same, for a row whose bytea columns are the set at index bytea (0:
 * none). */
static int encode_column(lua_State *L, int bytea, const char *k, size_t n,
			 bool *first, struct buf *b, struct trail *t)
{
	bool raw = false;
	if (bytea && lua_type(L, -1) == LUA_TSTRING) {
		lua_pushlstring(L, k, n);
		lua_rawget(L, bytea);
		raw = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	return put_column(L, raw, k, n, first, b, t);
}

int ljson_encode_column(lua_State *L, const char *k, size_t n, bool bytea,
			bool *first, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	if (room(L, &t) < 0)
		return -1;
	return put_column(L, bytea, k, n, first, b, &t);
}

/* A row: its relation's columns in order (the __keys of the metatable
 * walhook gives a row, or the order json.decode saw), then any others
 * sorted. */
static int encode_row(lua_State *L, int idx, struct buf *b, struct trail *t)
{
	if (!lua_istable(L, idx))
		return encode(L, idx, b, t);
	if (room(L, t) < 0)
		return -1;
	bool first = true;
	size_t present = 0;
	buf_putc(b, '{');
	/* the key order json.decode saw, or a row's columns; a row's bytea
	 * columns */
	static const char *const names[] = { "__keys", "__bytea" };
	int at[2];
	push_meta_tables(L, idx, names, at, 2);
	int order = at[0], bytea = at[1];
	if (order && encode_ordered(L, idx, order, encode_column, bytea, &first,
				    &present, b, t) < 0)
		return -1;
	if (count_entries(L, idx) > present &&
	    encode_rest(L, idx, NULL, order, first, b, t) < 0)
		return -1;
	if (bytea)
		lua_remove(L, bytea);
	if (order)
		lua_remove(L, order);
	buf_putc(b, '}');
	return 0;
}

int ljson_encode_row(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	idx = lc_absindex(L, idx);
	if (room(L, &t) < 0)
		return finish(L, top, -1);
	return finish(L, top, encode_row(L, idx, b, &t));
}

enum change_member { MEMBER_PLAIN, MEMBER_KEY, MEMBER_ROW };

/* The keys a change line starts with, in their order, and how each is
 * written: rows by encode_row, an empty key list as [] (an empty Lua
 * table is otherwise {}). */
static const struct {
	const char *name;
	enum change_member kind;
} change_members[] = {
	{ "op", MEMBER_PLAIN },	  { "schema", MEMBER_PLAIN },
	{ "table", MEMBER_PLAIN }, { "relid", MEMBER_PLAIN },
	{ "key", MEMBER_KEY },	  { "lsn", MEMBER_PLAIN },
	{ "xid", MEMBER_PLAIN },	  { "commit_time", MEMBER_PLAIN },
	{ "new", MEMBER_ROW },	  { "old", MEMBER_ROW },
};

#define NCHANGE_MEMBERS (sizeof change_members / sizeof change_members[0])

static bool is_change_member(const char *k, size_t n)
{
	for (size_t i = 0; i < NCHANGE_MEMBERS; i++)
		if (strlen(change_members[i].name) == n &&
		    memcmp(change_members[i].name, k, n) == 0)
			return true;
	return false;
}

static int encode_change_member(lua_State *L, enum change_member kind,
				struct buf *b, struct trail *t)
{
	int v = lua_gettop(L);
	switch (kind) {
	case MEMBER_ROW: return encode_row(L, v, b, t);
	case MEMBER_KEY:
		if (lua_istable(L, v) && lc_rawlen(L, v) == 0) {
			buf_put(b, "[]", 2);
			return 0;
		}
		/* fall through */
	case MEMBER_PLAIN: break;
	}
	return encode(L, v, b, t);
}

int ljson_encode_key(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	if (room(L, &t) < 0)
		return finish(L, top, -1);
	lua_pushvalue(L, idx);
	int rc = encode_change_member(L, MEMBER_KEY, b, &t);
	if (rc == 0)
		lua_settop(L, top);
	return finish(L, top, rc);
}

const char *ljson_change_key(size_t i)
{
	return i < NCHANGE_MEMBERS ? change_members[i].name : NULL;
}

int ljson_encode_change(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	idx = lc_absindex(L, idx);
	if (room(L, &t) < 0)
		return finish(L, top, -1);
	if (write_change(L, idx, b))
		return 0;
	ljson_as_table(L, idx);
	bool first = true;
	size_t present = 0;
	buf_putc(b, '{');
	for (size_t i = 0; i < NCHANGE_MEMBERS; i++) {
		const char *k = change_members[i].name;
		size_t n = strlen(k);
		lua_pushstring(L, k); /* by address: Lua caches C strings */
		lua_rawget(L, idx);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			continue;
		}
		present++;
		/* The keys are plain words: no escaping to look for. */
		if (!first)
			buf_putc(b, ',');
		first = false;
		buf_putc(b, '"');
		buf_put(b, k, n);
		buf_put(b, "\":", 2);
		trail_key(&t, k, n);
		int rc = encode_change_member(L, change_members[i].kind, b, &t);
		trail_pop(&t);
		if (rc < 0)
			return finish(L, top, -1);
		lua_pop(L, 1);
	}
	if (count_entries(L, idx) > present &&
	    encode_rest(L, idx, is_change_member, 0, first, b, &t) < 0)
		return finish(L, top, -1);
	buf_putc(b, '}');
	return 0;
}

/* ---- decoding ---- */

/* Reads JSON text into Lua values, walking jsonlex's tokens; the trail is
 * the path walked so far, for the message when the text nests too deep. */
struct reader {
	struct jsonlex lx;
	char *msg;
	size_t msglen;
	struct trail t;
};

/* Fills msg with what went wrong at the byte at (counting from 1). */
static int rfail(struct reader *r, const char *at, const char *what)
{
	snprintf(r->msg, r->msglen, "%s at byte %zu", what,
		 (size_t)(at - r->lx.start) + 1);
	return -1;
}

/* The lexer's fault as the message; one too deep names the path too. */
static int lex_fail(struct reader *r)
{
	if (r->lx.fault != JSONLEX_TOO_DEEP) {
		char what[128];
		return rfail(r, r->lx.fault_at,
			     jsonlex_fault_text(&r->lx, what, sizeof what));
	}
	struct buf b = { 0 };
	buf_printf(&b, "nested more than %d deep at byte %zu, in ",
		   LJ_MAX_DEPTH, (size_t)(r->lx.fault_at - r->lx.start) + 1);
	put_trail(&b, &r->t, 48); /* the message fits the callers' 128 bytes */
	snprintf(r->msg, r->msglen, "%s", buf_cstr(&b));
	buf_free(&b);
	return -1;
}

/* Pushes the string t, unescaped. A long one is unescaped into a userdata
 * on the stack, so an error thrown by the push leaks nothing. */
static void push_string(lua_State *L, const struct jsonlex_token *t)
{
	if (!t->escaped) {
		lua_pushlstring(L, t->text, t->len);
		return;
	}
	char small[256];
	bool big = t->len > sizeof small;
	char *o = big ? lua_newuserdata(L, t->len) : small;
	lua_pushlstring(L, o, jsonlex_unescape(t, o));
	if (big)
		lua_remove(L, -2);
}

/* Pushes the number t: an integer when Lua holds it exactly, else a
 * double. */
static int push_number(lua_State *L, struct reader *r,
		       const struct jsonlex_token *t)
{
	bool integral = true;
	for (size_t i = 0; i < t->len; i++)
		if (t->text[i] == '.' || t->text[i] == 'e' || t->text[i] == 'E')
			integral = false;
	/* A copy to end with a NUL: on the stack, or for the long numbers
	 * numeric prints, on the heap. */
	char small[64];
	struct buf big = { 0 };
	char *tmp = small;
	if (t->len >= sizeof small) {
		buf_put(&big, t->text, t->len);
		tmp = (char *)buf_cstr(&big);
	} else {
		memcpy(small, t->text, t->len);
		small[t->len] = '\0';
	}
	char *end;
	int rc = 0;
	if (integral) {
		errno = 0;
		long long v = strtoll(tmp, &end, 10);
		/* Out of range is a double; so is -0, whose sign an integer
		 * would lose. */
		if (*end == '\0' && errno != ERANGE &&
		    v <= LC_EXACT_INTEGER_MAX && v >= -LC_EXACT_INTEGER_MAX &&
		    !(v == 0 && tmp[0] == '-')) {
			lua_pushinteger(L, (lua_Integer)v);
			buf_free(&big);
			return 0;
		}
	}
	double d = strtod(tmp, &end);
	/* jsonlex checked the grammar: strtod stops short only where a
	 * script set a locale whose decimal point is not '.'. */
	if (*end != '\0')
		rc = rfail(r, t->text + t->len, "bad number");
	else
		lua_pushnumber(L, d);
	buf_free(&big);
	return rc;
}

static int read_value(lua_State *L, struct reader *r);

/* Reads an array after its '['; pushes it. */
static int read_array(lua_State *L, struct reader *r)
{
	bool first = true;
	int rc, n = 0;
	lua_newtable(L);
	while ((rc = jsonlex_element(&r->lx, &first)) > 0) {
		trail_index(&r->t, ++n);
		rc = read_value(L, r);
		trail_pop(&r->t);
		if (rc < 0)
			return -1;
		lua_rawseti(L, -2, n);
	}
	return rc < 0 ? lex_fail(r) : 0;
}

/* Reads an object after its '{'; pushes it. It remembers its key order
 * in the __keys array of its metatable, so encoding it again gives the
 * same text; an empty object has no metatable. */
static int read_object(lua_State *L, struct reader *r)
{
	struct jsonlex_token key;
	bool first = true;
	int rc, n = 0;
	lua_newtable(L);
	int t = lua_gettop(L);
	while ((rc = jsonlex_member(&r->lx, &first, &key)) > 0) {
		if (n == 0)
			lua_newtable(L); /* stack: object, keys */
		push_string(L, &key);
		lua_pushvalue(L, -1);
		lua_rawseti(L, t + 1, ++n); /* stack: object, keys, key */
		size_t klen;
		const char *k = lua_tolstring(L, -1, &klen);
		trail_key(&r->t, k, klen);
		rc = read_value(L, r);
		trail_pop(&r->t);
		if (rc < 0)
			return -1;
		lua_rawset(L, t);
	}
	if (rc < 0)
		return lex_fail(r);
	if (n > 0) {
		lua_createtable(L, 0, 1); /* stack: object, keys, mt */
		lua_insert(L, t + 1);
		lua_setfield(L, t + 1, "__keys");
		lua_setmetatable(L, t);
	}
	return 0;
}

static int read_value(lua_State *L, struct reader *r)
{
	struct jsonlex_token t;
	if (!lua_checkstack(L, LEVEL_SLOTS))
		return rfail(r, r->lx.p, "out of Lua stack");
	if (jsonlex_value(&r->lx, &t) < 0)
		return lex_fail(r);
	switch (t.kind) {
	case JSONLEX_OBJECT: return read_object(L, r);
	case JSONLEX_ARRAY: return read_array(L, r);
	case JSONLEX_STRING: push_string(L, &t); return 0;
	case JSONLEX_NUMBER: return push_number(L, r, &t);
	case JSONLEX_TRUE:
	case JSONLEX_FALSE:
		lua_pushboolean(L, t.kind == JSONLEX_TRUE);
		return 0;
	default:
		lua_pushlightuserdata(L, (void *)&ljson_null_sentinel);
		return 0;
	}
}

int ljson_decode(lua_State *L, const char *s, size_t n, char *msg,
		 size_t msglen)
{
	struct reader r;
	jsonlex_init(&r.lx, s, n, LJ_MAX_DEPTH);
	r.msg = msg;
	r.msglen = msglen;
	r.t.n = r.t.open = 0;
	int top = lua_gettop(L);
	if (read_value(L, &r) == 0) {
		if (jsonlex_at_end(&r.lx))
			return 0;
		rfail(&r, r.lx.p, "trailing text");
	}
	lua_settop(L, top);
	return -1;
}
