/* Unit tests for wire.h: big-endian reads that never read past the end. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/wire.h"
#include "check_run.h"

START_TEST(test_reads)
{
	static const uint8_t buf[] = {
		0x42,						/* u8 */
		0x12, 0x34,					/* u16 */
		0xDE, 0xAD, 0xBE, 0xEF,				/* u32 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* u64 */
		'a',  'b',  0,					/* str */
		0,						/* empty str */
		0xFF, 0xFE, 0xFD,				/* bytes */
	};
	struct wire r = wire_init(buf, sizeof buf);
	ck_assert_uint_eq(wire_u8(&r), 0x42);
	ck_assert_uint_eq(wire_u16(&r), 0x1234);
	ck_assert_uint_eq(wire_u32(&r), 0xDEADBEEF);
	ck_assert_uint_eq(wire_u64(&r), UINT64_C(0x0102030405060708));
	const char *s = wire_str(&r);
	ck_assert_str_eq(s, "ab");
	ck_assert_ptr_eq(s, (const char *)buf + 15); /* a view, not a copy */
	ck_assert_str_eq(wire_str(&r), "");
	ck_assert(!wire_done(&r));
	const uint8_t *p = wire_bytes(&r, 3);
	ck_assert_ptr_eq(p, buf + 19);
	ck_assert(!r.bad);
	ck_assert_uint_eq(r.off, sizeof buf);
	ck_assert(wire_done(&r));
}
END_TEST

START_TEST(test_high_bits)
{
	/* No sign extension and no int promotion trouble at the top bit. */
	static const uint8_t ff[8] = { 0xFF, 0xFF, 0xFF, 0xFF,
				       0xFF, 0xFF, 0xFF, 0xFF };
	struct wire r = wire_init(ff, 8);
	ck_assert_uint_eq(wire_u64(&r), UINT64_MAX);
	r = wire_init(ff, 8);
	ck_assert_uint_eq(wire_u32(&r), UINT32_MAX);
	ck_assert_uint_eq(wire_u16(&r), UINT16_MAX);
	ck_assert_uint_eq(wire_u8(&r), UINT8_MAX);
	ck_assert(!r.bad);
	static const uint8_t top[8] = { 0x80, 0, 0, 0, 0, 0, 0, 1 };
	r = wire_init(top, 8);
	ck_assert_uint_eq(wire_u64(&r), UINT64_C(0x8000000000000001));
	ck_assert(wire_done(&r));
}
END_TEST

START_TEST(test_zero_length_bytes)
{
	static const uint8_t buf[1] = { 9 };
	struct wire r = wire_init(buf, 1);
	ck_assert_ptr_nonnull(wire_bytes(&r, 0));
	ck_assert(!r.bad);
	ck_assert_uint_eq(wire_u8(&r), 9);
	ck_assert_ptr_nonnull(wire_bytes(&r, 0)); /* at the very end: fine */
	ck_assert(wire_done(&r));
}
END_TEST

/* Each read type, one byte short: bad is set, 0 is returned, off stays. */
START_TEST(test_overreads)
{
	static const uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct wire r;

	r = wire_init(buf, 0);
	ck_assert_uint_eq(wire_u8(&r), 0);
	ck_assert(r.bad);

	r = wire_init(buf, 1);
	ck_assert_uint_eq(wire_u16(&r), 0);
	ck_assert(r.bad);
	ck_assert_uint_eq(r.off, 0);

	r = wire_init(buf, 3);
	ck_assert_uint_eq(wire_u32(&r), 0);
	ck_assert(r.bad);

	r = wire_init(buf, 3); /* neither half fits; see test_u64_half_read */
	ck_assert_uint_eq(wire_u64(&r), 0);
	ck_assert(r.bad);

	r = wire_init(buf, 4);
	ck_assert_ptr_null(wire_bytes(&r, 5));
	ck_assert(r.bad);

	/* A length near SIZE_MAX must not wrap around the bounds check. */
	r = wire_init(buf, 8);
	wire_u8(&r);
	ck_assert_ptr_null(wire_bytes(&r, SIZE_MAX));
	ck_assert(r.bad);
	r = wire_init(buf, 8);
	ck_assert_ptr_null(wire_bytes(&r, (size_t)UINT32_MAX));
	ck_assert(r.bad);
}
END_TEST

