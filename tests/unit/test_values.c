/* Unit tests for values.h: the type-OID rules and the strict text parsers. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static const struct {
	uint32_t oid;
	enum val_class want;
} classes[] = {
	{ OID_BOOL, VAL_BOOL },	      { OID_BYTEA, VAL_STRING },
	{ OID_NAME, VAL_STRING },     { OID_INT8, VAL_INTEGER },
	{ OID_INT2, VAL_INTEGER },    { OID_INT4, VAL_INTEGER },
	{ OID_TEXT, VAL_STRING },     { OID_OID, VAL_INTEGER },
	{ OID_XID, VAL_INTEGER },     { OID_CID, VAL_INTEGER },
	{ OID_JSON, VAL_STRING },     { OID_FLOAT4, VAL_FLOAT },
	{ OID_FLOAT8, VAL_FLOAT },    { OID_BPCHAR, VAL_STRING },
	{ OID_VARCHAR, VAL_STRING },  { OID_NUMERIC, VAL_STRING },
	{ OID_JSONB, VAL_STRING },    { 0, VAL_STRING },
	{ 1082, VAL_STRING } /* date */, { 2950, VAL_STRING } /* uuid */,
	{ 16384, VAL_STRING },	      { UINT32_MAX, VAL_STRING },
};

START_TEST(test_class)
{
	ck_assert_msg(values_class(classes[_i].oid) == classes[_i].want,
		      "values_class(%u) = %d, want %d", classes[_i].oid,
		      (int)values_class(classes[_i].oid), (int)classes[_i].want);
}
END_TEST

START_TEST(test_oid_values)
{
	/* The OIDs are PostgreSQL's: a typo here misclassifies a type. */
	ck_assert_int_eq(OID_BOOL, 16);
	ck_assert_int_eq(OID_BYTEA, 17);
	ck_assert_int_eq(OID_NAME, 19);
	ck_assert_int_eq(OID_INT8, 20);
	ck_assert_int_eq(OID_INT2, 21);
	ck_assert_int_eq(OID_INT4, 23);
	ck_assert_int_eq(OID_TEXT, 25);
	ck_assert_int_eq(OID_OID, 26);
	ck_assert_int_eq(OID_XID, 28);
	ck_assert_int_eq(OID_CID, 29);
	ck_assert_int_eq(OID_JSON, 114);
	ck_assert_int_eq(OID_FLOAT4, 700);
	ck_assert_int_eq(OID_FLOAT8, 701);
	ck_assert_int_eq(OID_BPCHAR, 1042);
	ck_assert_int_eq(OID_VARCHAR, 1043);
	ck_assert_int_eq(OID_NUMERIC, 1700);
	ck_assert_int_eq(OID_JSONB, 3802);
}
END_TEST

/* ---- integers ---- */

static bool parse_int(const char *s, int64_t *out)
{
	return values_parse_int(s, strlen(s), out);
}

static void assert_int(const char *s, int64_t want)
{
	int64_t v = 99;
	ck_assert_msg(parse_int(s, &v), "values_parse_int(\"%s\") failed", s);
	ck_assert_int_eq(v, want);
}

START_TEST(test_int_valid)
{
	assert_int("0", 0);
	assert_int("-0", 0);
	assert_int("+0", 0);
	assert_int("42", 42);
	assert_int("-42", -42);
	assert_int("+42", 42);
	assert_int("9223372036854775807", INT64_MAX);
	assert_int("-9223372036854775808", INT64_MIN);
	assert_int("-9223372036854775807", -INT64_MAX);
	assert_int("4294967295", UINT32_MAX); /* an xid or oid */
	assert_int("007", 7);
}
END_TEST

static const char *const bad_ints[] = {
	"", "+", "-", "1a", "a1", " 1", "1 ", "1.0", "1e3", "--1", "+-1",
	"0x10", "9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616",
	"99999999999999999999999", "-99999999999999999999999",
};

START_TEST(test_int_rejects)
{
	int64_t v = 99;
	ck_assert_msg(!parse_int(bad_ints[_i], &v),
		      "values_parse_int accepted \"%s\"", bad_ints[_i]);
	ck_assert_int_eq(v, 99);
}
END_TEST

START_TEST(test_int_length_bounded)
{
	/* Only n bytes count: no NUL needed, and text after n is ignored. */
	int64_t v = 0;
	ck_assert(values_parse_int("123xyz", 3, &v));
	ck_assert_int_eq(v, 123);
	ck_assert(!values_parse_int("12\0" "3", 4, &v));
	ck_assert(!values_parse_int("5", 0, &v));
	ck_assert(!values_parse_int(NULL, 0, &v));
}
END_TEST

/* ---- floats ---- */

static bool parse_float(const char *s, double *out)
{
	return values_parse_float(s, strlen(s), out);
}

