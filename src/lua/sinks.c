#include "lua/sinks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "core/json.h"
#include "lua/debezium.h"
#include "lua/json.h"
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

#define SINK_MT "walhook.sink"

enum format {
	FORMAT_WALHOOK,
	FORMAT_DEBEZIUM
};

/* A sink as Lua holds it. The delivery module owns the sink; the box
 * keeps how records are written and routed. */
struct box {
	struct sink *s; /* first: check_sink reads it */
	enum format format;
	/* Broker sinks: where a record goes (a registry reference to a
	 * name or a function of the table; LUA_NOREF:
	 * <prefix>.<schema>.<table>) and its key (a function; LUA_NOREF: the
	 * replica identity's columns). dest_opt names the option in messages.
	 */
	int dest_ref;
	int key_ref;
	const char *dest_opt;
	char prefix[128]; /* also Debezium's source.name */
};

static struct luasink_ctx *ctx_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static struct sink *check_sink(lua_State *L)
{
	struct box *bx = luaL_checkudata(L, 1, SINK_MT);
	return bx->s;
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
	case LUA_TTABLE: put_array(L, idx, b); return;
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

/* ---- a change table as a row to apply ----
 *
 * Every string the sink is handed is copied into one buffer the call owns
 * (struct kept): a string that only the stack held, a value an __index
 * made, a number turned into text, may be collected by Lua's GC at the next
 * allocation. Strings are referred to by offset while the buffer grows and
 * pointed at once it stops. What a script passes is checked first: names
 * are strings, key lists name columns, with a clear error otherwise. */

struct kept {
	struct buf text;
};

/* Appends s and a NUL (libpq reads text parameters up to one); returns
 * where it starts. */
static size_t keep(struct kept *k, const char *s, size_t n)
{
	size_t off = k->text.len;
	buf_put(&k->text, s, n);
	buf_putc(&k->text, '\0');
	return off;
}

static const char *kept_at(const struct kept *k, size_t off)
{
	return k->text.data + off;
}

/* A name of a schema, table or column: a string, not empty, with no NUL
 * (it would cut the name short). *off is where keep put it. what names
 * the field for a message. */
static int keep_name(lua_State *L, int idx, struct kept *k, size_t *off,
		     const char *what, struct err *e)
{
	if (lua_type(L, idx) != LUA_TSTRING)
		return err_set(e, "write: %s must be a string, not a %s", what,
			       luaL_typename(L, idx));
	size_t n;
	const char *s = lua_tolstring(L, idx, &n);
	if (n == 0)
		return err_set(e, "write: %s is an empty string", what);
	if (memchr(s, '\0', n))
		return err_set(e, "write: %s has a NUL byte in it", what);
	*off = keep(k, s, n);
	return 0;
}

/* The row table at idx (new or old) as names and values, by offset into
 * k until fix_row. */
struct row_cols {
	const char **names;
	struct datum *values;
	size_t *name_offs;
	size_t *offs;
	size_t n;
};

static void grow_row(struct row_cols *rc, size_t *cap)
{
	*cap = *cap ? *cap * 2 : 16;
	rc->names = xrealloc(rc->names, *cap * sizeof *rc->names);
	rc->values = xrealloc(rc->values, *cap * sizeof *rc->values);
	rc->name_offs = xrealloc(rc->name_offs, *cap * sizeof *rc->name_offs);
	rc->offs = xrealloc(rc->offs, *cap * sizeof *rc->offs);
}

/* PostgreSQL's arrays have at most 6 dimensions (MAXDIM). */
#define MAX_ARRAY_DIMS 6

/* Whether the value at idx is one put_text can write: not a function or a
 * thread, and a table only as an array of such values at most
 * MAX_ARRAY_DIMS deep (deeper is no PostgreSQL array, and a table that
 * holds itself would never end). */
static const char *bad_value(lua_State *L, int idx, int depth)
{
	int t = lua_type(L, idx);
	if (t == LUA_TFUNCTION || t == LUA_TTHREAD)
		return "a function or a thread";
	if (t != LUA_TTABLE)
		return NULL;
	if (depth >= MAX_ARRAY_DIMS)
		return "arrays nested more than 6 deep (PostgreSQL's limit)";
	if (!lua_checkstack(L, 2))
		return "too deep for the Lua stack";
	const char *why = NULL;
	size_t n = lh_rawlen(L, idx);
	for (size_t i = 1; i <= n && !why; i++) {
		lua_rawgeti(L, idx, (int)i);
		why = bad_value(L, lua_gettop(L), depth + 1);
		lua_pop(L, 1);
	}
	return why;
}

static int read_row(lua_State *L, int idx, const char *which,
		    struct row_cols *rc, struct kept *k, struct err *e)
{
	size_t cap = 0;
	char what[96];
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		/* stack: ..., name, value */
		if (lua_type(L, -2) != LUA_TSTRING) {
			err_set(
			    e,
			    "write: %s has a key that is a %s: columns are named by strings",
			    which, luaL_typename(L, -2));
			lua_pop(L, 2);
			return -1;
		}
		snprintf(what, sizeof what, "a column name of %s", which);
		if (rc->n == cap)
			grow_row(rc, &cap);
		size_t i = rc->n;
		if (keep_name(L, -2, k, &rc->name_offs[i], what, e) < 0) {
			lua_pop(L, 2);
			return -1;
		}
		int t = lua_type(L, -1);
		const char *why = bad_value(L, lua_gettop(L), 0);
		if (why) {
			if (t == LUA_TFUNCTION || t == LUA_TTHREAD)
				err_set(
				    e,
				    "write: %s.%s is a %s: a value is a string, number, boolean, array or walhook.null",
				    which, kept_at(k, rc->name_offs[i]),
				    luaL_typename(L, -1));
			else
				err_set(e, "write: %s.%s holds %s", which,
					kept_at(k, rc->name_offs[i]), why);
			lua_pop(L, 2);
			return -1;
		}
		rc->n++;
		void *v = lua_touserdata(L, -1);
		if (lua_islightuserdata(L, -1) && v == &lj_null_sentinel) {
			rc->values[i] = (struct datum){ .kind = DATUM_NULL };
		} else if (lua_islightuserdata(L, -1) &&
			   v == &lj_unchanged_sentinel) {
			rc->values[i] =
			    (struct datum){ .kind = DATUM_UNCHANGED };
		} else {
			/* put_text writes the value's text into the buffer
			 * the call owns. */
			size_t off = k->text.len;
			put_text(L, lua_gettop(L), &k->text, false);
			rc->values[i] =
			    (struct datum){ .kind = DATUM_TEXT,
					    .len =
						(uint32_t)(k->text.len - off) };
			rc->offs[i] = off;
			buf_putc(&k->text, '\0');
		}
		lua_pop(L, 1);
	}
	return 0;
}

