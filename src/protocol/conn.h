/* conn — the replication connection: connecting with libpq, the
 * replication commands (IDENTIFY_SYSTEM, slot creation and removal,
 * START_REPLICATION) in the syntax the server speaks, and the server's own
 * words when one fails. */
#ifndef WALHOOK_CONN_H
#define WALHOOK_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "base/buf.h"
#include "base/err.h"
#include "decode/plugin.h"
#include "protocol/pgsql.h"

struct conn_params {
	const char *dbname; /* a conninfo string or URI, or a database name */
	const char *host;
	const char *port;
	const char *user;
	bool never_prompt; /* -w */
	bool force_prompt; /* -W */
};

struct sysinfo {
	char systemid[32];
	uint32_t timeline;
	uint64_t xlogpos;
	char dbname[128];
	int server_version; /* e.g. 150004 */
};

struct slot_info {
	char name[128];
	uint64_t consistent_point;
	char snapshot[64]; /* "" unless one was exported */
};

/* A logical replication connection (replication=database), or with
 * replication false an ordinary one. The caller owns the result and closes
 * it with PQfinish. */
PGconn *conn_open(const struct conn_params *p, bool replication, struct err *e);
int conn_identify(PGconn *c, struct sysinfo *out, struct err *e);
/* if_not_exists: an existing slot of that name is no error (then out holds
 * only the name). export_snapshot: out->snapshot names a snapshot that
 * lives until the next command on c. */
int conn_create_slot(PGconn *c, const char *slot, const char *plugin,
		     bool temporary, bool two_phase, bool export_snapshot,
		     bool if_not_exists, struct slot_info *out, struct err *e);
int conn_drop_slot(PGconn *c, const char *slot, struct err *e);
/* Enters CopyBoth; startpos 0 resumes from the slot's confirmed position. */
int conn_start(PGconn *c, const char *slot, uint64_t startpos,
	       const struct plugin_option *opts, int nopts, struct err *e);
/* The plugin the slot was created with, "" when there is no such slot. */
int conn_slot_plugin(PGconn *c, const char *slot, char *out, size_t outlen,
		     struct err *e);

/* Creates publication name (one name) for the comma-separated tables, or
 * for all tables when tables is NULL, unless it exists. */
int conn_create_publication(PGconn *c, const char *name, const char *tables,
			    struct err *e);

/* The server's NAMEDATALEN: names are at most 63 bytes. */
#define CONN_NAMEDATALEN 64

/* 0 when name is a slot name the server would take (1 to 63 lower-case
 * letters, digits and underscores, as ReplicationSlotValidateName checks);
 * else -1 with the server's own words in e. Every slot command checks its
 * name so before anything is sent. */
int conn_check_slot_name(const char *name, struct err *e);

#endif
