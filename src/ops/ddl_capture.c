#include "ops/ddl_capture.h"

#include "protocol/pgsql.h"

/* The function numbers the commands of one client message (its statement
 * time and text) from 1, in a setting local to the transaction, so that a
 * consumer can tell where a statement text that made several commands
 * begins. Temporary objects are never replicated, so they are not
 * reported. */
static const char install_sql[] =
    "BEGIN;\n"
    "SET LOCAL client_min_messages = warning;\n"
    "CREATE OR REPLACE FUNCTION public.walhook_capture_ddl()\n"
    "  RETURNS event_trigger LANGUAGE plpgsql\n"
    "  SECURITY DEFINER SET search_path = pg_catalog, pg_temp\n"
    "AS $walhook$\n"
    "DECLARE\n"
    "  query text := current_query();\n"
    "  here text := statement_timestamp()::text || md5(coalesce(query, ''));\n"
    "  n int := 0;\n"
    "  objs jsonb[];\n"
    "  o jsonb;\n"
    "BEGIN\n"
    "  IF current_setting('walhook.ddl_query', true) = here THEN\n"
    "    n := current_setting('walhook.ddl_command')::int;\n"
    "  END IF;\n"
    "  IF TG_EVENT = 'sql_drop' THEN\n"
    "    SELECT array_agg(jsonb_build_object('tag', TG_TAG,\n"
    "        'object_type', object_type, 'identity', object_identity,\n"
    "        'schema', schema_name)) INTO objs\n"
    "      FROM pg_event_trigger_dropped_objects()\n"
    "      WHERE original AND NOT is_temporary;\n"
    "  ELSE\n"
    "    SELECT array_agg(jsonb_build_object('tag', command_tag,\n"
    "        'object_type', object_type, 'identity', object_identity,\n"
    "        'schema', schema_name)) INTO objs\n"
    "      FROM pg_event_trigger_ddl_commands()\n"
    "      WHERE schema_name IS DISTINCT FROM 'pg_temp';\n"
    "  END IF;\n"
    "  FOREACH o IN ARRAY coalesce(objs, '{}') LOOP\n"
    "    n := n + 1;\n"
    "    PERFORM pg_logical_emit_message(true, 'walhook.ddl', (o ||\n"
    "      jsonb_build_object('statement', query, 'command', n))::text);\n"
    "  END LOOP;\n"
    "  PERFORM set_config('walhook.ddl_query', here, true);\n"
    "  PERFORM set_config('walhook.ddl_command', n::text, true);\n"
    "END\n"
    "$walhook$;\n"
    "DROP EVENT TRIGGER IF EXISTS walhook_ddl_command_end;\n"
    "CREATE EVENT TRIGGER walhook_ddl_command_end ON ddl_command_end\n"
    "  EXECUTE FUNCTION public.walhook_capture_ddl();\n"
    "DROP EVENT TRIGGER IF EXISTS walhook_sql_drop;\n"
    "CREATE EVENT TRIGGER walhook_sql_drop ON sql_drop\n"
    "  EXECUTE FUNCTION public.walhook_capture_ddl();\n"
    "COMMIT;\n";

static const char uninstall_sql[] =
    "BEGIN;\n"
    "SET LOCAL client_min_messages = warning;\n"
    "DROP EVENT TRIGGER IF EXISTS walhook_ddl_command_end;\n"
    "DROP EVENT TRIGGER IF EXISTS walhook_sql_drop;\n"
    "DROP FUNCTION IF EXISTS public.walhook_capture_ddl();\n"
    "COMMIT;\n";

static int run(const struct conn_params *p, const char *sql, const char *doing,
	       struct err *e)
{
	PGconn *c = conn_open(p, false, e);
	int rc = c ? pgsql_exec_simple(c, sql, NULL, doing, e) : -1;
	PQfinish(c);
	return rc;
}

int ddl_capture_install(const struct conn_params *p, struct err *e)
{
	return run(p, install_sql, "installing the DDL capture", e);
}

int ddl_capture_uninstall(const struct conn_params *p, struct err *e)
{
	return run(p, uninstall_sql, "removing the DDL capture", e);
}

void ddl_capture_print(FILE *out)
{
	fputs("-- walhook --install-ddl-capture runs:\n", out);
	fputs(install_sql, out);
	fputs("\n-- walhook --uninstall-ddl-capture runs:\n", out);
	fputs(uninstall_sql, out);
}
