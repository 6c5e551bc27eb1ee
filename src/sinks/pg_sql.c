/* sink_pg sql — the statement that applies one row change to a target
 * table, and its parameters: INSERT, UPDATE and DELETE, with the
 * condition that finds the row as a subscription finds it; the COPY
 * statement and row text of a run of inserts; the statement of a batch of
 * updates or deletes. Builds text only: it runs nothing. */
#include "sinks/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "decode/copytext.h"
#include "decode/values.h"
#include "protocol/pgsql.h"

/* Types without an equality operator cannot find a row. */
static bool comparable(uint32_t type)
{
	switch (type) {
	case OID_JSON:
	case OID_JSON_ARRAY:
	case OID_XML:
	case OID_XML_ARRAY:
	case OID_POINT:
	case OID_POINT_ARRAY:
	case OID_LSEG:
	case OID_LSEG_ARRAY:
	case OID_PATH:
	case OID_PATH_ARRAY:
	case OID_BOX:
	case OID_BOX_ARRAY:
	case OID_POLYGON:
	case OID_POLYGON_ARRAY:
	case OID_LINE:
	case OID_LINE_ARRAY:
	case OID_CIRCLE:
	case OID_CIRCLE_ARRAY: return false;
	default: return true;
	}
}

/* Adds a parameter typed as the target column: a composite, a domain or
 * an array then needs no cast, and a value is read by the column's type. */
static int param(struct pgsink_params *ps, const struct datum *v,
		 const struct target_col *c)
{
	pgsink_reserve_params(ps, 1);
	int i = ps->n++;
	ps->values[i] = v->kind == DATUM_NULL ? NULL : v->data;
	ps->lengths[i] = (int)v->len;
	ps->types[i] = c->type;
	/* bytea comes as raw bytes: its binary format is exactly those. */
	ps->formats[i] = c->base == OID_BYTEA ? 1 : 0;
	return ps->n;
}

bool pgsink_reserve_params(struct pgsink_params *ps, int more)
{
	if (ps->n + more <= ps->cap)
		return false;
	while (ps->n + more > ps->cap)
		ps->cap = ps->cap ? ps->cap * 2 : 32;
	ps->values = xrealloc(ps->values, ps->cap * sizeof *ps->values);
	ps->lengths = xrealloc(ps->lengths, ps->cap * sizeof *ps->lengths);
	ps->formats = xrealloc(ps->formats, ps->cap * sizeof *ps->formats);
	ps->types = xrealloc(ps->types, ps->cap * sizeof *ps->types);
	return true;
}

void pgsink_free_params(struct pgsink_params *ps)
{
	free(ps->values);
	free(ps->lengths);
	free(ps->formats);
	free(ps->types);
}

static bool is_key(const struct sink_row *r, const char *name)
{
	for (size_t i = 0; i < r->nkeys; i++)
		if (strcmp(r->keys[i], name) == 0)
			return true;
	return false;
}

/* The value a change carries for a column, or NULL. */
static const struct datum *value_of(size_t n, const char *const *names,
				    const struct datum *vals, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return &vals[i];
	return NULL;
}

/* A statement's head around the target's name, without printf. */
static void put_words(struct buf *q, const char *before, const char *name,
		      const char *after)
{
	buf_puts(q, before);
	buf_puts(q, name);
	buf_puts(q, after);
}

/* text, then n: "$3", "c2". Statements are made for every row or batch,
 * so without printf. */
static void put_param(struct buf *q, const char *text, int n)
{
	buf_puts(q, text);
	buf_put_int(q, n);
}

static void put_match(struct buf *q, struct pgsink_params *ps,
		      const struct target_col *c, const struct datum *v,
		      bool *first)
{
	buf_puts(q, *first ? "" : " AND ");
	*first = false;
	pgsql_put_ident(q, c->name);
	if (v->kind == DATUM_NULL)
		buf_puts(q, " IS NULL");
	else
		put_param(q, " = $", param(ps, v, c));
}

