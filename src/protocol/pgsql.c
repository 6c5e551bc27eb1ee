#include "protocol/pgsql.h"

#include <stdio.h>
#include <string.h>

static void trim_newline(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

int pgsql_fail(struct err *e, PGconn *c, const PGresult *res, const char *doing)
{
	const char *primary =
	    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!primary) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", c ? PQerrorMessage(c) : "");
		trim_newline(msg);
		return err_set(e, "%s: %s", doing,
			       *msg ? msg : "unknown error");
	}
	const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	err_set(e, "%s: %s (SQLSTATE %s)%s%s%s%s", doing, primary,
		code ? code : "?", detail ? "\nDETAIL: " : "",
		detail ? detail : "", hint ? "\nHINT: " : "", hint ? hint : "");
	snprintf(e->code, sizeof e->code, "%s", code ? code : "");
	return -1;
}

/* The result kept or cleared, or the failure reported. */
static int checked(PGconn *c, PGresult *res, PGresult **out, const char *doing,
		   struct err *e)
{
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pgsql_fail(e, c, res, doing);
		PQclear(res);
		return -1;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

int pgsql_exec(PGconn *c, const char *sql, int n, const char *const *params,
	       PGresult **out, const char *doing, struct err *e)
{
	return checked(c, PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0),
		       out, doing, e);
}

int pgsql_exec_simple(PGconn *c, const char *sql, PGresult **out,
		      const char *doing, struct err *e)
{
	return checked(c, PQexec(c, sql), out, doing, e);
}

void pgsql_put_quoted(struct buf *b, const char *s, char quote)
{
	buf_putc(b, quote);
	for (; *s; s++) {
		if (*s == quote)
			buf_putc(b, quote);
		buf_putc(b, *s);
	}
	buf_putc(b, quote);
}

void pgsql_put_ident(struct buf *b, const char *s)
{
	pgsql_put_quoted(b, s, '"');
}
