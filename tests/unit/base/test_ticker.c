/* Unit tests for ticker.h: calls come at the interval, and a stop ends
 * them at once, even before a long interval's first call. */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "base/lsn.h"
#include "base/ticker.h"
#include "check_run.h"

static void count(void *ctx)
{
	__atomic_add_fetch((int *)ctx, 1, __ATOMIC_RELAXED);
}

static int calls(int *n)
{
	return __atomic_load_n(n, __ATOMIC_RELAXED);
}

START_TEST(test_ticks_until_stopped)
{
	int n = 0;
	struct ticker t;
	ck_assert(ticker_start(&t, 1000, count, &n));
	/* A deadline only so that a ticker that never calls fails. */
	int64_t give_up = mono_now_us() + 20 * INT64_C(1000000);
	while (calls(&n) < 3 && mono_now_us() < give_up)
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	ck_assert_int_ge(calls(&n), 3);
	ticker_stop(&t);
}
END_TEST

START_TEST(test_stop_before_first_tick)
{
	int n = 0;
	struct ticker t;
	/* An hour: the stop must not wait for it, nor call fn. */
	ck_assert(ticker_start(&t, 3600 * INT64_C(1000000), count, &n));
	ticker_stop(&t);
	ck_assert_int_eq(calls(&n), 0);
	ticker_stop(&t); /* a second stop is nothing */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ticker");
	TCase *tc = tcase_create("ticker");
	/* An hour's wait not cut short by the stop fails by timeout. */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ticks_until_stopped);
	tcase_add_test(tc, test_stop_before_first_tick);
	suite_add_tcase(s, tc);
	return check_run(s);
}
