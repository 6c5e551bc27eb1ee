/* Unit tests for delivery.h, the confirm rule, without Lua or a server:
 * fake sinks that record which transactions they took and which of those
 * they made durable, driven through sequences of begin / write / end /
 * tick / flush / lost, checking the confirmable position after each step.
 * A seeded random walk checks the rule itself: nothing is ever confirmed
 * past a transaction some sink holds but has not made durable. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/delivery.h"
#include "check_run.h"

/* ---- a fake sink ---- */

static uint64_t pinning; /* the PREPARE of the unit being written, or 0 */

#define MAX_RECORDS 4096

struct fake {
	struct sink base;
	/* end LSN of the unit each record belongs to (0 until it ends) */
	uint64_t taken[MAX_RECORDS];
	/* for a prepared transaction's records: its PREPARE, which the server
	 * skips on a restart once confirmed past */
	uint64_t pinned[MAX_RECORDS];
	bool durable[MAX_RECORDS];
	int n;
	int unit_first;	  /* index of the open unit's first record */
	int fail_flushes; /* the next flushes that fail */
	bool can_abort;
	int flushes, commits, discards;
};

static int fake_write(struct sink *s, const char *json, size_t len,
		      struct err *e)
{
	struct fake *f = (struct fake *)s;
	(void)json;
	(void)e;
	ck_assert_int_lt(f->n, MAX_RECORDS);
	f->taken[f->n] = 0;
	f->pinned[f->n] = pinning;
	f->durable[f->n++] = false;
	sink_wrote(s, len);
	return 0;
}

static int fake_begin(struct sink *s, const struct txn *tx, struct err *e)
{
	struct fake *f = (struct fake *)s;
	(void)tx;
	(void)e;
	f->unit_first = f->n;
	return 0;
}

static int fake_commit(struct sink *s, const struct txn *tx, struct err *e)
{
	struct fake *f = (struct fake *)s;
	(void)e;
	for (int i = 0; i < f->n; i++)
		if (!f->taken[i])
			f->taken[i] = tx->end_lsn;
	f->commits++;
	return 0;
}

static int fake_flush(struct sink *s, struct err *e)
{
	struct fake *f = (struct fake *)s;
	if (f->fail_flushes > 0) {
		f->fail_flushes--;
		err_set(e, "the target is down");
		e->transient = true;
		return -1;
	}
	for (int i = 0; i < f->n; i++)
		f->durable[i] = true;
	f->flushes++;
	return 0;
}

/* Forgets what is not durable: those records are gone from the sink. */
static void fake_discard(struct sink *s)
{
	struct fake *f = (struct fake *)s;
	int k = 0;
	for (int i = 0; i < f->n; i++) {
		if (f->durable[i]) {
			f->taken[k] = f->taken[i];
			f->pinned[k] = f->pinned[i];
			f->durable[k++] = true;
		}
	}
	f->n = k;
	f->unit_first = k;
	f->discards++;
}

static int fake_abort(struct sink *s)
{
	struct fake *f = (struct fake *)s;
	if (!f->can_abort)
		return -1;
	f->n = f->unit_first;
	return 0;
}

static void fake_free(struct sink *s)
{
	free(s);
}

static const struct sink_ops fake_ops = {
	.kind = "fake",
	.write_json = fake_write,
	.begin = fake_begin,
	.commit = fake_commit,
	.flush = fake_flush,
	.abort = fake_abort,
	.discard = fake_discard,
	.free = fake_free,
};

static struct fake *fake_new(const char *name, size_t max_txns)
{
	struct fake *f = calloc(1, sizeof *f);
	f->base.ops = &fake_ops;
	snprintf(f->base.name, sizeof f->base.name, "%s", name);
	f->base.max_txns = max_txns;
	return f;
}

/* The output: a sink of lines whose every transaction is its own batch. */
static struct buf out_text;
static struct buf *out_lines(struct sink *s)
{
	(void)s;
	return &out_text;
}

