/* Unit tests for protobuf.h: each wire type, the limits of a varint,
 * embedded messages and their offsets, and every way bytes can be
 * malformed. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode/protobuf.h"
#include "check_run.h"

#define READER(r, ...)                                                    \
	static const uint8_t bytes_[] = { __VA_ARGS__ };                  \
	struct pb_reader r;                                               \
	pb_reader_init(&r, bytes_, sizeof bytes_)

START_TEST(test_each_wire_type)
{
	/* 1: varint 300; 2: fixed64 1.5; 3: "hi"; 4: fixed32 -2.5f */
	READER(r, 0x08, 0xac, 0x02, 0x11, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x1a,
	       2, 'h', 'i', 0x25, 0, 0, 0x20, 0xc0);
	struct pb_field f;
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_uint_eq(f.num, 1);
	ck_assert_int_eq(f.wire, PB_VARINT);
	ck_assert_uint_eq(f.u, 300);
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_int_eq(f.wire, PB_FIXED64);
	ck_assert(pb_double(&f) == 1.5);
	ck_assert_uint_eq(f.offset, 3);
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_int_eq(f.wire, PB_LEN);
	ck_assert_uint_eq(f.len, 2);
	ck_assert_mem_eq(f.data, "hi", 2);
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_int_eq(f.wire, PB_FIXED32);
	ck_assert(pb_float(&f) == -2.5f);
	ck_assert_int_eq(pb_next(&r, &f), 0);
	ck_assert_int_eq(pb_next(&r, &f), 0);
}
END_TEST

START_TEST(test_varint_limits)
{
	/* int32 -1 is sent sign-extended, in 10 bytes */
	READER(r, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	       0x01, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	       0x80, 0x00);
	struct pb_field f;
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_uint_eq(f.u, UINT64_MAX);
	ck_assert_int_eq(pb_int32(&f), -1);
	ck_assert_int_eq(pb_int64(&f), -1);
	/* a redundant but well-formed 10-byte zero */
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_uint_eq(f.num, 2);
	ck_assert_uint_eq(f.u, 0);
}
END_TEST

START_TEST(test_embedded)
{
	/* 5: { 1: "a", 2: 7 }, then 6: 1 */
	READER(r, 0x2a, 5, 0x0a, 1, 'a', 0x10, 7, 0x30, 1);
	struct pb_field f, g;
	ck_assert_int_eq(pb_next(&r, &f), 1);
	struct pb_reader sub;
	pb_reader_sub(&sub, &r, &f);
	ck_assert_uint_eq(pb_offset(&sub), 2);
	ck_assert_int_eq(pb_next(&sub, &g), 1);
	ck_assert_mem_eq(g.data, "a", 1);
	ck_assert_int_eq(pb_next(&sub, &g), 1);
	ck_assert_uint_eq(g.offset, 5);
	ck_assert_uint_eq(g.u, 7);
	ck_assert_int_eq(pb_next(&sub, &g), 0);
	ck_assert_int_eq(pb_next(&r, &f), 1);
	ck_assert_uint_eq(f.num, 6);
}
END_TEST

/* Bytes that fail, what the reader says and where it stands. */
static void bad(const uint8_t *b, size_t n, const char *why, size_t at)
{
	struct pb_reader r;
	struct pb_field f;
	pb_reader_init(&r, b, n);
	int rc;
	while ((rc = pb_next(&r, &f)) > 0)
		;
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(r.err, why), "%s: not %s", r.err, why);
	ck_assert_uint_eq(pb_offset(&r), at);
}

START_TEST(test_malformed)
{
	static const uint8_t cut_varint[] = { 0x08, 0x80 };
	bad(cut_varint, sizeof cut_varint, "varint is cut short", 2);
	static const uint8_t cut_tag[] = { 0x08, 1, 0x88 };
	bad(cut_tag, sizeof cut_tag, "varint is cut short", 3);
	static const uint8_t eleven[] = { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80,
					  0x80, 0x80, 0x80, 0x80, 0x80, 0 };
	bad(eleven, sizeof eleven, "does not fit in 64 bits", 11);
	static const uint8_t over[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0x02 };
	bad(over, sizeof over, "does not fit in 64 bits", 11);
	static const uint8_t cut_fixed[] = { 0x11, 1, 2, 3 };
	bad(cut_fixed, sizeof cut_fixed, "fixed-size field is cut short", 1);
	static const uint8_t cut32[] = { 0x08, 1, 0x25, 1, 2, 3 };
	bad(cut32, sizeof cut32, "fixed-size field is cut short", 3);
	static const uint8_t long_len[] = { 0x1a, 3, 'a', 'b' };
	bad(long_len, sizeof long_len, "runs past the end", 2);
	static const uint8_t huge_len[] = { 0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f };
	bad(huge_len, sizeof huge_len, "runs past the end", 6);
	static const uint8_t field0[] = { 0x08, 1, 0x00, 1 };
	bad(field0, sizeof field0, "field number", 2);
	static const uint8_t group[] = { 0x0b, 0x0c };
	bad(group, sizeof group, "group", 0);
	static const uint8_t wire6[] = { 0x0e };
	bad(wire6, sizeof wire6, "unknown wire type", 0);
}
END_TEST

/* Every prefix of a message either reads or fails cleanly. */
START_TEST(test_every_truncation)
{
	static const uint8_t m[] = { 0x08, 0xac, 0x02, 0x11, 0, 0, 0, 0, 0,
				     0, 0xf8, 0x3f, 0x2a, 5, 0x0a, 1, 'a',
				     0x10, 7, 0x25, 0, 0, 0x20, 0xc0 };
	for (size_t n = 0; n <= sizeof m; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, m, n);
		struct pb_reader r;
		struct pb_field f;
		pb_reader_init(&r, copy, n);
		int rc, fields = 0;
		while ((rc = pb_next(&r, &f)) > 0)
			fields++;
		bool boundary = n == 0 || n == 3 || n == 12 || n == 19 ||
				n == sizeof m;
		ck_assert_int_eq(rc, boundary ? 0 : -1);
		ck_assert(pb_offset(&r) <= n);
		free(copy);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("protobuf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_each_wire_type);
	tcase_add_test(tc, test_varint_limits);
	tcase_add_test(tc, test_embedded);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_every_truncation);
	suite_add_tcase(s, tc);
	return check_run(s);
}
