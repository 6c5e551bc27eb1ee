/* Unit tests for dec.h: the digits of every integer in a change line and
 * of every commit time. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dec.h"
#include "check_run.h"

/* dec_put's text of v at width, as a string. */
static const char *dec_text(uint64_t v, int width, char out[32])
{
	*dec_put(out, v, width) = '\0';
	return out;
}

START_TEST(test_every_length)
{
	char got[32], want[32];
	/* each power of ten, and the numbers either side of it */
	for (uint64_t ten = 1;; ten *= 10) {
		for (uint64_t v = ten - (ten > 1); v <= ten + 1; v++) {
			snprintf(want, sizeof want, "%" PRIu64, v);
			ck_assert_str_eq(dec_text(v, 1, got), want);
			ck_assert_int_eq(dec_count(v), (int)strlen(want));
		}
		if (ten > UINT64_MAX / 10)
			break;
	}
	snprintf(want, sizeof want, "%" PRIu64, UINT64_MAX);
	ck_assert_str_eq(dec_text(UINT64_MAX, 1, got), want);
	ck_assert_int_eq(dec_count(UINT64_MAX), 20);
}
END_TEST

START_TEST(test_width)
{
	char got[32];
	ck_assert_str_eq(dec_text(0, 1, got), "0");
	ck_assert_str_eq(dec_text(0, 6, got), "000000");
	ck_assert_str_eq(dec_text(42, 6, got), "000042");
	ck_assert_str_eq(dec_text(7, 2, got), "07");
	ck_assert_str_eq(dec_text(123456, 6, got), "123456");
	ck_assert_str_eq(dec_text(1234567, 6, got), "1234567");
	ck_assert_str_eq(dec_text(2026, 4, got), "2026");
	ck_assert_str_eq(dec_text(5, 20, got), "00000000000000000005");
}
END_TEST

/* Every number below 10^5 at every width up to 7 against printf. */
START_TEST(test_against_printf)
{
	char got[32], want[32];
	for (uint64_t v = 0; v < 100000; v++) {
		for (int w = 1; w <= 7; w++) {
			snprintf(want, sizeof want, "%0*" PRIu64, w, v);
			ck_assert_str_eq(dec_text(v, w, got), want);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dec");
	TCase *tc = tcase_create("dec");
	tcase_add_test(tc, test_every_length);
	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_against_printf);
	suite_add_tcase(s, tc);
	return check_run(s);
}