static int out_flush(struct sink *s, struct err *e)
{
	(void)s;
	(void)e;
	buf_reset(&out_text);
	return 0;
}

static const struct sink_ops out_ops = {
	.kind = "output",
	.lines = out_lines,
	.flush = out_flush,
	.free = fake_free,
};

static uint64_t told;
static int tells;
static void on_confirm(void *ctx, uint64_t lsn)
{
	(void)ctx;
	ck_assert_uint_gt(lsn, told); /* never back, never the same twice */
	told = lsn;
	tells++;
}

static struct delivery d;

static void setup(void)
{
	told = 0;
	tells = 0;
	delivery_init(&d, on_confirm, NULL);
	struct sink *out = calloc(1, sizeof *out);
	out->ops = &out_ops;
	out->max_txns = 1;
	snprintf(out->name, sizeof out->name, "output");
	delivery_set_output(&d, out);
}

static void teardown(void)
{
	delivery_free(&d);
	buf_free(&out_text);
}

static struct err e;

static void begin(uint64_t final_lsn)
{
	struct txn tx = { .xid = 7, .final_lsn = final_lsn };
	ck_assert_int_eq(delivery_begin(&d, &tx, &e), 0);
}

static void end(uint64_t end_lsn)
{
	struct txn tx = { .xid = 7, .end_lsn = end_lsn };
	ck_assert_int_eq(delivery_end(&d, &tx, &e), 0);
}

static void put(struct fake *f)
{
	ck_assert_int_eq(delivery_write_json(&d, &f->base, "{}", 2, &e), 0);
}

/* A sink that keeps progress records: the last one written, and what
 * its target holds once flushed. */
struct keeper {
	struct fake f;
	char written[64], held[64];
};

static int keeper_write_state(struct sink *s, const char *name,
			      const char *text, struct err *e)
{
	struct keeper *k = (struct keeper *)s;
	(void)e;
	snprintf(k->written, sizeof k->written, "%s=%s", name, text);
	return 0;
}

static int keeper_read_state(struct sink *s, const char *name, char **text,
			     struct err *e)
{
	struct keeper *k = (struct keeper *)s;
	(void)e;
	size_t n = strlen(name);
	*text = strncmp(k->held, name, n) == 0 && k->held[n] == '='
		    ? strdup(k->held + n + 1)
		    : NULL;
	return 0;
}

static int keeper_flush(struct sink *s, struct err *e)
{
	struct keeper *k = (struct keeper *)s;
	snprintf(k->held, sizeof k->held, "%s", k->written);
	return fake_flush(s, e);
}

static const struct sink_ops keeper_ops = {
	.kind = "keeper",
	.write_json = fake_write,
	.write_state = keeper_write_state,
	.read_state = keeper_read_state,
	.begin = fake_begin,
	.commit = fake_commit,
	.flush = keeper_flush,
	.free = fake_free,
};

static struct keeper *keeper_new(const char *name)
{
	struct keeper *k = calloc(1, sizeof *k);
	k->f.base.ops = &keeper_ops;
	snprintf(k->f.base.name, sizeof k->f.base.name, "%s", name);
	return k;
}

static char read_back[4][64];
static int nread;
static void on_record(void *ctx, const char *sink, const char *text)
{
	(void)ctx;
	snprintf(read_back[nread++], sizeof read_back[0], "%s:%s", sink,
		 text ? text : "(none)");
}

/* ---- the rule, step by step ---- */

START_TEST(test_nothing_written)
{
	begin(100);
	end(150);
	ck_assert_uint_eq(delivery_confirmable(&d), 150);
	ck_assert_uint_eq(told, 150);
	ck_assert(!delivery_pending(&d));
}
END_TEST

