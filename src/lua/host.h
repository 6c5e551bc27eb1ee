/* luahost — the user's script: one lua_State, the walhook module, the
 * hooks, and the change tables they receive.
 *
 * Every call into the script is protected; an error comes back in e as
 * "what walhook was doing: script.lua:LINE: message" plus a traceback.
 * With no script, or no hook for an event, the event is written to the
 * output as one JSON line without building any Lua value. */
#ifndef WALHOOK_LUAHOST_H
#define WALHOOK_LUAHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/pair.h"
#include "base/stats.h"
#include "core/delivery.h"
#include "decode/change.h"
#include "decode/ddl.h"
#include "decode/signal.h"
#include "protocol/conn.h"

struct lh;

struct lh_config {
	const char *script; /* NULL: no script */
	const struct pair *vars; /* --set NAME=VALUE: walhook.vars */
	int nvars;
	const char *slot;
	const char *plugin;
	const char *publication;
	/* Where kept events and print() go (its output), and the owner of
	 * every sink the script makes. */
	struct delivery *delivery;
	const struct stats *stats; /* for walhook.stats() */
	/* For walhook.query: the database to run SQL on (NULL: replay). */
	const struct conn_params *conn;
	/* Called with the lua_State before the script runs, to add modules
	 * (the script tests' walhook.test). */
	void (*extend)(void *lua_state, void *arg);
	void *extend_arg;
};

/* Loads and runs the script, then calls init(opts). NULL with e filled. */
struct lh *lh_new(const struct lh_config *cfg, struct err *e);
/* What walhook.backfill{} asks (none: every request is refused). */
void lh_set_backfills(struct lh *h, backfill_control act, void *ctx);
/* Calls the global function name with no arguments; its result as a
 * boolean in *result. */
int lh_call(struct lh *h, const char *name, bool *result, struct err *e);
void lh_free(struct lh *h);
/* A stop was asked for (safe to call from a signal handler): a hook still
 * running after the stop's grace is ended with an error. */
void lh_interrupt(struct lh *h);

struct lh_connect_info {
	const struct sysinfo *sys;
	const char *slot;
	const char *plugin;
	uint64_t start_lsn;
};

int lh_connect(struct lh *h, const struct lh_connect_info *info, struct err *e);
int lh_disconnect(struct lh *h, const char *why, struct err *e);
int lh_begin(struct lh *h, const struct txn *tx, struct err *e);
int lh_change(struct lh *h, const struct change *c, struct err *e);
int lh_truncate(struct lh *h, const struct truncate *t, struct err *e);
int lh_message(struct lh *h, const struct message *m, struct err *e);
/* handle_ddl(d) for a walhook.ddl message; never handle_message. */
int lh_ddl(struct lh *h, const struct ddl *d, struct err *e);
int lh_commit(struct lh *h, const struct txn *tx, struct err *e);
/* For plugins walhook does not decode: handle_data(data, lsn), or the
 * payload as a line. */
int lh_data(struct lh *h, const uint8_t *data, size_t len, uint64_t lsn,
	    struct err *e);
int lh_terminate(struct lh *h, const char *reason, struct err *e);
/* handle_keepalive(k); false from lh_wants_keepalive when undefined. */
bool lh_wants_keepalive(const struct lh *h);
int lh_keepalive(struct lh *h, uint64_t wal_end, int64_t send_time,
		 bool reply_requested, struct err *e);

/* A fixture: one line of JSON in the default output's shape, handed to the
 * hooks as the table it decodes to. Consecutive lines with one xid make a
 * transaction (handle_begin and handle_commit around them); a line without
 * an xid is one of its own, a non-transactional message none. where names
 * the line in errors ("file.jsonl:12"). */
int lh_fixture_line(struct lh *h, const char *line, size_t n, const char *where,
		    struct err *e);
/* Ends the fixture's last transaction. */
int lh_fixture_end(struct lh *h, struct err *e);

/* A script that defines any stream hook sees a streamed transaction's
 * changes as they arrive; one that defines any two-phase hook sees a
 * prepared transaction's changes at prepare time. Otherwise both reach
 * handle_change only once committed. */
bool lh_wants_streams(const struct lh *h);
bool lh_wants_two_phase(const struct lh *h);
int lh_stream_start(struct lh *h, uint32_t xid, bool first_segment,
		    struct err *e);
int lh_stream_stop(struct lh *h, struct err *e);
int lh_stream_commit(struct lh *h, const struct txn *tx, struct err *e);
int lh_stream_abort(struct lh *h, uint32_t xid, uint32_t subxid, struct err *e);
int lh_prepare(struct lh *h, const struct txn *tx, struct err *e);
int lh_commit_prepared(struct lh *h, const struct txn *tx, struct err *e);
int lh_rollback_prepared(struct lh *h, const struct txn *tx, struct err *e);

#endif