START_TEST(test_float_valid)
{
	double d = 0;
	ck_assert(parse_float("1.5", &d));
	ck_assert(d == 1.5);
	ck_assert(parse_float("-2.25", &d));
	ck_assert(d == -2.25);
	ck_assert(parse_float("0", &d));
	ck_assert(d == 0 && !signbit(d));
	ck_assert(parse_float("-0", &d));
	ck_assert(d == 0 && signbit(d));
	ck_assert(parse_float("1e+300", &d));
	ck_assert(d == 1e300);
	ck_assert(parse_float("1.7976931348623157e+308", &d));
	ck_assert(d == 1.7976931348623157e308);
	ck_assert(parse_float("3.4028235e+38", &d));
	ck_assert(d == 3.4028235e38);
	ck_assert(parse_float("0.1", &d));
	ck_assert(d == 0.1);
	ck_assert(parse_float("42", &d));
	ck_assert(d == 42);
}
END_TEST

START_TEST(test_float_specials)
{
	double d = 0;
	ck_assert(parse_float("NaN", &d));
	ck_assert(isnan(d));
	ck_assert(parse_float("Infinity", &d));
	ck_assert(isinf(d) && d > 0);
	ck_assert(parse_float("-Infinity", &d));
	ck_assert(isinf(d) && d < 0);
}
END_TEST

static const char *const bad_floats[] = {
	"", "abc", "1e400", "-1e400", "1.5x", "1.5 ", "-", "+", ".", "e5",
	"1,5", "Infinityx", "NaNa",
};

START_TEST(test_float_rejects)
{
	double d = 7;
	ck_assert_msg(!parse_float(bad_floats[_i], &d),
		      "values_parse_float accepted \"%s\"", bad_floats[_i]);
	ck_assert(d == 7);
}
END_TEST

/* PostgreSQL never prints these; the header promises a strict parser of its
 * text output ("the whole text must match") and values.c's own comment says
 * strtod's extra spellings such as "nan(…)" are not wanted. strtod accepts
 * all of them (leading white space, any-case nan/inf, hex floats). */
static const char *const non_pg_floats[] = {
	"nan", "NAN", "nan(123)", "inf", "-inf", "infinity", "INF",
	" 1.5", "\t1.5", "0x10", "0x1p3",
};

START_TEST(test_float_rejects_strtod_extras)
{
	double d = 7;
	ck_assert_msg(!parse_float(non_pg_floats[_i], &d),
		      "values_parse_float accepted \"%s\" (d = %g)",
		      non_pg_floats[_i], d);
}
END_TEST

START_TEST(test_float_length_bounded)
{
	double d = 0;
	ck_assert(values_parse_float("2.5junk", 3, &d));
	ck_assert(d == 2.5);
	ck_assert(values_parse_float("NaNxx", 3, &d));
	ck_assert(isnan(d));
	ck_assert(!values_parse_float("1\0" "5", 3, &d));
	/* Longer than any float PostgreSQL prints. */
	char big[200];
	memset(big, '1', sizeof big);
	ck_assert(!values_parse_float(big, sizeof big, &d));
}
END_TEST

/* ---- booleans ---- */

START_TEST(test_bool)
{
	bool b = false;
	ck_assert(values_parse_bool("t", 1, &b));
	ck_assert(b);
	ck_assert(values_parse_bool("f", 1, &b));
	ck_assert(!b);
	ck_assert(values_parse_bool("tx", 1, &b));
	ck_assert(b);
}
END_TEST

static const char *const bad_bools[] = {
	"", "true", "false", "T", "F", "1", "0", "y", "n", "on", "off", "tt",
	"t ", " t", "yes",
};

START_TEST(test_bool_rejects)
{
	bool b = true;
	ck_assert_msg(!values_parse_bool(bad_bools[_i], strlen(bad_bools[_i]), &b),
		      "values_parse_bool accepted \"%s\"", bad_bools[_i]);
	ck_assert(b);
}
END_TEST

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc = tcase_create("class");
	tcase_add_loop_test(tc, test_class, 0, COUNT(classes));
	tcase_add_test(tc, test_oid_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("int");
	tcase_add_test(tc, test_int_valid);
	tcase_add_loop_test(tc, test_int_rejects, 0, COUNT(bad_ints));
	tcase_add_test(tc, test_int_length_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("float");
	tcase_add_test(tc, test_float_valid);
	tcase_add_test(tc, test_float_specials);
	tcase_add_loop_test(tc, test_float_rejects, 0, COUNT(bad_floats));
	tcase_add_loop_test(tc, test_float_rejects_strtod_extras, 0,
			    COUNT(non_pg_floats));
	tcase_add_test(tc, test_float_length_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("bool");
	tcase_add_test(tc, test_bool);
	tcase_add_loop_test(tc, test_bool_rejects, 0, COUNT(bad_bools));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(values_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
