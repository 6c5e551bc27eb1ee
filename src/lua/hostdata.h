/* hostdata — the Lua host's own state, and what the files that make up
 * the host share: host.c (the state, protected calls, the hooks),
 * module.c (the walhook module), convert.c (values, rows and a change's
 * fields), view.c (the change handle_change gets), fixture.c (JSON-lines
 * fixtures through the hooks). No other layer includes it. */
#ifndef WALHOOK_HOSTDATA_H
#define WALHOOK_HOSTDATA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/lsn.h"
#include "lua/compat.h"
#include "lua/host.h"
#include "lua/json.h"
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

/* A change table's fields, in the order view.c's constructor takes them. */
enum change_field {
	FIELD_OP,
	FIELD_SCHEMA,
	FIELD_TABLE,
	FIELD_RELID,
	FIELD_KEY,
	FIELD_LSN,
	FIELD_XID,
	FIELD_COMMIT_TIME,
	FIELD_ORIGIN,
	FIELD_GID,
	FIELD_BACKFILL,
	FIELD_NEW,
	FIELD_OLD,
	NFIELDS
};

/* What a change table shows of its transaction. */
struct lh_txn {
	uint32_t xid;
	int64_t commit_time; /* 0 while unknown */
	const char *origin, *gid;
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
	/* Registry references of what convert.c and view.c make changes
	 * with: relations' descriptions, op names and the text of the commit
	 * time time_cached_at (0: none yet; a known commit time is never 0;
	 * time_pushed: the registry has time_text too), the change table's
	 * constructor, the views' metatable, and the fields' names, whose
	 * addresses a view's field is found by. */
	int descs;
	int consts;
	int64_t time_cached_at;
	char time_text[PGTIME_STRLEN];
	bool time_pushed;
	int envelope;
	int view_mt;
	const void *view_mt_at; /* the registry keeps it: an address that stays */
	struct ljson_change_writer change_writer; /* writes views */
	const char *field_names[NFIELDS];
	/* The order a view is written in, as its table would be. */
	enum change_field field_order[NFIELDS];
	/* The description pushed last, kept at registry[last_desc]: a run of
	 * changes of one relation looks nothing up. */
	int last_desc;
	uint64_t last_desc_gen; /* 0: none */
	const struct rel *last_desc_rel;
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

/* convert.c: what changes are made with, made once per state. */
void lh_open_convert(struct lh *h);
/* Pushes the description of r: what every change of r shares in Lua.
 * Returns the copy of r it holds, which lives as long as it does. */
const struct rel *lh_push_desc(struct lh *h, const struct rel *r);
/* Pushes field f of c, of transaction tx, whose description is at desc,
 * on L (h's state or one of its threads): values by the rules of the type
 * catalog, rows with their relation's metatable, nil for a field c has
 * not. */
void lh_push_field(lua_State *L, struct lh *h, const struct change *c,
		   const struct lh_txn *tx, int desc, enum change_field f);
/* Appends c's new row (old: its old row), which it has, as ljson_encode_row
 * writes the table lh_push_field makes of it, without making it: 0, or -1
 * with b's tail to be dropped by the caller and the stack as it was. */
int lh_encode_row(lua_State *L, const struct change *c, bool old,
		  struct buf *b);
/* The text of commit_time (not 0), made once per time rather than per
 * change; h keeps it until another time is asked for. */
const char *lh_time_text(struct lh *h, int64_t commit_time);

/* view.c: the change handle_change gets. */
void lh_open_view(struct lh *h);
/* Pushes the view of c: a copy of it, whose fields are made when read. */
void lh_push_view(struct lh *h, const struct change *c);
/* Pushes a view made whole of the change table at idx (a fixture's), so
 * that a script sees what it sees of a live change. */
void lh_push_whole_view(struct lh *h, int idx);
/* true when the value at idx of L (h's state or one of its threads) is a
 * view. */
bool lh_is_view(lua_State *L, struct lh *h, int idx);
/* schema, table and relid of r into the table on top. */
void lh_push_relation_fields(lua_State *L, const struct rel *r);
/* xid, commit_time, origin and gid of tx into the table on top. */
void lh_set_txn_fields(lua_State *L, const struct txn *tx);
/* The table handle_ddl receives, pushed. */
void lh_push_ddl(lua_State *L, const struct ddl *d);

#endif
