/* luasink rows — a Lua change table as a struct sink_row (or a
 * struct sink_truncate or sink_ddl), for the sinks that apply rows
 * (postgres): values as PostgreSQL text, every string kept in a buffer
 * the call owns, and what a script passes checked with a clear error. */
#include "lua/sinks_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "core/json.h"
#include "decode/change.h"
#include "lua/json.h"

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
	size_t n = lc_rawlen(L, idx);
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
		if (lc_isinteger(L, idx) && !(d == 0 && signbit(d)))
			buf_put_int(b, lc_tointeger(L, idx));
		else
			put_double(b, d);
		return;
	}
	case LUA_TTABLE: put_array(L, idx, b); return;
	case LUA_TLIGHTUSERDATA: /* walhook.null inside an array */
		buf_puts(b, "NULL");
		return;
	case LUA_TSTRING:
		if (!in_array) {
			size_t n;
			const char *s = lua_tolstring(L, idx, &n);
			buf_put(b, s, n);
			return;
		}
		/* fall through */
	default: {
		size_t n;
		const char *s = lc_tolstring(L, idx, &n);
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
 * (it would cut the name short). *off is where keep put it. The format
 * names the field for a message, and is only formatted for one: names are
 * read for every change. */
static int keep_name(lua_State *L, int idx, struct kept *k, size_t *off,
		     struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int keep_name(lua_State *L, int idx, struct kept *k, size_t *off,
		     struct err *e, const char *fmt, ...)
{
	size_t n = 0;
	const char *s =
	    lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &n) : NULL;
	if (s && n && !memchr(s, '\0', n)) {
		*off = keep(k, s, n);
		return 0;
	}
	char what[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (!s)
		return err_set(e, "write: %s must be a string, not a %s", what,
			       luaL_typename(L, idx));
	if (n == 0)
		return err_set(e, "write: %s is an empty string", what);
	return err_set(e, "write: %s has a NUL byte in it", what);
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
	size_t n = lc_rawlen(L, idx);
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
		if (rc->n == cap)
			grow_row(rc, &cap);
		size_t i = rc->n;
		if (keep_name(L, -2, k, &rc->name_offs[i], e,
			      "a column name of %s", which) < 0) {
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
		if (lua_islightuserdata(L, -1) && v == &ljson_null_sentinel) {
			rc->values[i] = (struct datum){ .kind = DATUM_NULL };
		} else if (lua_islightuserdata(L, -1) &&
			   v == &ljson_unchanged_sentinel) {
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
/* t[field] as a kept name: 1 with *off set, 0 when nil (and not
 * required), -1 with e set. */
static int name_field(lua_State *L, int idx, const char *field, bool required,
		      struct kept *k, size_t *off, const char *what,
		      struct err *e)
{
	lua_getfield(L, idx, field);
	int rc = 0;
	if (!lua_isnil(L, -1))
		rc = keep_name(L, -1, k, off, e, "%s", what) < 0 ? -1 : 1;
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
	size_t n = lc_rawlen(L, rels);
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
		rc = delivery_write_truncate(luasink_ctx_of(L)->d, s, &t, e);
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
	size_t n = lc_rawlen(L, idx);
	*offs = xcalloc(n + 1, sizeof **offs);
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (int)i + 1);
		int rc = keep_name(L, -1, k, &(*offs)[i], e, "key[%zu]", i + 1);
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

/* A handle_ddl table. The strings stay on the stack for the call. */
static int write_ddl(lua_State *L, struct sink *s, struct err *e)
{
	static const char *const names[] = { "tag", "identity", "statement",
					     "lsn" };
	const char *v[4];
	int top = lua_gettop(L), rc = 0;
	for (int i = 0; i < 4; i++) {
		lua_getfield(L, 2, names[i]);
		if (!(v[i] = lua_type(L, -1) == LUA_TSTRING
				 ? lua_tostring(L, -1)
				 : NULL))
			rc = err_set(e, "write: a ddl needs %s = \"...\"",
				     names[i]);
	}
	lua_getfield(L, 2, "command");
	struct sink_ddl d = { v[0], v[1], v[2], lua_tointeger(L, -1), 0 };
	if (rc == 0 && !lsn_parse(v[3], &d.lsn))
		rc = err_set(e, "write: a ddl's lsn is not an LSN: \"%s\"",
			     v[3]);
	if (rc == 0 && d.command < 1)
		rc = err_set(e, "write: a ddl needs command = 1, 2, ...");
	if (rc == 0)
		rc = delivery_write_ddl(luasink_ctx_of(L)->d, s, &d, e);
	lua_settop(L, top);
	return rc;
}

/* A change table as a row to apply. */
int luasink_write_row(lua_State *L, struct sink *s, const char *opname,
		      struct err *e)
{
	enum change_op op;
	if (strcmp(opname, "truncate") == 0 && s->ops->write_truncate)
		return write_truncate(L, s, e);
	if (strcmp(opname, "ddl") == 0)
		return write_ddl(L, s, e);
	if (!change_op_parse(opname, &op))
		return err_set(
		    e,
		    "write: op must be insert, update, delete, read, truncate or ddl");
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
	lua_getfield(L, 2, "backfill");
	bool backfill = op == CHANGE_READ && lua_isstring(L, -1);
	lua_pop(L, 1);
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
			.backfill = backfill,
		};
		rc = delivery_write_row(luasink_ctx_of(L)->d, s, &row, e);
	}
	free(keys);
	free(key_offs);
	free_row(&nw);
	free_row(&old);
	buf_free(&k.text);
	lua_settop(L, top);
	return rc;
}
