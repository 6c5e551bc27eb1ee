/* steps — what the files of the pipeline share: pipeline.c (the stream's
 * consumer, transactions opened and ended), messages.c (pgoutput's
 * messages: relations, types, binary values made text, changes), held.c
 * (streamed and prepared transactions held until they commit), text.c
 * (the events of wal2json and test_decoding). No other layer includes
 * it. */
#ifndef WALHOOK_STEPS_H
#define WALHOOK_STEPS_H

#include "pipeline/pipeline.h"

/* arr grown to hold n elements of elem bytes (capacity doubled). */
void *pl_grow(void *arr, size_t *cap, size_t n, size_t elem);

/* pipeline.c: a transaction opened (handed to the delivery module), done
 * once its hooks returned (counted when it committed: a live script's
 * PREPARE ends what is delivered, not the transaction), committed
 * (handle_commit, then done). */
int pl_txn_open(struct pipeline *p, const struct txn *tx, struct err *e);
int pl_txn_done(struct pipeline *p, uint64_t end_lsn, bool committed,
		struct err *e);
/* A transaction a live script saw commit in one hook (a streamed one's
 * handle_stream_commit, a prepared one's handle_commit_prepared): handed
 * to the delivery module and counted, as pl_txn_done does. */
int pl_txn_ended(struct pipeline *p, const struct txn *tx, struct err *e);
int pl_txn_commit(struct pipeline *p, uint64_t commit_lsn, uint64_t end_lsn,
		  int64_t commit_time, struct err *e);

/* -E LSN, in one rule: a unit (a transaction, a message or payload of
 * its own) is handed on when it ends at or before LSN; the first that
 * ends past it stops the stream. Where only the start of a unit's last
 * record is known (pgoutput's final_lsn, a message's lsn), that start at
 * or past LSN is the same test, records lying between boundaries. */
bool pl_ends_past(const struct pipeline *p, uint64_t end_lsn);
bool pl_starts_past(const struct pipeline *p, uint64_t start_lsn);

/* messages.c */
int pl_dispatch(struct pipeline *p, const struct pgo_msg *m, uint64_t lsn,
		const uint8_t *data, size_t len, struct err *e);
int pl_on_relation(struct pipeline *p, struct relcache *rels,
		   const struct pgo_msg *m);
/* A logical message handed on by its prefix: a heartbeat nowhere, a
 * walhook.ddl message to handle_ddl, any other to handle_message. */
int pl_route_message(struct pipeline *p, const struct message *m,
		     struct err *e);
/* A row-level message of the open transaction handed on (a change, a
 * truncate, a message); local: a streamed block's own relations. */
int pl_deliver(struct pipeline *p, const struct relcache *local,
	       const struct pgo_msg *m, uint64_t lsn, struct err *e);

/* held.c */
void pl_held_drop(struct pipeline *p, struct held_xact *x);
int pl_hold_message(struct pipeline *p, struct held_xact *x,
		    const struct pgo_msg *m, uint64_t lsn, const uint8_t *data,
		    size_t len, struct err *e);
int pl_live_stream_message(struct pipeline *p, struct held_xact *x,
			   const struct pgo_msg *m, uint64_t lsn,
			   struct err *e);
int pl_on_stream_start(struct pipeline *p, const struct pgo_msg *m,
		       uint64_t lsn, struct err *e);
int pl_on_stream_stop(struct pipeline *p, struct err *e);
int pl_on_stream_commit(struct pipeline *p, const struct pgo_msg *m,
			struct err *e);
int pl_on_stream_abort(struct pipeline *p, const struct pgo_msg *m,
		       struct err *e);
int pl_on_begin_prepare(struct pipeline *p, const struct pgo_msg *m,
			uint64_t lsn, struct err *e);
/* Prepare, and Stream Prepare of a streamed transaction. */
int pl_on_prepare(struct pipeline *p, const struct pgo_msg *m, struct err *e);
int pl_on_commit_prepared(struct pipeline *p, const struct pgo_msg *m,
			  struct err *e);
int pl_on_rollback_prepared(struct pipeline *p, const struct pgo_msg *m,
			    struct err *e);

/* backfill.c: what the stream does to the windows it passes through. A
 * watermark message (the open transaction's); a change or truncate, as
 * the script sees it; a transaction that ended. */
int pl_backfill_mark(struct pipeline *p, const struct message *m,
		     struct err *e);
void pl_backfill_change(struct pipeline *p, const struct change *c);
void pl_backfill_truncate(struct pipeline *p, const struct truncate *t);
void pl_backfill_ended(struct pipeline *p, uint32_t xid, uint64_t end_lsn);
void pl_backfill_reset(struct pipeline *p);

/* text.c: a textplugin event handler (textplugin_decode's callback). */
int pl_on_event(void *ctx, const struct event *ev, struct err *e);

#endif
