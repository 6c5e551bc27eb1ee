/* stream — the CopyBoth loop of a logical replication connection.
 *
 * It reads XLogData and keepalives, hands each XLogData payload to its
 * consumer, and reports positions back: status updates on an interval and
 * whenever the server asks. It never knows which plugin it carries.
 *
 * Positions: received (highest LSN seen) ≥ confirmed (handled and durably
 * taken: the delivery module's word) ≥ sendable (confirmed, with the
 * recording synced up to it), which status updates report as the flush
 * LSN, the slot's confirmed_flush_lsn. Only the consumer moves confirmed.
 *
 * While the consumer holds a message (a slow hook, a slow sink) the loop
 * does not run; a keeper thread then sends the status updates, so that
 * wal_sender_timeout never ends a healthy stream. The connection belongs
 * to one thread at a time, handed over through `owner`. */
#ifndef WALHOOK_STREAM_H
#define WALHOOK_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "base/err.h"
#include "base/stats.h"
#include "base/ticker.h"
#include "protocol/record.h"

/* What a consumer's data returns. */
enum {
	STREAM_CONTINUE = 0,
	STREAM_STOP = 1, /* the consumer reached --endpos */
};

/* What the stream hands on: every callback returns STREAM_CONTINUE (0),
 * STREAM_STOP (data only), or -1 with e filled. The consumer moves the
 * confirmed position with stream_confirm. */
struct stream_consumer {
	int (*data)(void *ctx, uint64_t lsn, uint64_t wal_end,
		    int64_t send_time, const uint8_t *data, size_t len,
		    struct err *e);
	int (*keepalive)(void *ctx, uint64_t wal_end, int64_t send_time,
			 bool reply_requested, struct err *e);
	/* About ten times a second (sink batches that waited long enough). */
	int (*tick)(void *ctx, struct err *e);
	/* Work waits for the next tick (a backfill's chunk came through):
	 * it runs now, not at the clock's time. NULL: never. */
	bool (*tick_due)(void *ctx);
	/* Makes durable what was handled, before the server hears of a
	 * position (the output file's fsync). */
	int (*sync)(void *ctx, struct err *e);
	/* Nothing received is waiting: -E may end the stream. */
	bool (*idle)(void *ctx);
	void *ctx;
};

/* What the command line decides; the stream's own state is below. */
struct stream_settings {
	volatile sig_atomic_t *stop_flag;
	uint64_t endpos; /* 0: none */
	int64_t status_interval_us;
	/* -F: sync at least this often (0: only before status updates, and
	 * no fsync) */
	int64_t sync_interval_us;
	/* A server silent this long is asked for a reply; silent twice as
	 * long, it is taken for lost (0: wait forever). */
	int64_t server_timeout_us;
	/* Warn when the confirmed position has not moved this long while the
	 * server's WAL end has (0: never). */
	int64_t stall_us;
	uint64_t max_message; /* --max-message-size: bytes (0: no limit) */
	bool verbose;
	struct stats *stats;
};

/* The fields are the stream's: other layers use the functions below. */
struct stream {
	struct stream_settings set;
	struct stream_consumer consumer;
	/* --record: every CopyData message is written here, and made
	 * durable (unless -F 0) before the server hears of a position. */
	struct recorder *rec;
	PGconn *conn;
	uint64_t received;
	uint64_t confirmed;
	uint64_t server_end; /* WAL end from the last message */
	uint64_t sendable;   /* the confirmed position the server may hear of */
	int64_t last_status_us;
	int64_t last_sync_us;
	int64_t last_message_us;
	bool asked_reply;
	uint64_t stall_mark; /* the server end when the warning was given */
	int64_t last_progress_us;
	int64_t last_tick_us;
	uint64_t last_progress_changes;
	/* The keeper: its thread and what only it reads, then two fields
	 * accessed atomically. */
	struct ticker keeper;
	uint64_t keeper_seen; /* handed when it last moved */
	int64_t keeper_since; /* and when that was */
	int owner;	      /* OWNER_LOOP, OWNER_CONSUMER or OWNER_KEEPER */
	uint64_t handed;      /* messages handed to the consumer so far */
};

enum stream_end {
	STREAM_ENDED_SIGNAL, /* stop_flag set */
	STREAM_ENDED_ENDPOS, /* --endpos reached */
	STREAM_ENDED_LOST,   /* connection lost: reconnect may help */
	STREAM_ENDED_FAILED, /* an error that a reconnect will not cure */
};

/* A stream that has not yet been connected: nothing confirmed. */
void stream_setup(struct stream *s, const struct stream_settings *set);
void stream_set_consumer(struct stream *s, struct stream_consumer consumer);
/* NULL: no recording. */
void stream_set_recorder(struct stream *s, struct recorder *rec);
/* The position confirmed so far, kept across connections. */
uint64_t stream_confirmed(const struct stream *s);
void stream_init(struct stream *s, PGconn *conn);
/* Runs until a signal, the end position, or an error (in e). */
enum stream_end stream_run(struct stream *s, struct err *e);
/* Everything before lsn is handled and durable; never moves back. A
 * void (*)(void *, uint64_t) for the delivery module. */
void stream_confirm(void *stream, uint64_t lsn);
/* Replays a recording (--replay) through fn as if it were streaming: the
 * same dispatch, endpos and LSN bookkeeping, no server. on_connect runs at
 * each recorded (re)connection with the frame's text. */
typedef int (*stream_connect_fn)(void *ctx, const char *info, struct err *e);
enum stream_end stream_replay(struct stream *s, struct record_reader *r,
			      stream_connect_fn on_connect, void *connect_ctx,
			      struct err *e);
/* Sends a final status update and ends the copy cleanly, so the server has
 * the confirmed position before walhook exits. */
int stream_finish(struct stream *s, struct err *e);

#endif
