#include "cli.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "base/size.h"

static const char usage[] =
    "walhook streams PostgreSQL logical replication into a Lua script.\n"
    "\n"
    "Usage: walhook [OPTION]... [SCRIPT.lua]\n"
    "\n"
    "Action to be performed:\n"
    "      --create-slot      create a new replication slot\n"
    "      --drop-slot        drop the replication slot\n"
    "      --start            start streaming in a replication slot\n"
    "      --install-ddl-capture\n"
    "                         create the event trigger that reports schema changes (handle_ddl)\n"
    "      --uninstall-ddl-capture\n"
    "                         remove it\n"
    "      --print-ddl-capture-sql\n"
    "                         show the SQL of both, then exit\n"
    "\n"
    "Options:\n"
    "  -E, --endpos=LSN       exit after receiving the specified LSN\n"
    "  -f, --file=FILE        write the output to this file (append; - for stdout)\n"
    "  -F, --fsync-interval=SECS\n"
    "                         time between fsyncs of the output file and recording (default: 10; 0 never)\n"
    "      --if-not-exists    do not error if the slot already exists when creating it\n"
    "  -I, --startpos=LSN     where in an existing slot the stream should start\n"
    "      --no-loop          do not loop on connection lost\n"
    "  -o, --option=NAME[=VALUE]\n"
    "                         pass option NAME with optional value VALUE to the output plugin\n"
    "  -P, --plugin=PLUGIN    use output plugin PLUGIN (default: the slot's, or pgoutput)\n"
    "      --raw              hand the plugin's payloads to handle_data undecoded\n"
    "      --record=FILE      while streaming, record the stream into FILE\n"
    "      --replay=FILE      run a recording (or JSON lines of changes) through the script, no server\n"
    "      --test=FILE        run the script tests in FILE (walhook.test), with --replay as their default input\n"
    "      --snapshot         with --create-slot --start: first hand over every published row as op \"read\"\n"
    "      --backfill TABLE[:WHERE]  with --start: read the table again while streaming (repeatable)\n"
    "      --backfill-chunk N rows a backfill reads at a time (default 1024)\n"
    "      --backfill-state FILE  where backfills keep their progress (default: beside -f or --record)\n"
    "      --create-publication[=TABLES]\n"
    "                         create the --publication if missing, for TABLES (comma list) or all tables\n"
    "      --publication=NAMES\n"
    "                         publications to stream (pgoutput's publication_names)\n"
    "  -t, --two-phase        enable decoding of prepared transactions when creating a slot\n"
    "  -s, --status-interval=SECS\n"
    "                         time between status packets sent to server (default: 10)\n"
    "  -S, --slot=SLOTNAME    name of the logical replication slot\n"
    "      --set=NAME=VALUE   hand a value to the script as walhook.vars.NAME\n"
    "      --temporary        use a temporary slot, created at start, gone at disconnect\n"
    "      --server-timeout=SECS\n"
    "                         reconnect after the server is silent this long (default: 60; 0 never)\n"
    "      --stall-warning=SECS\n"
    "                         warn when the confirmed position is stuck this long (default: 300; 0 never)\n"
    "      --heartbeat=SECS   emit a logical message this often, so an idle slot sees WAL\n"
    "      --metrics-port=PORT\n"
    "                         serve Prometheus metrics on 127.0.0.1:PORT\n"
    "      --retry-active     wait while the slot is in use by another process\n"
    "      --spool-limit=SIZE\n"
    "                         most that transactions held back may take in memory and temporary files\n"
    "                         together, e.g. 10GB (default: 0, no limit)\n"
    "      --max-message-size=SIZE\n"
    "                         refuse a replication message larger than this (default: 256MB; 0 no limit)\n"
    "  -v, --verbose          output verbose messages, and progress every 5 s\n"
    "  -V, --version          output version information, then exit\n"
    "  -?, --help             show this help, then exit\n"
    "\n"
    "Connection options:\n"
    "  -d, --dbname=DBNAME    database to connect to (a name, conninfo or URI)\n"
    "  -h, --host=HOSTNAME    database server host or socket directory\n"
    "  -p, --port=PORT        database server port number\n"
    "  -U, --username=NAME    connect as specified database user\n"
    "  -w, --no-password      never prompt for password\n"
    "  -W, --password         force password prompt (should happen automatically)\n";