static void fix_row(struct row_cols *rc, const struct kept *k)
{
	for (size_t i = 0; i < rc->n; i++) {
		rc->names[i] = kept_at(k, rc->name_offs[i]);
		if (rc->values[i].kind == DATUM_TEXT)
			rc->values[i].data = kept_at(k, rc->offs[i]);
	}
}

static void free_row(struct row_cols *rc)
{
	free(rc->names);
	free(rc->values);
	free(rc->name_offs);
	free(rc->offs);
}

static bool row_has(const struct row_cols *rc, const struct kept *k,
		    const char *name)
{
	for (size_t i = 0; i < rc->n; i++)
		if (strcmp(kept_at(k, rc->name_offs[i]), name) == 0)
			return true;
	return false;
}

/* t.op into out ("" when it is not a string). */
static void read_op(lua_State *L, int idx, char *out, size_t cap)
{
	lua_getfield(L, idx, "op");
	const char *s =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
	snprintf(out, cap, "%s", s);
	lua_pop(L, 1);
}

/* t[field] as a kept name: 1 with *off set, 0 when nil (and not
 * required), -1 with e set. */
static int name_field(lua_State *L, int idx, const char *field, bool required,
		      struct kept *k, size_t *off, const char *what,
		      struct err *e)
{
	lua_getfield(L, idx, field);
	int rc = 0;
	if (!lua_isnil(L, -1))
		rc = keep_name(L, -1, k, off, what, e) < 0 ? -1 : 1;
	else if (required)
		rc = err_set(e, "write: the change has no %s", what);
	lua_pop(L, 1);
	return rc;
}

