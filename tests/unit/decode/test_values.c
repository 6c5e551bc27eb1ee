/* Unit tests for values.h: the type-OID rules, the strict text parsers, the
 * array text parser and bytea decoding. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "decode/values.h"
#include "check_run.h"

static const struct {
	uint32_t oid;
	enum val_class want;
} classes[] = {
	{ OID_BOOL, VAL_BOOL },		 { OID_BYTEA, VAL_STRING },
	{ OID_NAME, VAL_STRING },	 { OID_INT8, VAL_INTEGER },
	{ OID_INT2, VAL_INTEGER },	 { OID_INT4, VAL_INTEGER },
	{ OID_TEXT, VAL_STRING },	 { OID_OID, VAL_INTEGER },
	{ OID_XID, VAL_INTEGER },	 { OID_CID, VAL_INTEGER },
	{ OID_JSON, VAL_STRING },	 { OID_FLOAT4, VAL_FLOAT },
	{ OID_FLOAT8, VAL_FLOAT },	 { OID_BPCHAR, VAL_STRING },
	{ OID_VARCHAR, VAL_STRING },	 { OID_NUMERIC, VAL_STRING },
	{ OID_JSONB, VAL_STRING },	 { 0, VAL_STRING },
	{ 1082, VAL_STRING } /* date */, { 2950, VAL_STRING } /* uuid */,
	{ 16384, VAL_STRING },		 { UINT32_MAX, VAL_STRING },
};

START_TEST(test_class)
{
	ck_assert_msg(values_class(classes[_i].oid) == classes[_i].want,
		      "values_class(%u) = %d, want %d", classes[_i].oid,
		      (int)values_class(classes[_i].oid),
		      (int)classes[_i].want);
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
	"",
	"+",
	"-",
	"1a",
	"a1",
	" 1",
	"1 ",
	"1.0",
	"1e3",
	"--1",
	"+-1",
	"0x10",
	"9223372036854775808",
	"-9223372036854775809",
	"18446744073709551615",
	"18446744073709551616",
	"99999999999999999999999",
	"-99999999999999999999999",
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
	ck_assert(!values_parse_int("12\0"
				    "3",
				    4, &v));
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
	"",  "abc", "1e400", "-1e400", "1.5x",	    "1.5 ", "-",
	"+", ".",   "e5",    "1,5",    "Infinityx", "NaNa",
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
	"nan", "NAN",  "nan(123)", "inf",  "-inf",  "infinity",
	"INF", " 1.5", "\t1.5",	   "0x10", "0x1p3",
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
	ck_assert(!values_parse_float("1\0"
				      "5",
				      3, &d));
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
	"",  "true", "false", "T",  "F",  "1",	"0",   "y",
	"n", "on",   "off",   "tt", "t ", " t", "yes",
};

START_TEST(test_bool_rejects)
{
	bool b = true;
	ck_assert_msg(
	    !values_parse_bool(bad_bools[_i], strlen(bad_bools[_i]), &b),
	    "values_parse_bool accepted \"%s\"", bad_bools[_i]);
	ck_assert(b);
}
END_TEST

/* ---- array element types ---- */

/* Every built-in array type with ',' between elements, from PostgreSQL
 * 15's catalog:
 *   SELECT a.oid, a.typelem FROM pg_type a JOIN pg_type e ON e.oid =
 *   a.typelem WHERE a.typcategory = 'A' AND a.typlen = -1 AND
 *   e.typdelim = ',' AND e.typtype <> 'c' AND a.oid < 10000; */