START_TEST(test_batch_holds_back)
{
	struct fake *f = fake_new("batch", 3);
	delivery_add(&d, &f->base);
	for (uint64_t i = 1; i <= 2; i++) {
		begin(i * 100);
		put(f);
		end(i * 100 + 50);
		/* taken, not durable: nothing past it */
		ck_assert_uint_eq(delivery_confirmable(&d), 0);
	}
	begin(300);
	put(f);
	end(350);
	ck_assert_int_eq(f->flushes, 1); /* the third filled the batch */
	ck_assert_uint_eq(delivery_confirmable(&d), 350);
	ck_assert_uint_eq(told, 350);
}
END_TEST

/* A sink that took nothing since its last flush does not hold back what
 * others made durable, nor transactions it had no part in. */
/* A reader waiting on a position gets it made durable once it is
 * handled, and only then; the sinks that do not hold it are left alone. */
START_TEST(test_make_durable)
{
	struct fake *slow = fake_new("slow", 100), *other = fake_new("other", 100);
	delivery_add(&d, &slow->base);
	delivery_add(&d, &other->base);
	begin(100);
	put(slow);
	end(150);
	ck_assert_uint_eq(delivery_confirmable(&d), 0);
	/* not handled yet: nothing flushed */
	ck_assert_int_eq(delivery_make_durable(&d, 250, &e), 0);
	ck_assert_int_eq(slow->flushes, 0);
	begin(200);
	put(other);
	/* inside a unit: nothing flushed */
	ck_assert_int_eq(delivery_make_durable(&d, 150, &e), 0);
	ck_assert_int_eq(slow->flushes, 0);
	end(250);
	ck_assert_int_eq(delivery_make_durable(&d, 150, &e), 0);
	ck_assert_int_eq(slow->flushes, 1);
	ck_assert_int_eq(other->flushes, 0); /* it holds only 250 */
	ck_assert_uint_eq(delivery_confirmable(&d), 150);
	ck_assert_uint_eq(told, 150);
	ck_assert_int_eq(delivery_make_durable(&d, 250, &e), 0);
	ck_assert_int_eq(other->flushes, 1);
	ck_assert_uint_eq(told, 250);
}
END_TEST

START_TEST(test_clean_sink_does_not_hold)
{
	struct fake *a = fake_new("a", 1), *b = fake_new("b", 0);
	delivery_add(&d, &a->base);
	delivery_add(&d, &b->base);
	begin(100);
	put(b);
	end(150);
	begin(200);
	put(a);
	end(250);
	ck_assert_uint_eq(delivery_confirmable(&d), 0); /* b holds 150 */
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert_uint_eq(delivery_confirmable(&d), 250);
}
END_TEST

/* The first observation: a second lost connection after the first
 * must not confirm what the sinks dropped at the first. */
START_TEST(test_lost_twice)
{
	struct fake *f = fake_new("file", 1000);
	delivery_add(&d, &f->base);
	begin(100);
	put(f);
	end(150);
	delivery_lost(&d);
	ck_assert_uint_eq(delivery_confirmable(&d), 0);
	ck_assert_int_eq(f->n, 0);
	/* the server sends it again; this time too a loss follows */
	begin(100);
	put(f);
	end(150);
	delivery_lost(&d);
	ck_assert_int_eq(delivery_tick(&d, 10 * 1000 * 1000, &e), 0);
	ck_assert_uint_eq(delivery_confirmable(&d), 0);
	ck_assert_uint_eq(told, 0);
	/* third time lucky */
	begin(100);
	put(f);
	end(150);
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert_uint_eq(told, 150);
}
END_TEST

/* Found by the chaos harness (seed 1001, protocol 1): a tick flushed the
 * file and then failed on the postgres sink, so what the file had made
 * durable was confirmable but never told. After the loss the server sent
 * from the told position again; the file took those units with a mark
 * past them, confirmed them before they were durable a second time, and
 * the next loss resumed past the unit the file had half written again: an
 * old value then stood after the newer one for good. */