static int write_truncate(lua_State *L, struct sink *s, struct err *e)
{
	lua_getfield(L, 2, "relations");
	int rels = lua_gettop(L);
	if (!lua_istable(L, rels)) {
		err_set(
		    e,
		    "write: a truncate needs relations = { {schema = ..., table = ...}, ... }, not a %s",
		    luaL_typename(L, rels));
		lua_settop(L, rels - 1);
		return -1;
	}
	size_t n = lh_rawlen(L, rels);
	struct kept k = { 0 };
	size_t *schema_offs = xcalloc(n + 1, sizeof *schema_offs);
	size_t *table_offs = xcalloc(n + 1, sizeof *table_offs);
	bool *has_schema = xcalloc(n + 1, sizeof *has_schema);
	const char **schemas = xcalloc(n + 1, sizeof *schemas);
	const char **tables = xcalloc(n + 1, sizeof *tables);
	int rc = 0;
	char what[64];
	for (size_t i = 0; i < n && rc == 0; i++) {
		lua_rawgeti(L, rels, (int)i + 1);
		if (!lua_istable(L, -1)) {
			rc = err_set(
			    e,
			    "write: relations[%zu] is a %s, not a table with schema and table",
			    i + 1, luaL_typename(L, -1));
		} else {
			int r = lua_gettop(L);
			snprintf(what, sizeof what, "relations[%zu].schema",
				 i + 1);
			int got = name_field(L, r, "schema", false, &k,
					     &schema_offs[i], what, e);
			has_schema[i] = got == 1;
			snprintf(what, sizeof what, "relations[%zu].table",
				 i + 1);
			if (got < 0 || name_field(L, r, "table", true, &k,
						  &table_offs[i], what, e) < 0)
				rc = -1;
		}
		lua_pop(L, 1);
	}
	if (rc == 0 && n == 0)
		rc = err_set(e, "write: a truncate with no relations");
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			schemas[i] =
			    has_schema[i] ? kept_at(&k, schema_offs[i]) : NULL;
			tables[i] = kept_at(&k, table_offs[i]);
		}
		lua_getfield(L, 2, "cascade");
		lua_getfield(L, 2, "restart_identity");
		struct sink_truncate t = { n, schemas, tables,
					   lua_toboolean(L, -2),
					   lua_toboolean(L, -1) };
		rc = delivery_write_truncate(ctx_of(L)->d, s, &t, e);
	}
	free(schema_offs);
	free(table_offs);
	free(has_schema);
	free(schemas);
	free(tables);
	buf_free(&k.text);
	lua_settop(L, rels - 1);
	return rc;
}

/* The key list at idx: strings naming columns of new or old, kept. */
static int read_keys(lua_State *L, int idx, const struct row_cols *nw,
		     const struct row_cols *old, struct kept *k, size_t **offs,
		     size_t *nkeys, struct err *e)
{
	*nkeys = 0;
	*offs = NULL;
	if (lua_isnil(L, idx))
		return 0;
	if (!lua_istable(L, idx))
		return err_set(
		    e, "write: key must be a list of column names, not a %s",
		    luaL_typename(L, idx));
	size_t n = lh_rawlen(L, idx);
	*offs = xcalloc(n + 1, sizeof **offs);
	char what[48];
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (int)i + 1);
		snprintf(what, sizeof what, "key[%zu]", i + 1);
		int rc = keep_name(L, -1, k, &(*offs)[i], what, e);
		lua_pop(L, 1);
		if (rc < 0)
			return -1;
		const char *name = kept_at(k, (*offs)[i]);
		if (!row_has(nw, k, name) && !row_has(old, k, name))
			return err_set(
			    e,
			    "write: key column \"%s\" is in neither new nor old",
			    name);
		*nkeys = i + 1;
	}
	return 0;
}

