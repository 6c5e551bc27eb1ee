#include "lua/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

const char lj_null_sentinel = 0;
const char lj_unchanged_sentinel = 0;

/* Where the encoder or the decoder is, from the outermost value down: a
 * key or an index per level, for messages that say where a value is
 * ("new.doc.a[2]"). open counts the tables and JSON containers opened,
 * which LJ_MAX_DEPTH bounds; a change's own object and its new and old
 * rows are not counted, so whatever decode gave can be written back as a
 * column. Keys are views of strings the tables or the stack hold. */
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
	if (lh_isinteger(L, idx))
		buf_printf(b, "%lld", (long long)lh_tointeger(L, idx));
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
	size_t len = order ? lh_rawlen(L, order) : 0;
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
	if (is_sentinel(L, -1, &lj_unchanged_sentinel))
		return 0;
	if (!*first)
		buf_putc(b, ',');
	*first = false;
	json_put_string(b, k, n);
	buf_putc(b, ':');
	return encode(L, lua_gettop(L), b, t);
}

/* Writes the members of the table at idx whose keys are not in skip (a
 * NULL-terminated list) and not in the array at index order (0: none),
 * keys sorted. */
static int encode_rest(lua_State *L, int idx, const char *const *skip,
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
		bool skipped = false;
		for (const char *const *s = skip; s && *s && !k.isnum; s++)
			skipped |=
			    strlen(*s) == k.n && memcmp(*s, k.s, k.n) == 0;
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

/* Pushes the key order walhook.json.decode saw for the table at idx (the
 * __keys array of its metatable) and returns its index, or pushes nothing
 * and returns 0. */
static int push_key_order(lua_State *L, int idx)
{
	if (!lua_getmetatable(L, idx))
		return 0;
	lua_pushliteral(L, "__keys");
	lua_rawget(L, -2);
	lua_remove(L, -2);
	if (lua_istable(L, -1))
		return lua_gettop(L);
	lua_pop(L, 1);
	return 0;
}

/* Writes the members named in the array at index order, in its order;
 * counts in *present those the table has. */
static int encode_ordered(lua_State *L, int idx, int order, bool *first,
			  size_t *present, struct buf *b, struct trail *t)
{
	size_t len = lh_rawlen(L, order);
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
			trail_key(t, k, n);
			int rc = encode_member(L, k, n, first, b, t);
			trail_pop(t);
			if (rc < 0)
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
	size_t len = lh_rawlen(L, idx);
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
	int order = push_key_order(L, idx);
	if (order)
		rc = encode_ordered(L, idx, order, &first, &present, b, t);
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

static int encode(lua_State *L, int idx, struct buf *b, struct trail *t)
{
	if (room(L, t) < 0)
		return -1;
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
	case LUA_TTABLE: return encode_table(L, idx, b, t);
	case LUA_TLIGHTUSERDATA:
		if (is_sentinel(L, idx, &lj_null_sentinel) ||
		    is_sentinel(L, idx, &lj_unchanged_sentinel)) {
			buf_puts(b, "null");
			return 0;
		}
		/* fall through */
	default: {
		char what[64];
		snprintf(what, sizeof what, "cannot encode a %s",
			 luaL_typename(L, idx));
		return fail_at(L, t, what);
	}
	}
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

int lj_encode(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	return finish(L, top, encode(L, lh_absindex(L, idx), b, &t));
}

/* The field name of the metatable of the table at idx, pushed with its
 * index returned when it is a table; else nothing pushed and 0. */
static int push_meta_table(lua_State *L, int idx, const char *name)
{
	if (!lua_getmetatable(L, idx))
		return 0;
	lua_pushstring(L, name);
	lua_rawget(L, -2);
	lua_remove(L, -2);
	if (lua_istable(L, -1))
		return lua_gettop(L);
	lua_pop(L, 1);
	return 0;
}

/* One column of a row: an unchanged TOAST value is left out, a bytea one
 * (raw bytes in Lua: the column is in the set at index bytea) is written
 * as its hex text. The value is on top. */
static int encode_column(lua_State *L, int bytea, const char *k, size_t n,
			 bool *first, struct buf *b, struct trail *t)
{
	if (is_sentinel(L, -1, &lj_unchanged_sentinel))
		return 0;
	if (bytea && lua_type(L, -1) == LUA_TSTRING) {
		lua_pushlstring(L, k, n);
		lua_rawget(L, bytea);
		bool raw = lua_toboolean(L, -1);
		lua_pop(L, 1);
		if (raw) {
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
	}
	trail_key(t, k, n);
	int rc = encode_member(L, k, n, first, b, t);
	trail_pop(t);
	return rc;
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
	int order = push_key_order(L, idx);
	int bytea = push_meta_table(L, idx, "__bytea");
	size_t len = order ? lh_rawlen(L, order) : 0;
	for (size_t i = 1; i <= len; i++) {
		lua_rawgeti(L, order, (int)i); /* stack: ..., key */
		size_t n;
		const char *k = lua_type(L, -1) == LUA_TSTRING
				    ? lua_tolstring(L, -1, &n)
				    : NULL;
		lua_pushvalue(L, -1);
		lua_rawget(L, idx); /* stack: ..., key, value */
		if (k && !lua_isnil(L, -1)) {
			present++;
			if (encode_column(L, bytea, k, n, &first, b, t) < 0)
				return -1;
		}
		lua_pop(L, 2);
	}
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

int lj_encode_row(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	idx = lh_absindex(L, idx);
	if (room(L, &t) < 0)
		return finish(L, top, -1);
	return finish(L, top, encode_row(L, idx, b, &t));
}

static const char *const change_keys[] = {
	"op",  "schema",      "table", "relid", "key", "lsn",
	"xid", "commit_time", "new",   "old",	NULL,
};

int lj_encode_change(lua_State *L, int idx, struct buf *b)
{
	struct trail t;
	t.n = t.open = 0;
	int top = lua_gettop(L);
	idx = lh_absindex(L, idx);
	if (room(L, &t) < 0)
		return finish(L, top, -1);
	bool first = true;
	size_t present = 0;
	buf_putc(b, '{');
	for (const char *const *k = change_keys; *k; k++) {
		lua_pushstring(L, *k);
		lua_rawget(L, idx);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			continue;
		}
		present++;
		if (!first)
			buf_putc(b, ',');
		first = false;
		json_put_string(b, *k, strlen(*k));
		buf_putc(b, ':');
		int vtop = lua_gettop(L);
		int rc;
		trail_key(&t, *k, strlen(*k));
		if (strcmp(*k, "new") == 0 || strcmp(*k, "old") == 0)
			rc = encode_row(L, vtop, b, &t);
		else if (strcmp(*k, "key") == 0 && lua_istable(L, vtop) &&
			 lh_rawlen(L, vtop) == 0)
			rc = (buf_puts(b, "[]"), 0);
		else
			rc = encode(L, vtop, b, &t);
		trail_pop(&t);
		if (rc < 0)
			return finish(L, top, -1);
		lua_pop(L, 1);
	}
	if (count_entries(L, idx) > present &&
	    encode_rest(L, idx, change_keys, 0, first, b, &t) < 0)
		return finish(L, top, -1);
	buf_putc(b, '}');
	return 0;
}

/* ---- decoding ---- */

struct reader {
	const char *s;
	size_t n, i;
	char *msg;
	size_t msglen;
	struct trail t;
};

static int rfail(struct reader *r, const char *what)
{
	snprintf(r->msg, r->msglen, "%s at byte %zu", what, r->i + 1);
	return -1;
}

static void skip_ws(struct reader *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
			       r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static int hex4(struct reader *r, unsigned *out)
{
	if (r->n - r->i < 4)
		return rfail(r, "truncated \\u escape");
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		char c = r->s[r->i++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return rfail(r, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xC0 | cp >> 6));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xE0 | cp >> 12));
		buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(b, (char)(0xF0 | cp >> 18));
		buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* Pushes the string that starts after the opening quote. */
static int read_string(lua_State *L, struct reader *r)
{
	struct buf b = { 0 };
	for (;;) {
		if (r->i >= r->n) {
			buf_free(&b);
			return rfail(r, "unterminated string");
		}
		char c = r->s[r->i++];
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20) {
			buf_free(&b);
			return rfail(r, "control character in string");
		}
		if (c != '\\') {
			buf_putc(&b, c);
			continue;
		}
		if (r->i >= r->n) {
			buf_free(&b);
			return rfail(r, "unterminated string");
		}
		c = r->s[r->i++];
		unsigned cp, lo;
		switch (c) {
		case '"':
		case '\\':
		case '/': buf_putc(&b, c); break;
		case 'b': buf_putc(&b, '\b'); break;
		case 'f': buf_putc(&b, '\f'); break;
		case 'n': buf_putc(&b, '\n'); break;
		case 'r': buf_putc(&b, '\r'); break;
		case 't': buf_putc(&b, '\t'); break;
		case 'u':
			if (hex4(r, &cp) < 0) {
				buf_free(&b);
				return -1;
			}
			/* A surrogate only as the first of a pair: what
			 * would not be UTF-8 is refused, as jsonb does. */
			if (cp >= 0xDC00 && cp < 0xE000) {
				buf_free(&b);
				return rfail(
				    r,
				    "a \\u low surrogate without a high one");
			}
			if (cp >= 0xD800 && cp < 0xDC00) {
				if (r->n - r->i < 6 || r->s[r->i] != '\\' ||
				    r->s[r->i + 1] != 'u') {
					buf_free(&b);
					return rfail(
					    r,
					    "a \\u high surrogate without a low one");
				}
				r->i += 2;
				if (hex4(r, &lo) < 0) {
					buf_free(&b);
					return -1;
				}
				if (lo < 0xDC00 || lo >= 0xE000) {
					buf_free(&b);
					return rfail(
					    r,
					    "a \\u high surrogate without a low one");
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
			}
			put_utf8(&b, cp);
			break;
		default: buf_free(&b); return rfail(r, "bad escape in string");
		}
	}
	lua_pushlstring(L, b.data ? b.data : "", b.len);
	buf_free(&b);
	return 0;
}

static int read_number(lua_State *L, struct reader *r)
{
	size_t start = r->i;
	bool integral = true;
	while (r->i < r->n && r->s[r->i] &&
	       strchr("+-0123456789.eE", r->s[r->i])) {
		if (strchr(".eE", r->s[r->i]))
			integral = false;
		r->i++;
	}
	size_t len = r->i - start;
	if (len == 0)
		return rfail(r, "bad number");
	/* A copy to end with a NUL: on the stack, or for the long numbers
	 * numeric prints, on the heap. */
	char small[64];
	struct buf big = { 0 };
	char *tmp = small;
	if (len >= sizeof small) {
		buf_put(&big, r->s + start, len);
		tmp = (char *)buf_cstr(&big);
	} else {
		memcpy(small, r->s + start, len);
		small[len] = '\0';
	}
	char *end;
	int rc = 0;
	if (integral) {
		errno = 0;
		long long v = strtoll(tmp, &end, 10);
		/* Out of range is a double; so is -0, whose sign an integer
		 * would lose. */
		if (*end == '\0' && errno != ERANGE &&
		    v <= LH_EXACT_INTEGER_MAX && v >= -LH_EXACT_INTEGER_MAX &&
		    !(v == 0 && tmp[0] == '-')) {
			lua_pushinteger(L, (lua_Integer)v);
			buf_free(&big);
			return 0;
		}
	}
	double d = strtod(tmp, &end);
	if (*end != '\0')
		rc = rfail(r, "bad number");
	else
		lua_pushnumber(L, d);
	buf_free(&big);
	return rc;
}

static int read_value(lua_State *L, struct reader *r);

/* Reads an array or an object after its opening bracket; pushes it. */
static int read_container(lua_State *L, struct reader *r, bool array)
{
	char close = array ? ']' : '}';
	if (r->t.open >= LJ_MAX_DEPTH) {
		struct buf b = { 0 };
		buf_printf(&b, "nested more than %d deep at byte %zu, in ",
			   LJ_MAX_DEPTH, r->i);
		put_trail(&b, &r->t,
			  48); /* the message fits the callers' 128 bytes */
		snprintf(r->msg, r->msglen, "%s", buf_cstr(&b));
		buf_free(&b);
		return -1;
	}
	r->t.open++;
	lua_newtable(L);
	int t = lua_gettop(L);
	skip_ws(r);
	if (r->i < r->n && r->s[r->i] == close) {
		r->i++;
		r->t.open--;
		return 0;
	}
	/* An object remembers its key order, so encoding it again gives the
	 * same text: stack: object, keys. */
	if (!array)
		lua_newtable(L);
	for (int n = 1;; n++) {
		skip_ws(r);
		if (!array) {
			if (r->i >= r->n || r->s[r->i] != '"')
				return rfail(r, "expected a string key");
			r->i++;
			if (read_string(L, r) < 0)
				return -1;
			skip_ws(r);
			if (r->i >= r->n || r->s[r->i++] != ':')
				return rfail(r, "expected ':'");
			lua_pushvalue(L, -1);
			lua_rawseti(L, t + 1, n);
		}
		if (array) {
			trail_index(&r->t, n);
		} else {
			size_t klen;
			const char *k = lua_tolstring(L, -1, &klen);
			trail_key(&r->t, k, klen);
		}
		int rc = read_value(L, r);
		trail_pop(&r->t);
		if (rc < 0)
			return -1;
		if (array)
			lua_rawseti(L, t, n);
		else
			lua_rawset(L, t);
		skip_ws(r);
		if (r->i >= r->n)
			return rfail(r, "unterminated container");
		char c = r->s[r->i++];
		if (c == close) {
			if (!array) {
				lua_createtable(
				    L, 0, 1); /* stack: object, keys, mt */
				lua_insert(L, t + 1);
				lua_setfield(L, t + 1, "__keys");
				lua_setmetatable(L, t);
			}
			r->t.open--;
			return 0;
		}
		if (c != ',')
			return rfail(r, array ? "expected ',' or ']'"
					      : "expected ',' or '}'");
	}
}

static int read_literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if (r->n - r->i < n || memcmp(r->s + r->i, word, n) != 0)
		return rfail(r, "unexpected character");
	r->i += n;
	return 0;
}

static int read_value(lua_State *L, struct reader *r)
{
	if (!lua_checkstack(L, LEVEL_SLOTS))
		return rfail(r, "out of Lua stack");
	skip_ws(r);
	if (r->i >= r->n)
		return rfail(r, "unexpected end");
	char c = r->s[r->i];
	switch (c) {
	case '{':
	case '[': r->i++; return read_container(L, r, c == '[');
	case '"': r->i++; return read_string(L, r);
	case 't':
		if (read_literal(r, "true") < 0)
			return -1;
		lua_pushboolean(L, 1);
		return 0;
	case 'f':
		if (read_literal(r, "false") < 0)
			return -1;
		lua_pushboolean(L, 0);
		return 0;
	case 'n':
		if (read_literal(r, "null") < 0)
			return -1;
		lua_pushlightuserdata(L, (void *)&lj_null_sentinel);
		return 0;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return read_number(L, r);
		return rfail(r, "unexpected character");
	}
}

int lj_decode(lua_State *L, const char *s, size_t n, char *msg, size_t msglen)
{
	struct reader r;
	r.s = s;
	r.n = n;
	r.i = 0;
	r.msg = msg;
	r.msglen = msglen;
	r.t.n = r.t.open = 0;
	int top = lua_gettop(L);
	if (read_value(L, &r) == 0) {
		skip_ws(&r);
		if (r.i == r.n)
			return 0;
		rfail(&r, "trailing text");
	}
	lua_settop(L, top);
	return -1;
}