static const struct {
	uint32_t array, elem;
} array_types[] = {
	{ 143, 142 },	/* xml[] */
	{ 199, 114 },	/* json[] */
	{ 271, 5069 },	/* xid8[] */
	{ 629, 628 },	/* line[] */
	{ 651, 650 },	/* cidr[] */
	{ 719, 718 },	/* circle[] */
	{ 775, 774 },	/* macaddr8[] */
	{ 791, 790 },	/* money[] */
	{ 1000, 16 },	/* bool[] */
	{ 1002, 18 },	/* char[] */
	{ 1003, 19 },	/* name[] */
	{ 1005, 21 },	/* int2[] */
	{ 1006, 22 },	/* int2vector[] */
	{ 1007, 23 },	/* int4[] */
	{ 1008, 24 },	/* regproc[] */
	{ 1009, 25 },	/* text[] */
	{ 1010, 27 },	/* tid[] */
	{ 1011, 28 },	/* xid[] */
	{ 1012, 29 },	/* cid[] */
	{ 1013, 30 },	/* oidvector[] */
	{ 1014, 1042 }, /* bpchar[] */
	{ 1015, 1043 }, /* varchar[] */
	{ 1016, 20 },	/* int8[] */
	{ 1017, 600 },	/* point[] */
	{ 1018, 601 },	/* lseg[] */
	{ 1019, 602 },	/* path[] */
	{ 1021, 700 },	/* float4[] */
	{ 1022, 701 },	/* float8[] */
	{ 1027, 604 },	/* polygon[] */
	{ 1028, 26 },	/* oid[] */
	{ 1034, 1033 }, /* aclitem[] */
	{ 1040, 829 },	/* macaddr[] */
	{ 1041, 869 },	/* inet[] */
	{ 1115, 1114 }, /* timestamp[] */
	{ 1182, 1082 }, /* date[] */
	{ 1183, 1083 }, /* time[] */
	{ 1185, 1184 }, /* timestamptz[] */
	{ 1187, 1186 }, /* interval[] */
	{ 1231, 1700 }, /* numeric[] */
	{ 1263, 2275 }, /* cstring[] */
	{ 1270, 1266 }, /* timetz[] */
	{ 1561, 1560 }, /* bit[] */
	{ 1563, 1562 }, /* varbit[] */
	{ 2201, 1790 }, /* refcursor[] */
	{ 2207, 2202 }, /* regprocedure[] */
	{ 2208, 2203 }, /* regoper[] */
	{ 2209, 2204 }, /* regoperator[] */
	{ 2210, 2205 }, /* regclass[] */
	{ 2211, 2206 }, /* regtype[] */
	{ 2949, 2970 }, /* txid_snapshot[] */
	{ 2951, 2950 }, /* uuid[] */
	{ 3221, 3220 }, /* pg_lsn[] */
	{ 3643, 3614 }, /* tsvector[] */
	{ 3644, 3642 }, /* gtsvector[] */
	{ 3645, 3615 }, /* tsquery[] */
	{ 3735, 3734 }, /* regconfig[] */
	{ 3770, 3769 }, /* regdictionary[] */
	{ 3807, 3802 }, /* jsonb[] */
	{ 3905, 3904 }, /* int4range[] */
	{ 3907, 3906 }, /* numrange[] */
	{ 3909, 3908 }, /* tsrange[] */
	{ 3911, 3910 }, /* tstzrange[] */
	{ 3913, 3912 }, /* daterange[] */
	{ 3927, 3926 }, /* int8range[] */
	{ 4073, 4072 }, /* jsonpath[] */
	{ 4090, 4089 }, /* regnamespace[] */
	{ 4097, 4096 }, /* regrole[] */
	{ 4192, 4191 }, /* regcollation[] */
	{ 5039, 5038 }, /* pg_snapshot[] */
	{ 6150, 4451 }, /* int4multirange[] */
	{ 6151, 4532 }, /* nummultirange[] */
	{ 6152, 4533 }, /* tsmultirange[] */
	{ 6153, 4534 }, /* tstzmultirange[] */
	{ 6155, 4535 }, /* datemultirange[] */
	{ 6157, 4536 }, /* int8multirange[] */
};

START_TEST(test_array_element)
{
	ck_assert_msg(
	    values_array_element(array_types[_i].array) == array_types[_i].elem,
	    "values_array_element(%u) = %u, want %u", array_types[_i].array,
	    values_array_element(array_types[_i].array), array_types[_i].elem);
}
END_TEST

