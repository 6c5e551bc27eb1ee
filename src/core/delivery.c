#include "core/delivery.h"

#include <stdlib.h>

#include "base/alloc.h"

void delivery_init(struct delivery *d, void (*confirm)(void *, uint64_t),
		   void *ctx)
{
	*d = (struct delivery){ .confirm = confirm, .confirm_ctx = ctx };
}

void delivery_free(struct delivery *d)
{
	struct sink *s = d->sinks;
	while (s) {
		struct sink *next = s->next;
		s->ops->free(s);
		s = next;
	}
	free(d->holds);
	*d = (struct delivery){ 0 };
}

void delivery_set_stop(struct delivery *d, const volatile sig_atomic_t *flag)
{
	d->stop.flag = flag;
}

bool sink_give_up(struct sink *s, int64_t now)
{
	struct sink_stop *st = s->stop;
	if (!st || !st->flag || !*st->flag)
		return false;
	if (!st->seen_us)
		st->seen_us = now;
	return now - st->seen_us >= SINK_STOP_GRACE_US;
}

static void link_sink(struct delivery *d, struct sink *s, bool first)
{
	s->st = (struct sink_state){ 0 };
	s->stop = &d->stop;
	if (first) {
		s->next = d->sinks;
		d->sinks = s;
		return;
	}
	struct sink **pp = &d->sinks;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	s->next = NULL;
}

void delivery_set_output(struct delivery *d, struct sink *s)
{
	d->output = s;
	link_sink(d, s, true);
}

void delivery_add(struct delivery *d, struct sink *s)
{
	link_sink(d, s, false);
}

/* min(done, holds): what is handled, whatever the sinks hold. */
static uint64_t handled(const struct delivery *d)
{
	uint64_t lsn = d->done;
	for (size_t i = 0; i < d->nholds; i++)
		if (d->holds[i].lsn < lsn)
			lsn = d->holds[i].lsn;
	return lsn;
}

uint64_t delivery_confirmable(const struct delivery *d)
{
	uint64_t lsn = handled(d);
	for (const struct sink *s = d->sinks; s; s = s->next)
		if (s->st.dirty && s->st.mark < lsn)
			lsn = s->st.mark;
	return lsn;
}

bool delivery_pending(const struct delivery *d)
{
	if (d->in_unit || d->nholds)
		return true;
	for (const struct sink *s = d->sinks; s; s = s->next)
		if (s->st.dirty)
			return true;
	return false;
}

/* Tells the stream when the confirmable position moved on. It never moves
 * back: a hold starts at a PREPARE, after every commit handled so far, and
 * a sink's mark is at most what was confirmable when it was set. */
static void tell(struct delivery *d)
{
	uint64_t lsn = delivery_confirmable(d);
	if (lsn <= d->confirmed)
		return;
	d->confirmed = lsn;
	if (d->confirm)
		d->confirm(d->confirm_ctx, lsn);
}

/* ---- writes ---- */

/* s is about to take data: from now on it holds something not durable. */
static void taking(struct delivery *d, struct sink *s)
{
	if (!s->st.dirty) {
		s->st.dirty = true;
		s->st.mark = handled(d);
	}
	s->st.written = true;
	s->st.unit_wrote |= d->in_unit;
}

static int sink_failed(struct delivery *d, struct sink *s, struct err *e)
{
	s->errors++;
	d->transient = e->transient;
	return err_prefix(e, "sink %s", s->name);
}

/* A failed write leaves the sink as it was for the delivery rule: dirty,
 * so nothing it may have taken part of is confirmed. The script's call
 * names the sink. */
static int write_failed(struct delivery *d, struct sink *s, const struct err *e)
{
	s->errors++;
	d->transient = e->transient;
	return -1;
}

bool delivery_take_transient(struct delivery *d)
{
	bool t = d->transient;
	d->transient = false;
	return t;
}

int delivery_write_json(struct delivery *d, struct sink *s, const char *json,
			size_t len, struct err *e)
{
	if (s->st.skipping)
		return 0;
	taking(d, s);
	if (s->ops->write_json(s, json, len, e) < 0)
		return write_failed(d, s, e);
	return 0;
}

int delivery_write_record(struct delivery *d, struct sink *s,
			  const struct sink_record *r, struct err *e)
{
	if (s->st.skipping)
		return 0;
	taking(d, s);
	if (s->ops->write_record(s, r, e) < 0)
		return write_failed(d, s, e);
	return 0;
}

int delivery_write_row(struct delivery *d, struct sink *s,
		       const struct sink_row *row, struct err *e)
{
	if (s->st.skipping)
		return 0;
	taking(d, s);
	if (s->ops->write_row(s, row, e) < 0)
		return write_failed(d, s, e);
	return 0;
}

