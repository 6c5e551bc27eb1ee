/* Unit tests for lsn.h: LSN text in both directions, replication times
 * in both directions. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/lsn.h"

#include "../utc.h"
#include "check_run.h"

/* Parses s, formats the result and expects want back. */
static void assert_round_trip(const char *s, uint64_t value, const char *want)
{
	uint64_t v = 12345;
	char out[LSN_STRLEN];
	ck_assert_msg(lsn_parse(s, &v), "lsn_parse(\"%s\") failed", s);
	ck_assert_uint_eq(v, value);
	ck_assert_str_eq(lsn_format(v, out), want);
}

START_TEST(test_round_trips)
{
	assert_round_trip("0/0", 0, "0/0");
	assert_round_trip("16/B374D848", UINT64_C(0x16B374D848), "16/B374D848");
	assert_round_trip("FFFFFFFF/FFFFFFFF", UINT64_MAX, "FFFFFFFF/FFFFFFFF");
	assert_round_trip("1/0", UINT64_C(0x100000000), "1/0");
	assert_round_trip("0/1", 1, "0/1");
	assert_round_trip("00000016/0B374D84", UINT64_C(0x160B374D84),
			  "16/B374D84");
}
END_TEST

START_TEST(test_lowercase_accepted_uppercase_written)
{
	uint64_t v = 0;
	char out[LSN_STRLEN];
	ck_assert(lsn_parse("16/b374d848", &v));
	ck_assert_uint_eq(v, UINT64_C(0x16B374D848));
	ck_assert(lsn_parse("aBcDeF/fEdCbA", &v));
	ck_assert_uint_eq(v, UINT64_C(0xABCDEF00FEDCBA));
	ck_assert_str_eq(lsn_format(v, out), "ABCDEF/FEDCBA");
	ck_assert_str_eq(lsn_format(UINT64_C(0xdeadbeefcafe), out),
			 "DEAD/BEEFCAFE");
}
END_TEST

static const char *const bad_lsns[] = {
	"",	"1",	       "1/",	      "/1",    "G/1",
	"1/2 ", "123456789/0", "0/123456789", " 1/2",  "1 /2",
	"1/ 2", "1//2",	       "1/2/3",	      "0x1/2", "-1/2",
	"+1/2", "1/G",	       "/",
};

/* Every digit count of both halves and every digit, against printf. */
START_TEST(test_format_every_width)
{
	static const uint32_t halves[] = {
		0,	    1,		0x9,	    0xA,	0xF,	    0x10,
		0x9A,	    0xFF,	0x100,	    0xABCDE,	0x1234567,  0x0FFFFFFF,
		0x10000000, 0x89ABCDEF, 0x9FA0BF01, 0xFFFFFFFF, 0x80000000,
	};
	size_t n = sizeof halves / sizeof *halves;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++) {
			char want[LSN_STRLEN], out[LSN_STRLEN];
			snprintf(want, sizeof want, "%X/%X", halves[i],
				 halves[k]);
			uint64_t lsn = (uint64_t)halves[i] << 32 | halves[k];
			ck_assert_str_eq(lsn_format(lsn, out), want);
			char put[LSN_STRLEN + 8];
			memset(put, '#', sizeof put);
			char *end = lsn_put(put, lsn);
			ck_assert_int_eq(end - put, (long)strlen(want));
			ck_assert_int_eq(memcmp(put, want, strlen(want)), 0);
			/* Nothing past the room it asks for. */
			ck_assert_int_eq(put[LSN_STRLEN - 1], '#');
		}
}
END_TEST

START_TEST(test_rejects)
{
	const char *s = bad_lsns[_i];
	uint64_t v = 777;
	ck_assert_msg(!lsn_parse(s, &v), "lsn_parse accepted \"%s\"", s);
	ck_assert_uint_eq(v, 777); /* untouched on failure */
}
END_TEST

START_TEST(test_reject_null)
{
	uint64_t v = 777;
	ck_assert(!lsn_parse(NULL, &v));
	ck_assert_uint_eq(v, 777);
}
END_TEST

START_TEST(test_format_returns_out)
{
	char out[LSN_STRLEN];
	ck_assert_ptr_eq(lsn_format(LSN_INVALID, out), out);
	ck_assert_str_eq(out, "0/0");
}
END_TEST

START_TEST(test_pgtime_epoch)
{
	char out[PGTIME_STRLEN];
	ck_assert_ptr_eq(pgtime_format(0, out), out);
	ck_assert_str_eq(out, "2000-01-01 00:00:00.000000+00");
}
END_TEST