START_TEST(test_bad_is_sticky)
{
	static const uint8_t buf[6] = { 0, 0, 0, 7, 'x', 0 };
	struct wire r = wire_init(buf, sizeof buf);
	ck_assert_ptr_null(wire_bytes(&r, 7)); /* too long: fails */
	ck_assert(r.bad);
	ck_assert_uint_eq(r.off, 0);
	/* Everything after a failure fails too, though it would fit. */
	ck_assert_uint_eq(wire_u8(&r), 0);
	ck_assert_uint_eq(wire_u16(&r), 0);
	ck_assert_uint_eq(wire_u32(&r), 0);
	ck_assert_str_eq(wire_str(&r), "");
	ck_assert_ptr_null(wire_bytes(&r, 1));
	ck_assert(r.bad);
	ck_assert(!wire_done(&r));
}
END_TEST

START_TEST(test_u64_half_read)
{
	/* Four to seven bytes: the high half reads, the low half cannot. The
	 * header promises zeroes for any read past the end. */
	static const uint8_t buf[7] = { 0, 0, 0, 1, 0, 0, 0 };
	for (size_t n = 4; n <= 7; n++) {
		struct wire r = wire_init(buf, n);
		uint64_t v = wire_u64(&r);
		ck_assert(r.bad);
		ck_assert(!wire_done(&r));
		ck_assert_msg(v == 0,
			      "wire_u64 on %zu bytes returned 0x%llx, not 0", n,
			      (unsigned long long)v);
	}
}
END_TEST

START_TEST(test_str_without_nul)
{
	/* The buffer continues with a NUL past len: it must not be found. */
	static const char mem[] = "abc\0";
	struct wire r = wire_init(mem, 3);
	ck_assert_str_eq(wire_str(&r), "");
	ck_assert(r.bad);
	ck_assert(!wire_done(&r));

	/* Empty remainder. */
	r = wire_init(mem, 3);
	(void)wire_bytes(&r, 3);
	ck_assert(!r.bad);
	ck_assert_str_eq(wire_str(&r), "");
	ck_assert(r.bad);

	/* A string then one without its NUL. */
	static const uint8_t two[] = { 'h', 'i', 0, 'y', 'o' };
	r = wire_init(two, sizeof two);
	ck_assert_str_eq(wire_str(&r), "hi");
	ck_assert(!r.bad);
	ck_assert_str_eq(wire_str(&r), "");
	ck_assert(r.bad);
}
END_TEST

START_TEST(test_done)
{
	static const uint8_t buf[2] = { 1, 2 };
	struct wire r = wire_init(buf, 2);
	ck_assert(!wire_done(&r));
	wire_u8(&r);
	ck_assert(!wire_done(&r));
	wire_u8(&r);
	ck_assert(wire_done(&r));
	r = wire_init(buf, 0);
	ck_assert(wire_done(&r));
}
END_TEST

START_TEST(test_put_u64)
{
	uint8_t out[8];
	wire_put_u64(out, UINT64_C(0x0102030405060708));
	static const uint8_t want[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	ck_assert_mem_eq(out, want, 8);
	/* Writer and reader are a matched pair. */
	wire_put_u64(out, UINT64_C(0xFEDCBA9876543210));
	struct wire r = wire_init(out, 8);
	ck_assert_uint_eq(wire_u64(&r), UINT64_C(0xFEDCBA9876543210));
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("wire");
	tcase_add_test(tc, test_reads);
	tcase_add_test(tc, test_high_bits);
	tcase_add_test(tc, test_zero_length_bytes);
	tcase_add_test(tc, test_overreads);
	tcase_add_test(tc, test_bad_is_sticky);
	tcase_add_test(tc, test_u64_half_read);
	tcase_add_test(tc, test_str_without_nul);
	tcase_add_test(tc, test_done);
	tcase_add_test(tc, test_put_u64);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(wire_suite());
}
