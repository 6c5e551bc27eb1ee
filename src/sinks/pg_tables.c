/* sink_pg tables — what the postgres sink knows of its target's tables:
 * each described from the target's catalog on first use (columns, types,
 * the key a subscription finds rows by), described again after a
 * reconnect or when a change names a column it does not have. */
#include "sinks/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "protocol/pgsql.h"

static void free_table(struct target_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	free(t->cols);
	t->cols = NULL;
	t->ncols = t->nkeys = 0;
}

void pgsink_free_tables(struct pgsink *p)
{
	for (struct target_table *t = p->tables, *n; t; t = n) {
		n = t->next;
		free_table(t);
		free(t->schema);
		free(t->table);
		free(t->qualified);
		free(t);
	}
	p->tables = NULL;
}

/* A target table's columns, one row each: name, type, base type,
 * generated, GENERATED ALWAYS identity, in the key; and on every row the
 * table's relkind, the events with a trigger that fires in this session
 * on the table or a partition (pg_trigger's tgtype bits: ENABLE ALWAYS,
 * and REPLICA or ORIGIN by the session's role; foreign key checks are
 * such triggers), and whether a unique or exclusion index besides the
 * key is checked row by row. The key is what a subscription finds rows
 * by: the replica identity index, else the primary key. */
static const char describe_sql[] =
    "SELECT a.attname, a.atttypid,"
    " CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE a.atttypid END,"
    " a.attgenerated <> '', a.attidentity = 'a',"
    " coalesce(a.attnum = ANY (k.indkey), false), c.relkind,"
    " (SELECT coalesce(bit_or(g.tgtype & 28), 0) FROM pg_catalog.pg_trigger g"
    "   WHERE g.tgrelid IN (SELECT c.oid UNION ALL SELECT relid"
    "   FROM pg_catalog.pg_partition_tree(c.oid))"
    "   AND g.tgenabled IN ('A',"
    "   CASE current_setting('session_replication_role')"
    "   WHEN 'replica' THEN 'R' ELSE 'O' END)),"
    " EXISTS (SELECT FROM pg_catalog.pg_index u"
    "   WHERE u.indrelid IN (SELECT c.oid UNION ALL SELECT relid"
    "   FROM pg_catalog.pg_partition_tree(c.oid))"
    "   AND (u.indisunique OR u.indisexclusion) AND u.indimmediate"
    "   AND NOT (CASE WHEN k.indisreplident THEN u.indisreplident"
    "   ELSE u.indisprimary END))"
    " FROM pg_catalog.pg_class c"
    " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
    " JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
    " LEFT JOIN LATERAL (SELECT i.indkey, i.indisreplident"
    "   FROM pg_catalog.pg_index i"
    "   WHERE i.indrelid = c.oid AND i.indisvalid AND"
    "   (i.indisreplident OR i.indisprimary)"
    "   ORDER BY i.indisreplident DESC LIMIT 1) k ON true"
    " WHERE c.oid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY a.attnum";

/* Reads t's columns from the target's catalog into t (whose qualified
 * name is set), outside the pipeline. */
static int describe(struct pgsink *p, struct target_table *t, struct err *e)
{
	char doing[600];
	snprintf(doing, sizeof doing, "looking up target table %s",
		 t->qualified);
	const char *params[] = { t->qualified };
	PGresult *res = pgsink_run(p, describe_sql, 1, params, doing, e);
	if (!res)
		return -1;
	t->ncols = (size_t)PQntuples(res);
	t->nkeys = 0;
	t->relkind = t->ncols ? PQgetvalue(res, 0, 6)[0] : 'r';
	t->triggers = t->ncols ? atoi(PQgetvalue(res, 0, 7)) : 0;
	t->other_unique = t->ncols && PQgetvalue(res, 0, 8)[0] == 't';
	t->cols = xcalloc(t->ncols + 1, sizeof *t->cols);
	for (size_t i = 0; i < t->ncols; i++) {
		struct target_col *c = &t->cols[i];
		int r = (int)i;
		c->name = xstrdup(PQgetvalue(res, r, 0));
		c->type = (uint32_t)strtoul(PQgetvalue(res, r, 1), NULL, 10);
		c->base = (uint32_t)strtoul(PQgetvalue(res, r, 2), NULL, 10);
		c->generated = PQgetvalue(res, r, 3)[0] == 't';
		c->always_identity = PQgetvalue(res, r, 4)[0] == 't';
		c->key = PQgetvalue(res, r, 5)[0] == 't';
		t->nkeys += c->key;
	}
	PQclear(res);
	return 0;
}

