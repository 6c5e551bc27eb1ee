/* pgsql — what every part of walhook that speaks SQL shares: a statement
 * run and checked, the server's error in walhook's words (message,
 * SQLSTATE, detail and hint), and names quoted. */
#ifndef WALHOOK_PGSQL_H
#define WALHOOK_PGSQL_H

#include <libpq-fe.h>

#include "base/buf.h"
#include "base/err.h"

/* Fills e with the server's message, SQLSTATE, detail and hint for res (or
 * libpq's message when there is no result), after `doing`; returns -1. */
int pgsql_fail(struct err *e, PGconn *c, const PGresult *res,
	       const char *doing);

/* Runs sql with n text parameters (the extended protocol: one statement,
 * values never spliced into it). On success the result goes to *out (the
 * caller's to PQclear), or is cleared when out is NULL. -1 with e filled
 * when the server refused it. */
int pgsql_exec(PGconn *c, const char *sql, int n, const char *const *params,
	       PGresult **out, const char *doing, struct err *e);

/* The same through the simple protocol, which a replication connection
 * takes alone (its commands: IDENTIFY_SYSTEM, CREATE_REPLICATION_SLOT...).
 * sql must be built from quoted names only. */
int pgsql_exec_simple(PGconn *c, const char *sql, PGresult **out,
		      const char *doing, struct err *e);

/* Appends s between two quote characters, each one in it doubled. */
void pgsql_put_quoted(struct buf *b, const char *s, char quote);
/* s double-quoted: an identifier as SQL and the replication grammar take
 * it, whatever the name holds. */
void pgsql_put_ident(struct buf *b, const char *s);

#endif