START_TEST(test_pgtime_known)
{
	char out[PGTIME_STRLEN];
	/* 2026-11-26 04:30:00 UTC is Unix 1795667400. */
	int64_t us =
	    (INT64_C(1795667400) - PG_EPOCH_OFFSET_S) * 1000000 + 123456;
	ck_assert_str_eq(pgtime_format(us, out),
			 "2026-11-26 04:30:00.123456+00");
	/* A leap day, with a fraction that needs its leading zeros. */
	/* 2024-02-29 23:59:59 UTC is Unix 1709251199. */
	us = (INT64_C(1709251199) - PG_EPOCH_OFFSET_S) * 1000000 + 42;
	ck_assert_str_eq(pgtime_format(us, out),
			 "2024-02-29 23:59:59.000042+00");
}
END_TEST

START_TEST(test_pgtime_before_2000)
{
	char out[PGTIME_STRLEN];
	ck_assert_str_eq(pgtime_format(-1, out),
			 "1999-12-31 23:59:59.999999+00");
	ck_assert_str_eq(pgtime_format(-1000000, out),
			 "1999-12-31 23:59:59.000000+00");
	ck_assert_str_eq(pgtime_format(-1500000, out),
			 "1999-12-31 23:59:58.500000+00");
	/* The Unix epoch itself. */
	ck_assert_str_eq(pgtime_format(-PG_EPOCH_OFFSET_S * 1000000, out),
			 "1970-01-01 00:00:00.000000+00");
}
END_TEST

/* The ends of the range (PostgreSQL's +-infinity timestamps) must neither
 * crash nor overflow out; the text is not meaningful there. */
START_TEST(test_pgtime_extremes)
{
	char out[PGTIME_STRLEN + 8];
	memset(out, 'Z', sizeof out);
	pgtime_format(INT64_MAX, out);
	ck_assert_uint_lt(strlen(out), PGTIME_STRLEN);
	ck_assert_str_eq(out + strlen(out) - 10, ".775807+00");
	memset(out, 'Z', sizeof out);
	pgtime_format(INT64_MIN, out);
	ck_assert_uint_lt(strlen(out), PGTIME_STRLEN);
	ck_assert_str_eq(out + strlen(out) - 10, ".224192+00");
}
END_TEST

/* The C library's calendar, as the reference for the arithmetic one. */
static void libc_format(int64_t pg_us, char out[PGTIME_STRLEN])
{
	int64_t sec = pg_us / 1000000, us = pg_us % 1000000;
	if (us < 0) {
		us += 1000000;
		sec -= 1;
	}
	time_t t = (time_t)(sec + PG_EPOCH_OFFSET_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, PGTIME_STRLEN, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)us);
}

/* Every day from 1900 to 2400 (century and 400-year leap rules, both
 * sides of 1970 and 2000), and seeded random instants in years 1-9999. */
START_TEST(test_pgtime_matches_libc)
{
	char got[PGTIME_STRLEN], want[PGTIME_STRLEN];
	int64_t from = (INT64_C(-2208988800) - PG_EPOCH_OFFSET_S) * 1000000;
	for (int64_t d = 0; d < 500 * 366; d++) {
		int64_t us = from + d * INT64_C(86400000000) + d * 7919;
		libc_format(us, want);
		ck_assert_str_eq(pgtime_format(us, got), want);
	}
	srand(20261201);
	int64_t lo = (INT64_C(-62135596800) - PG_EPOCH_OFFSET_S) * 1000000;
	int64_t span = INT64_C(315537897600) * 1000000; /* 1-01-01 to 9999-12-31 */
	for (int i = 0; i < 200000; i++) {
		uint64_t r = (uint64_t)rand() << 40 ^ (uint64_t)rand() << 20 ^
			     (uint64_t)rand();
		int64_t us = lo + (int64_t)(r % (uint64_t)span);
		libc_format(us, want);
		ck_assert_str_eq(pgtime_format(us, got), want);
	}
}
END_TEST

START_TEST(test_pgtime_now_is_recent)
{
	/* After 2024-01-01 and before 2100: catches a wrong epoch or unit. */
	int64_t now = pgtime_now();
	ck_assert_int_gt(now, INT64_C(757382400) * 1000000);
	ck_assert_int_lt(now, INT64_C(3155760000) * 1000000);
}
END_TEST

static int64_t parse_time(const char *s)
{
	int64_t t = -42;
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, n);
	ck_assert_msg(pgtime_parse(copy, n, &t), "rejected \"%s\"", s);
	free(copy);
	return t;
}

