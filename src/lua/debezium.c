#define _GNU_SOURCE /* timegm */
#include "lua/debezium.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/lsn.h"
#include "core/json.h"
#include "lua/json.h"

int64_t dbz_time_ms(const char *text)
{
	struct tm tm = { 0 };
	int us = 0, n = 0;
	if (!text ||
	    sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	const char *p = text + n;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 6)
				us = us * 10 + (*p - '0');
		for (; digits < 6; digits++)
			us *= 10;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	return (int64_t)t * 1000 + us / 1000;
}

/* t[k] when it is a string, read raw: the table itself then holds the
 * string for as long as it is used (a value from __index would not be). */
static const char *field_string(lua_State *L, int idx, const char *k)
{
	idx = lc_absindex(L, idx);
	lua_pushstring(L, k);
	lua_rawget(L, idx);
	const char *s =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return s;
}

static bool is_change(const char *op)
{
	enum change_op ignored;
	return op && change_op_parse(op, &ignored);
}

int dbz_events(lua_State *L, int idx)
{
	const char *op = field_string(L, idx, "op");
	if (is_change(op) || (op && !strcmp(op, "message")))
		return 1;
	if (!op || strcmp(op, "truncate"))
		return 0;
	lua_getfield(L, idx, "relations");
	int n = lua_istable(L, -1) ? (int)lc_rawlen(L, -1) : 0;
	lua_pop(L, 1);
	return n;
}

static void put_str_or_null(struct buf *b, const char *s)
{
	if (s)
		json_put_string(b, s, strlen(s));
	else
		buf_puts(b, "null");
}

/* "source": the position and the relation of the event. t is the table
 * the schema and table come from (the change, or a truncate's relation). */
static void put_source(lua_State *L, int idx, int t,
		       const struct dbz_source *src, bool snapshot,
		       struct buf *b)
{
	buf_puts(b, "\"source\":{\"version\":\"" WALHOOK_VERSION "\","
		    "\"connector\":\"postgresql\",\"name\":");
	put_str_or_null(b, src->name);
	buf_puts(b, ",\"ts_ms\":");
	int64_t ms = dbz_time_ms(field_string(L, idx, "commit_time"));
	if (ms >= 0)
		buf_printf(b, "%lld", (long long)ms);
	else
		buf_puts(b, "null");
	buf_printf(b,
		   ",\"snapshot\":\"%s\",\"db\":", snapshot ? "true" : "false");
	put_str_or_null(b, src->db ? src->db : "");
	if (t) {
		buf_puts(b, ",\"schema\":");
		put_str_or_null(b, field_string(L, t, "schema"));
		buf_puts(b, ",\"table\":");
		put_str_or_null(b, field_string(L, t, "table"));
	}
	buf_puts(b, ",\"txId\":");
	lua_getfield(L, idx, "xid");
	if (lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) > 0)
		buf_printf(b, "%lld", (long long)lc_tointeger(L, -1));
	else
		buf_puts(b, "null");
	lua_pop(L, 1);
	buf_puts(b, ",\"lsn\":");
	uint64_t lsn;
	const char *text = field_string(L, idx, "lsn");
	if (text && lsn_parse(text, &lsn))
		buf_printf(b, "%llu", (unsigned long long)lsn);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"xmin\":null}");
}

/* A row (new or old) of the change at idx, or null. */
static int put_row(lua_State *L, int idx, const char *which, struct buf *b)
{
	lua_getfield(L, idx, which);
	int rc = 0;
	if (lua_istable(L, -1))
		rc = ljson_encode_row(L, -1, b);
	else
		buf_puts(b, "null");
	if (rc < 0) {
		lua_remove(L, -2); /* the row under the message */
		return -1;
	}
	lua_pop(L, 1);
	return 0;
}

static void put_base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_putc(b, abc[v >> 18 & 63]);
		buf_putc(b, abc[v >> 12 & 63]);
		buf_putc(b, i + 1 < n ? abc[v >> 6 & 63] : '=');
		buf_putc(b, i + 2 < n ? abc[v & 63] : '=');
	}
	buf_putc(b, '"');
}

int dbz_encode(lua_State *L, int idx, int n, const struct dbz_source *src,
	       int64_t now_ms, struct buf *b)
{
	idx = lc_absindex(L, idx);
	if (!lua_checkstack(L, 8)) {
		lua_pushliteral(L, "out of Lua stack");
		return -1;
	}
	const char *op = field_string(L, idx, "op");
	if (op && !strcmp(op, "message")) {
		buf_puts(b, "{\"op\":\"m\",");
		buf_printf(b, "\"ts_ms\":%lld,", (long long)now_ms);
		put_source(L, idx, 0, src, false, b);
		buf_puts(b, ",\"message\":{\"prefix\":");
		put_str_or_null(b, field_string(L, idx, "prefix"));
		buf_puts(b, ",\"content\":");
		lua_getfield(L, idx, "content");
		size_t len = 0;
		const char *content = lua_type(L, -1) == LUA_TSTRING
					  ? lua_tolstring(L, -1, &len)
					  : NULL;
		if (content)
			put_base64(b, (const unsigned char *)content, len);
		else
			buf_puts(b, "null");
		lua_pop(L, 1);
		buf_puts(b, "}}");
		return 0;
	}
	if (op && !strcmp(op, "truncate")) {
		lua_getfield(L, idx, "relations");
		lua_rawgeti(L, -1, n + 1); /* stack: relations, relation */
		int t = lua_istable(L, -1) ? lua_gettop(L) : 0;
		buf_puts(b, "{\"before\":null,\"after\":null,");
		put_source(L, idx, t, src, false, b);
		buf_printf(b,
			   ",\"op\":\"t\",\"ts_ms\":%lld,\"transaction\":null}",
			   (long long)now_ms);
		lua_pop(L, 2);
		return 0;
	}
	/* Debezium's op codes, by enum change_op. */
	static const char codes[] = { 'c', 'u', 'd', 'r' };
	enum change_op kind;
	char code = op && change_op_parse(op, &kind) ? codes[kind] : 0;
	if (!code) {
		lua_pushliteral(L, "not a change, truncate or message");
		return -1;
	}
	buf_puts(b, "{\"before\":");
	if (put_row(L, idx, "old", b) < 0)
		return -1;
	buf_puts(b, ",\"after\":");
	if (code == 'd')
		buf_puts(b, "null");
	else if (put_row(L, idx, "new", b) < 0)
		return -1;
	buf_putc(b, ',');
	put_source(L, idx, idx, src, code == 'r', b);
	buf_printf(b, ",\"op\":\"%c\",\"ts_ms\":%lld,\"transaction\":null}",
		   code, (long long)now_ms);
	return 0;
}
