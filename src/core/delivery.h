/* delivery — the one place that decides what the slot may be told.
 *
 * It owns every sink, the default output (stdout or -f) among them, and is
 * the only code that flushes a sink, makes sinks forget what is not
 * durable, and moves the confirmed position. Every route reaches it through
 * the calls below: a transaction of any plugin, a streamed or prepared one
 * once it commits, a snapshot table, a fixture transaction is
 *     delivery_begin · writes · delivery_end
 * and a message outside a transaction, a raw payload or a lone fixture
 * line is delivery_event. Writes between units (init, handle_connect,
 * terminate) are delivered with the next unit or at delivery_stop.
 *
 * The rule, kept by construction:
 *   done     the end LSN of the last unit whose hooks all returned;
 *   holds    positions a waiting prepared transaction pins (nothing at or
 *            past its PREPARE may be confirmed until its COMMIT PREPARED
 *            has been delivered);
 *   mark     per sink holding data that is not durable yet: what could be
 *            confirmed when it took the first of that data;
 *   confirmable = min(done, holds, marks).
 * A sink's mark is set when it goes from clean to dirty and cleared only by
 * a successful flush, so no position past a sink's undurable data is ever
 * confirmed, whichever route the data came by. A lost connection resets
 * done to the position the server was told, where it starts again, and
 * makes every sink forget the rest: the server sends all of it again, and
 * a pass that writes again what an earlier one had made durable is held
 * back like any other until it is durable too. */
#ifndef WALHOOK_DELIVERY_H
#define WALHOOK_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/sink.h"
#include "decode/change.h"

struct delivery_hold {
	uint32_t xid;
	uint64_t lsn;
};

struct delivery {
	struct sink *sinks; /* the output first, then in creation order */
	struct sink *output;
	uint64_t done;
	uint64_t confirmed; /* the last position passed to confirm */
	struct delivery_hold *holds;
	size_t nholds, holds_cap;
	bool in_unit;
	bool transient;	       /* the last sink failure may pass */
	struct sink_stop stop; /* every sink's view of a stop request */
	/* Told every new confirmable position (the stream's confirmed). */
	void (*confirm)(void *ctx, uint64_t lsn);
	void *confirm_ctx;
};

/* confirm may be NULL (a replay or a script test tells no server). */
void delivery_init(struct delivery *d, void (*confirm)(void *, uint64_t),
		   void *ctx);
/* Frees every sink. */
void delivery_free(struct delivery *d);
/* The stop request (SIGINT, SIGTERM) that blocked sinks give up on. */
void delivery_set_stop(struct delivery *d, const volatile sig_atomic_t *flag);
/* Takes ownership of s. The output is where print(), the JSON lines of
 * events no hook handles and raw payloads go; it must have the lines op. */
void delivery_set_output(struct delivery *d, struct sink *s);
void delivery_add(struct delivery *d, struct sink *s);
/* The position everything before which is handled and durable. */
uint64_t delivery_confirmable(const struct delivery *d);
/* Whether anything handled is not durable yet, or a unit is open. */
bool delivery_pending(const struct delivery *d);
/* Whether a sink failed since the last call for a reason that may pass
 * (its target down, a full disk): an error that reached the script from
 * s:write or s:flush is then worth a reconnect, not a stop. */
bool delivery_take_transient(struct delivery *d);

/* ---- writes, from hooks and the default output ---- */
int delivery_write_json(struct delivery *d, struct sink *s, const char *json,
			size_t len, struct err *e);
int delivery_write_record(struct delivery *d, struct sink *s,
			  const struct sink_record *r, struct err *e);
int delivery_write_row(struct delivery *d, struct sink *s,
		       const struct sink_row *row, struct err *e);
int delivery_write_ddl(struct delivery *d, struct sink *s,
		       const struct sink_ddl *ddl, struct err *e);
int delivery_write_truncate(struct delivery *d, struct sink *s,
			    const struct sink_truncate *t, struct err *e);
/* A backfill's progress record (decided by its caller: the text is
 * opaque here) to every sink that keeps one, inside the open unit, so
 * that each commits it with the unit's rows. */
int delivery_write_state(struct delivery *d, const char *name,
			 const char *text, struct err *e);
/* What each sink that keeps progress records holds under name: each(ctx,
 * the sink's name, its text or NULL for none), once a sink. Between
 * units only. */
int delivery_read_state(struct delivery *d, const char *name,
			void (*each)(void *ctx, const char *sink,
				     const char *text),
			void *ctx, struct err *e);
/* The output's buffer: append whole lines, then call delivery_output_wrote. */
struct buf *delivery_output(struct delivery *d);
int delivery_output_wrote(struct delivery *d, struct err *e);
/* s:flush(): now between units; inside one, at its end (a sink that
 * applies transactions must not make half of one durable). */
int delivery_flush_sink(struct delivery *d, struct sink *s, struct err *e);

/* ---- units ---- */
int delivery_begin(struct delivery *d, const struct txn *tx, struct err *e);
/* The unit's hooks all returned: its end is tx->end_lsn. */
int delivery_end(struct delivery *d, const struct txn *tx, struct err *e);
/* A unit of its own that ended at lsn (inside an open unit: part of it). */
int delivery_event(struct delivery *d, uint64_t lsn, struct err *e);
/* Nothing at or past lsn may be confirmed until delivery_release(xid). */
void delivery_hold(struct delivery *d, uint32_t xid, uint64_t lsn);
void delivery_release(struct delivery *d, uint32_t xid);
/* The server has sent everything before wal_end (a keepalive): with no
 * unit open, it counts as handled. */
void delivery_idle(struct delivery *d, uint64_t wal_end);

/* ---- time and the end ---- */
/* Flushes batches that waited long enough (now: monotonic µs), between
 * units only, and lets sinks notice trouble. */
int delivery_tick(struct delivery *d, int64_t now, struct err *e);
/* Before a status update: flushes the sinks that flush at status. */
int delivery_sync(struct delivery *d, struct err *e);
/* For a reader that waits on durability (a backfill whose chunks ran as
 * far ahead as they may): once what ends at lsn is handled, the sinks
 * that hold it make it durable now, not at their own pace (the output:
 * every -F seconds). Nothing while a unit is open. */
int delivery_make_durable(struct delivery *d, uint64_t lsn, struct err *e);
int delivery_reopen(struct delivery *d, struct err *e);
/* A stop: the open unit, if any, is forgotten (it comes again), every
 * sink flushed. */
int delivery_stop(struct delivery *d, struct err *e);
/* A lost connection, or an error after which nothing more is handled:
 * everything not durable is forgotten, done goes back to what is. */
void delivery_lost(struct delivery *d);

#endif
