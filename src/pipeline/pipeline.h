/* pipeline — what walhook does with each XLogData payload: decode it, keep
 * the relation cache, build the transaction and its changes, hand them to
 * the script, and tell the delivery module where each unit begins and
 * ends. The stream calls it as its consumer; nothing here does I/O on the
 * connection or decides what is confirmed.
 *
 * Commit semantics by default: handle_change sees only committed changes,
 * in commit order. A streamed transaction (pgoutput streaming) is spooled
 * until Stream Commit and dropped at Stream Abort; a prepared one
 * (two_phase) until Commit Prepared, dropped at Rollback Prepared, and
 * nothing past its start is confirmed while it waits. A script that
 * defines the stream or two-phase hooks sees those changes as they come. */
#ifndef WALHOOK_PIPELINE_H
#define WALHOOK_PIPELINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/delivery.h"
#include "decode/change.h"
#include "decode/ddl.h"
#include "decode/pgoutput.h"
#include "decode/plugin.h"
#include "decode/relcache.h"
#include "decode/signal.h"
#include "decode/textplugin.h"
#include "lua/host.h"
#include "pipeline/spool.h"
#include "pipeline/window.h"
#include "protocol/stream.h"

/* The prefix of --heartbeat's messages, which only make WAL flow: they
 * reach no script and no output. */
#define HEARTBEAT_PREFIX "walhook_heartbeat"
/* The prefix of a backfill's watermarks, which reach no script either. */
#define BACKFILL_PREFIX "walhook.backfill"

/* A transaction whose changes are held back until it commits. */
struct held_xact {
	uint32_t xid;
	bool streamed; /* its messages carry an xid (a streamed block) */
	bool prepared; /* Prepare seen: waiting for Commit/Rollback Prepared */
	uint64_t first_lsn;
	char *gid;
	struct spool spool;
	uint32_t *aborted; /* subtransactions rolled back */
	size_t naborted, aborted_cap;
	struct relcache rels; /* a streamed block's own descriptions */
	struct held_xact *next;
};

struct pipeline {
	enum plugin_decoder decoder;
	struct textplugin text_dec;
	bool txn_begun;	 /* handle_begin called for the open text transaction */
	bool endpos_hit; /* a text decoder's event reached --endpos */
	bool live_streams;  /* the script sees streamed changes as they come */
	bool live_prepares; /* ... and prepared ones at prepare time */
	struct pgo_decoder dec;
	struct relcache rels;
	struct lh *lh;
	struct delivery *d;
	struct stats *stats;
	uint64_t endpos;
	struct txn txn;
	bool in_txn;
	char origin[128];
	char gid[256]; /* the open prepared transaction's: GIDs are < 200 bytes
			*/
	struct held_xact *held;
	struct held_xact *streaming; /* between Stream Start and Stop */
	struct held_xact *preparing; /* between Begin Prepare and Prepare */
	struct rel_column *colbuf;   /* scratch for Relation messages */
	size_t colbuf_cap;
	const struct rel **relbuf; /* scratch for Truncate */
	size_t relbuf_cap;
	/* Binary values turned into text: the datums and their text. */
	struct datum *textvals;
	size_t textvals_cap;
	size_t *textoffs;
	size_t textoffs_cap;
	struct buf text;
	struct ddl ddl; /* the last walhook.ddl message read */
	/* Types the server described (Type messages) that stand for a
	 * built-in one: a domain over int4 converts as int4. */
	struct {
		uint32_t typoid, base;
	} * types;
	size_t ntypes, types_cap;
	volatile sig_atomic_t *reopen_flag; /* SIGHUP: sinks reopen files */
	int (*tick_hook)(void *ctx, struct err *e);
	void *tick_ctx;
	/* Backfill chunks the stream is to pass through (pipeline_watch),
	 * the one whose rows its open transaction handed on, and the
	 * transactions it committed last. */
	struct window **windows;
	size_t nwindows, windows_cap;
	struct window *closing;
	bool tick_due; /* a window settled: its backfill may read on */
	struct xid_ring recent;
	/* What acts on a walhook.signal message, and the last one read. */
	backfill_control backfills;
	void *backfills_ctx;
	struct signal signal;
};

/* profile: how the stream's messages are read (plugin_profile). */
void pipeline_init(struct pipeline *p, const struct plugin_profile *profile,
		   struct lh *lh, struct delivery *d, struct stats *stats,
		   uint64_t endpos);
/* SIGHUP sets *flag: sinks reopen their files at the next tick. */
void pipeline_set_reopen(struct pipeline *p, volatile sig_atomic_t *flag);
/* What else runs at each tick, between messages (a backfill's next
 * chunk); its error ends the stream as a sink's would. */
void pipeline_set_tick(struct pipeline *p, int (*hook)(void *, struct err *),
		       void *ctx);
/* What acts on walhook.signal messages (none: each is refused). */
void pipeline_set_backfills(struct pipeline *p, backfill_control act,
			    void *ctx);
/* Forgets what a new connection will send again: the open transaction,
 * held-back transactions, the relations, the decoder's state. */
void pipeline_reset(struct pipeline *p);
/* The connection is lost, or nothing more will be handled: the delivery
 * module forgets what is not durable, and the pipeline its state. */
void pipeline_lost(struct pipeline *p);
void pipeline_free(struct pipeline *p);

/* The stream_consumer of a pipeline, made of the five below. */
struct stream_consumer pipeline_consumer(struct pipeline *p);
/* Sink batches that waited long enough, files reopened after SIGHUP. */
int pipeline_tick(void *ctx, struct err *e);
int pipeline_sync(void *ctx, struct err *e);
bool pipeline_idle(void *ctx);
bool pipeline_tick_due(void *ctx);
int pipeline_on_keepalive(void *ctx, uint64_t wal_end, int64_t send_time,
			  bool reply_requested, struct err *e);
/* The initial snapshot (--snapshot): each table is one transaction of
 * "read" rows, ending at the slot's consistent point. */
int pipeline_snapshot_begin(struct pipeline *p, uint64_t consistent_point,
			    struct err *e);
int pipeline_read_row(struct pipeline *p, const struct rel *r,
		      const struct datum *vals, struct err *e);
int pipeline_snapshot_end(struct pipeline *p, uint64_t consistent_point,
			  struct err *e);

/* A backfill chunk read between its watermarks, which the stream will
 * carry: at the low one the window opens, changes of its table replace
 * or remove its rows until the high one, whose transaction hands the rest
 * to the script as "read" rows (window.h says what becomes of it). The
 * window stays the caller's, watched until unwatched or until the
 * pipeline is reset (then WINDOW_LOST). */
void pipeline_watch(struct pipeline *p, struct window *w);
void pipeline_unwatch(struct pipeline *p, struct window *w);

/* At a stop: flushes every sink and confirms what they took. */
int pipeline_finish(struct pipeline *p, struct err *e);

int pipeline_on_data(void *ctx, uint64_t lsn, uint64_t wal_end,
		     int64_t send_time, const uint8_t *data, size_t len,
		     struct err *e);

#endif
