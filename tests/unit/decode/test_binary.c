/* Unit tests for binary.h's entry points, whatever the family of the type:
 * values of a real pgoutput row, text appended to the buffer, the types
 * it knows (the catalog's rows with a converter and their arrays) and
 * those it does not, no error buffer. The families' converters are
 * tested in test_binary_*.c; binary_check.h says where the vectors are
 * from. */
#include "binary_check.h"
#include "check_run.h"

/* Column values of a real pgoutput Insert ('b' kind), from
 * pg_logical_slot_peek_binary_changes(slot, NULL, NULL, 'proto_version',
 * '1', 'publication_names', 'pub', 'binary', 'true'), with the server's
 * text of the same row. */
static const struct vector pgoutput_values[] = {
	{ 23, "int4", "00000001", "1" },
	{ 1700, "numeric", "000200004000000404d215e0", "-1234.5600" },
	{ 1184, "timestamptz", "0002b58341728608",
	  "2024-02-29 12:34:56.789+00" },
	{ 1186, "interval", "0000000283bebc90fffffffe0000000c",
	  "1 year -2 days +03:00:00.25" },
	{ 1009, "text[]",
	  "000000010000000100000019000000040000000100000003612062ffffffff"
	  "000000000000000178",
	  "{\"a b\",NULL,\"\",x}" },
	{ 1007, "int4[]",
	  "00000001000000010000001700000002000000000000000400000007ffffffff",
	  "[0:1]={7,NULL}" },
	{ 3802, "jsonb", "017b226b223a205b312c202276225d7d",
	  "{\"k\": [1, \"v\"]}" },
	{ 701, "float8", "3fb999999999999a", "0.1" },
	{ 17, "bytea", "00ff", "\\x00ff" },
	{ 2950, "uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
	  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" },
	{ 1082, "date", "fff49d7b", "0044-03-15 BC" },
	{ 1042, "bpchar", "616220", "ab " },
};

START_TEST(test_pgoutput_values)
{
	check_vector(&pgoutput_values[_i]);
}
END_TEST

/* The text is appended: what the buffer held stays. */
START_TEST(test_appends)
{
	struct buf out = { 0 };
	char err[100];
	buf_puts(&out, "x=");
	ck_assert(
	    binary_to_text(OID_INT4, "\0\0\0\x2a", 4, &out, err, sizeof err));
	ck_assert(binary_to_text(OID_TEXT, ",y", 2, &out, err, sizeof err));
	ck_assert_str_eq(buf_cstr(&out), "x=42,y");
	buf_free(&out);
}
END_TEST

/* Known: the rows of the catalog that name a converter, and the arrays of
 * those rows (bytea[] and box[] too); nothing else below the database's
 * own OIDs. */
START_TEST(test_known_types)
{
	size_t known = 0;
	for (uint32_t oid = 0; oid < 16384; oid++) {
		const struct pg_type *t = types_by_oid(oid);
		const struct pg_type *e = types_by_array(oid);
		bool want = (t && t->to_text) || (e && e->to_text);
		ck_assert_msg(binary_known_type(oid) == want, "%u", oid);
		known += want;
	}
	ck_assert_uint_eq(known, 2 * 59);
	ck_assert(binary_known_type(OID_BYTEA_ARRAY));
	ck_assert(binary_known_type(OID_BOX_ARRAY));
	ck_assert(!binary_known_type(OID_REGPROC_ARRAY));
	ck_assert(!binary_known_type(16384));
}
END_TEST

START_TEST(test_unknown_types)
{
	/* int2vector, oidvector, aclitem, OIDs no type has: false with err
	 * empty */
	static const uint32_t unknown[] = { 0, 22, 30, 1033, 9999, 16383 };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		struct buf out = { 0 };
		char err[100] = "untouched";
		buf_puts(&out, "keep");
		ck_assert(!binary_known_type(unknown[i]));
		ck_assert(!binary_to_text(unknown[i], "\0\0\0\0", 4, &out, err,
					  sizeof err));
		ck_assert_str_eq(err, "");
		ck_assert_str_eq(buf_cstr(&out), "keep");
		buf_free(&out);
	}
}
END_TEST

START_TEST(test_no_err_buffer)
{
	/* errlen 0: err is not written */
	struct buf out = { 0 };
	ck_assert(!binary_to_text(OID_INT4, "\0", 1, &out, NULL, 0));
	ck_assert(!binary_to_text(1007, "\0", 1, &out, NULL, 0));
	ck_assert_uint_eq(out.len, 0);
	buf_free(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("binary");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_pgoutput_values, 0,
			    COUNT(pgoutput_values));
	tcase_add_test(tc, test_appends);
	tcase_add_test(tc, test_known_types);
	tcase_add_test(tc, test_unknown_types);
	tcase_add_test(tc, test_no_err_buffer);
	suite_add_tcase(s, tc);
	return check_run(s);
}
