/* signal — an operator's request to walhook, made from SQL by anyone
 * allowed to call pg_logical_emit_message, and the backfill request that
 * the command line (--backfill), a script (walhook.backfill{}) and such
 * a signal all make. Pure: no I/O, no Lua.
 *
 * A signal is a logical message with the prefix walhook.signal whose
 * content is one JSON object naming one action and its table:
 *   {"backfill": "public.t", "where": "id < 100", "chunk": 500}
 *   {"pause": "public.t"}  {"resume": "public.t"}  {"cancel": "public.t"}
 * "where" and "chunk" belong to "backfill" only. */
#ifndef WALHOOK_SIGNAL_H
#define WALHOOK_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define SIGNAL_PREFIX "walhook.signal"

/* Who asked for a backfill. */
enum backfill_origin {
	BACKFILL_BY_FLAG,   /* --backfill */
	BACKFILL_BY_SCRIPT, /* walhook.backfill{} */
	BACKFILL_BY_SIGNAL, /* a walhook.signal message */
};

struct backfill_request {
	const char *table; /* "schema.table" or "table" (of public) */
	const char *where; /* NULL: every row */
	int chunk;	   /* rows a chunk; 0: the default */
	enum backfill_origin by;
	/* A signal's place in the stream, in commit order: its
	 * transaction's commit LSN (its own for a message outside one),
	 * then its own LSN. 0 for the other origins. */
	uint64_t commit_lsn, lsn;
};

enum signal_action {
	SIGNAL_BACKFILL,
	SIGNAL_PAUSE,
	SIGNAL_RESUME,
	SIGNAL_CANCEL,
};

struct signal {
	enum signal_action action;
	struct backfill_request req; /* its strings owned by text */
	struct buf text;
};

void signal_init(struct signal *s);
void signal_free(struct signal *s);
/* Reads the n bytes of JSON at json into s, replacing what an earlier
 * call read (req.by is BACKFILL_BY_SIGNAL; its LSNs are the caller's).
 * -1 with e saying what is wrong with the text. */
int signal_decode(struct signal *s, const char *json, size_t n,
		  struct err *e);
/* "backfill", "pause", ...: never fails. */
const char *signal_action_name(enum signal_action a);
/* "--backfill", "walhook.backfill", "a signal": never fails. */
const char *backfill_origin_name(enum backfill_origin by);

/* What acts on a request for the table of r. 0 when done; BACKFILL_REFUSED
 * with e saying why, when the request cannot be met (no such table, no
 * key, one in progress) and whoever asked is to hear of it while walhook
 * goes on; -1 for an error that stops the stream (a state file that
 * cannot be written). */
#define BACKFILL_REFUSED 1
typedef int (*backfill_control)(void *ctx, enum signal_action a,
				const struct backfill_request *r,
				struct err *e);

#endif