enum {
	OPT_CREATE = 256,
	OPT_DROP,
	OPT_START,
	OPT_IF_NOT_EXISTS,
	OPT_NO_LOOP,
	OPT_PUBLICATION,
	OPT_TEMPORARY,
	OPT_SET,
	OPT_BACKFILL,
	OPT_BACKFILL_CHUNK,
	OPT_BACKFILL_STATE,
	OPT_HELP,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_SERVER_TIMEOUT,
	OPT_STALL_WARNING,
	OPT_HEARTBEAT,
	OPT_METRICS_PORT,
	OPT_RETRY_ACTIVE,
	OPT_TEST,
	OPT_SNAPSHOT,
	OPT_CREATE_PUBLICATION,
	OPT_SPOOL_LIMIT,
	OPT_MAX_MESSAGE_SIZE,
	OPT_RAW,
	OPT_INSTALL_DDL,
	OPT_UNINSTALL_DDL,
	OPT_PRINT_DDL,
};

static const struct option longopts[] = {
	{ "create-slot", no_argument, NULL, OPT_CREATE },
	{ "drop-slot", no_argument, NULL, OPT_DROP },
	{ "start", no_argument, NULL, OPT_START },
	{ "install-ddl-capture", no_argument, NULL, OPT_INSTALL_DDL },
	{ "uninstall-ddl-capture", no_argument, NULL, OPT_UNINSTALL_DDL },
	{ "print-ddl-capture-sql", no_argument, NULL, OPT_PRINT_DDL },
	{ "endpos", required_argument, NULL, 'E' },
	{ "file", required_argument, NULL, 'f' },
	{ "fsync-interval", required_argument, NULL, 'F' },
	{ "if-not-exists", no_argument, NULL, OPT_IF_NOT_EXISTS },
	{ "startpos", required_argument, NULL, 'I' },
	{ "no-loop", no_argument, NULL, OPT_NO_LOOP },
	{ "option", required_argument, NULL, 'o' },
	{ "plugin", required_argument, NULL, 'P' },
	{ "publication", required_argument, NULL, OPT_PUBLICATION },
	{ "status-interval", required_argument, NULL, 's' },
	{ "slot", required_argument, NULL, 'S' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "temporary", no_argument, NULL, OPT_TEMPORARY },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "server-timeout", required_argument, NULL, OPT_SERVER_TIMEOUT },
	{ "stall-warning", required_argument, NULL, OPT_STALL_WARNING },
	{ "heartbeat", required_argument, NULL, OPT_HEARTBEAT },
	{ "metrics-port", required_argument, NULL, OPT_METRICS_PORT },
	{ "retry-active", no_argument, NULL, OPT_RETRY_ACTIVE },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "snapshot", no_argument, NULL, OPT_SNAPSHOT },
	{ "backfill", required_argument, NULL, OPT_BACKFILL },
	{ "backfill-chunk", required_argument, NULL, OPT_BACKFILL_CHUNK },
	{ "backfill-state", required_argument, NULL, OPT_BACKFILL_STATE },
	{ "create-publication", optional_argument, NULL,
	  OPT_CREATE_PUBLICATION },
	{ "spool-limit", required_argument, NULL, OPT_SPOOL_LIMIT },
	{ "max-message-size", required_argument, NULL, OPT_MAX_MESSAGE_SIZE },
	{ "two-phase", no_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "dbname", required_argument, NULL, 'd' },
	{ "host", required_argument, NULL, 'h' },
	{ "port", required_argument, NULL, 'p' },
	{ "username", required_argument, NULL, 'U' },
	{ "no-password", no_argument, NULL, 'w' },
	{ "password", no_argument, NULL, 'W' },
	{ NULL, 0, NULL, 0 },
};

/* "--metrics-port" for its option value, "-s" for a short one. */
static const char *flag_name(int c)
{
	static char buf[48];
	for (const struct option *o = longopts; o->name; o++) {
		if (o->val == c) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			return buf;
		}
	}
	return "option";
}

