#include "luajson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

const char lj_null_sentinel = 0;
const char lj_unchanged_sentinel = 0;

#define MAX_DEPTH 100

static int fail(lua_State *L, const char *msg)
{
	lua_pushstring(L, msg);
	return -1;
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

static int encode(lua_State *L, int idx, struct buf *b, int depth);

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
		const char *s = lua_tolstring(L, -1, &m);
		bool same = s && m == n && memcmp(s, k, n) == 0;
		lua_pop(L, 1);
		if (same)
			return true;
	}
	return false;
}

/* Writes the members of the table at idx whose keys are not in skip (a
 * NULL-terminated list), not columns of rel and not in the array at index
 * order (0: none), keys sorted. */
static int encode_rest(lua_State *L, int idx, const char *const *skip,
		       const struct rel *rel, int order, bool first,
		       struct buf *b, int depth)
{
	size_t cap = count_entries(L, idx), n = 0;
	struct key *keys = cap ? malloc(cap * sizeof *keys) : NULL;
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
			lua_pop(L, 1);
		} else {
			lua_pop(L, 2);
			free(keys);
			return fail(L, "cannot encode a table key that is not a string or number");
		}
		lua_pop(L, 1);
		bool skipped = false;
		for (const char *const *s = skip; s && *s && !k.isnum; s++)
			skipped |= strlen(*s) == k.n && memcmp(*s, k.s, k.n) == 0;
		for (uint16_t i = 0; rel && i < rel->ncols && !k.isnum; i++)
			skipped |= rel->cols[i].name_len == k.n &&
				   memcmp(rel->cols[i].name, k.s, k.n) == 0;
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
		if (!is_sentinel(L, -1, &lj_unchanged_sentinel)) {
			if (!first)
				buf_putc(b, ',');
			first = false;
			json_put_string(b, key_text(&keys[i]), keys[i].n);
			buf_putc(b, ':');
			rc = encode(L, lua_gettop(L), b, depth + 1);
		}
		if (rc == 0)
			lua_pop(L, 1);
	}
	free(keys);
	return rc;
}

/* Pushes the key order walhook.json.decode saw for the table at idx (the
 * __keys array of its metatable) and returns its index, or pushes nothing
 * and returns 0. */
static int push_key_order(lua_State *L, int idx)
{
	if (!lua_getmetatable(L, idx))
		return 0;
	lua_getfield(L, -1, "__keys");
	lua_remove(L, -2);
	if (lua_istable(L, -1))
		return lua_gettop(L);
	lua_pop(L, 1);
	return 0;
}

/* Writes the members named in the array at index order, in its order;
 * counts in *present those the table has. */
static int encode_ordered(lua_State *L, int idx, int order, bool *first,
			  size_t *present, struct buf *b, int depth)
{
	size_t len = lh_rawlen(L, order);
	for (size_t i = 1; i <= len; i++) {
		lua_rawgeti(L, order, (int)i); /* stack: ..., key */
		size_t n;
		const char *k = lua_tolstring(L, -1, &n);
		lua_pushvalue(L, -1);
		lua_rawget(L, idx); /* stack: ..., key, value */
		if (k && !lua_isnil(L, -1)) {
			(*present)++;
			if (!is_sentinel(L, -1, &lj_unchanged_sentinel)) {
				if (!*first)
					buf_putc(b, ',');
				*first = false;
				json_put_string(b, k, n);
				buf_putc(b, ':');
				if (encode(L, lua_gettop(L), b, depth + 1) < 0)
					return -1;
			}
		}
		lua_pop(L, 2);
	}
	return 0;
}