/* Whether the change carries a value for every column of the target's
 * key, each in the change's key (when it names one). */
static bool covers_target_key(const struct target_table *t,
			      const struct sink_row *r, size_t n,
			      const char *const *names,
			      const struct datum *vals)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const struct target_col *c = &t->cols[i];
		if (!c->key)
			continue;
		const struct datum *v = value_of(n, names, vals, c->name);
		if (!v || v->kind == DATUM_UNCHANGED ||
		    (r->nkeys && !is_key(r, c->name)))
			return false;
	}
	return true;
}

/* The condition that finds the changed row, as a subscription finds it:
 *  - a target with a replica identity index or a primary key: its
 *    columns, whose values the change carries as part of its key (from
 *    old when it has an old row, else from new);
 *  - a target without: every column compared with the change's old row,
 *    a column the change does not carry (one only the target has, or a
 *    NULL a plugin left out) as NULL, a column the target generates not
 *    at all. Such a condition may meet equal rows; *one_row says that
 *    exactly one of them is to change. A change that names no key and
 *    no old value is an old row of NULLs whose columns a text plugin left
 *    out (test_decoding and wal2json format 1 leave NULLs out of old
 *    rows): every column is then compared as NULL.
 * Otherwise (where a subscription would stop: a target whose key the
 * change does not carry, as when a script routes a change to another
 * table, or a change without an old row on a target without a key) the
 * change's own key columns find the row. */
static int put_condition(struct buf *q, struct pgsink_params *ps,
			 const struct target_table *t, const struct sink_row *r,
			 bool *one_row, struct err *e)
{
	size_t n = r->nold ? r->nold : r->ncols;
	const char *const *names = r->nold ? r->old_names : r->names;
	const struct datum *vals = r->nold ? r->old_values : r->values;
	bool first = true;
	*one_row = false;
	if (t->nkeys && covers_target_key(t, r, n, names, vals)) {
		for (size_t i = 0; i < t->ncols; i++) {
			const struct target_col *c = &t->cols[i];
			if (c->key)
				put_match(q, ps, c,
					  value_of(n, names, vals, c->name),
					  &first);
		}
		return 0;
	}
	if (!t->nkeys && (r->nold || !r->nkeys)) {
		static const struct datum null = { .kind = DATUM_NULL };
		*one_row = true;
		for (size_t i = 0; i < t->ncols; i++) {
			const struct target_col *c = &t->cols[i];
			const struct datum *v = value_of(
			    r->nold, r->old_names, r->old_values, c->name);
			if (c->generated || !comparable(c->base) ||
			    (v && v->kind == DATUM_UNCHANGED))
				continue;
			put_match(q, ps, c, v ? v : &null, &first);
		}
	} else {
		*one_row = !t->nkeys;
		for (size_t i = 0; i < n; i++) {
			const struct target_col *c = pgsink_column(t, names[i]);
			if (!is_key(r, names[i]) ||
			    vals[i].kind == DATUM_UNCHANGED ||
			    !comparable(c->base))
				continue;
			put_match(q, ps, c, &vals[i], &first);
		}
	}
	if (first)
		return err_set(
		    e,
		    "%s: the change names no key to find the row by (REPLICA IDENTITY NOTHING?)",
		    t->qualified);
	return 0;
}

/* " WHERE cond", or for one of equal rows
 * " WHERE ctid = (SELECT ctid FROM t WHERE cond LIMIT 1)": a partitioned
 * table's ctid is unique only with the partition, its tableoid. */