int delivery_write_truncate(struct delivery *d, struct sink *s,
			    const struct sink_truncate *t, struct err *e)
{
	if (s->st.skipping)
		return 0;
	taking(d, s);
	if (s->ops->write_truncate(s, t, e) < 0)
		return write_failed(d, s, e);
	return 0;
}

int delivery_write_ddl(struct delivery *d, struct sink *s,
		       const struct sink_ddl *ddl, struct err *e)
{
	if (s->st.skipping || !s->ops->write_ddl)
		return 0;
	taking(d, s);
	if (s->ops->write_ddl(s, ddl, e) < 0)
		return write_failed(d, s, e);
	return 0;
}

int delivery_write_state(struct delivery *d, const char *name, const char *text,
			 struct err *e)
{
	if (!d->in_unit)
		return err_set(
		    e, "the progress of %s written outside a transaction",
		    name);
	for (struct sink *s = d->sinks; s; s = s->next) {
		if (s->st.skipping || !s->ops->write_state)
			continue;
		taking(d, s);
		if (s->ops->write_state(s, name, text, e) < 0)
			return sink_failed(d, s, e);
	}
	return 0;
}

int delivery_read_state(struct delivery *d, const char *name,
			void (*each)(void *ctx, const char *sink,
				     const char *text),
			void *ctx, struct err *e)
{
	if (d->in_unit)
		return err_set(
		    e, "the progress of %s read inside a transaction", name);
	for (struct sink *s = d->sinks; s; s = s->next) {
		char *text = NULL;
		if (!s->ops->read_state)
			continue;
		if (s->ops->read_state(s, name, &text, e) < 0)
			return sink_failed(d, s, e);
		each(ctx, s->name, text);
		free(text);
	}
	return 0;
}

struct buf *delivery_output(struct delivery *d)
{
	taking(d, d->output);
	return d->output->ops->lines(d->output);
}

int delivery_output_wrote(struct delivery *d, struct err *e)
{
	struct sink *s = d->output;
	if (s->ops->wrote && s->ops->wrote(s, e) < 0)
		return sink_failed(d, s, e);
	return 0;
}

/* ---- flushing ---- */

static int flush_one(struct delivery *d, struct sink *s, struct err *e)
{
	if (!s->st.dirty)
		return 0;
	if (s->ops->flush(s, e) < 0)
		return sink_failed(d, s, e);
	s->st.dirty = false;
	s->st.batch_txns = s->st.batch_bytes = 0;
	s->st.batch_start_us = 0;
	s->st.flush_asked = false;
	return 0;
}

static bool batch_full(const struct sink *s)
{
	return s->st.flush_asked ||
	       (s->max_txns && s->st.batch_txns >= s->max_txns) ||
	       (s->max_bytes && s->st.batch_bytes >= s->max_bytes);
}

int delivery_flush_sink(struct delivery *d, struct sink *s, struct err *e)
{
	if (d->in_unit) {
		s->st.flush_asked = true;
		return 0;
	}
	if (flush_one(d, s, e) < 0)
		return -1;
	tell(d);
	return 0;
}

/* ---- units ---- */

int delivery_begin(struct delivery *d, const struct txn *tx, struct err *e)
{
	if (d->in_unit)
		return err_set(e, "a transaction (xid %u) began inside another",
			       tx->xid);
	d->in_unit = true;
	for (struct sink *s = d->sinks; s; s = s->next) {
		s->st.skipping = false;
		if (s->ops->begin && s->ops->begin(s, tx, e) < 0)
			return sink_failed(d, s, e);
	}
	return 0;
}

/* The boundary of tx: sinks that wrote since the last one learn of it, and
 * flush when their batch is full. */
static int boundary(struct delivery *d, const struct txn *tx, struct err *e)
{
	for (struct sink *s = d->sinks; s; s = s->next) {
		bool wrote = s->st.written && !s->st.skipping;
		s->st.written = s->st.skipping = s->st.unit_wrote = false;
		if (!wrote) {
			if (s->st.flush_asked && flush_one(d, s, e) < 0)
				return -1;
			continue;
		}
		if (s->ops->commit && s->ops->commit(s, tx, e) < 0)
			return sink_failed(d, s, e);
		s->st.batch_txns++;
		if (batch_full(s) && flush_one(d, s, e) < 0)
			return -1;
	}
	return 0;
}

int delivery_end(struct delivery *d, const struct txn *tx, struct err *e)
{
	d->in_unit = false;
	if (tx->end_lsn > d->done)
		d->done = tx->end_lsn;
	if (boundary(d, tx, e) < 0)
		return -1;
	tell(d);
	return 0;
}

int delivery_event(struct delivery *d, uint64_t lsn, struct err *e)
{
	if (d->in_unit)
		return 0;
	struct txn tx = { .final_lsn = lsn, .commit_lsn = lsn, .end_lsn = lsn };
	return delivery_end(d, &tx, e);
}