START_TEST(test_array_element_not_arrays)
{
	/* scalars; int2vector and oidvector ("1 2 3", no braces); box[]
	 * (';' between elements); a composite's array (pg_class[]); OIDs of
	 * types created in a database */
	static const uint32_t none[] = {
		0,   OID_INT4, OID_TEXT, 22,	     30,  1020,
		273, 16384,    16385,	 UINT32_MAX, 1001 /* bytea[]: its text
							   */
	};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		ck_assert_uint_eq(values_array_element(none[i]), 0);
	ck_assert_uint_eq(values_array_element(1007), OID_INT4);
	ck_assert_uint_eq(values_array_element(1009), OID_TEXT);
	ck_assert_uint_eq(values_array_element(3807), OID_JSONB);
}
END_TEST

/* ---- the array text parser ---- */

/* A visitor that writes what it sees: "(n@i" for an array of n items at
 * position i, "i<text>" for an element, "iN" for NULL, ")" at the end. */
static void trace_begin(void *ctx, size_t index, size_t nitems)
{
	buf_printf(ctx, "(%zu@%zu", nitems, index);
}

static void trace_end(void *ctx, size_t index)
{
	(void)index;
	buf_putc(ctx, ')');
}

static void trace_element(void *ctx, size_t index, const char *text, size_t len,
			  bool is_null)
{
	if (is_null)
		buf_printf(ctx, " %zuN", index);
	else
		buf_printf(ctx, " %zu<%.*s>", index, (int)len, text);
}

static const struct values_array_visitor trace = {
	trace_begin,
	trace_end,
	trace_element,
};

/* Texts printed by PostgreSQL 15's array_out (see test_binary.c for the
 * values), and array_in's looser input. */
static const struct {
	const char *text, *want;
} arrays[] = {
	{ "{a,b}", "(2@0 1<a> 2<b>)" },
	{ "{}", "(0@0)" },
	{ "{NULL,\"NULL\",\"null\",\"\",\" a\",\"a b\",\"x,y\",\"q\\\"q\","
	  "\"b\\\\s\",\"{}\"}",
	  "(10@0 1N 2<NULL> 3<null> 4<> 5< a> 6<a b> 7<x,y> 8<q\"q> 9<b\\s> "
	  "10<{}>)" },
	{ "{{a,b},{c,d}}", "(2@0(2@1 1<a> 2<b>)(2@2 1<c> 2<d>))" },
	{ "[1:2]={x,y}", "(2@0 1<x> 2<y>)" },
	{ "[+1:2][01:2]={{a,b},{c,d}}", "(2@0(2@1 1<a> 2<b>)(2@2 1<c> 2<d>))" },
	{ "{\"Null\",nulls,\"tab\tx\",\"nl\nx\"}",
	  "(4@0 1<Null> 2<nulls> 3<tab\tx> 4<nl\nx>)" },
	{ "{{{1,2}},{{3,4}}}",
	  "(2@0(1@1(2@1 1<1> 2<2>))(1@2(2@1 1<3> 2<4>)))" },
	{ "{{NULL,NULL}}", "(1@0(2@1 1N 2N))" },
	{ "{\xc3\xa9,\"\xc3\x9f x\"}", "(2@0 1<\xc3\xa9> 2<\xc3\x9f x>)" },
	{ "{\"a}\",\"{b\",\"c\\\\d\",\"vt\vx\",\"cr\rx\",\"ff\fx\"}",
	  "(6@0 1<a}> 2<{b> 3<c\\d> 4<vt\vx> 5<cr\rx> 6<ff\fx>)" },
	{ "{1,NULL,-3}", "(3@0 1<1> 2N 3<-3>)" },
	{ "[1:1][1:2]={{1,2}}", "(1@0(2@1 1<1> 2<2>))" },
	{ "{\"\\\\x00ff\",NULL,\"\\\\x\"}", "(3@0 1<\\x00ff> 2N 3<\\x>)" },
	{ "{\"2024-02-29 12:34:56.5+00\",infinity}",
	  "(2@0 1<2024-02-29 12:34:56.5+00> 2<infinity>)" },
	{ "{\"{\\\"a\\\": 1}\",[],\"\\\"x y\\\"\",\"null\"}",
	  "(4@0 1<{\"a\": 1}> 2<[]> 3<\"x y\"> 4<null>)" },
	{ "{\"1 day\",-00:00:01,00:00:00}",
	  "(3@0 1<1 day> 2<-00:00:01> 3<00:00:00>)" },
	{ "{\"[1,2)\",empty}", "(2@0 1<[1,2)> 2<empty>)" },
	{ "{\"(1,2)\",\"(3,4)\"}", "(2@0 1<(1,2)> 2<(3,4)>)" },
	{ "{\"ab   \",\"c    \"}", "(2@0 1<ab   > 2<c    >)" },
	{ "{{{{{{6}}}}}}", "(1@0(1@1(1@1(1@1(1@1(1@1 1<6>))))))" },
	/* array_in's input: spaces around items, escapes in unquoted items,
	 * any-case NULL, an escaped NULL being a string */
	{ " { {1 , 2} , { 3,4 } } ", "(2@0(2@1 1<1> 2<2>)(2@2 1<3> 2<4>))" },
	{ "{a\\,b, \"c\" ,  d e  }", "(3@0 1<a,b> 2<c> 3<d e>)" },
	{ "{NuLl,\\NULL,NULL\\ }", "(3@0 1N 2<NULL> 3<NULL >)" },
	{ " [1:2] = {1,2}", "(2@0 1<1> 2<2>)" },
	{ "[-1]={}", "(0@0)" },
	{ "[3]={1,2,3}", "(3@0 1<1> 2<2> 3<3>)" },
	{ "{\"\"}", "(1@0 1<>)" },
};

