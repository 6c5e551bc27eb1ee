#include "protocol/stream.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/lsn.h"
#include "base/size.h"
#include "base/wire.h"
#include "protocol/conn.h"

void stream_setup(struct stream *s, const struct stream_settings *set)
{
	*s = (struct stream){ .set = *set };
}

void stream_set_consumer(struct stream *s, struct stream_consumer consumer)
{
	s->consumer = consumer;
}

void stream_set_recorder(struct stream *s, struct recorder *rec)
{
	s->rec = rec;
}

void stream_init(struct stream *s, PGconn *conn)
{
	uint64_t confirmed = s->confirmed;
	s->conn = conn;
	s->received = s->confirmed = s->sendable = confirmed;
	s->server_end = 0;
	s->last_status_us = 0;
	s->last_message_us = mono_now_us();
	s->asked_reply = false;
	stats_set(s->set.stats, STAT_LAST_CONFIRM_US,
		  (uint64_t)s->last_message_us);
}

enum {
	OWNER_LOOP,
	OWNER_CONSUMER,
	OWNER_KEEPER
};

#define LOAD(p)	    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

uint64_t stream_confirmed(const struct stream *s)
{
	return LOAD(&s->confirmed);
}

void stream_confirm(void *stream, uint64_t lsn)
{
	struct stream *s = stream;
	if (lsn > LOAD(&s->confirmed)) {
		STORE(&s->confirmed, lsn);
		stats_set(s->set.stats, STAT_CONFIRMED_LSN, lsn);
		stats_set(s->set.stats, STAT_LAST_CONFIRM_US,
			  (uint64_t)mono_now_us());
	}
	if (!s->rec)
		STORE(&s->sendable, s->confirmed);
}

/* The server hears of a position only once everything up to it is
 * durable: the consumer's output, then the recording, which holds every
 * message before it. One sync covers every transaction since the last. */
static int release_confirmed(struct stream *s, struct err *e)
{
	if (s->consumer.sync && s->consumer.sync(s->consumer.ctx, e) < 0)
		return -1;
	s->last_sync_us = mono_now_us();
	uint64_t confirmed = LOAD(&s->confirmed);
	if (!s->rec || LOAD(&s->sendable) >= confirmed)
		return 0;
	if (recorder_flush(s->rec, s->set.sync_interval_us > 0, e) < 0)
		return -1;
	STORE(&s->sendable, confirmed);
	return 0;
}

static int send_status(struct stream *s, bool ask_reply, struct err *e)
{
	if (!s->conn)
		return 0; /* a replay: nobody to tell */
	uint8_t msg[1 + 8 * 4 + 1];
	msg[0] = 'r';
	uint64_t confirmed = LOAD(&s->sendable);
	wire_put_u64(msg + 1, LOAD(&s->received));
	wire_put_u64(msg + 9, confirmed);
	wire_put_u64(msg + 17, confirmed);
	wire_put_u64(msg + 25, (uint64_t)pgtime_now());
	msg[33] = ask_reply;
	if (PQputCopyData(s->conn, (const char *)msg, sizeof msg) <= 0 ||
	    PQflush(s->conn) < 0)
		return err_set(e, "sending status update: %s",
			       PQerrorMessage(s->conn));
	STORE(&s->last_status_us, mono_now_us());
	return 0;
}

/* Sends a status update every half second while the consumer has held
 * one message for a fifth of a second, and nothing otherwise. The server
 * asks for a reply at half its wal_sender_timeout, so the last update before
 * a slow hook is at most that old: timeouts down to a second or two hold. */