static int put_where(struct buf *q, struct pgsink_params *ps,
		     const struct target_table *t, const struct sink_row *r,
		     bool lock, struct err *e)
{
	struct buf cond = { 0 };
	bool one_row;
	int rc = put_condition(&cond, ps, t, r, &one_row, e);
	if (rc == 0 && !one_row) {
		buf_puts(q, " WHERE ");
		buf_put(q, cond.data, cond.len);
	} else if (rc == 0) {
		bool parted = t->relkind == 'p';
		buf_printf(q, " WHERE %s = (SELECT %s FROM %s WHERE ",
			   parted ? "(tableoid, ctid)" : "ctid",
			   parted ? "tableoid, ctid" : "ctid", t->qualified);
		buf_put(q, cond.data, cond.len);
		buf_puts(q, lock ? " LIMIT 1 FOR UPDATE)" : " LIMIT 1)");
	}
	buf_free(&cond);
	return rc;
}

/* Whether the column is written from the value v: not when the target
 * generates it, nor when the value was not sent (unchanged TOAST). */
static bool written(const struct target_col *c, const struct datum *v)
{
	return !c->generated && v->kind != DATUM_UNCHANGED;
}

/* A backfill's read row is its row as of the high watermark: each change
 * the stream applied before that mark is older, or the window replaced
 * the row read with it, and each change after the mark is applied after
 * the row. So the row may overwrite what the target has, found by the
 * target's key. */
static void put_upsert(struct buf *q, const struct target_table *t,
		       const struct sink_row *r)
{
	buf_puts(q, " ON CONFLICT (");
	for (size_t i = 0, n = 0; i < t->ncols; i++) {
		if (!t->cols[i].key)
			continue;
		buf_puts(q, n++ ? ", " : "");
		pgsql_put_ident(q, t->cols[i].name);
	}
	buf_puts(q, ") DO ");
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		if (!written(c, &r->values[i]) || c->key || c->always_identity)
			continue;
		buf_puts(q, n++ ? ", " : "UPDATE SET ");
		pgsql_put_ident(q, c->name);
		buf_puts(q, " = EXCLUDED.");
		pgsql_put_ident(q, c->name);
	}
	if (!n)
		buf_puts(q, "NOTHING");
}

static void put_insert(struct buf *q, struct pgsink_params *ps,
		       const struct target_table *t, const struct sink_row *r)
{
	put_words(q, "INSERT INTO ", t->qualified, " (");
	int n = 0;
	bool overriding = false;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		if (!written(c, &r->values[i]))
			continue;
		if (n++)
			buf_puts(q, ", ");
		pgsql_put_ident(q, c->name);
		overriding |= c->always_identity;
	}
	if (!n) {
		/* Nothing to write but what the target makes itself. */
		q->len -= 2;
		buf_puts(q, " DEFAULT VALUES");
		if (r->op == CHANGE_READ)
			buf_puts(q, " ON CONFLICT DO NOTHING");
		return;
	}
	/* A subscription writes identity columns as the source had them. */
	buf_puts(q, overriding ? ") OVERRIDING SYSTEM VALUE VALUES ("
			       : ") VALUES (");
	n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		if (!written(c, &r->values[i]))
			continue;
		put_param(q, n++ ? ", $" : "$", param(ps, &r->values[i], c));
	}
	buf_putc(q, ')');
	/* A snapshot row that meets a row the target already has (a rerun)
	 * leaves it be: whatever unique constraint the target has. */
	if (r->op == CHANGE_READ && r->backfill)
		put_upsert(q, t, r);
	else if (r->op == CHANGE_READ)
		buf_puts(q, " ON CONFLICT DO NOTHING");
}

static bool same_value(const struct datum *a, const struct datum *b)
{
	return a->kind == b->kind && a->len == b->len &&
	       (a->kind != DATUM_TEXT || !memcmp(a->data, b->data, a->len));
}

/* Whether an update leaves the column as it was: its new value is its
 * old one, or with no old row, it is a key column of the change or of the
 * target, by whose new value the row is found (pgoutput and the text
 * plugins send an old key when the key changes). */
static bool kept(const struct sink_row *r, size_t i, const struct target_col *c)
{
	const struct datum *old =
	    value_of(r->nold, r->old_names, r->old_values, r->names[i]);
	const struct datum *v = &r->values[i];
	if (!old)
		return r->nold == 0 && (is_key(r, r->names[i]) || c->key);
	return same_value(old, v);
}