/* Splits "NAME=VALUE" in a copy the options own; value NULL without '='. */
static int split_pair(const char *arg, bool need_value, const char **name,
		      const char **value, const char *flag, struct err *e)
{
	char *copy = xstrdup(arg);
	char *eq = strchr(copy, '=');
	if (eq)
		*eq = '\0';
	if (!*copy || (need_value && !eq)) {
		free(copy);
		return err_set(e, "invalid %s \"%s\": expected NAME=VALUE",
			       flag, arg);
	}
	*name = copy;
	*value = eq ? eq + 1 : NULL;
	return 0;
}

/* Overwrites n bytes at p with '*'. */
static void blank(char *p, size_t n)
{
	memset(p, '*', n);
}

/* A URI's password, in its user information and as ?password=: what
 * libpq would read as one, and a little more (up to the last '@' before
 * the path, in case the password has a raw '@'). */
static void hide_uri_password(char *uri)
{
	char *p = strstr(uri, "://") + 3;
	size_t host = strcspn(p, "/?");
	char *at = NULL;
	for (char *q = p; q < p + host; q++)
		if (*q == '@')
			at = q;
	if (at) {
		char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon)
			blank(colon + 1, (size_t)(at - colon - 1));
	}
	char *query = strchr(p, '?');
	for (char *kv = query; kv && *kv; kv = strchr(kv, '&')) {
		kv++; /* past '?' or '&' */
		size_t klen = strcspn(kv, "=&");
		if (klen == 8 && strncmp(kv, "password", 8) == 0 &&
		    kv[8] == '=')
			blank(kv + 9, strcspn(kv + 9, "&"));
	}
}

/* A conninfo string's password = value: the value as libpq reads it,
 * bare (up to a space) or single-quoted, backslash escapes in either. */
static void hide_conninfo_password(char *s)
{
	char *p = s;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		       *p == '\f' || *p == '\v')
			p++;
		if (!*p)
			return;
		char *key = p;
		while (*p && *p != '=' && !strchr(" \t\n\r\f\v", *p))
			p++;
		size_t klen = (size_t)(p - key);
		while (*p && strchr(" \t\n\r\f\v", *p))
			p++;
		if (*p != '=')
			return; /* not a conninfo libpq would take */
		p++;
		while (*p && strchr(" \t\n\r\f\v", *p))
			p++;
		bool secret = klen == 8 && strncmp(key, "password", 8) == 0;
		bool quoted = *p == '\'';
		if (quoted)
			p++;
		char *value = p;
		while (*p) {
			if (*p == '\\' && p[1]) {
				p += 2;
				continue;
			}
			if (quoted ? *p == '\''
				   : strchr(" \t\n\r\f\v", *p) != NULL)
				break;
			p++;
		}
		if (secret)
			blank(value, (size_t)(p - value));
		if (quoted && *p == '\'')
			p++;
	}
}

/* -d's argument stays readable in /proc/PID/cmdline (ps shows it) for as
 * long as walhook runs: the password in it is overwritten in place, once
 * a copy has been taken. The environment (PGPASSWORD) is only the user's
 * own to read, and a password file better than either. */
static void hide_password(char *arg)
{
	if (strncmp(arg, "postgresql://", 13) == 0 ||
	    strncmp(arg, "postgres://", 11) == 0)
		hide_uri_password(arg);
	else if (strchr(arg, '='))
		hide_conninfo_password(arg);
}

static int parse_lsn(const char *arg, const char *flag, uint64_t *out,
		     struct err *e)
{
	if (!lsn_parse(arg, out))
		return err_set(
		    e,
		    "could not parse %s \"%s\": expected an LSN like 0/16B3748",
		    flag, arg);
	return 0;
}

/* The flags that set a boolean, a string or a number of seconds: one row
 * each, so that parsing them is one loop. */
