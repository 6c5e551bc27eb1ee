/* Unit tests for size.h: what --spool-limit and --max-message-size take. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/size.h"
#include "check_run.h"

START_TEST(test_parse)
{
	static const struct {
		const char *text;
		uint64_t want;
	} ok[] = {
		{ "0", 0 },
		{ "1000", 1000 },
		{ "10B", 10 },
		{ "1kB", 1024 },
		{ "1k", 1024 },
		{ "2KB", 2048 },
		{ "512MB", UINT64_C(512) << 20 },
		{ "512 MB", UINT64_C(512) << 20 },
		{ "512m", UINT64_C(512) << 20 },
		{ "3GB", UINT64_C(3) << 30 },
		{ "1tb", UINT64_C(1) << 40 },
		{ "8388608TB", UINT64_C(1) << 63 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t v = 7;
		ck_assert_msg(size_parse(ok[i].text, &v), "%s", ok[i].text);
		ck_assert_msg(v == ok[i].want, "%s: %llu", ok[i].text,
			      (unsigned long long)v);
	}
	static const char *const bad[] = {
		"",
		"MB",
		"-1",
		"1.5GB",
		"1 PB",
		"1MBs",
		"1 M B",
		"12x",
		" 1",
		"8388609TB",
		"99999999999999999999",
		"1e3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t v = 7;
		ck_assert_msg(!size_parse(bad[i], &v), "%s", bad[i]);
		ck_assert_msg(v == 7, "%s changed the output", bad[i]);
	}
}
END_TEST

START_TEST(test_format)
{
	char s[SIZE_STRLEN];
	ck_assert_str_eq(size_format(0, s), "0 bytes");
	ck_assert_str_eq(size_format(1000, s), "1000 bytes");
	ck_assert_str_eq(size_format(1024, s), "1kB");
	ck_assert_str_eq(size_format(1536 * 1024, s), "1536kB");
	ck_assert_str_eq(size_format(UINT64_C(512) << 20, s), "512MB");
	ck_assert_str_eq(size_format(UINT64_C(1) << 40, s), "1TB");
	ck_assert_str_eq(size_format(21577905, s), "21577905 bytes (20.6MB)");
	ck_assert_str_eq(size_format(1048759, s), "1048759 bytes (1.0MB)");
	ck_assert_str_eq(size_format(UINT64_C(1) << 63, s), "8388608TB");
	ck_assert_str_eq(size_format(UINT64_MAX, s),
			 "18446744073709551615 bytes (16777216.0TB)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("size");
	TCase *tc = tcase_create("size");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return check_run(s);
}