static int put_update(struct buf *q, struct pgsink_params *ps,
		      const struct target_table *t, const struct sink_row *r,
		      struct err *e)
{
	put_words(q, "UPDATE ", t->qualified, " SET ");
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		/* An identity column GENERATED ALWAYS can only be set to
		 * DEFAULT: leave it alone unless it changed. */
		if (!written(c, &r->values[i]) ||
		    (c->always_identity && kept(r, i, c)))
			continue;
		if (n++)
			buf_puts(q, ", ");
		pgsql_put_ident(q, c->name);
		put_param(q, " = $", param(ps, &r->values[i], c));
	}
	if (!n)
		return 1; /* nothing to set */
	return put_where(q, ps, t, r, true, e);
}

int pgsink_put_change(struct buf *q, struct pgsink_params *ps,
		      const struct target_table *t, const struct sink_row *r,
		      struct err *e)
{
	if (r->op == CHANGE_READ && r->backfill && !t->nkeys)
		return err_set(
		    e,
		    "a backfill's rows of %s need a primary key or replica identity index on the target",
		    t->qualified);
	if (r->op == CHANGE_INSERT || r->op == CHANGE_READ) {
		put_insert(q, ps, t, r);
		return 0;
	}
	if (r->op == CHANGE_UPDATE)
		return put_update(q, ps, t, r, e);
	put_words(q, "DELETE FROM ", t->qualified, "");
	return put_where(q, ps, t, r, false, e);
}

bool pgsink_copies(const struct target_table *t, const struct sink_row *r)
{
	if (r->op != CHANGE_INSERT || (t->triggers & TRIGGERS_INSERT) ||
	    (t->relkind != 'r' && t->relkind != 'p'))
		return false;
	for (size_t i = 0; i < r->ncols; i++)
		if (written(pgsink_column(t, r->names[i]), &r->values[i]))
			return true;
	return false;
}

void pgsink_put_copy(struct buf *q, const struct target_table *t,
		     const struct sink_row *r)
{
	put_words(q, "COPY ", t->qualified, " (");
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		if (!written(c, &r->values[i]))
			continue;
		buf_puts(q, n++ ? ", " : "");
		pgsql_put_ident(q, c->name);
	}
	buf_puts(q, ") FROM STDIN");
}

void pgsink_put_copy_row(struct buf *q, const struct target_table *t,
			 const struct sink_row *r)
{
	int n = 0;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		struct datum v = r->values[i];
		if (!written(c, &v))
			continue;
		buf_puts(q, n++ ? "\t" : "");
		/* A text parameter ends at its first NUL byte (libpq sends
		 * it as a C string): so does its field. */
		bool raw = c->base == OID_BYTEA;
		if (!raw && v.kind == DATUM_TEXT)
			v.len = (uint32_t)strnlen(v.data, v.len);
		copytext_put(q, &v, raw);
	}
	buf_putc(q, '\n');
}

static void shape_add(struct pgsink_shape *sh, const struct target_table *t,
		      const struct target_col *c)
{
	size_t n = sh->nset + sh->nkey;
	if (n == sh->cap) {
		sh->cap = sh->cap ? 2 * sh->cap : 16;
		sh->cols = xrealloc(sh->cols, sh->cap * sizeof *sh->cols);
	}
	sh->cols[n] = (size_t)(c - t->cols);
}

/* The key columns' values, which find the row: none NULL (a key has no
 * NULLs; a script's change may), none changed by an update. */