START_TEST(test_lost_resumes_where_told)
{
	struct fake *file = fake_new("file", 1000), *pg = fake_new("pg", 1000);
	file->base.max_wait_us = pg->base.max_wait_us = 1;
	delivery_add(&d, &file->base);
	delivery_add(&d, &pg->base);
	begin(100);
	put(file);
	end(150);
	begin(200);
	put(file);
	end(250);
	begin(300);
	put(pg);
	end(350);
	pg->fail_flushes = 1;
	ck_assert_int_eq(delivery_tick(&d, 10, &e), 0); /* starts the batches */
	ck_assert_int_eq(delivery_tick(&d, 10 * 1000 * 1000, &e), -1);
	ck_assert_uint_eq(told, 0); /* the file is durable, nobody heard */
	delivery_lost(&d);
	/* Sent again from 0: the first unit, then half the second. */
	begin(100);
	put(file);
	end(150);
	begin(200);
	put(file);
	delivery_lost(&d);
	/* Where the server starts next: not past the half-written unit. */
	ck_assert_uint_le(told, 150);
	ck_assert_uint_le(delivery_confirmable(&d), 150);
}
END_TEST

START_TEST(test_flush_fails_then_lost)
{
	struct fake *f = fake_new("pg", 1);
	delivery_add(&d, &f->base);
	begin(100);
	put(f);
	end(150);
	ck_assert_uint_eq(told, 150);
	f->fail_flushes = 1;
	begin(200);
	put(f);
	struct txn tx = { .end_lsn = 250 };
	ck_assert_int_eq(delivery_end(&d, &tx, &e), -1);
	ck_assert(e.transient);
	ck_assert_uint_eq(delivery_confirmable(&d), 150);
	delivery_lost(&d);
	ck_assert_uint_eq(delivery_confirmable(&d), 150);
	ck_assert_int_eq(f->n, 1); /* only the durable one is left */
}
END_TEST

/* Between units the server's WAL end counts as handled; inside one not. */
START_TEST(test_idle)
{
	delivery_idle(&d, 500);
	ck_assert_uint_eq(told, 500);
	begin(600);
	delivery_idle(&d, 700);
	ck_assert_uint_eq(told, 500);
	end(650);
	ck_assert_uint_eq(told, 650);
}
END_TEST

/* Idle keepalives do not move the position past a dirty sink. */
START_TEST(test_idle_with_dirty_sink)
{
	struct fake *f = fake_new("file", 10);
	delivery_add(&d, &f->base);
	delivery_idle(&d, 90);
	begin(100);
	put(f);
	end(150);
	delivery_idle(&d, 900);
	ck_assert_uint_eq(delivery_confirmable(&d), 90);
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert_uint_eq(delivery_confirmable(&d), 900);
}
END_TEST

/* A prepared transaction waiting: nothing at or past its PREPARE is
 * confirmed until its COMMIT PREPARED is delivered and durable, even when
 * the sink that takes it had flushed later transactions before. */
START_TEST(test_hold_until_delivered)
{
	struct fake *f = fake_new("pg", 2);
	delivery_add(&d, &f->base);
	delivery_hold(&d, 9, 300); /* PREPARE at 300 */
	ck_assert_int_eq(delivery_event(&d, 320, &e), 0);
	ck_assert_uint_eq(delivery_confirmable(&d), 300);
	begin(400);
	put(f);
	end(450);
	begin(500);
	put(f);
	end(550);
	ck_assert_int_eq(f->flushes, 1);
	ck_assert_uint_eq(delivery_confirmable(&d), 300);
	/* COMMIT PREPARED at 600: its changes reach the sink, which batches */
	begin(600);
	put(f);
	end(650);
	delivery_release(&d, 9);
	ck_assert_uint_eq(delivery_confirmable(&d), 300);
	ck_assert_uint_eq(told, 300);
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert_uint_eq(told, 650);
}
END_TEST

