#include "protocol/conn.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/lsn.h"
#include "protocol/pgsql.h"

/* Reads a password from the terminal without echo, as psql does. The
 * caller owns the result (and wipes it before freeing). */
static char *prompt_password(void)
{
	FILE *tty = fopen("/dev/tty", "r+");
	FILE *in = tty ? tty : stdin, *out = tty ? tty : stderr;
	struct termios old, quiet;
	bool restore = tcgetattr(fileno(in), &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(in), TCSAFLUSH, &quiet);
	}
	fputs("Password: ", out);
	fflush(out);
	char line[512] = "";
	if (!fgets(line, sizeof line, in))
		line[0] = '\0';
	if (restore)
		tcsetattr(fileno(in), TCSAFLUSH, &old);
	fputs("\n", out);
	if (tty)
		fclose(tty);
	line[strcspn(line, "\r\n")] = '\0';
	char *pw = xstrdup(line);
	explicit_bzero(line, sizeof line);
	return pw;
}

/* The password asked for once (-W, or the prompt when a server wanted
 * one), kept for every later connection of the process: reconnects, the
 * heartbeat's, walhook.query's. Only in memory; never printed. The
 * heartbeat connects from a thread of its own: the lock makes sure one
 * prompt is shown, whoever asks first. */
static pthread_mutex_t asked_lock = PTHREAD_MUTEX_INITIALIZER;
static char *asked_password;

/* A copy of the kept password, or NULL. */
static char *kept_password(void)
{
	pthread_mutex_lock(&asked_lock);
	char *pw = asked_password ? xstrdup(asked_password) : NULL;
	pthread_mutex_unlock(&asked_lock);
	return pw;
}

/* A copy of the kept password, prompting for it the first time. */
static char *ask_password_once(void)
{
	pthread_mutex_lock(&asked_lock);
	if (!asked_password)
		asked_password = prompt_password();
	char *pw = asked_password ? xstrdup(asked_password) : NULL;
	pthread_mutex_unlock(&asked_lock);
	return pw;
}

static void free_password(char *pw)
{
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
}

/* The session settings that make every plugin print values in one form,
 * whatever the server's defaults; the user's own options come after them
 * and so win. */
static char *session_options(const struct conn_params *p)
{
	static const char canonical[] =
	    "-c DateStyle=ISO,YMD -c TimeZone=UTC "
	    "-c IntervalStyle=postgres "
	    "-c extra_float_digits=1 -c lc_monetary=C";
	const char *user = getenv("PGOPTIONS");
	PQconninfoOption *parsed =
	    p->dbname ? PQconninfoParse(p->dbname, NULL) : NULL;
	for (PQconninfoOption *o = parsed; o && o->keyword; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val)
			user = o->val;
	struct buf b = { 0 };
	buf_puts(&b, canonical);
	if (user && *user) {
		buf_putc(&b, ' ');
		buf_puts(&b, user);
	}
	PQconninfoFree(parsed);
	return (char *)buf_cstr(&b);
}

PGconn *conn_open(const struct conn_params *p, bool replication, struct err *e)
{
	/* A password asked for before is given to every connection; libpq
	 * sends it only when the server asks for one. */
	char *password =
	    p->force_prompt ? ask_password_once() : kept_password();
	char *options = session_options(p);
	for (;;) {
		/* dbname first: with expand_dbname the user's conninfo or URI
		 * is taken apart, and what follows overrides it. */
		const char *keys[10], *vals[10];
		int n = 0;
		if (p->dbname) {
			keys[n] = "dbname";
			vals[n++] = p->dbname;
		}
		if (replication) {
			keys[n] = "replication";
			vals[n++] = "database";
		}
		keys[n] = "fallback_application_name";
		vals[n++] = "walhook";
#define OPT(k, v)                                                              \
	if (v) {                                                               \
		keys[n] = k;                                                   \
		vals[n++] = v;                                                 \
	}
		OPT("host", p->host);
		OPT("port", p->port);
		OPT("user", p->user);
		OPT("password", password);
		OPT("options", options);
#undef OPT
		keys[n] = vals[n] = NULL;
		PGconn *c = PQconnectdbParams(keys, vals, 1);
		if (c && PQstatus(c) == CONNECTION_OK) {
			free_password(password);
			free(options);
			return c;
		}
		bool retry = c && PQconnectionNeedsPassword(c) && !password &&
			     !p->never_prompt && isatty(STDIN_FILENO);
		if (!retry) {
			pgsql_fail(e, c, NULL, "connecting");
			PQfinish(c);
			free_password(password);
			free(options);
			return NULL;
		}
		PQfinish(c);
		password = ask_password_once();
	}
}

/* Runs a replication command expecting rows (or none); res is the
 * caller's to PQclear. */