START_TEST(test_parse_array)
{
	struct buf got = { 0 }, scratch = { 0 };
	char err[100] = "";
	const char *s = arrays[_i].text;
	int rc = values_parse_array(s, strlen(s), &trace, &got, &scratch, err,
				    sizeof err);
	ck_assert_msg(rc == 0, "%s: %s", s, err);
	ck_assert_str_eq(buf_cstr(&got), arrays[_i].want);
	/* v NULL: only checks */
	ck_assert_int_eq(values_parse_array(s, strlen(s), NULL, NULL, &scratch,
					    err, sizeof err),
			 0);
	buf_free(&got);
	buf_free(&scratch);
}
END_TEST

static const char *const bad_arrays[] = {
	"",
	" ",
	"a",
	"{",
	"}",
	"{a",
	"{a,",
	"{a,}",
	"{,a}",
	"{a,,b}",
	"{a b\"c\"}",
	"{\"a\" b}",
	"{\"a}",
	"{a\\",
	"{\"a\\",
	"{a}x",
	"{a}}",
	"{{a},{b,c}}",
	"{a,{b}}",
	"{{a},b}",
	"{{}}",
	"{{a},{}}",
	"{{{{{{{1}}}}}}}",
	"[1:2]{a}",
	"[a]={x}",
	"[1:]={x}",
	"[1:2={x}",
	"[1:2]",
	"=={a}",
	"{}{}",
	"NULL",
	"{a}\"",
};

/* Arrays whose lower bounds are not all 1, as array_out prints them: a
 * Lua or JSON array would renumber them, so they are not taken apart
 * (their callers keep the text). Well-formed, so not "malformed". */
static const char *const bounded_arrays[] = {
	"[0:1]={x,y}",	  "[-2:-1][3:4]={{a,b},{c,d}}", "[1:1][0:1]={{1,2}}",
	" [2:3] = {1,2}", "[-1:0]={\"\\\\x00\",NULL}",	"[5:5]={z}",
	"[00:1]={a,b}",
};