void delivery_hold(struct delivery *d, uint32_t xid, uint64_t lsn)
{
	for (size_t i = 0; i < d->nholds; i++) {
		if (d->holds[i].xid == xid) {
			d->holds[i].lsn = lsn;
			return;
		}
	}
	if (d->nholds == d->holds_cap) {
		size_t cap = d->holds_cap ? 2 * d->holds_cap : 8;
		d->holds = xrealloc(d->holds, cap * sizeof *d->holds);
		d->holds_cap = cap;
	}
	d->holds[d->nholds++] = (struct delivery_hold){ xid, lsn };
}

void delivery_release(struct delivery *d, uint32_t xid)
{
	for (size_t i = 0; i < d->nholds; i++) {
		if (d->holds[i].xid == xid) {
			d->holds[i] = d->holds[--d->nholds];
			break;
		}
	}
	tell(d);
}

void delivery_idle(struct delivery *d, uint64_t wal_end)
{
	if (d->in_unit || wal_end <= d->done)
		return;
	d->done = wal_end;
	tell(d);
}

/* ---- time and the end ---- */

int delivery_tick(struct delivery *d, int64_t now, struct err *e)
{
	for (struct sink *s = d->sinks; s; s = s->next) {
		if (s->ops->poll && s->ops->poll(s, e) < 0)
			return sink_failed(d, s, e);
		if (!s->st.dirty)
			continue;
		if (!s->st.batch_start_us)
			s->st.batch_start_us = now;
		/* Never in the middle of a unit: a flush makes durable what
		 * the sink holds, and for the postgres sink that would commit
		 * half a source transaction. */
		if (!d->in_unit && s->max_wait_us &&
		    now - s->st.batch_start_us >= s->max_wait_us &&
		    flush_one(d, s, e) < 0)
			return -1;
	}
	tell(d);
	return 0;
}

int delivery_sync(struct delivery *d, struct err *e)
{
	if (d->in_unit)
		return 0;
	for (struct sink *s = d->sinks; s; s = s->next)
		if (s->flush_at_status && flush_one(d, s, e) < 0)
			return -1;
	tell(d);
	return 0;
}

int delivery_make_durable(struct delivery *d, uint64_t lsn, struct err *e)
{
	if (d->in_unit || handled(d) < lsn)
		return 0;
	for (struct sink *s = d->sinks; s; s = s->next)
		if (s->st.dirty && s->st.mark < lsn && flush_one(d, s, e) < 0)
			return -1;
	tell(d);
	return 0;
}

int delivery_reopen(struct delivery *d, struct err *e)
{
	for (struct sink *s = d->sinks; s; s = s->next)
		if (s->ops->reopen && s->ops->reopen(s, e) < 0)
			return sink_failed(d, s, e);
	return 0;
}

static void forget(struct delivery *d, struct sink *s)
{
	if (s->st.dirty && s->ops->discard)
		s->ops->discard(s);
	if (s->st.dirty && s->st.mark < d->done)
		d->done = s->st.mark;
	s->st = (struct sink_state){ 0 };
}

/* The open unit is given up: each sink that wrote in it drops that, or
 * everything it holds, and done goes back below what was dropped. */
static void abort_unit(struct delivery *d)
{
	if (!d->in_unit)
		return;
	d->in_unit = false;
	for (struct sink *s = d->sinks; s; s = s->next) {
		if (!s->st.written)
			continue;
		if (s->ops->abort && s->ops->abort(s) == 0) {
			s->st.written = s->st.skipping = false;
			continue;
		}
		forget(d, s);
	}
}

int delivery_stop(struct delivery *d, struct err *e)
{
	abort_unit(d);
	for (struct sink *s = d->sinks; s; s = s->next)
		if (flush_one(d, s, e) < 0)
			return -1;
	tell(d);
	return 0;
}

/* What a sink took outside any unit (init, handle_connect, a disconnect's
 * log line) comes from no transaction the server sends again: it is kept
 * if it can be, where the sink holds nothing of a unit. */
static void keep_lone_writes(struct sink *s)
{
	struct err ignored;
	if (s->st.dirty && !s->st.batch_txns && !s->st.unit_wrote &&
	    s->ops->flush(s, &ignored) == 0)
		s->st.dirty = false;
}

void delivery_lost(struct delivery *d)
{
	d->in_unit = false;
	/* The server sends again from what it was told, which may be short
	 * of what was confirmable (a flush that failed after another one
	 * succeeded told nothing). done goes back there too: a sink that
	 * takes again a unit it had made durable before gets a mark below
	 * it, so a pass that rewrites an old value is not confirmed past
	 * until it has caught up, and the next one cannot jump over it. */
	d->done = d->confirmed;
	for (struct sink *s = d->sinks; s; s = s->next) {
		keep_lone_writes(s);
		forget(d, s);
	}
	d->nholds = 0;
}