START_TEST(test_pgtime_parse)
{
	ck_assert_int_eq(parse_time("2000-01-01 00:00:00+00"), 0);
	ck_assert_int_eq(parse_time("2000-01-01 00:00:00.000001+00"), 1);
	ck_assert_int_eq(parse_time("1999-12-31 23:59:59+00"), -1000000);
	ck_assert_int_eq(parse_time("2026-11-26 04:30:00.123456+00"),
			 utc(2026, 11, 26, 4, 30, 0, 123456));
	ck_assert_int_eq(parse_time("2026-11-26 04:30:00.1+00"),
			 utc(2026, 11, 26, 4, 30, 0, 100000));
	ck_assert_int_eq(parse_time("2026-11-26 10:00:00.5+05:30"),
			 utc(2026, 11, 26, 4, 30, 0, 500000));
	ck_assert_int_eq(parse_time("2026-11-25 20:30:00-08"),
			 utc(2026, 11, 26, 4, 30, 0, 0));
	ck_assert_int_eq(parse_time("1900-01-01 00:09:21+00:09:21"),
			 utc(1900, 1, 1, 0, 0, 0, 0));
	ck_assert_int_eq(parse_time("2024-02-29 12:00:00+00"),
			 utc(2024, 2, 29, 12, 0, 0, 0));
	ck_assert_int_eq(parse_time("2000-02-29 00:00:00+00"),
			 utc(2000, 2, 29, 0, 0, 0, 0));
	ck_assert_int_eq(parse_time("1970-01-01 00:00:00+00"),
			 -INT64_C(946684800) * 1000000);
	ck_assert_int_eq(parse_time("0001-01-01 00:00:00+00"),
			 -INT64_C(63082281600) * 1000000);
	ck_assert_int_eq(parse_time("2400-12-31 23:59:59.999999+00"),
			 utc(2400, 12, 31, 23, 59, 59, 999999));
	ck_assert_int_eq(parse_time("294276-12-31 23:59:59.999999+00"),
			 INT64_C(9223371331199999999));
	ck_assert_int_eq(parse_time("12345-06-07 00:00:00+00"),
			 utc(12345, 6, 7, 0, 0, 0, 0));

	static const char *const bad[] = {
		"",
		"2026-11-26",
		"2026-11-26 04:30:00",
		"2026-11-26T04:30:00+00",
		"2026-13-01 00:00:00+00",
		"2026-00-01 00:00:00+00",
		"2026-11-31 00:00:00+00",
		"2023-02-29 00:00:00+00",
		"2100-02-29 00:00:00+00",
		"2026-11-26 24:00:00+00",
		"2026-11-26 04:60:00+00",
		"2026-11-26 04:30:60+00",
		"2026-11-26 04:30:00+00 BC",
		" 2026-11-26 04:30:00+00",
		"2026-11-26 04:30:00.+00",
		"2026-11-26 04:30:00.1234567+00",
		"2026-11-26 04:30:00+0",
		"2026-11-26 04:30:00+05:3",
		"2026-11-26 04:30:00+16",
		"26-11-26 04:30:00+00",
		"0000-01-01 00:00:00+00",
		"294277-01-01 00:00:00+00",
		"1234567-01-01 00:00:00+00",
		"2026-1-26 04:30:00+00",
		"2026-11-26 4:30:00+00",
		"2026-11-26 04:30:00Z",
		"2026-11-26 04:30:00+00:00:",
		"infinity",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t;
		ck_assert_msg(!pgtime_parse(bad[i], strlen(bad[i]), &t),
			      "accepted \"%s\"", bad[i]);
	}
	int64_t t;
	/* the length counts, not a NUL */
	ck_assert(pgtime_parse("2000-01-01 00:00:00+00xyz", 22, &t));
	ck_assert_int_eq(t, 0);
}
END_TEST

/* What pgtime_format writes, pgtime_parse reads back. */
START_TEST(test_pgtime_round_trip)
{
	static const int64_t times[] = {
		0, 1, -1, 123456789012345, -946684800000000, 9223371331199999999
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char out[PGTIME_STRLEN];
		int64_t t = 42;
		pgtime_format(times[i], out);
		ck_assert_msg(pgtime_parse(out, strlen(out), &t), "%s", out);
		ck_assert_int_eq(t, times[i]);
	}
}
END_TEST

static Suite *lsn_suite(void)
{
	Suite *s = suite_create("lsn");
	TCase *tc = tcase_create("lsn");
	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_format_every_width);
	tcase_add_test(tc, test_lowercase_accepted_uppercase_written);
	tcase_add_loop_test(tc, test_rejects, 0,
			    (int)(sizeof bad_lsns / sizeof bad_lsns[0]));
	tcase_add_test(tc, test_reject_null);
	tcase_add_test(tc, test_format_returns_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("pgtime");
	tcase_add_test(tc, test_pgtime_epoch);
	tcase_add_test(tc, test_pgtime_known);
	tcase_add_test(tc, test_pgtime_before_2000);
	tcase_add_test(tc, test_pgtime_extremes);
	tcase_add_test(tc, test_pgtime_matches_libc);
	tcase_add_test(tc, test_pgtime_now_is_recent);
	tcase_add_test(tc, test_pgtime_parse);
	tcase_add_test(tc, test_pgtime_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(lsn_suite());
}