static const struct {
	int flag;
	size_t at; /* offsetof the field in struct options */
} switches[] = {
	{ OPT_CREATE, offsetof(struct options, create_slot) },
	{ OPT_DROP, offsetof(struct options, drop_slot) },
	{ OPT_START, offsetof(struct options, start) },
	{ OPT_IF_NOT_EXISTS, offsetof(struct options, if_not_exists) },
	{ OPT_NO_LOOP, offsetof(struct options, no_loop) },
	{ OPT_TEMPORARY, offsetof(struct options, temporary) },
	{ OPT_RAW, offsetof(struct options, raw) },
	{ OPT_SNAPSHOT, offsetof(struct options, snapshot) },
	{ OPT_RETRY_ACTIVE, offsetof(struct options, retry_active) },
	{ OPT_INSTALL_DDL, offsetof(struct options, install_ddl_capture) },
	{ OPT_UNINSTALL_DDL, offsetof(struct options, uninstall_ddl_capture) },
	{ OPT_PRINT_DDL, offsetof(struct options, print_ddl_capture_sql) },
	{ 't', offsetof(struct options, two_phase) },
	{ 'w', offsetof(struct options, conn.never_prompt) },
	{ 'W', offsetof(struct options, conn.force_prompt) },
}, strings[] = {
	{ OPT_RECORD, offsetof(struct options, record) },
	{ OPT_REPLAY, offsetof(struct options, replay) },
	{ OPT_TEST, offsetof(struct options, test) },
	{ OPT_BACKFILL_STATE, offsetof(struct options, backfill_state) },
	{ 'f', offsetof(struct options, outfile) },
	{ 'P', offsetof(struct options, plugin) },
	{ 'S', offsetof(struct options, slot) },
	{ 'h', offsetof(struct options, conn.host) },
	{ 'p', offsetof(struct options, conn.port) },
	{ 'U', offsetof(struct options, conn.user) },
};