static int encode_table(lua_State *L, int idx, struct buf *b, int depth)
{
	size_t len = lh_rawlen(L, idx);
	if (len > 0 && count_entries(L, idx) == len) {
		buf_putc(b, '[');
		for (size_t i = 1; i <= len; i++) {
			if (i > 1)
				buf_putc(b, ',');
			lua_rawgeti(L, idx, (int)i);
			if (encode(L, lua_gettop(L), b, depth + 1) < 0)
				return -1;
			lua_pop(L, 1);
		}
		buf_putc(b, ']');
		return 0;
	}
	buf_putc(b, '{');
	bool first = true;
	size_t present = 0;
	int order = push_key_order(L, idx);
	if (order && encode_ordered(L, idx, order, &first, &present, b, depth) < 0)
		return -1;
	if ((!order || count_entries(L, idx) > present) &&
	    encode_rest(L, idx, NULL, NULL, order, first, b, depth) < 0)
		return -1;
	if (order)
		lua_remove(L, order);
	buf_putc(b, '}');
	return 0;
}

static int encode(lua_State *L, int idx, struct buf *b, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(L, "cannot encode a table nested this deeply (a cycle?)");
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		buf_puts(b, "null");
		return 0;
	case LUA_TBOOLEAN:
		buf_puts(b, lua_toboolean(L, idx) ? "true" : "false");
		return 0;
	case LUA_TNUMBER:
		put_number(L, idx, b);
		return 0;
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		json_put_string(b, s, n);
		return 0;
	}
	case LUA_TTABLE:
		return encode_table(L, idx, b, depth);
	case LUA_TLIGHTUSERDATA:
		if (is_sentinel(L, idx, &lj_null_sentinel) ||
		    is_sentinel(L, idx, &lj_unchanged_sentinel)) {
			buf_puts(b, "null");
			return 0;
		}
		/* fall through */
	default:
		lua_pushfstring(L, "cannot encode a %s", luaL_typename(L, idx));
		return -1;
	}
}

int lj_encode(lua_State *L, int idx, struct buf *b)
{
	return encode(L, lh_absindex(L, idx), b, 0);
}

/* A row: rel's columns in order, then any others sorted. */
static int encode_row(lua_State *L, int idx, const struct rel *rel,
		      struct buf *b)
{
	if (!lua_istable(L, idx))
		return encode(L, idx, b, 1);
	bool first = true;
	size_t present = 0;
	buf_putc(b, '{');
	for (uint16_t i = 0; rel && i < rel->ncols; i++) {
		lua_pushlstring(L, rel->cols[i].name, rel->cols[i].name_len);
		lua_rawget(L, idx);
		if (!lua_isnil(L, -1)) {
			present++;
			if (!is_sentinel(L, -1, &lj_unchanged_sentinel)) {
				if (!first)
					buf_putc(b, ',');
				first = false;
				json_put_string(b, rel->cols[i].name,
						rel->cols[i].name_len);
				buf_putc(b, ':');
				/* bytea reached Lua as raw bytes. */
				if (rel->cols[i].typoid == OID_BYTEA &&
				    lua_type(L, -1) == LUA_TSTRING) {
					size_t n;
					const char *p = lua_tolstring(L, -1, &n);
					json_put_bytea(b, p, n);
				} else if (encode(L, lua_gettop(L), b, 2) < 0)
					return -1;
			}
		}
		lua_pop(L, 1);
	}
	/* Without a relation, the order the row was decoded in. */
	int order = rel ? 0 : push_key_order(L, idx);
	if (order && encode_ordered(L, idx, order, &first, &present, b, 1) < 0)
		return -1;
	if (count_entries(L, idx) > present &&
	    encode_rest(L, idx, NULL, rel, order, first, b, 1) < 0)
		return -1;
	if (order)
		lua_remove(L, order);
	buf_putc(b, '}');
	return 0;
}

static const char *const change_keys[] = {
	"op", "schema", "table", "relid", "key", "lsn", "xid", "commit_time",
	"new", "old", NULL,
};