START_TEST(test_lost_drops_holds)
{
	delivery_hold(&d, 9, 300);
	ck_assert_int_eq(delivery_event(&d, 320, &e), 0);
	delivery_lost(&d);
	ck_assert(!delivery_pending(&d));
	ck_assert_uint_eq(delivery_confirmable(&d), 300);
	ck_assert_int_eq(delivery_event(&d, 400, &e), 0);
	ck_assert_uint_eq(told, 400);
}
END_TEST

/* A stop in the middle of a unit: a sink that can drop just that unit
 * keeps the ones before and flushes them; one that cannot forgets them,
 * and the position stays before them. */
START_TEST(test_stop_mid_unit)
{
	struct fake *a = fake_new("lines", 0), *b = fake_new("pg", 0);
	a->can_abort = true;
	delivery_add(&d, &a->base);
	delivery_add(&d, &b->base);
	begin(100);
	put(a);
	end(150);
	begin(200);
	put(b);
	end(250);
	begin(300);
	put(a);
	put(b);
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert_int_eq(a->n, 1);
	ck_assert(a->durable[0]);
	ck_assert_int_eq(b->n, 0);
	ck_assert_uint_eq(told, 150); /* b's 250 was dropped */
}
END_TEST

/* s:flush() inside a unit waits for its end: half a transaction must not
 * become durable. */
START_TEST(test_flush_inside_unit_waits)
{
	struct fake *f = fake_new("pg", 0);
	delivery_add(&d, &f->base);
	begin(100);
	put(f);
	ck_assert_int_eq(delivery_flush_sink(&d, &f->base, &e), 0);
	ck_assert_int_eq(f->flushes, 0);
	end(150);
	ck_assert_int_eq(f->flushes, 1);
	ck_assert_uint_eq(told, 150);
}
END_TEST

/* Writes between units (init, handle_connect, terminate) are delivered
 * with the next flush; they confirm nothing of their own. */
START_TEST(test_writes_between_units)
{
	struct fake *f = fake_new("file", 0);
	delivery_add(&d, &f->base);
	put(f);
	ck_assert(delivery_pending(&d));
	ck_assert_int_eq(delivery_event(&d, 100, &e), 0);
	ck_assert_uint_eq(delivery_confirmable(&d), 0);
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert(f->durable[0]);
	ck_assert_uint_eq(told, 100);
}
END_TEST

START_TEST(test_batch_by_time_between_units_only)
{
	struct fake *f = fake_new("http", 0);
	f->base.max_wait_us = 1000;
	delivery_add(&d, &f->base);
	begin(100);
	put(f);
	end(150);
	ck_assert_int_eq(delivery_tick(&d, 5000, &e), 0); /* the batch starts */
	begin(200);
	put(f);
	ck_assert_int_eq(delivery_tick(&d, 7000, &e), 0);
	ck_assert_int_eq(f->flushes, 0); /* inside a unit: no */
	end(250);
	ck_assert_int_eq(delivery_tick(&d, 7001, &e), 0);
	ck_assert_int_eq(f->flushes, 1);
	ck_assert_uint_eq(told, 250);
}
END_TEST

START_TEST(test_skipping_sink)
{
	struct fake *f = fake_new("pg", 1);
	delivery_add(&d, &f->base);
	begin(100);
	sink_skip(&f->base, true);
	put(f);
	end(150);
	ck_assert_int_eq(f->n, 0);
	ck_assert_int_eq(f->commits, 0);
	ck_assert_uint_eq(told, 150);
	begin(200); /* the next one is not skipped */
	put(f);
	end(250);
	ck_assert_int_eq(f->n, 1);
}
END_TEST

START_TEST(test_output_is_a_sink)
{
	struct buf *b = delivery_output(&d);
	buf_puts(b, "{\"op\":\"insert\"}\n");
	ck_assert_int_eq(delivery_output_wrote(&d, &e), 0);
	ck_assert(delivery_pending(&d));
	begin(100);
	end(150);
	ck_assert_uint_eq(out_text.len, 0); /* flushed with the unit */
	ck_assert_uint_eq(told, 150);
}
END_TEST

