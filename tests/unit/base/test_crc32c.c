/* Unit tests for crc32c.h: the check value of the Castagnoli CRC, and the
 * instruction and the table agreeing at every length and alignment. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/crc32c.h"
#include "check_run.h"

START_TEST(test_check_value)
{
	/* The catalogue's check value: CRC-32C of "123456789". */
	ck_assert_uint_eq(crc32c(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(crc32c_table(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(crc32c(0, "", 0), 0);
}
END_TEST

START_TEST(test_incremental)
{
	uint32_t part = crc32c(crc32c(0, "1234", 4), "56789", 5);
	ck_assert_uint_eq(part, 0xE3069283u);
}
END_TEST

START_TEST(test_fast_equals_table)
{
	uint8_t buf[300];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; off + len <= sizeof buf; len++)
			ck_assert_uint_eq(crc32c(7, buf + off, len),
					  crc32c_table(7, buf + off, len));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("crc32c");
	tcase_add_test(tc, test_check_value);
	tcase_add_test(tc, test_incremental);
	tcase_add_test(tc, test_fast_equals_table);
	suite_add_tcase(s, tc);
	return check_run(s);
}