static const struct {
	int flag;
	size_t at;
	long max;
} numbers[] = {
	{ 's', offsetof(struct options, status_interval), 86400 },
	{ 'F', offsetof(struct options, fsync_interval), 86400 },
	{ OPT_SERVER_TIMEOUT, offsetof(struct options, server_timeout), 86400 },
	{ OPT_STALL_WARNING, offsetof(struct options, stall_warning), 86400 },
	{ OPT_HEARTBEAT, offsetof(struct options, heartbeat), 86400 },
	{ OPT_METRICS_PORT, offsetof(struct options, metrics_port), 65535 },
	{ OPT_BACKFILL_CHUNK, offsetof(struct options, backfill_chunk), 1000000 },
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* A flag of the tables above: *found says whether it was one; -1 on a
 * bad value. */
static int table_flag(int c, struct options *o, bool *found, struct err *e)
{
	*found = true;
	char *base = (char *)o;
	for (size_t i = 0; i < COUNT(switches); i++) {
		if (switches[i].flag == c) {
			*(bool *)(base + switches[i].at) = true;
			return 0;
		}
	}
	for (size_t i = 0; i < COUNT(strings); i++) {
		if (strings[i].flag == c) {
			*(const char **)(base + strings[i].at) = optarg;
			return 0;
		}
	}
	for (size_t i = 0; i < COUNT(numbers); i++) {
		if (numbers[i].flag != c)
			continue;
		char *end;
		long v = strtol(optarg, &end, 10);
		if (*end || !*optarg || v < 0 || v > numbers[i].max)
			return err_set(
			    e,
			    "invalid value \"%s\" for %s: a number from 0 to %ld",
			    optarg, flag_name(c), numbers[i].max);
		*(int *)(base + numbers[i].at) = (int)v;
		return 0;
	}
	*found = false;
	return 0;
}

/* -o NAME[=VALUE] and --set NAME=VALUE. */
static int pair_flag(int c, struct options *o, struct err *e)
{
	bool is_set = c == OPT_SET;
	if ((is_set ? o->nvars : o->nopts) >= CLI_MAX_LIST)
		return err_set(e, "too many %s options (at most %d)",
			       is_set ? "--set" : "-o", CLI_MAX_LIST);
	const char **name =
	    is_set ? &o->vars[o->nvars].name : &o->opts[o->nopts].name;
	const char **value =
	    is_set ? &o->vars[o->nvars].value : &o->opts[o->nopts].value;
	if (split_pair(optarg, is_set, name, value,
		       is_set ? "--set" : "plugin option", e) < 0)
		return -1;
	/* A plugin option is one NAME=VALUE line of a recording's header,
	 * and a literal of a command. */
	if (!is_set && strpbrk(optarg, "\r\n")) {
		free((char *)*name);
		return err_set(
		    e,
		    "invalid plugin option: a name or value may not hold a line break");
	}
	*(is_set ? &o->nvars : &o->nopts) += 1;
	return 0;
}

/* --backfill TABLE[:WHERE]: the table's name ends at the first colon. */
static int backfill_flag(struct options *o, struct err *e)
{
	if (o->nbackfills >= CLI_MAX_LIST)
		return err_set(e, "too many --backfill options (at most %d)",
			       CLI_MAX_LIST);
	const char *colon = strchr(optarg, ':');
	size_t n = colon ? (size_t)(colon - optarg) : strlen(optarg);
	if (!n)
		return err_set(e, "--backfill needs a table: TABLE[:WHERE]");
	o->backfills[o->nbackfills].table = xstrndup(optarg, n);
	o->backfills[o->nbackfills++].where =
	    colon && colon[1] ? colon + 1 : NULL;
	return 0;
}

/* The flags with a rule of their own. CLI_EXIT after --help or
 * --version. */
static int other_flag(int c, char **argv, struct options *o, struct err *e)
{
	switch (c) {
	case OPT_PUBLICATION:
		if (strpbrk(optarg, "\r\n"))
			return err_set(
			    e,
			    "invalid --publication: a name may not hold a line break");
		o->publication = optarg;
		return 0;
	case OPT_CREATE_PUBLICATION:
		o->create_publication = true;
		o->publication_tables = optarg;
		return 0;
	case 'E': return parse_lsn(optarg, "end position", &o->endpos, e);
	case 'I': return parse_lsn(optarg, "start position", &o->startpos, e);
	case 'o':
	case OPT_SET: return pair_flag(c, o, e);
	case OPT_BACKFILL: return backfill_flag(o, e);
	case OPT_SPOOL_LIMIT:
	case OPT_MAX_MESSAGE_SIZE:
		if (!size_parse(optarg, c == OPT_SPOOL_LIMIT
					    ? &o->spool_limit
					    : &o->max_message_size))
			return err_set(
			    e,
			    "invalid value \"%s\" for %s: a size like 512MB (B, kB, MB, GB, TB), or 0 for no limit",
			    optarg, flag_name(c));
		return 0;
	case 'v': o->verbose++; return 0;
	case 'V': printf("walhook %s\n", WALHOOK_VERSION); return CLI_EXIT;
	case 'd':
		free(o->dbname_copy);
		o->dbname_copy = xstrdup(optarg);
		o->conn.dbname = o->dbname_copy;
		hide_password(optarg);
		return 0;
	case OPT_HELP: fputs(usage, stdout); return CLI_EXIT;
	case ':':
		return err_set(e, "option \"%s\" needs a value",
			       argv[optind - 1]);
	case '?':
		if (strcmp(argv[optind - 1], "-?") == 0) {
			fputs(usage, stdout);
			return CLI_EXIT;
		}
		/* fall through */
	default:
		return err_set(e,
			       "unknown option \"%s\"; try \"walhook --help\"",
			       argv[optind - 1]);
	}
}

/* What the flags ask for together, refused before anything is sent. */
static int check_actions(const struct options *o, struct err *e)
{
	if (!o->slot)
		return err_set(e, "no slot specified (-S/--slot)");
	if (o->record && !o->start)
		return err_set(e, "--record needs --start");
	if (!o->create_slot && !o->drop_slot && !o->start)
		return err_set(
		    e,
		    "at least one action needs to be specified: --create-slot, --drop-slot or --start");
	if (o->drop_slot && (o->create_slot || o->start))
		return err_set(
		    e,
		    "cannot use --drop-slot together with --create-slot or --start");
	if (o->temporary && !o->start)
		return err_set(
		    e,
		    "--temporary needs --start: a temporary slot lives only while walhook streams");
	if (o->two_phase && !o->create_slot && !o->temporary)
		return err_set(
		    e,
		    "--two-phase is for creating a slot: give --create-slot or --temporary");
	if (o->startpos && !o->start)
		return err_set(e, "--startpos needs --start");
	if (o->endpos && !o->start)
		return err_set(e, "--endpos needs --start");
	if (o->startpos && o->endpos && o->startpos > o->endpos)
		return err_set(e, "--startpos is past --endpos");
	return CLI_OK;
}

/* --snapshot and --create-publication need a publication, and the
 * snapshot a new slot. */
static int check_publication(const struct options *o, struct err *e)
{
	if (o->snapshot && !(o->start && (o->create_slot || o->temporary)))
		return err_set(
		    e,
		    "--snapshot needs --create-slot (or --temporary) and --start: the snapshot is the new slot's");
	if (o->snapshot && !o->publication)
		return err_set(
		    e,
		    "--snapshot copies the tables of --publication: give it");
	if (o->nbackfills && !o->start)
		return err_set(e, "--backfill needs --start: the rows go to the stream");
	if (o->create_publication &&
	    (!o->publication || strchr(o->publication, ',')))
		return err_set(
		    e,
		    "--create-publication creates the one publication named by --publication");
	return CLI_OK;
}

/* The DDL capture's actions need no slot; given alone, they are all
 * there is to do. */
static int check_ddl_capture(struct options *o, struct err *e)
{
	if (o->install_ddl_capture && o->uninstall_ddl_capture)
		return err_set(
		    e,
		    "cannot use --install-ddl-capture together with --uninstall-ddl-capture");
	o->ddl_capture_only =
	    (o->install_ddl_capture || o->uninstall_ddl_capture) &&
	    !o->create_slot && !o->drop_slot && !o->start;
	return CLI_OK;
}

/* What a run without a server (--test, --replay) may not be asked for. */
static int check_serverless(const struct options *o, struct err *e)
{
	if (o->test &&
	    (o->script || o->create_slot || o->drop_slot || o->start))
		return err_set(
		    e,
		    "--test runs a test file: it takes no script argument and no slot actions");
	if (o->replay &&
	    (o->create_slot || o->drop_slot || o->start || o->record))
		return err_set(
		    e,
		    "--replay runs without a server: it takes no --create-slot, --drop-slot, --start or --record");
	return CLI_OK;
}

int cli_parse(int argc, char **argv, struct options *o, struct err *e)
{
	*o = (struct options){ .status_interval = 10,
			       .fsync_interval = 10,
			       .server_timeout = 60,
			       .stall_warning = 300,
			       .max_message_size = CLI_DEFAULT_MAX_MESSAGE };
	int c, rc;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":E:f:F:I:o:P:s:S:tvVd:h:p:U:wW?",
				longopts, NULL)) != -1) {
		bool found;
		rc = table_flag(c, o, &found, e);
		if (rc == 0 && !found)
			rc = other_flag(c, argv, o, e);
		if (rc < 0 || rc == CLI_EXIT)
			return rc;
	}
	if (optind < argc)
		o->script = argv[optind++];
	if (optind < argc)
		return err_set(
		    e, "too many arguments: \"%s\" (one script at most)",
		    argv[optind]);
	/* Refused before anything is sent: the name goes into commands,
	 * a recording's header and the metrics' labels. */
	if (o->slot && conn_check_slot_name(o->slot, e) < 0)
		return -1;
	if (check_serverless(o, e) < 0)
		return -1;
	if (o->test || o->replay || o->print_ddl_capture_sql)
		return CLI_OK;
	if (check_ddl_capture(o, e) < 0)
		return -1;
	if (o->ddl_capture_only)
		return CLI_OK;
	if (check_actions(o, e) < 0 || check_publication(o, e) < 0)
		return -1;
	return CLI_OK;
}

void cli_free(struct options *o)
{
	if (o->dbname_copy) {
		explicit_bzero(o->dbname_copy, strlen(o->dbname_copy));
		free(o->dbname_copy);
		o->dbname_copy = NULL;
	}
	for (int i = 0; i < o->nopts; i++)
		free((char *)o->opts[i].name);
	for (int i = 0; i < o->nvars; i++)
		free((char *)o->vars[i].name);
	for (int i = 0; i < o->nbackfills; i++)
		free(o->backfills[i].table);
}