/* A change table as a row to apply. */
static int write_row(lua_State *L, struct sink *s, struct err *e)
{
	char name[16];
	enum change_op op;
	read_op(L, 2, name, sizeof name);
	if (strcmp(name, "truncate") == 0 && s->ops->write_truncate)
		return write_truncate(L, s, e);
	if (!change_op_parse(name, &op))
		return err_set(
		    e,
		    "write: op must be insert, update, delete, read or truncate");
	struct row_cols nw = { 0 }, old = { 0 };
	struct kept k = { 0 };
	size_t *key_offs = NULL, nkeys = 0;
	size_t schema_off = 0, table_off = 0;
	const char **keys = NULL;
	int top = lua_gettop(L);
	int rc = 0, has_schema = 0;
	static const char *const rows[] = { "new", "old" };
	for (int r = 0; r < 2 && rc == 0; r++) {
		lua_getfield(L, 2, rows[r]);
		if (lua_istable(L, -1))
			rc = read_row(L, lua_gettop(L), rows[r], r ? &old : &nw,
				      &k, e);
		else if (!lua_isnil(L, -1))
			rc = err_set(
			    e, "write: %s must be a table of columns, not a %s",
			    rows[r], luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	if (rc == 0) {
		lua_getfield(L, 2, "key");
		rc = read_keys(L, lua_gettop(L), &nw, &old, &k, &key_offs,
			       &nkeys, e);
		lua_pop(L, 1);
	}
	if (rc == 0 && (has_schema = name_field(L, 2, "schema", false, &k,
						&schema_off, "schema", e)) < 0)
		rc = -1;
	if (rc == 0 &&
	    name_field(L, 2, "table", true, &k, &table_off, "table", e) < 0)
		rc = -1;
	if (rc == 0) {
		/* The buffer is done growing: point into it. */
		fix_row(&nw, &k);
		fix_row(&old, &k);
		keys = xcalloc(nkeys + 1, sizeof *keys);
		for (size_t i = 0; i < nkeys; i++)
			keys[i] = kept_at(&k, key_offs[i]);
		struct sink_row row = {
			.op = op,
			.schema = has_schema ? kept_at(&k, schema_off) : NULL,
			.table = kept_at(&k, table_off),
			.ncols = nw.n,
			.names = nw.names,
			.values = nw.values,
			.nold = old.n,
			.old_names = old.names,
			.old_values = old.values,
			.nkeys = nkeys,
			.keys = keys,
		};
		rc = delivery_write_row(ctx_of(L)->d, s, &row, e);
	}
	free(keys);
	free(key_offs);
	free_row(&nw);
	free_row(&old);
	buf_free(&k.text);
	lua_settop(L, top);
	return rc;
}

/* ---- records: JSON text, and for broker sinks a key and a destination ---- */

/* Whether op names a row change (not a truncate or message). */
static bool is_change(const char *op)
{
	enum change_op ignored;
	return change_op_parse(op, &ignored);
}

/* Calls the function referenced by ref with the table at t, protected;
 * leaves its one result on the stack. -1 with the error in msg. */
static int call_route(lua_State *L, int ref, int t, char *msg, size_t cap)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	lua_pushvalue(L, t);
	if (lua_pcall(L, 1, 1, 0) != 0) {
		const char *m = lua_tostring(L, -1);
		snprintf(msg, cap, "%s",
			 m ? m : "(an error that is not a string)");
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* Where the record of the table at t goes, into out: the option (a name
 * or a function of t), or <prefix>.<schema>.<table> of rt (the table
 * that names the relation: t itself, a truncate's relation), or
 * <prefix>.messages for a message. */
static int route(lua_State *L, const struct box *bx, int t, int rt,
		 const char *op, struct buf *out, char *msg, size_t cap)
{
	buf_reset(out);
	if (bx->dest_ref != LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, bx->dest_ref);
		bool fn = lua_isfunction(L, -1);
		lua_pop(L, 1);
		if (fn && call_route(L, bx->dest_ref, t, msg, cap) < 0)
			return -1;
		if (!fn)
			lua_rawgeti(L, LUA_REGISTRYINDEX, bx->dest_ref);
		size_t n = 0;
		const char *name = lua_type(L, -1) == LUA_TSTRING
				       ? lua_tolstring(L, -1, &n)
				       : NULL;
		if (!name || !n || memchr(name, '\0', n)) {
			snprintf(
			    msg, cap,
			    "%s function returned %s; expected a name (a string)",
			    bx->dest_opt,
			    name ? "an empty or NUL-holding string"
				 : luaL_typename(L, -1));
			lua_pop(L, 1);
			return -1;
		}
		buf_put(out, name, n);
		lua_pop(L, 1);
		buf_cstr(out);
		return 0;
	}
	lua_getfield(L, rt, "schema");
	lua_getfield(L, rt, "table");
	const char *schema =
	    lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
	const char *table =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (table)
		buf_printf(out, "%s.%s.%s", bx->prefix,
			   schema ? schema : "public", table);
	else if (!strcmp(op, "message"))
		buf_printf(out, "%s.messages", bx->prefix);
	lua_pop(L, 2);
	if (!out->len) {
		snprintf(
		    msg, cap,
		    "a record with no table to name its %s by: give %s = ...",
		    bx->dest_opt, bx->dest_opt);
		return -1;
	}
	buf_cstr(out);
	return 0;
}

/* The key of the change at t, into out (*has false: none): the key
 * function's result (a string as it is, a table as JSON, nil for none),
 * or the replica identity's columns as a JSON object, values from old
 * when it has them. */
static int record_key(lua_State *L, const struct box *bx, int t, bool *has,
		      struct buf *out, char *msg, size_t cap)
{
	buf_reset(out);
	*has = false;
	if (bx->key_ref != LUA_NOREF) {
		if (call_route(L, bx->key_ref, t, msg, cap) < 0)
			return -1;
		int rc = 0;
		if (lua_type(L, -1) == LUA_TSTRING) {
			size_t n;
			const char *k = lua_tolstring(L, -1, &n);
			buf_put(out, k, n);
			*has = true;
		} else if (lua_istable(L, -1)) {
			if (lj_encode(L, -1, out) < 0) {
				snprintf(msg, cap, "key: %s",
					 lua_tostring(L, -1));
				lua_pop(L, 1);
				rc = -1;
			}
			*has = rc == 0;
		} else if (!lua_isnil(L, -1)) {
			snprintf(
			    msg, cap,
			    "key function returned a %s; expected a string, a table or nil",
			    luaL_typename(L, -1));
			rc = -1;
		}
		lua_pop(L, 1);
		return rc;
	}
	lua_getfield(L, t, "key");
	int keys = lua_gettop(L);
	size_t n = lua_istable(L, keys) ? lh_rawlen(L, keys) : 0;
	if (n) {
		lua_getfield(L, t, "old");
		lua_getfield(L, t, "new"); /* stack: key, old, new */
		buf_putc(out, '{');
		for (size_t i = 1; i <= n; i++) {
			lua_rawgeti(L, keys, (int)i);
			if (lua_type(L, -1) != LUA_TSTRING) {
				lua_pop(L, 1);
				continue;
			}
			size_t len;
			const char *col = lua_tolstring(L, -1, &len);
			lua_pushnil(L);
			if (lua_istable(L, keys + 1)) {
				lua_pushvalue(L, -2);
				lua_rawget(L, keys + 1);
				lua_replace(L, -2);
			}
			if (lua_isnil(L, -1) && lua_istable(L, keys + 2)) {
				lua_pushvalue(L, -2);
				lua_rawget(L, keys + 2);
				lua_replace(L, -2);
			}
			if (out->len > 1)
				buf_putc(out, ',');
			json_put_string(out, col, len);
			buf_putc(out, ':');
			if (lj_encode(L, -1, out) < 0) {
				snprintf(msg, cap, "key: %s",
					 lua_tostring(L, -1));
				lua_settop(L, keys - 1);
				return -1;
			}
			lua_pop(L, 2);
		}
		buf_putc(out, '}');
		*has = true;
	}
	lua_settop(L, keys - 1);
	return 0;
}

/* Hands one record (JSON in b) to the sink; for a broker sink with its
 * key, destination and labels, from the table at t (rt names the
 * relation). */
static int emit(lua_State *L, const struct box *bx, int t, int rt,
		const char *op, const struct buf *b, struct buf *dest,
		struct buf *key, char *msg, size_t cap, struct err *e)
{
	struct luasink_ctx *ctx = ctx_of(L);
	struct sink *s = bx->s;
	if (!s->ops->write_record)
		return delivery_write_json(ctx->d, s, b->data, b->len, e) < 0
			   ? -2
			   : 0;
	bool has_key = false;
	if (route(L, bx, t, rt, op, dest, msg, cap) < 0)
		return -1;
	if (is_change(op) && record_key(L, bx, t, &has_key, key, msg, cap) < 0)
		return -1;
	lua_getfield(L, t, "lsn");
	lua_getfield(L, t, "xid");
	lua_getfield(L, rt, "schema");
	lua_getfield(L, rt, "table"); /* stack: lsn, xid, schema, table */
	struct sink_record r = {
		.json = b->data,
		.len = b->len,
		.key = has_key ? buf_cstr(key) : NULL,
		.key_len = key->len,
		.dest = dest->data,
		.op = op,
		.schema =
		    lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "",
		.table =
		    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "",
	};
	if (lua_type(L, -4) == LUA_TSTRING)
		lsn_parse(lua_tostring(L, -4), &r.lsn);
	if (lua_type(L, -3) == LUA_TNUMBER && lua_tonumber(L, -3) > 0 &&
	    lua_tonumber(L, -3) <= 4294967295.0)
		r.xid = (uint32_t)lua_tonumber(L, -3);
	int rc = delivery_write_record(ctx->d, s, &r, e);
	lua_pop(L, 4);
	return rc < 0 ? -2 : 0;
}

/* s:write(t): a change table (or any table, for JSON sinks). */
static int l_write(lua_State *L)
{
	/* stack: sink, table; upvalue 1: the context */
	struct box *bx = luaL_checkudata(L, 1, SINK_MT);
	struct sink *s = bx->s;
	luaL_checktype(L, 2, LUA_TTABLE);
	struct err e;
	if (!s->ops->write_json && !s->ops->write_record) {
		if (write_row(L, s, &e) < 0) {
			return luaL_error(L, "sink %s: %s", s->name, e.msg);
		}
		return 0;
	}
	struct luasink_ctx *ctx = ctx_of(L);
	char op[16];
	read_op(L, 2, op, sizeof op);
	bool change = is_change(op);
	int events = bx->format == FORMAT_DEBEZIUM ? dbz_events(L, 2) : 0;
	struct dbz_source src = { bx->prefix, ctx->dbname };
	int64_t now_ms = (pgtime_now() / 1000) + PG_EPOCH_OFFSET_S * 1000;
	struct buf b = { 0 }, dest = { 0 }, key = { 0 };
	char msg[1024];
	int rc = 0;
	bool truncate = !strcmp(op, "truncate");
	lua_getfield(L, 2, "relations");
	int rels = lua_gettop(L); /* stack: sink, table, relations */
	for (int i = 0; i < (events ? events : 1) && rc == 0; i++) {
		buf_reset(&b);
		int enc = events   ? dbz_encode(L, 2, i, &src, now_ms, &b)
			  : change ? lj_encode_change(L, 2, &b)
				   : lj_encode(L, 2, &b);
		if (enc < 0) {
			snprintf(msg, sizeof msg, "write: %s",
				 lua_tostring(L, -1));
			lua_pop(L, 1);
			rc = -1;
			break;
		}
		/* A truncate's relation names its destination. */
		int rt = 2;
		if (truncate && lua_istable(L, rels)) {
			lua_rawgeti(L, rels, i + 1);
			if (lua_istable(L, -1))
				rt = lua_gettop(L);
			else
				lua_pop(L, 1);
		}
		rc = emit(L, bx, 2, rt, op, &b, &dest, &key, msg, sizeof msg,
			  &e);
		lua_settop(L, rels);
	}
	lua_settop(L, 2);
	buf_free(&b);
	buf_free(&dest);
	buf_free(&key);
	if (rc == -1)
		return luaL_error(L, "sink %s: %s", s->name, msg);
	if (rc < 0) {
		return luaL_error(L, "sink %s: %s", s->name, e.msg);
	}
	return 0;
}

/* s:flush(): makes everything written so far durable now, or inside a
 * transaction at its end. */
static int l_flush(lua_State *L)
{
	struct sink *s = check_sink(L);
	struct err e;
	if (delivery_flush_sink(ctx_of(L)->d, s, &e) < 0) {
		return luaL_error(L, "%s", e.msg);
	}
	return 0;
}

static int l_tostring(lua_State *L)
{
	struct sink *s = check_sink(L);
	lua_pushfstring(L, "walhook.sink(%s)", s->name);
	return 1;
}

/* t[k] of the options table as a number from 0 to max: nil keeps *out,
 * anything else (a string, NaN, a negative number, too large) is an
 * error in msg. Converting such a number to an integer type would be
 * undefined. */
static int opt_number(lua_State *L, const char *k, double max, double *out,
		      char *msg, size_t cap)
{
	lua_getfield(L, 1, k);
	int rc = 0;
	if (!lua_isnil(L, -1)) {
		double v = lua_type(L, -1) == LUA_TNUMBER
			       ? (double)lua_tonumber(L, -1)
			       : -1;
		if (v >= 0 && v <= max)
			*out = v;
		else
			rc = -1;
		if (rc < 0)
			snprintf(msg, cap, "%s must be a number from 0 to %.0f",
				 k, max);
	}
	lua_pop(L, 1);
	return rc;
}

/* Batching options every sink takes. */
static int read_batching(lua_State *L, struct sink *s, char *msg, size_t cap)
{
	double txns = (double)s->max_txns, bytes = (double)s->max_bytes;
	double seconds = (double)s->max_wait_us / 1e6;
	if (opt_number(L, "batch_transactions", 1e15, &txns, msg, cap) < 0 ||
	    opt_number(L, "batch_bytes", 1e15, &bytes, msg, cap) < 0 ||
	    opt_number(L, "batch_seconds", 1e9, &seconds, msg, cap) < 0)
		return -1;
	s->max_txns = (size_t)txns;
	s->max_bytes = (size_t)bytes;
	s->max_wait_us = (int64_t)(seconds * 1e6);
	return 0;
}

/* format = "walhook" (the default) | "debezium", for the sinks that write
 * JSON. */
static int read_format(lua_State *L, const struct sink *s, enum format *out,
		       char *msg, size_t cap)
{
	*out = FORMAT_WALHOOK;
	lua_getfield(L, 1, "format");
	const char *f =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	int rc = 0;
	if (!lua_isnil(L, -1)) {
		if (!s->ops->write_json && !s->ops->write_record)
			rc = -1,
			snprintf(msg, cap,
				 "format is for the sinks that write JSON");
		else if (f && !strcmp(f, "debezium"))
			*out = FORMAT_DEBEZIUM;
		else if (!f || strcmp(f, "walhook"))
			rc = -1,
			snprintf(
			    msg, cap,
			    "format must be \"walhook\" or \"debezium\", not %s%s%s",
			    f ? "\"" : "a ", f ? f : luaL_typename(L, -1),
			    f ? "\"" : "");
	}
	lua_pop(L, 1);
	return rc;
}

/* Pushes the Lua face of s (NULL: raises e); the box is returned so that
 * a broker's constructor can add its routing. */
static struct box *push_sink(lua_State *L, struct sink *s, struct err *e,
			     const char *what)
{
	if (!s) {
		luaL_error(L, "%s: %s", what, e->msg);
		return NULL;
	}
	struct luasink_ctx *ctx = ctx_of(L);
	char msg[128];
	enum format format;
	if (read_batching(L, s, msg, sizeof msg) < 0 ||
	    read_format(L, s, &format, msg, sizeof msg) < 0) {
		s->ops->free(s);
		luaL_error(L, "%s: %s", what, msg);
		return NULL;
	}
	delivery_add(ctx->d, s);
	struct box *bx = lua_newuserdata(L, sizeof *bx);
	*bx = (struct box){ .s = s,
			    .format = format,
			    .dest_ref = LUA_NOREF,
			    .key_ref = LUA_NOREF,
			    .dest_opt = "topic" };
	snprintf(bx->prefix, sizeof bx->prefix, "%s",
		 ctx->slot ? ctx->slot : "walhook");
	luaL_getmetatable(L, SINK_MT);
	lua_setmetatable(L, -2);
	return bx;
}

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
	push_sink(L, s, &e, "walhook.sink.stdout");
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
	push_sink(L, s, &e, "walhook.sink.file");
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
	push_sink(L, s, &e, "walhook.sink.exec");
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
	if (opt_number(L, "retries", 1e6, &retries, msg, sizeof msg) < 0)
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
	push_sink(L, s, &e, "walhook.sink.http");
	return 1;
}

static int l_postgres(lua_State *L)
{
	check_opts(L);
	struct luasink_ctx *ctx = ctx_of(L);
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
	struct err e;
	struct sink *s = sink_pg_new(&c, &e);
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 500000;
	}
	push_sink(L, s, &e, "walhook.sink.postgres");
	return 1;
}

/* ---- the brokers ---- */

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

/* Fills the box on top of the stack from the options checked above. */
static int set_routing(lua_State *L, struct box *bx, const char *dest_opt)
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

static double opt_seconds(lua_State *L, const char *what, const char *k,
			  double def)
{
	double v = def;
	char msg[128];
	if (opt_number(L, k, 86400, &v, msg, sizeof msg) < 0 || v <= 0)
		luaL_error(
		    L,
		    "%s: %s must be a number of seconds above 0 and at most 86400",
		    what, k);
	return v;
}

static int l_kafka(lua_State *L)
{
	static const char *const what = "walhook.sink.kafka";
	check_opts(L);
#ifndef WALHOOK_KAFKA
	return luaL_error(L,
			  "%s: this walhook was built without librdkafka "
			  "(install librdkafka-dev and build again)",
			  what);
#else
	static const char *const own[] = { "brokers",	    "topic",
					   "key",	    "prefix",
					   "config",	    "transactional_id",
					   "offsets_topic", NULL };
	check_known(L, what, own);
	check_routing(L, what, "topic");
	struct sink_kafka_config c = {
		.brokers = opt_string(L, "brokers", true, what),
		.transactional_id =
		    opt_string(L, "transactional_id", false, NULL),
		.offsets_topic = opt_string(L, "offsets_topic", false, NULL),
	};
	/* config = { ["linger.ms"] = 5, ... }: each a librdkafka property. */
	struct buf cb = { 0 };
	size_t offs[256];
	const char *pairs[256];
	int n = 0;
	lua_getfield(L, 1, "config");
	if (!lua_isnil(L, -1) && !lua_istable(L, -1)) {
		buf_free(&cb);
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
				buf_free(&cb);
				return luaL_error(
				    L,
				    "%s: config takes names of librdkafka properties "
				    "with strings, numbers or booleans",
				    what);
			}
			if (n == 256) {
				buf_free(&cb);
				return luaL_error(
				    L, "%s: at most 128 config properties",
				    what);
			}
			offs[n++] = cb.len;
			buf_puts(&cb, lua_tostring(L, -2));
			buf_putc(&cb, '\0');
			offs[n++] = cb.len;
			if (t == LUA_TBOOLEAN) {
				buf_puts(&cb, lua_toboolean(L, -1) ? "true"
								   : "false");
			} else {
				lua_pushvalue(L,
					      -1); /* tostring of a copy, not of
						      the value next uses */
				buf_puts(&cb, lua_tostring(L, -1));
				lua_pop(L, 1);
			}
			buf_putc(&cb, '\0');
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	for (int i = 0; i < n; i++)
		pairs[i] = cb.data + offs[i];
	c.config = pairs;
	c.nconfig = n / 2;
	struct err e;
	struct sink *s = sink_kafka_new(&c, &e);
	buf_free(&cb);
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 200000;
	}
	return set_routing(L, push_sink(L, s, &e, what), "topic");
#endif
}

