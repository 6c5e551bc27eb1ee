/* Unit tests for backfill_state.h's pure parts: one backfill's line, the
 * text a sink keeps as its record, read back as written; and the least
 * advanced of the state file's progress and a sink's record. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ops/backfill_state.h"
#include "check_run.h"

/* A backfill of public.t at chunk chunks, its last key "k<chunks>". */
static struct backfill_progress at(enum backfill_state st, uint64_t chunks)
{
	struct backfill_progress p = {
		.table = xstrdup("public.t"),
		.where = xstrdup("id > 0"),
		.state = st,
		.chunk = 100,
		.rows = chunks * 100,
		.chunks = chunks,
		.by = BACKFILL_BY_SIGNAL,
		.signal_commit = 0x1000,
		.signal_lsn = 0xff8,
	};
	char key[32];
	snprintf(key, sizeof key, "k%llu", (unsigned long long)chunks);
	const char *k[] = { key };
	backfill_progress_set_key(&p, k, chunks ? 1 : 0);
	return p;
}

START_TEST(test_line_round_trip)
{
	struct backfill_progress p = at(BACKFILL_PAUSED, 3), q;
	free(p.where);
	p.where = xstrdup("v = 'a\tb\\c\nd'");
	const char *key[] = { "1", "x\ty" };
	backfill_progress_set_key(&p, key, 2);
	struct buf b = { 0 };
	backfill_progress_put(&b, &p);
	ck_assert_ptr_null(strchr(buf_cstr(&b), '\n'));
	ck_assert(backfill_progress_parse(buf_cstr(&b), &q));
	ck_assert_str_eq(q.table, "public.t");
	ck_assert_str_eq(q.where, p.where);
	ck_assert_int_eq(q.state, BACKFILL_PAUSED);
	ck_assert_int_eq(q.chunk, 100);
	ck_assert_uint_eq(q.rows, 300);
	ck_assert_uint_eq(q.chunks, 3);
	ck_assert_int_eq(q.by, BACKFILL_BY_SIGNAL);
	ck_assert_uint_eq(q.signal_commit, 0x1000);
	ck_assert_uint_eq(q.signal_lsn, 0xff8);
	ck_assert_uint_eq(q.nkey, 2);
	ck_assert_str_eq(q.key[1], "x\ty");
	backfill_progress_free(&p);
	backfill_progress_free(&q);
	buf_free(&b);
}
END_TEST

START_TEST(test_parse_refuses_other_text)
{
	struct backfill_progress q;
	ck_assert(!backfill_progress_parse("", &q));
	ck_assert(!backfill_progress_parse("public.t\trunning", &q));
	ck_assert(!backfill_progress_parse(
	    "\tpublic.t\t\tsleeping\t100\t0\t0\tflag\t0/0\t0/0", &q));
}
END_TEST

START_TEST(test_record_behind_wins)
{
	struct backfill_progress file = at(BACKFILL_RUNNING, 7);
	struct backfill_progress record = at(BACKFILL_RUNNING, 4);
	ck_assert(backfill_progress_least(&file, &record));
	ck_assert_uint_eq(file.chunks, 4);
	ck_assert_uint_eq(file.rows, 400);
	ck_assert_str_eq(file.key[0], "k4");
	ck_assert_int_eq(file.state, BACKFILL_RUNNING);
	backfill_progress_free(&file);
	backfill_progress_free(&record);
}
END_TEST

START_TEST(test_record_ahead_loses)
{
	/* The target committed chunks whose rows a file sink had not
	 * synced: the state file's chunk is where every sink has them. */
	struct backfill_progress file = at(BACKFILL_RUNNING, 4);
	struct backfill_progress record = at(BACKFILL_DONE, 9);
	ck_assert(!backfill_progress_least(&file, &record));
	ck_assert_uint_eq(file.chunks, 4);
	ck_assert_str_eq(file.key[0], "k4");
	ck_assert(!backfill_progress_least(&file, &file));
	backfill_progress_free(&file);
	backfill_progress_free(&record);
}
END_TEST

START_TEST(test_no_record_starts_again)
{
	struct backfill_progress file = at(BACKFILL_DONE, 5);
	ck_assert(backfill_progress_least(&file, NULL));
	ck_assert_uint_eq(file.chunks, 0);
	ck_assert_uint_eq(file.rows, 0);
	ck_assert_uint_eq(file.nkey, 0);
	ck_assert_int_eq(file.state, BACKFILL_RUNNING);
	/* Nothing read yet: nowhere to go back to. */
	ck_assert(!backfill_progress_least(&file, NULL));
	backfill_progress_free(&file);
}
END_TEST

START_TEST(test_other_request_is_no_record)
{
	struct backfill_progress file = at(BACKFILL_RUNNING, 5);
	struct backfill_progress record = at(BACKFILL_RUNNING, 2);
	record.chunk = 50;
	ck_assert(backfill_progress_least(&file, &record));
	ck_assert_uint_eq(file.chunks, 0);
	backfill_progress_free(&file);
	file = at(BACKFILL_RUNNING, 5);
	record.chunk = 100;
	free(record.where);
	record.where = xstrdup("");
	ck_assert(backfill_progress_least(&file, &record));
	ck_assert_uint_eq(file.chunks, 0);
	backfill_progress_free(&file);
	backfill_progress_free(&record);
}
END_TEST

START_TEST(test_cancelled_and_paused_stay)
{
	struct backfill_progress file = at(BACKFILL_CANCELLED, 5);
	ck_assert(!backfill_progress_least(&file, NULL));
	ck_assert_int_eq(file.state, BACKFILL_CANCELLED);
	ck_assert_uint_eq(file.chunks, 5);
	backfill_progress_free(&file);
	file = at(BACKFILL_PAUSED, 5);
	struct backfill_progress record = at(BACKFILL_RUNNING, 3);
	ck_assert(backfill_progress_least(&file, &record));
	ck_assert_int_eq(file.state, BACKFILL_PAUSED);
	ck_assert_uint_eq(file.chunks, 3);
	backfill_progress_free(&file);
	backfill_progress_free(&record);
}
END_TEST

START_TEST(test_least_of_several_sinks)
{
	struct backfill_progress file = at(BACKFILL_RUNNING, 8);
	struct backfill_progress a = at(BACKFILL_RUNNING, 6);
	struct backfill_progress b = at(BACKFILL_RUNNING, 3);
	ck_assert(backfill_progress_least(&file, &b));
	ck_assert(!backfill_progress_least(&file, &a));
	ck_assert_uint_eq(file.chunks, 3);
	ck_assert_str_eq(file.key[0], "k3");
	backfill_progress_free(&file);
	backfill_progress_free(&a);
	backfill_progress_free(&b);
}
END_TEST

static Suite *backfill_state_suite(void)
{
	Suite *s = suite_create("backfill_state");
	TCase *tc = tcase_create("backfill_state");
	tcase_add_test(tc, test_line_round_trip);
	tcase_add_test(tc, test_parse_refuses_other_text);
	tcase_add_test(tc, test_record_behind_wins);
	tcase_add_test(tc, test_record_ahead_loses);
	tcase_add_test(tc, test_no_record_starts_again);
	tcase_add_test(tc, test_other_request_is_no_record);
	tcase_add_test(tc, test_cancelled_and_paused_stay);
	tcase_add_test(tc, test_least_of_several_sinks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(backfill_state_suite());
}