static PGresult *command(PGconn *c, const char *sql, int min_cols,
			 const char *doing, struct err *e)
{
	PGresult *res;
	if (pgsql_exec_simple(c, sql, &res, doing, e) < 0)
		return NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQnfields(res) < min_cols) {
		err_set(e, "%s: the server answered %d columns, expected %d",
			doing, PQnfields(res), min_cols);
		PQclear(res);
		return NULL;
	}
	return res;
}

int conn_identify(PGconn *c, struct sysinfo *out, struct err *e)
{
	PGresult *res =
	    command(c, "IDENTIFY_SYSTEM", 3, "identifying the system", e);
	if (!res)
		return -1;
	int rc = 0;
	if (PQntuples(res) != 1 ||
	    !lsn_parse(PQgetvalue(res, 0, 2), &out->xlogpos)) {
		rc = err_set(e, "identifying the system: unexpected answer");
	} else {
		snprintf(out->systemid, sizeof out->systemid, "%s",
			 PQgetvalue(res, 0, 0));
		out->timeline =
		    (uint32_t)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		snprintf(out->dbname, sizeof out->dbname, "%s",
			 PQnfields(res) > 3 ? PQgetvalue(res, 0, 3) : "");
		out->server_version = PQserverVersion(c);
	}
	PQclear(res);
	return rc;
}

/* name for a message: control characters as \xNN, at most 80 bytes, so a
 * hostile name cannot break the message's line or the terminal. */
static const char *shown_name(const char *name, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = name; *p && o + 8 < cap; p++) {
		unsigned char ch = (unsigned char)*p;
		if (o >= 80) {
			o += (size_t)snprintf(out + o, cap - o, "...");
			break;
		}
		if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return out;
}

int conn_check_slot_name(const char *name, struct err *e)
{
	char shown[100];
	size_t n = strlen(name);
	if (n == 0)
		return err_set(e, "replication slot name \"\" is too short");
	if (n >= CONN_NAMEDATALEN)
		return err_set(
		    e,
		    "replication slot name \"%s\" is too long (%zu bytes; at most %d)",
		    shown_name(name, shown, sizeof shown), n,
		    CONN_NAMEDATALEN - 1);
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return err_set(
			    e,
			    "replication slot name \"%s\" contains invalid character\n"
			    "HINT: Replication slot names may only contain lower case letters, numbers, and the underscore character.",
			    shown_name(name, shown, sizeof shown));
	return 0;
}

/* A value of a replication command (START_REPLICATION's plugin options).
 * The replication grammar's scanner reads a quoted string with '' for a
 * quote and nothing else: a backslash is an ordinary character there,
 * whatever standard_conforming_strings says, and E'...' is a syntax error.
 * So doubling the quotes is all, and is right in every session. Never use
 * this for SQL: there a backslash may escape (see conn_slot_plugin). */
static void put_repl_literal(struct buf *b, const char *s)
{
	pgsql_put_quoted(b, s, '\'');
}