static int l_nats(lua_State *L)
{
	static const char *const what = "walhook.sink.nats";
	check_opts(L);
#ifndef WALHOOK_NATS
	return luaL_error(L,
			  "%s: this walhook was built without libnats "
			  "(install libnats-dev and build again)",
			  what);
#else
	static const char *const own[] = { "url",    "subject", "key",
					   "prefix", "timeout", "msg_id_prefix",
					   NULL };
	check_known(L, what, own);
	check_routing(L, what, "subject");
	struct luasink_ctx *ctx = ctx_of(L);
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
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 200000;
	}
	return set_routing(L, push_sink(L, s, &e, what), "subject");
#endif
}

static int l_redis(lua_State *L)
{
	static const char *const what = "walhook.sink.redis";
	check_opts(L);
#ifndef WALHOOK_REDIS
	return luaL_error(L,
			  "%s: this walhook was built without hiredis "
			  "(install libhiredis-dev and build again)",
			  what);
#else
	static const char *const own[] = { "url",     "stream", "key",
					   "prefix",  "maxlen", "replicas",
					   "timeout", NULL };
	check_known(L, what, own);
	check_routing(L, what, "stream");
	double maxlen = 0, replicas = 0;
	char msg[128];
	if (opt_number(L, "maxlen", 1e15, &maxlen, msg, sizeof msg) < 0 ||
	    opt_number(L, "replicas", 1000, &replicas, msg, sizeof msg) < 0)
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
	if (s) {
		s->max_txns = 1000;
		s->max_bytes = 8 << 20;
		s->max_wait_us = 200000;
	}
	return set_routing(L, push_sink(L, s, &e, what), "stream");
#endif
}

