#include "ops/describe.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "protocol/pgsql.h"

struct rel *describe_table(PGconn *c, const char *schema, const char *table,
			    struct relcache *cache, struct err *e)
{
	static const char sql[] =
	    "SELECT a.attname, a.atttypid, a.atttypmod, c.oid, c.relreplident,"
	    " CASE c.relreplident WHEN 'f' THEN true WHEN 'n' THEN false ELSE"
	    "  coalesce(a.attnum = ANY((SELECT i.indkey FROM pg_catalog.pg_index i"
	    "   WHERE i.indrelid = c.oid AND CASE c.relreplident WHEN 'i'"
	    "   THEN i.indisreplident ELSE i.indisprimary END LIMIT 1)::int2[]), false)"
	    " END"
	    " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0"
	    " AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum";
	const char *params[] = { schema, table };
	PGresult *res;
	char doing[300];
	snprintf(doing, sizeof doing, "describing %s.%s", schema, table);
	if (pgsql_exec(c, sql, 2, params, &res, doing, e) < 0)
		return NULL;
	int n = PQntuples(res);
	struct rel_column *cols = xcalloc((size_t)n + 1, sizeof *cols);
	for (int i = 0; i < n; i++) {
		cols[i] = (struct rel_column){
			.name = PQgetvalue(res, i, 0),
			.typoid =
			    (uint32_t)strtoul(PQgetvalue(res, i, 1), NULL, 10),
			.typmod = atoi(PQgetvalue(res, i, 2)),
			.key = PQgetvalue(res, i, 5)[0] == 't',
		};
	}
	uint32_t relid =
	    n ? (uint32_t)strtoul(PQgetvalue(res, 0, 3), NULL, 10) : 0;
	char ident = n ? PQgetvalue(res, 0, 4)[0] : 'd';
	struct rel *r =
	    relcache_put(cache, relid, schema, table, ident, (uint16_t)n, cols);
	free(cols);
	PQclear(res);
	return r;
}