static void keep(void *arg)
{
	struct stream *s = arg;
	uint64_t handed = LOAD(&s->handed);
	int64_t now = mono_now_us();
	if (handed != s->keeper_seen) {
		s->keeper_seen = handed;
		s->keeper_since = now;
		return;
	}
	int busy = OWNER_CONSUMER;
	if (now - s->keeper_since >= 200 * 1000 &&
	    now - LOAD(&s->last_status_us) >= 500 * 1000 &&
	    __atomic_compare_exchange_n(&s->owner, &busy, OWNER_KEEPER, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		struct err ignored; /* the loop sees a broken connection */
		send_status(s, false, &ignored);
		STORE(&s->owner, OWNER_CONSUMER);
	}
}

static void keeper_start(struct stream *s)
{
	STORE(&s->owner, OWNER_LOOP);
	s->keeper_seen = LOAD(&s->handed);
	s->keeper_since = mono_now_us();
	ticker_start(&s->keeper, 100 * 1000, keep, s);
}

static void keeper_stop(struct stream *s)
{
	ticker_stop(&s->keeper);
}

static void hand_to_consumer(struct stream *s)
{
	__atomic_add_fetch(&s->handed, 1, __ATOMIC_RELEASE);
	STORE(&s->owner, OWNER_CONSUMER);
}

/* Waits out a status update the keeper may be sending. */
static void take_back(struct stream *s)
{
	int busy = OWNER_CONSUMER;
	while (!__atomic_compare_exchange_n(&s->owner, &busy, OWNER_LOOP, false,
					    __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE)) {
		busy = OWNER_CONSUMER;
		sched_yield();
	}
}

/* The server's words when the copy ended, classified: a shutdown or a
 * terminated walsender is worth a reconnect, a refused request is not. */
static enum stream_end copy_ended(struct stream *s, struct err *e)
{
	PGresult *res = PQgetResult(s->conn);
	enum stream_end end = STREAM_ENDED_LOST;
	if (res && PQresultStatus(res) == PGRES_FATAL_ERROR) {
		const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		/* 57: operator intervention (shutdown, terminate); 08:
		 * connection exception. Others are the server refusing. */
		if (code && strncmp(code, "57", 2) != 0 &&
		    strncmp(code, "08", 2) != 0)
			end = STREAM_ENDED_FAILED;
		char lsn[LSN_STRLEN];
		char doing[64];
		snprintf(doing, sizeof doing, "streaming at %s",
			 lsn_format(s->received, lsn));
		pgsql_fail(e, s->conn, res, doing);
	} else {
		char lsn[LSN_STRLEN];
		const char *why = PQerrorMessage(s->conn);
		/* A server shutting down ends the copy cleanly, saying nothing.
		 */
		err_set(e, "streaming at %s: %s", lsn_format(s->received, lsn),
			*why ? why
			     : "the server ended the stream (shutting down?)");
		size_t n = strlen(e->msg);
		while (n && e->msg[n - 1] == '\n')
			e->msg[--n] = '\0';
	}
	PQclear(res);
	while ((res = PQgetResult(s->conn)))
		PQclear(res);
	return end;
}

static int on_keepalive(struct stream *s, const uint8_t *p, size_t n,
			struct err *e)
{
	struct wire r = wire_init(p + 1, n - 1);
	uint64_t wal_end = wire_u64(&r);
	int64_t send_time = (int64_t)wire_u64(&r);
	bool reply = wire_u8(&r);
	if (!wire_done(&r))
		return err_set(e, "malformed keepalive (%zu bytes)", n);
	if (wal_end > s->server_end) {
		s->server_end = wal_end;
		stats_set(s->set.stats, STAT_SERVER_END_LSN, wal_end);
	}
	if (wal_end > s->received)
		STORE(&s->received, wal_end);
	if (s->consumer.keepalive) {
		hand_to_consumer(s);
		int rc = s->consumer.keepalive(s->consumer.ctx, wal_end,
					       send_time, reply, e);
		take_back(s);
		if (rc < 0)
			return -1;
	}
	if (!reply)
		return 0;
	return release_confirmed(s, e) < 0 ? -1 : send_status(s, false, e);
}

static int on_xlogdata(struct stream *s, const uint8_t *p, size_t n,
		       struct err *e)
{
	struct wire r = wire_init(p + 1, n - 1);
	uint64_t lsn = wire_u64(&r);
	uint64_t wal_end = wire_u64(&r);
	int64_t send_time = (int64_t)wire_u64(&r);
	if (r.bad)
		return err_set(e, "streaming header too small (%zu bytes)", n);
	if (lsn > s->received)
		STORE(&s->received, lsn);
	if (wal_end > s->server_end) {
		s->server_end = wal_end;
		stats_set(s->set.stats, STAT_SERVER_END_LSN, wal_end);
	}
	stats_add(s->set.stats, STAT_BYTES_RECEIVED, n);
	hand_to_consumer(s);
	int rc = s->consumer.data(s->consumer.ctx, lsn, wal_end, send_time,
				  p + 1 + r.off, n - 1 - r.off, e);
	take_back(s);
	return rc;
}

/* --max-message-size: libpq has already read the whole message into
 * memory (twice: its buffer and the copy it hands out); what walhook would
 * build from it is not allocated. */
static int too_large(const struct stream *s, const char *p, int n,
		     struct err *e)
{
	struct wire r = wire_init((const uint8_t *)p + 1, (size_t)n - 1);
	uint64_t lsn = p[0] == 'w' ? wire_u64(&r) : s->received;
	char at[LSN_STRLEN], size[SIZE_STRLEN], limit[SIZE_STRLEN];
	return err_set(
	    e,
	    "the message at %s is %s, past --max-message-size %s. wal2json's format 1 sends a whole transaction as one message: use -o format-version=2 (one message per change; write-in-chunks is not supported), or raise --max-message-size",
	    lsn_format(lsn, at), size_format((uint64_t)n, size),
	    size_format(s->set.max_message, limit));
}

/* One CopyData message, live or replayed. */
static int handle_copydata(struct stream *s, const uint8_t *p, size_t n,
			   struct err *e)
{
	if (p[0] == 'k')
		return on_keepalive(s, p, n, e);
	if (p[0] == 'w')
		return on_xlogdata(s, p, n, e);
	return err_set(e, "unexpected streaming message type 0x%02x", p[0]);
}

/* What ends the loop before the next message: a stop request, or -E
 * reached while nothing is pending. */
static bool loop_done(struct stream *s, enum stream_end *end)
{
	if (*s->set.stop_flag) {
		*end = STREAM_ENDED_SIGNAL;
		return true;
	}
	if (s->set.endpos && s->server_end >= s->set.endpos &&
	    (!s->consumer.idle || s->consumer.idle(s->consumer.ctx))) {
		*end = STREAM_ENDED_ENDPOS;
		return true;
	}
	return false;
}

#define PROGRESS_INTERVAL_US (5 * INT64_C(1000000))

/* -v: a line every few seconds on what the stream is doing. */
static void progress(struct stream *s, int64_t now)
{
	if (!s->set.verbose || !s->set.stats)
		return;
	if (!s->last_progress_us) {
		s->last_progress_us = now;
		s->last_progress_changes = stats_changes(s->set.stats);
		return;
	}
	if (now - s->last_progress_us < PROGRESS_INTERVAL_US)
		return;
	uint64_t changes = stats_changes(s->set.stats);
	double rate = (double)(changes - s->last_progress_changes) * 1e6 /
		      (double)(now - s->last_progress_us);
	uint64_t confirmed = LOAD(&s->confirmed);
	char lsn[LSN_STRLEN];
	fprintf(stderr,
		"walhook: %llu changes, %.0f/s, lag %.1f MB, confirmed %s\n",
		(unsigned long long)changes, rate,
		s->server_end > confirmed
		    ? (double)(s->server_end - confirmed) / 1048576.0
		    : 0.0,
		lsn_format(confirmed, lsn));
	s->last_progress_us = now;
	s->last_progress_changes = changes;
}

/* A warning, once per stall, when the server's WAL moves on and the
 * confirmed position does not. */
static void check_stall(struct stream *s, int64_t now)
{
	if (!s->set.stall_us || !s->set.stats)
		return;
	int64_t since =
	    now - (int64_t)stats_get(s->set.stats, STAT_LAST_CONFIRM_US);
	uint64_t confirmed = LOAD(&s->confirmed);
	if (since < s->set.stall_us || s->server_end <= confirmed ||
	    s->stall_mark >= confirmed + 1)
		return;
	char a[LSN_STRLEN], b[LSN_STRLEN];
	fprintf(
	    stderr,
	    "walhook: warning: the confirmed position %s has not moved for %lld s while the server's WAL is at %s\n",
	    lsn_format(confirmed, a), (long long)(since / 1000000),
	    lsn_format(s->server_end, b));
	s->stall_mark = confirmed + 1;
}

/* The server answers a status update that asks for a reply; one that stays
 * silent past the timeout is gone (a dropped connection may give no error
 * for a long time). */
static int check_silence(struct stream *s, int64_t now, struct err *e)
{
	if (!s->set.server_timeout_us)
		return 0;
	int64_t quiet = now - s->last_message_us;
	if (quiet >= s->set.server_timeout_us)
		return err_set(e, "the server sent nothing for %lld s",
			       (long long)(quiet / 1000000));
	if (quiet >= s->set.server_timeout_us / 2 && !s->asked_reply) {
		s->asked_reply = true;
		return release_confirmed(s, e) < 0 ? -1
						   : send_status(s, true, e);
	}
	return 0;
}

/* Ten times a second is often enough for batch timers: not between every
 * two messages of a busy stream. */
#define TICK_US (100 * INT64_C(1000))

static bool tick_due(const struct stream *s)
{
	return s->consumer.tick_due && s->consumer.tick_due(s->consumer.ctx);
}

/* Waits for the socket until the next status update or the consumer's
 * next tick is due: a tick may have work that waits for no message (a
 * backfill's next chunk, once the last one's watermarks came). */
static int wait_socket(struct stream *s, struct err *e)
{
	int64_t now = mono_now_us();
	int64_t due = LOAD(&s->last_status_us) + s->set.status_interval_us - now;
	int timeout = s->set.status_interval_us <= 0 ? -1
		      : due <= 0		     ? 0
						     : (int)(due / 1000) + 1;
	/* The timers above run at least once a second. */
	if (timeout < 0 || timeout > 1000)
		timeout = 1000;
	int64_t tick = tick_due(s) ? 0 : s->last_tick_us + TICK_US - now;
	if (s->consumer.tick && tick / 1000 + 1 < timeout)
		timeout = tick <= 0 ? 0 : (int)(tick / 1000) + 1;
	struct pollfd pfd = { .fd = PQsocket(s->conn), .events = POLLIN };
	if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
		return err_set(e, "waiting for the server: %s",
			       strerror(errno));
	return 0;
}

/* Each step of the loop returns false to end the stream with *end (left
 * at STREAM_ENDED_FAILED where nothing else is said). */
static bool ended(enum stream_end *end, enum stream_end why)
{
	*end = why;
	return false;
}

/* A consumer's or a decoder's error: a transient one (a sink's target
 * gone) is a lost connection, retried, and so is any error once the
 * connection itself is gone (the answer to a keepalive that could not be
 * sent, a sink's wait cut short by it). */
static bool failed(struct stream *s, enum stream_end *end, const struct err *e)
{
	bool lost = e->transient || (s->conn && PQstatus(s->conn) != CONNECTION_OK);
	return ended(end, lost ? STREAM_ENDED_LOST : STREAM_ENDED_FAILED);
}

/* What is due by the clock: the consumer's tick, progress, warnings, the
 * server's silence, syncs and status updates. */
static bool run_timers(struct stream *s, enum stream_end *end, struct err *e)
{
	int64_t now = mono_now_us();
	if (s->consumer.tick &&
	    (now - s->last_tick_us >= TICK_US || tick_due(s))) {
		s->last_tick_us = now;
		/* A slow flush is the consumer's time: the keeper keeps the
		 * server informed meanwhile. */
		hand_to_consumer(s);
		int rc = s->consumer.tick(s->consumer.ctx, e);
		take_back(s);
		if (rc < 0)
			return failed(s, end, e);
	}
	progress(s, now);
	check_stall(s, now);
	if (check_silence(s, now, e) < 0)
		return ended(end, STREAM_ENDED_LOST);
	if (s->set.sync_interval_us > 0 &&
	    mono_now_us() - s->last_sync_us >= s->set.sync_interval_us &&
	    release_confirmed(s, e) < 0)
		return ended(end, STREAM_ENDED_FAILED);
	if (s->set.status_interval_us > 0 &&
	    mono_now_us() - LOAD(&s->last_status_us) >=
		s->set.status_interval_us) {
		if (release_confirmed(s, e) < 0)
			return ended(end, STREAM_ENDED_FAILED);
		if (send_status(s, false, e) < 0)
			return ended(end, STREAM_ENDED_LOST);
	}
	return true;
}

/* One CopyData message, checked, recorded and handled. */
static bool take_message(struct stream *s, const char *copybuf, int n,
			 enum stream_end *end, struct err *e)
{
	s->last_message_us = mono_now_us();
	s->asked_reply = false;
	if (s->set.max_message && (uint64_t)n > s->set.max_message) {
		too_large(s, copybuf, n, e);
		return ended(end, STREAM_ENDED_FAILED);
	}
	if (s->rec && recorder_frame(s->rec, RECORD_COPYDATA, copybuf,
				     (uint32_t)n, e) < 0)
		return ended(end, STREAM_ENDED_FAILED);
	int rc = handle_copydata(s, (const uint8_t *)copybuf, (size_t)n, e);
	if (rc == STREAM_STOP)
		return ended(end, STREAM_ENDED_ENDPOS);
	return rc < 0 ? failed(s, end, e) : true;
}

/* The next message, or a wait for the socket when none is buffered. */
static bool receive(struct stream *s, enum stream_end *end, struct err *e)
{
	char *copybuf = NULL;
	int n = PQgetCopyData(s->conn, &copybuf, 1);
	if (n == 0) {
		if (wait_socket(s, e) < 0)
			return ended(end, STREAM_ENDED_FAILED);
		if (!PQconsumeInput(s->conn))
			return ended(end, copy_ended(s, e));
		return true;
	}
	if (n < 0)
		return ended(end, copy_ended(s, e));
	bool go = take_message(s, copybuf, n, end, e);
	PQfreemem(copybuf);
	return go;
}

enum stream_end stream_run(struct stream *s, struct err *e)
{
	enum stream_end end = STREAM_ENDED_FAILED;
	keeper_start(s);
	while (!loop_done(s, &end) && run_timers(s, &end, e) &&
	       receive(s, &end, e))
		;
	keeper_stop(s);
	return end;
}

int stream_finish(struct stream *s, struct err *e)
{
	char lsn[LSN_STRLEN];
	if (PQstatus(s->conn) != CONNECTION_OK)
		return err_set(
		    e,
		    "the connection was lost before the final status update; the slot keeps an earlier position than %s, and what follows it comes again",
		    lsn_format(s->confirmed, lsn));
	if (release_confirmed(s, e) < 0 || send_status(s, false, e) < 0)
		return -1;
	if (PQputCopyEnd(s->conn, NULL) <= 0 || PQflush(s->conn) < 0)
		return err_set(e, "ending the stream: %s",
			       PQerrorMessage(s->conn));
	/* Late XLogData may still arrive before the server ends its side;
	 * it is not processed and so not confirmed. */
	char *buf;
	int n;
	while ((n = PQgetCopyData(s->conn, &buf, 0)) > 0)
		PQfreemem(buf);
	PGresult *res;
	int rc = 0;
	while ((res = PQgetResult(s->conn))) {
		if (PQresultStatus(res) == PGRES_FATAL_ERROR && rc == 0)
			rc = pgsql_fail(e, s->conn, res, "ending the stream");
		PQclear(res);
	}
	return rc;
}

enum stream_end stream_replay(struct stream *s, struct record_reader *r,
			      stream_connect_fn on_connect, void *connect_ctx,
			      struct err *e)
{
	enum stream_end end = STREAM_ENDED_FAILED;
	enum record_frame type;
	int got = 1;
	while (!loop_done(s, &end) &&
	       (got = record_reader_next(r, &type, e)) > 0) {
		const uint8_t *p = (const uint8_t *)r->data;
		size_t n = r->len;
		int rc;
		if (type == RECORD_CONNECT) {
			rc = on_connect(connect_ctx, r->data, e);
		} else if (n == 0) {
			rc = err_set(e, "an empty message");
		} else {
			rc = handle_copydata(s, p, n, e);
		}
		if (rc == STREAM_STOP)
			return STREAM_ENDED_ENDPOS;
		if (rc < 0) {
			err_prefix(e, "%s: frame %llu at byte %ld", r->path,
				   (unsigned long long)r->frames,
				   r->frame_offset);
			return STREAM_ENDED_FAILED;
		}
	}
	if (got == 0)
		end = STREAM_ENDED_ENDPOS; /* the recording's end is a clean
					      stop */
	return end;
}