/* walhook.format.debezium(c): the Debezium event of a change, truncate
 * (its first relation) or message, as a table (its keys keep the event's
 * order when written). */
static int l_format_debezium(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	struct luasink_ctx *ctx = ctx_of(L);
	if (dbz_events(L, 1) == 0)
		return luaL_error(
		    L,
		    "walhook.format.debezium: not a change, truncate or message");
	struct dbz_source src = { ctx->slot ? ctx->slot : "walhook",
				  ctx->dbname };
	int64_t now_ms = (pgtime_now() / 1000) + PG_EPOCH_OFFSET_S * 1000;
	struct buf b = { 0 };
	if (dbz_encode(L, 1, 0, &src, now_ms, &b) < 0) {
		buf_free(&b);
		return luaL_error(L, "walhook.format.debezium: %s",
				  lua_tostring(L, -1));
	}
	char msg[256];
	int rc = lj_decode(L, b.data, b.len, msg, sizeof msg);
	buf_free(&b);
	if (rc < 0)
		return luaL_error(L, "walhook.format.debezium: %s", msg);
	return 1;
}

void luasink_set_database(struct luasink_ctx *ctx, const char *dbname)
{
	snprintf(ctx->dbname, sizeof ctx->dbname, "%s", dbname);
}

void luasink_open(lua_State *L, struct luasink_ctx *ctx)
{
	luaL_newmetatable(L, SINK_MT);
	lua_newtable(L);
	lua_pushlightuserdata(L, ctx);
	lua_pushcclosure(L, l_write, 1);
	lua_setfield(L, -2, "write");
	lua_pushlightuserdata(L, ctx);
	lua_pushcclosure(L, l_flush, 1);
	lua_setfield(L, -2, "flush");
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	static const struct {
		const char *name;
		lua_CFunction fn;
	} kinds[] = {
		{ "stdout", l_stdout },	    { "file", l_file },
		{ "exec", l_exec },	    { "http", l_http },
		{ "postgres", l_postgres }, { "kafka", l_kafka },
		{ "nats", l_nats },	    { "redis", l_redis },
	};
	lua_newtable(L); /* stack: walhook, sink */
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		lua_pushlightuserdata(L, ctx);
		lua_pushcclosure(L, kinds[i].fn, 1);
		lua_setfield(L, -2, kinds[i].name);
	}
	lua_setfield(L, -2, "sink");

	lua_newtable(L); /* stack: walhook, format */
	lua_pushlightuserdata(L, ctx);
	lua_pushcclosure(L, l_format_debezium, 1);
	lua_setfield(L, -2, "debezium");
	lua_setfield(L, -2, "format");
}
