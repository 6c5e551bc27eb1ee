/* cli — walhook's command line: pg_recvlogical's flags with their names and
 * meanings, plus walhook's own. */
#ifndef WALHOOK_CLI_H
#define WALHOOK_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/pair.h"
#include "decode/plugin.h"
#include "protocol/conn.h"

#define CLI_MAX_LIST		64
/* --max-message-size's default: a wal2json format-1 transaction of about a
 * million small rows. */
#define CLI_DEFAULT_MAX_MESSAGE (UINT64_C(256) << 20)

struct options {
	struct conn_params conn;
	char *dbname_copy; /* conn.dbname: -d's argument, whose password
			      is blanked in argv */
	const char *slot;
	const char
	    *plugin; /* NULL: the slot's own, or pgoutput for a new one */
	const char *publication;
	const char *script;
	const char *outfile; /* NULL or "-": standard output */
	const char *record;  /* --record FILE */
	const char *replay;  /* --replay FILE */
	const char *test;    /* --test FILE */
	struct plugin_option opts[CLI_MAX_LIST];
	int nopts;
	struct pair vars[CLI_MAX_LIST];
	int nvars;
	bool create_slot, if_not_exists, drop_slot, start, temporary, no_loop;
	bool two_phase;
	bool raw; /* --raw: payloads go to handle_data, whatever the plugin */
	bool snapshot;		 /* --snapshot */
	bool create_publication; /* --create-publication[=TABLES] */
	const char *publication_tables;
	uint64_t startpos, endpos;
	int status_interval; /* seconds; 0 disables */
	int fsync_interval;  /* seconds; 0: never fsync */
	/* seconds of silence before reconnecting; 0: never */
	int server_timeout;
	int stall_warning; /* seconds; 0: never warn */
	int heartbeat;	   /* seconds between heartbeat messages; 0: none */
	int metrics_port;  /* 0: no metrics endpoint */
	bool retry_active; /* retry while the slot is in use elsewhere */
	/* --install-ddl-capture, --uninstall-ddl-capture,
	 * --print-ddl-capture-sql */
	bool install_ddl_capture, uninstall_ddl_capture, print_ddl_capture_sql;
	bool ddl_capture_only; /* one of the first two, and no slot action */
	/* bytes all held transactions may take; 0: none */
	uint64_t spool_limit;
	uint64_t max_message_size; /* bytes of one CopyData message; 0: none */
	/* --backfill TABLE[:WHERE], each table's text allocated */
	struct {
		char *table;
		const char *where; /* NULL: every row */
	} backfills[CLI_MAX_LIST];
	int nbackfills;
	int backfill_chunk;	    /* rows a chunk; 0: the default */
	const char *backfill_state; /* NULL: beside -f or --record */
	int verbose;
};

enum {
	CLI_OK = 0,
	CLI_EXIT = 1
}; /* CLI_EXIT: --help or --version shown */

/* Fills o from argv; strings point into argv or are owned by o (freed by
 * cli_free). -1 with e filled on a bad command line. */
int cli_parse(int argc, char **argv, struct options *o, struct err *e);
void cli_free(struct options *o);

#endif