static bool same_description(const struct target_table *a,
			     const struct target_table *b)
{
	if (a->ncols != b->ncols || a->relkind != b->relkind)
		return false;
	for (size_t i = 0; i < a->ncols; i++) {
		const struct target_col *x = &a->cols[i], *y = &b->cols[i];
		if (strcmp(x->name, y->name) || x->type != y->type ||
		    x->generated != y->generated || x->key != y->key ||
		    x->always_identity != y->always_identity)
			return false;
	}
	return true;
}

/* t's description replaced by fresh's, which t now owns. */
static void take_description(struct target_table *t,
			     const struct target_table *fresh)
{
	free_table(t);
	t->relkind = fresh->relkind;
	t->ncols = fresh->ncols;
	t->nkeys = fresh->nkeys;
	t->cols = fresh->cols;
	t->triggers = fresh->triggers;
	t->other_unique = fresh->other_unique;
}

/* Describes t anew, outside the pipeline; an open target transaction
 * stays open. */
static int redescribe(struct pgsink *p, struct target_table *t, struct err *e)
{
	if (pgsink_ensure_connected(p, e) < 0)
		return -1;
	char doing[600];
	snprintf(doing, sizeof doing, "looking up target table %s",
		 t->qualified);
	/* A lookup needs the connection out of pipeline mode for a moment. */
	if (pgsink_drain(p, e) < 0)
		return -1;
	if (!PQexitPipelineMode(p->conn)) {
		pgsql_fail(e, p->conn, NULL, doing);
		return pgsink_fail(p, e);
	}
	struct target_table fresh = { .qualified = t->qualified };
	int rc = describe(p, &fresh, e);
	if (!PQenterPipelineMode(p->conn) && rc == 0)
		rc = pgsql_fail(e, p->conn, NULL, doing);
	if (rc < 0) {
		free_table(&fresh);
		return pgsink_fail(p, e);
	}
	take_description(t, &fresh);
	t->stale = false;
	return 0;
}

/* After a failed statement (pg_pipeline.c): whether t is no longer what
 * walhook took it for. */
bool pgsink_changed(struct pgsink *p, struct target_table *t)
{
	struct target_table fresh = { .qualified = t->qualified };
	struct err ignored;
	if (describe(p, &fresh, &ignored) < 0)
		return false;
	if (same_description(t, &fresh)) {
		free_table(&fresh);
		return false;
	}
	take_description(t, &fresh);
	return true;
}

struct target_table *pgsink_target(struct pgsink *p, const char *schema,
				   const char *table, struct err *e)
{
	if (!schema)
		schema = "public";
	for (struct target_table *t = p->tables; t; t = t->next) {
		if (strcmp(t->table, table) == 0 &&
		    strcmp(t->schema, schema) == 0) {
			if (t->stale && redescribe(p, t, e) < 0)
				return NULL;
			return t;
		}
	}
	struct buf q = { 0 };
	pgsql_put_ident(&q, schema);
	buf_putc(&q, '.');
	pgsql_put_ident(&q, table);
	struct target_table *t = xcalloc(1, sizeof *t);
	t->qualified = xstrdup(buf_cstr(&q));
	buf_free(&q);
	if (redescribe(p, t, e) < 0) {
		free(t->qualified);
		free(t);
		return NULL;
	}
	t->schema = xstrdup(schema);
	t->table = xstrdup(table);
	t->next = p->tables;
	p->tables = t;
	return t;
}

void pgsink_tables_stale(struct pgsink *p)
{
	for (struct target_table *t = p->tables; t; t = t->next)
		t->stale = true;
}

/* A target column by name; NULL when the table has no such column. */
const struct target_col *pgsink_column(const struct target_table *t,
				       const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* Types without an equality operator cannot find a row. */
static const char *missing_column(const struct target_table *t, size_t n,
				  const char *const *names)
{
	for (size_t i = 0; i < n; i++)
		if (!pgsink_column(t, names[i]))
			return names[i];
	return NULL;
}

/* Every column the change names must be the target's. One that is not
 * may have been added since walhook looked: look again. Still missing,
 * it is a failure that passes once the target has it (as a subscription
 * waits for it), so walhook retries. */
int pgsink_check_columns(struct pgsink *p, struct target_table *t,
			 const struct sink_row *r, struct err *e)
{
	const char *name = missing_column(t, r->ncols, r->names);
	if (!name)
		name = missing_column(t, r->nold, r->old_names);
	if (name && (redescribe(p, t, e) < 0))
		return -1;
	if (name) {
		name = missing_column(t, r->ncols, r->names);
		if (!name)
			name = missing_column(t, r->nold, r->old_names);
	}
	if (name) {
		err_set(e, "target table %s has no column \"%s\"", t->qualified,
			name);
		e->transient = true;
		return -1;
	}
	if (!t->ncols)
		return err_set(e, "target table %s has no columns",
			       t->qualified);
	return 0;
}
