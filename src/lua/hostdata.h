/* hostdata — the Lua host's own state, and what the files that make up
 * the host share: host.c (the state, protected calls, the hooks),
 * module.c (the walhook module), convert.c (values and the tables of
 * changes), fixture.c (JSON-lines fixtures through the hooks). No other
 * layer includes it. */
#ifndef WALHOOK_HOSTDATA_H
#define WALHOOK_HOSTDATA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/lsn.h"
#include "lua/compat.h"
#include "lua/host.h"
#include "lua/sinks.h"

enum hook {
	HOOK_CONNECT,
	HOOK_DISCONNECT,
	HOOK_BEGIN,
	HOOK_CHANGE,
	HOOK_TRUNCATE,
	HOOK_MESSAGE,
	HOOK_COMMIT,
	HOOK_DATA,
	HOOK_TERMINATE,
	HOOK_STREAM_START,
	HOOK_STREAM_STOP,
	HOOK_STREAM_COMMIT,
	HOOK_STREAM_ABORT,
	HOOK_PREPARE,
	HOOK_COMMIT_PREPARED,
	HOOK_ROLLBACK_PREPARED,
	HOOK_KEEPALIVE,
	HOOK_DDL,
	NHOOKS
};

/* The hooks' names, as scripts define them. */
extern const char *const lh_hook_names[NHOOKS];

struct lh {
	lua_State *L;
	struct lua_pool *pool; /* L's allocator, or NULL (LuaJIT, ASan) */
	int hooks[NHOOKS]; /* registry references, LUA_NOREF when undefined */
	/* Registry references of C functions called for every change:
	 * LuaJIT makes a closure of every lua_pushcfunction. */
	int traceback; /* lh_pcall's message handler */
	int encoder;   /* lh_write_line's */
	/* Registry references of what convert.c makes change tables with:
	 * the constructor, relations' descriptions, op names and the text of
	 * the commit time time_cached_at (0: none yet; a known commit time is
	 * never 0). */
	int envelope;
	int descs;
	int consts;
	int64_t time_cached_at;
	struct delivery
	    *d; /* owns the sinks the script makes, and the output */
	const struct stats *stats;
	const struct conn_params *conn; /* walhook.query's database */
	PGconn *side;		 /* its connection, opened on first use */
	backfill_control backfills; /* walhook.backfill's, or NULL */
	void *backfills_ctx;
	const char *script_name; /* for walhook.log lines */
	struct buf scratch;	 /* print's line, made whole before it goes */
	/* What the sinks' Lua face needs. */
	struct luasink_ctx sink_ctx;
	/* The fixture transaction open (lh_fixture_line). */
	bool fx_open;
	lua_Integer fx_xid;
	char fx_lsn[LSN_STRLEN];
	char fx_time[PGTIME_STRLEN];
};

/* host.c */
/* Calls the function below nargs arguments on the stack, leaving
 * nresults. On error fills e with "doing: message\ntraceback" and pops
 * everything. Here and below, doing NULL leaves the prefix to a caller
 * that writes it only on error. */
int lh_pcall(struct lh *h, int nargs, int nresults, const char *doing,
	     struct err *e);
/* Pushes the hook's function; false when the script does not define it. */
bool lh_push_hook(struct lh *h, enum hook k);
/* t[k] = v for the table on top. */
void lh_set_str(lua_State *L, const char *k, const char *v);
void lh_set_int(lua_State *L, const char *k, long long v);
void lh_set_lsn(lua_State *L, const char *k, uint64_t lsn);
/* The table at idx as a line of the output: a change (its known keys
 * first) or any event table; encoded inside a protected call. */
int lh_write_line(struct lh *h, int idx, bool change, const char *doing,
		  struct err *e);
/* A handler's verdict on the table below its result: false drops it, a
 * table replaces it, nil or true keeps it, written as a change line. Pops
 * both. */
int lh_keep_or_replace(struct lh *h, const char *hook, const char *doing,
		       struct err *e);

/* module.c: the walhook module, global and require "walhook". */
void lh_open_module(struct lh *h, const struct lh_config *cfg);

/* convert.c: what change tables are made with, made once per state. */
void lh_open_convert(struct lh *h);
/* The change table of c (values by the rules of the type
 * catalog, rows with their relation's metatable), pushed. */
void lh_push_change(struct lh *h, const struct change *c);
/* schema, table and relid of r into the table on top. */
void lh_push_relation_fields(lua_State *L, const struct rel *r);
/* xid, commit_time, origin and gid of tx into the table on top. */
void lh_set_txn_fields(lua_State *L, const struct txn *tx);
/* The table handle_ddl receives, pushed. */
void lh_push_ddl(lua_State *L, const struct ddl *d);

#endif