int conn_create_slot(PGconn *c, const char *slot, const char *plugin,
		     bool temporary, bool two_phase, bool export_snapshot,
		     bool if_not_exists, struct slot_info *out, struct err *e)
{
	*out = (struct slot_info){ 0 };
	if (conn_check_slot_name(slot, e) < 0)
		return -1;
	struct buf sql = { 0 };
	buf_puts(&sql, "CREATE_REPLICATION_SLOT ");
	pgsql_put_ident(&sql, slot);
	buf_puts(&sql, temporary ? " TEMPORARY LOGICAL " : " LOGICAL ");
	pgsql_put_ident(&sql, plugin);
	/* PostgreSQL 15 took an option list; older servers take keywords. */
	if (PQserverVersion(c) >= 150000)
		buf_printf(&sql, " (SNAPSHOT '%s'%s)",
			   export_snapshot ? "export" : "nothing",
			   two_phase ? ", TWO_PHASE" : "");
	else
		buf_printf(&sql, " %s%s",
			   export_snapshot ? "EXPORT_SNAPSHOT"
					   : "NOEXPORT_SNAPSHOT",
			   two_phase ? " TWO_PHASE" : "");
	char doing[300];
	snprintf(doing, sizeof doing, "creating replication slot \"%s\"", slot);
	PGresult *res = PQexec(c, buf_cstr(&sql));
	buf_free(&sql);
	snprintf(out->name, sizeof out->name, "%s", slot);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		bool exists = code && strcmp(code, "42710") == 0;
		int rc =
		    exists && if_not_exists ? 0 : pgsql_fail(e, c, res, doing);
		PQclear(res);
		return rc;
	}
	int rc = 0;
	if (PQntuples(res) != 1 || PQnfields(res) < 4 ||
	    !lsn_parse(PQgetvalue(res, 0, 1), &out->consistent_point)) {
		rc = err_set(e, "%s: unexpected answer", doing);
	} else {
		snprintf(out->snapshot, sizeof out->snapshot, "%s",
			 PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	return rc;
}

int conn_drop_slot(PGconn *c, const char *slot, struct err *e)
{
	if (conn_check_slot_name(slot, e) < 0)
		return -1;
	struct buf sql = { 0 };
	buf_puts(&sql, "DROP_REPLICATION_SLOT ");
	pgsql_put_ident(&sql, slot);
	char doing[300];
	snprintf(doing, sizeof doing, "dropping replication slot \"%s\"", slot);
	PGresult *res = command(c, buf_cstr(&sql), 0, doing, e);
	buf_free(&sql);
	PQclear(res);
	return res ? 0 : -1;
}

int conn_slot_plugin(PGconn *c, const char *slot, char *out, size_t outlen,
		     struct err *e)
{
	/* A replication connection takes only the simple query protocol: no
	 * parameters. The name is checked as the server checks slot names,
	 * so it is letters, digits and underscores; PQescapeLiteral quotes it
	 * anyway, in the E'' form whenever a backslash is in it, which reads
	 * the same whatever standard_conforming_strings says. */
	if (conn_check_slot_name(slot, e) < 0)
		return -1;
	char *lit = PQescapeLiteral(c, slot, strlen(slot));
	if (!lit)
		return pgsql_fail(e, c, NULL, "looking up the slot");
	struct buf sql = { 0 };
	buf_printf(&sql,
		   "SELECT plugin FROM pg_catalog.pg_replication_slots "
		   "WHERE slot_name = %s",
		   lit);
	PQfreemem(lit);
	PGresult *res = command(c, buf_cstr(&sql), 1, "looking up the slot", e);
	buf_free(&sql);
	if (!res)
		return -1;
	snprintf(out, outlen, "%s",
		 PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return 0;
}

int conn_start(PGconn *c, const char *slot, uint64_t startpos,
	       const struct plugin_option *opts, int nopts, struct err *e)
{
	if (conn_check_slot_name(slot, e) < 0)
		return -1;
	char lsn[LSN_STRLEN];
	struct buf sql = { 0 };
	buf_puts(&sql, "START_REPLICATION SLOT ");
	pgsql_put_ident(&sql, slot);
	buf_printf(&sql, " LOGICAL %s", lsn_format(startpos, lsn));
	for (int i = 0; i < nopts; i++) {
		buf_puts(&sql, i ? ", " : " (");
		pgsql_put_ident(&sql, opts[i].name);
		if (opts[i].value) {
			buf_putc(&sql, ' ');
			put_repl_literal(&sql, opts[i].value);
		}
	}
	if (nopts)
		buf_putc(&sql, ')');
	char doing[300];
	snprintf(doing, sizeof doing, "starting replication on slot \"%s\"",
		 slot);
	PGresult *res = PQexec(c, buf_cstr(&sql));
	buf_free(&sql);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_COPY_BOTH)
		rc = pgsql_fail(e, c, res, doing);
	PQclear(res);
	return rc;
}

int conn_create_publication(PGconn *c, const char *name, const char *tables,
			    struct err *e)
{
	const char *params[] = { name };
	char doing[300];
	snprintf(doing, sizeof doing, "creating publication \"%s\"", name);
	PGresult *res = PQexecParams(
	    c, "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1", 1,
	    NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgsql_fail(e, c, res, doing);
		PQclear(res);
		return -1;
	}
	bool exists = PQntuples(res) > 0;
	PQclear(res);
	if (exists)
		return 0;
	struct buf sql = { 0 };
	buf_puts(&sql, "CREATE PUBLICATION ");
	pgsql_put_ident(&sql, name);
	if (!tables) {
		buf_puts(&sql, " FOR ALL TABLES");
	} else {
		/* Table names as the user wrote them: schema.table or table. */
		buf_puts(&sql, " FOR TABLE ");
		char *copy = xstrdup(tables), *save, *t;
		bool first = true;
		for (t = strtok_r(copy, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (!first)
				buf_puts(&sql, ", ");
			first = false;
			char *dot = strchr(t, '.');
			if (dot) {
				*dot = '\0';
				pgsql_put_ident(&sql, t);
				buf_putc(&sql, '.');
				pgsql_put_ident(&sql, dot + 1);
			} else {
				pgsql_put_ident(&sql, t);
			}
		}
		free(copy);
	}
	res = PQexec(c, buf_cstr(&sql));
	buf_free(&sql);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pgsql_fail(e, c, res, doing);
	PQclear(res);
	return rc;
}