/* ---- a random walk: the rule holds whatever happens ---- */

struct rng {
	uint64_t s;
};

static uint32_t next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

/* Nothing confirmed past a unit a sink took and has not made durable, and
 * nothing at or past a waiting PREPARE. */
static void check_rule(struct fake **fs, int nf, uint64_t prepare_at,
		       unsigned seed, int step)
{
	for (int k = 0; k < nf; k++) {
		for (int i = 0; i < fs[k]->n; i++) {
			uint64_t end = fs[k]->taken[i];
			uint64_t pin = fs[k]->pinned[i];
			if (pin && pin < told && !fs[k]->durable[i])
				ck_abort_msg(
				    "seed %u step %d: %s holds a prepared transaction (PREPARE at %llu), not durable, but %llu was confirmed",
				    seed, step, fs[k]->base.name,
				    (unsigned long long)pin,
				    (unsigned long long)told);
			if (end && end <= told && !fs[k]->durable[i])
				ck_abort_msg(
				    "seed %u step %d: %s holds the unit ending at %llu, not durable, but %llu was confirmed",
				    seed, step, fs[k]->base.name,
				    (unsigned long long)end,
				    (unsigned long long)told);
		}
	}
	if (prepare_at && told > prepare_at)
		ck_abort_msg(
		    "seed %u step %d: confirmed %llu past the waiting PREPARE at %llu",
		    seed, step, (unsigned long long)told,
		    (unsigned long long)prepare_at);
}

static void walk(unsigned seed)
{
	struct rng r = { 0x9E3779B97F4A7C15ull ^ seed };
	struct fake *fs[3] = { fake_new("a", 1), fake_new("b", 4),
			       fake_new("c", 0) };
	fs[1]->can_abort = true;
	fs[2]->base.max_wait_us = 3;
	for (int k = 0; k < 3; k++)
		delivery_add(&d, &fs[k]->base);
	uint64_t lsn = 100, prepare_at = 0;
	int64_t now = 1;
	bool open = false;
	for (int step = 0; step < 2000; step++) {
		uint32_t op = next(&r) % 12;
		struct err ignored;
		if (op <= 2 && !open) {
			begin(lsn += 10);
			open = true;
		} else if (op <= 4 && open) {
			delivery_write_json(&d, &fs[next(&r) % 3]->base, "{}",
					    2, &ignored);
		} else if (op == 5 && open) {
			struct txn tx = { .end_lsn = lsn += 10 };
			open = false;
			if (delivery_end(&d, &tx, &ignored) < 0)
				delivery_lost(&d), prepare_at = 0;
		} else if (op == 6 && !open) {
			if (delivery_event(&d, lsn += 10, &ignored) < 0)
				delivery_lost(&d), prepare_at = 0;
		} else if (op == 7 && !open) {
			if (prepare_at) {
				/* COMMIT PREPARED: its changes, then the hold
				 * goes */
				begin(lsn += 10);
				pinning = prepare_at;
				for (int k = 0; k < 3; k++)
					if (next(&r) % 2)
						delivery_write_json(
						    &d, &fs[k]->base, "{}", 2,
						    &ignored);
				pinning = 0;
				struct txn tx = { .end_lsn = lsn += 10 };
				if (delivery_end(&d, &tx, &ignored) < 0) {
					delivery_lost(&d);
				} else {
					delivery_release(&d, 1);
				}
				prepare_at = 0;
			} else {
				delivery_hold(&d, 1, prepare_at = lsn += 10);
			}
		} else if (op == 8) {
			if (!open)
				delivery_idle(&d, lsn += next(&r) % 50);
		} else if (op == 9) {
			if (delivery_tick(&d, now += next(&r) % 4, &ignored) <
			    0)
				delivery_lost(&d), prepare_at = 0, open = false;
		} else if (op == 10) {
			fs[next(&r) % 3]->fail_flushes = 1 + next(&r) % 2;
		} else if (op == 11 && next(&r) % 4 == 0) {
			delivery_lost(&d);
			prepare_at = 0;
			open = false;
		}
		check_rule(fs, 3, prepare_at, seed, step);
	}
	for (int k = 0; k < 3; k++)
		fs[k]->fail_flushes = 0;
	if (prepare_at)
		delivery_release(&d, 1);
	struct err stop;
	ck_assert_int_eq(delivery_stop(&d, &stop), 0);
	check_rule(fs, 3, 0, seed, -1);
	ck_assert(!delivery_pending(&d));
	ck_assert_uint_eq(delivery_confirmable(&d), told);
}