START_TEST(test_parse_array_keeps_bounds_as_text)
{
	struct buf got = { 0 }, scratch = { 0 };
	char err[100] = "";
	const char *s = bounded_arrays[_i];
	ck_assert_int_eq(values_parse_array(s, strlen(s), &trace, &got,
					    &scratch, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "lower bounds other than 1: kept as text");
	ck_assert_uint_eq(got.len, 0);
	ck_assert_int_eq(values_parse_array(s, strlen(s), NULL, NULL, &scratch,
					    err, sizeof err),
			 -1);
	buf_free(&got);
	buf_free(&scratch);
}
END_TEST

START_TEST(test_parse_array_rejects)
{
	struct buf got = { 0 }, scratch = { 0 };
	char err[100] = "";
	const char *s = bad_arrays[_i];
	int rc = values_parse_array(s, strlen(s), &trace, &got, &scratch, err,
				    sizeof err);
	ck_assert_msg(rc == -1, "accepted \"%s\" as %s", s, buf_cstr(&got));
	ck_assert_msg(strncmp(err, "malformed array", 15) == 0, "err: %s", err);
	/* Checked before the first callback: nothing seen. */
	ck_assert_uint_eq(got.len, 0);
	buf_free(&got);
	buf_free(&scratch);
}
END_TEST

START_TEST(test_parse_array_length_bounded)
{
	struct buf got = { 0 }, scratch = { 0 };
	char err[100];
	/* only n bytes count */
	ck_assert_int_eq(values_parse_array("{a}{junk", 3, &trace, &got,
					    &scratch, err, sizeof err),
			 0);
	ck_assert_str_eq(buf_cstr(&got), "(1@0 1<a>)");
	ck_assert_int_eq(
	    values_parse_array("{a}", 2, NULL, NULL, &scratch, err, sizeof err),
	    -1);
	ck_assert_int_eq(
	    values_parse_array(NULL, 0, NULL, NULL, &scratch, err, sizeof err),
	    -1);
	/* errlen 0: err untouched */
	ck_assert_int_eq(
	    values_parse_array("{", 1, NULL, NULL, &scratch, NULL, 0), -1);
	buf_free(&got);
	buf_free(&scratch);
}
END_TEST

/* Elements without escapes are views into the text; escaped ones are
 * unescaped into scratch. */
struct where {
	const char *s;
	size_t n;
	int in_text, in_scratch;
	struct buf *scratch;
};

static void where_element(void *ctx, size_t index, const char *text, size_t len,
			  bool is_null)
{
	struct where *w = ctx;
	(void)index;
	(void)len;
	(void)is_null;
	if (text >= w->s && text < w->s + w->n)
		w->in_text++;
	else if (text >= w->scratch->data &&
		 text <= w->scratch->data + w->scratch->len)
		w->in_scratch++;
}

START_TEST(test_parse_array_no_copies)
{
	static const struct values_array_visitor v = { NULL, NULL,
						       where_element };
	struct buf scratch = { 0 };
	char err[100];
	const char *s = "{plain,\"quoted\",\"es\\\"caped\",un\\\\quoted,NULL}";
	struct where w = { s, strlen(s), 0, 0, &scratch };
	ck_assert_int_eq(
	    values_parse_array(s, strlen(s), &v, &w, &scratch, err, sizeof err),
	    0);
	ck_assert_int_eq(w.in_text, 3);
	ck_assert_int_eq(w.in_scratch, 2);
	buf_free(&scratch);
}
END_TEST

/* The use the parser is for: a JSON array of elements converted by their
 * type's rules (int4 here), written as the events come. */
static void json_begin(void *ctx, size_t index, size_t nitems)
{
	(void)nitems;
	if (index > 1)
		buf_putc(ctx, ',');
	buf_putc(ctx, '[');
}

static void json_end(void *ctx, size_t index)
{
	(void)index;
	buf_putc(ctx, ']');
}

static void json_int_element(void *ctx, size_t index, const char *text,
			     size_t len, bool is_null)
{
	int64_t v;
	if (index > 1)
		buf_putc(ctx, ',');
	if (is_null)
		buf_puts(ctx, "null");
	else if (values_parse_int(text, len, &v))
		buf_printf(ctx, "%lld", (long long)v);
	else
		buf_printf(ctx, "\"%.*s\"", (int)len, text);
}

START_TEST(test_parse_array_to_json)
{
	static const struct values_array_visitor v = { json_begin, json_end,
						       json_int_element };
	struct buf out = { 0 }, scratch = { 0 };
	char err[100];
	const char *s = "[1:2][1:3]={{1,NULL,-3},{2147483647,-2147483648,0}}";
	ck_assert_int_eq(values_parse_array(s, strlen(s), &v, &out, &scratch,
					    err, sizeof err),
			 0);
	ck_assert_str_eq(buf_cstr(&out),
			 "[[1,null,-3],[2147483647,-2147483648,0]]");
	buf_reset(&out);
	ck_assert_int_eq(
	    values_parse_array("{}", 2, &v, &out, &scratch, err, sizeof err),
	    0);
	ck_assert_str_eq(buf_cstr(&out), "[]");
	buf_free(&out);
	buf_free(&scratch);
}
END_TEST

/* ---- bytea ---- */

static void assert_bytea(const char *text, const char *want, size_t wantlen)
{
	struct buf out = { 0 };
	buf_puts(&out, ">");
	ck_assert_msg(values_bytea_decode(text, strlen(text), &out),
		      "values_bytea_decode(\"%s\") failed", text);
	ck_assert_uint_eq(out.len, 1 + wantlen);
	ck_assert(memcmp(out.data + 1, want, wantlen) == 0);
	buf_free(&out);
}

START_TEST(test_bytea)
{
	/* hex texts from the server's byteaout */
	assert_bytea("\\x", "", 0);
	assert_bytea("\\x00ff10", "\x00\xff\x10", 3);
	assert_bytea("\\xdeadbeef0102", "\xde\xad\xbe\xef\x01\x02", 6);
	/* byteain also takes upper case and spaces between pairs */
	assert_bytea("\\x 01 02AB", "\x01\x02\xab", 3);
	assert_bytea("\\xDEAD\n\tBE\r", "\xde\xad\xbe", 3);
	/* the escape form (bytea_output = escape): E'a\\\\b\\001\\377' */
	assert_bytea("a\\\\b\\001\\377", "a\\b\x01\xff", 5);
	assert_bytea("abc", "abc", 3);
	assert_bytea("", "", 0);
	assert_bytea("\\000", "\0", 1);
}
END_TEST

static const char *const bad_byteas[] = {
	"\\x0",	 "\\xzz", "\\x0g", "\\x0 1", "\\x012", "\\",	"a\\",
	"\\400", "\\08",  "\\1",   "\\12",   "\\q",    "x\\xy",
};

START_TEST(test_bytea_rejects)
{
	struct buf out = { 0 };
	buf_puts(&out, "keep");
	const char *s = bad_byteas[_i];
	ck_assert_msg(!values_bytea_decode(s, strlen(s), &out),
		      "accepted \"%s\"", s);
	ck_assert_str_eq(buf_cstr(&out), "keep");
	buf_free(&out);
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

	tc = tcase_create("array");
	tcase_add_loop_test(tc, test_array_element, 0, COUNT(array_types));
	tcase_add_test(tc, test_array_element_not_arrays);
	tcase_add_loop_test(tc, test_parse_array, 0, COUNT(arrays));
	tcase_add_loop_test(tc, test_parse_array_rejects, 0, COUNT(bad_arrays));
	tcase_add_loop_test(tc, test_parse_array_keeps_bounds_as_text, 0,
			    COUNT(bounded_arrays));
	tcase_add_test(tc, test_parse_array_length_bounded);
	tcase_add_test(tc, test_parse_array_no_copies);
	tcase_add_test(tc, test_parse_array_to_json);
	suite_add_tcase(s, tc);

	tc = tcase_create("bytea");
	tcase_add_test(tc, test_bytea);
	tcase_add_loop_test(tc, test_bytea_rejects, 0, COUNT(bad_byteas));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(values_suite());
}