static bool put_batch_key(struct pgsink_shape *sh, struct pgsink_params *ps,
			  const struct target_table *t,
			  const struct sink_row *r)
{
	size_t n = r->nold ? r->nold : r->ncols;
	const char *const *names = r->nold ? r->old_names : r->names;
	const struct datum *vals = r->nold ? r->old_values : r->values;
	if (!covers_target_key(t, r, n, names, vals))
		return false;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct target_col *c = &t->cols[i];
		if (!c->key)
			continue;
		const struct datum *v = value_of(n, names, vals, c->name);
		const struct datum *nv =
		    r->op == CHANGE_UPDATE
			? value_of(r->ncols, r->names, r->values, c->name)
			: NULL;
		if (v->kind == DATUM_NULL || (nv && !same_value(nv, v)))
			return false;
		shape_add(sh, t, c);
		sh->nkey++;
		param(ps, v, c);
	}
	return true;
}

bool pgsink_batch_shape(const struct target_table *t, const struct sink_row *r,
			struct pgsink_shape *sh, struct pgsink_params *ps)
{
	int fires = r->op == CHANGE_UPDATE ? TRIGGERS_UPDATE : TRIGGERS_DELETE;
	if ((r->op != CHANGE_UPDATE && r->op != CHANGE_DELETE) ||
	    (t->triggers & fires) || !t->nkeys ||
	    (r->op == CHANGE_UPDATE && t->other_unique))
		return false;
	sh->op = r->op;
	sh->nset = sh->nkey = 0;
	ps->n = 0;
	for (size_t i = 0; r->op == CHANGE_UPDATE && i < r->ncols; i++) {
		const struct target_col *c = pgsink_column(t, r->names[i]);
		if (!written(c, &r->values[i]) ||
		    (c->always_identity && kept(r, i, c)))
			continue;
		shape_add(sh, t, c);
		sh->nset++;
		param(ps, &r->values[i], c);
	}
	if (r->op == CHANGE_UPDATE && !sh->nset)
		return false;
	return put_batch_key(sh, ps, t, r);
}

bool pgsink_same_shape(const struct pgsink_shape *a,
		       const struct pgsink_shape *b)
{
	return a->op == b->op && a->nset == b->nset && a->nkey == b->nkey &&
	       !memcmp(a->cols, b->cols, (a->nset + a->nkey) * sizeof *a->cols);
}

/* The target's alias and the batch's rows' in a batch statement: names no
 * table of the target's may clash with in the statement. */
#define BATCH_TARGET "walhook_target"
#define BATCH_ROWS   "walhook_rows"

void pgsink_put_batch(struct buf *q, const struct target_table *t,
		      const struct pgsink_shape *sh, int nrows)
{
	size_t per = sh->nset + sh->nkey;
	if (sh->op == CHANGE_UPDATE) {
		put_words(q, "UPDATE ", t->qualified,
			  " AS " BATCH_TARGET " SET ");
		for (size_t i = 0; i < sh->nset; i++) {
			buf_puts(q, i ? ", " : "");
			pgsql_put_ident(q, t->cols[sh->cols[i]].name);
			put_param(q, " = " BATCH_ROWS ".c", (int)i + 1);
		}
		buf_puts(q, " FROM (VALUES ");
	} else {
		put_words(q, "DELETE FROM ", t->qualified,
			  " AS " BATCH_TARGET " USING (VALUES ");
	}
	for (int r = 0, n = 0; r < nrows; r++) {
		buf_puts(q, r ? ", (" : "(");
		for (size_t i = 0; i < per; i++)
			put_param(q, i ? ", $" : "$", ++n);
		buf_putc(q, ')');
	}
	buf_puts(q, ") AS " BATCH_ROWS " (");
	for (size_t i = 0; i < per; i++)
		put_param(q, i ? ", c" : "c", (int)i + 1);
	buf_puts(q, ") WHERE ");
	for (size_t i = sh->nset; i < per; i++) {
		buf_puts(q, i > sh->nset ? " AND " BATCH_TARGET "."
					 : BATCH_TARGET ".");
		pgsql_put_ident(q, t->cols[sh->cols[i]].name);
		put_param(q, " = " BATCH_ROWS ".c", (int)i + 1);
	}
}