START_TEST(test_random_walk)
{
	for (unsigned seed = 1; seed <= 200; seed++) {
		teardown();
		setup();
		walk(seed);
	}
}
END_TEST

/* A progress record goes to the sinks that keep one, inside a unit, and
 * holds back what may be confirmed like any write until their flush. */
START_TEST(test_state_records)
{
	struct fake *plain = fake_new("plain", 0);
	struct keeper *k = keeper_new("keeper");
	delivery_add(&d, &plain->base);
	delivery_add(&d, &k->f.base);
	ck_assert_int_eq(delivery_write_state(&d, "public.t", "1", &e), -1);
	begin(100);
	ck_assert_int_eq(delivery_write_state(&d, "public.t", "2", &e), 0);
	end(150);
	ck_assert_str_eq(k->written, "public.t=2");
	ck_assert_uint_eq(delivery_confirmable(&d), 0);
	ck_assert_int_eq(k->f.commits, 1);
	ck_assert_int_eq(plain->commits, 0);
	nread = 0;
	ck_assert_int_eq(delivery_read_state(&d, "public.t", on_record, NULL, &e),
			 0);
	ck_assert_int_eq(nread, 1);
	ck_assert_str_eq(read_back[0], "keeper:(none)");
	ck_assert_int_eq(delivery_stop(&d, &e), 0);
	ck_assert_uint_eq(delivery_confirmable(&d), 150);
	nread = 0;
	ck_assert_int_eq(delivery_read_state(&d, "public.t", on_record, NULL, &e),
			 0);
	ck_assert_str_eq(read_back[0], "keeper:2");
	begin(200);
	ck_assert_int_eq(delivery_read_state(&d, "public.t", on_record, NULL, &e),
			 -1);
	sink_skip(&k->f.base, true);
	ck_assert_int_eq(delivery_write_state(&d, "public.t", "3", &e), 0);
	ck_assert_str_eq(k->written, "public.t=2");
}
END_TEST

static Suite *delivery_suite(void)
{
	Suite *s = suite_create("delivery");
	TCase *tc = tcase_create("delivery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nothing_written);
	tcase_add_test(tc, test_batch_holds_back);
	tcase_add_test(tc, test_clean_sink_does_not_hold);
	tcase_add_test(tc, test_make_durable);
	tcase_add_test(tc, test_lost_twice);
	tcase_add_test(tc, test_lost_resumes_where_told);
	tcase_add_test(tc, test_flush_fails_then_lost);
	tcase_add_test(tc, test_idle);
	tcase_add_test(tc, test_idle_with_dirty_sink);
	tcase_add_test(tc, test_hold_until_delivered);
	tcase_add_test(tc, test_lost_drops_holds);
	tcase_add_test(tc, test_stop_mid_unit);
	tcase_add_test(tc, test_flush_inside_unit_waits);
	tcase_add_test(tc, test_writes_between_units);
	tcase_add_test(tc, test_batch_by_time_between_units_only);
	tcase_add_test(tc, test_skipping_sink);
	tcase_add_test(tc, test_output_is_a_sink);
	tcase_add_test(tc, test_state_records);
	tcase_add_test(tc, test_random_walk);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(delivery_suite());
}