int lj_encode_change(lua_State *L, int idx, const struct rel *rel,
		     struct buf *b)
{
	idx = lh_absindex(L, idx);
	bool first = true;
	size_t present = 0;
	buf_putc(b, '{');
	for (const char *const *k = change_keys; *k; k++) {
		lua_getfield(L, idx, *k);
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
		int top = lua_gettop(L);
		int rc;
		if (strcmp(*k, "new") == 0 || strcmp(*k, "old") == 0)
			rc = encode_row(L, top, rel, b);
		else if (strcmp(*k, "key") == 0 && lua_istable(L, top) &&
			 lh_rawlen(L, top) == 0)
			rc = (buf_puts(b, "[]"), 0);
		else
			rc = encode(L, top, b, 1);
		if (rc < 0)
			return -1;
		lua_pop(L, 1);
	}
	if (count_entries(L, idx) > present &&
	    encode_rest(L, idx, change_keys, NULL, 0, first, b, 0) < 0)
		return -1;
	buf_putc(b, '}');
	return 0;
}

/* ---- decoding ---- */

struct reader {
	const char *s;
	size_t n, i;
	char *msg;
	size_t msglen;
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
		case '"': case '\\': case '/': buf_putc(&b, c); break;
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
			if (cp >= 0xD800 && cp < 0xDC00 && r->n - r->i >= 6 &&
			    r->s[r->i] == '\\' && r->s[r->i + 1] == 'u') {
				r->i += 2;
				if (hex4(r, &lo) < 0) {
					buf_free(&b);
					return -1;
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			put_utf8(&b, cp);
			break;
		default:
			buf_free(&b);
			return rfail(r, "bad escape in string");
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
	while (r->i < r->n && strchr("+-0123456789.eE", r->s[r->i])) {
		if (strchr(".eE", r->s[r->i]))
			integral = false;
		r->i++;
	}
	char tmp[64];
	size_t len = r->i - start;
	if (len == 0 || len >= sizeof tmp)
		return rfail(r, "bad number");
	memcpy(tmp, r->s + start, len);
	tmp[len] = '\0';
	char *end;
	if (integral) {
		long long v = strtoll(tmp, &end, 10);
		if (*end == '\0' && (v <= LH_EXACT_INTEGER_MAX &&
				     v >= -LH_EXACT_INTEGER_MAX)) {
			lua_pushinteger(L, (lua_Integer)v);
			return 0;
		}
	}
	double d = strtod(tmp, &end);
	if (*end != '\0')
		return rfail(r, "bad number");
	lua_pushnumber(L, d);
	return 0;
}

static int read_value(lua_State *L, struct reader *r, int depth);

static int read_container(lua_State *L, struct reader *r, int depth, bool array)
{
	char close = array ? ']' : '}';
	lua_newtable(L);
	int t = lua_gettop(L);
	skip_ws(r);
	if (r->i < r->n && r->s[r->i] == close) {
		r->i++;
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
		if (read_value(L, r, depth + 1) < 0)
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
				lua_createtable(L, 0, 1); /* stack: object, keys, mt */
				lua_insert(L, t + 1);
				lua_setfield(L, t + 1, "__keys");
				lua_setmetatable(L, t);
			}
			return 0;
		}
		if (c != ',')
			return rfail(r, array ? "expected ',' or ']'" : "expected ',' or '}'");
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

static int read_value(lua_State *L, struct reader *r, int depth)
{
	if (depth > MAX_DEPTH)
		return rfail(r, "nested too deeply");
	if (!lua_checkstack(L, 4))
		return rfail(r, "nested too deeply");
	skip_ws(r);
	if (r->i >= r->n)
		return rfail(r, "unexpected end");
	char c = r->s[r->i];
	switch (c) {
	case '{':
	case '[':
		r->i++;
		return read_container(L, r, depth, c == '[');
	case '"':
		r->i++;
		return read_string(L, r);
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
	struct reader r = { .s = s, .n = n, .msg = msg, .msglen = msglen };
	int top = lua_gettop(L);
	if (read_value(L, &r, 0) == 0) {
		skip_ws(&r);
		if (r.i == r.n)
			return 0;
		rfail(&r, "trailing text");
	}
	lua_settop(L, top);
	return -1;
}
