/* Unit tests for typename.h: every built-in type of PostgreSQL 15's
 * catalog by the name format_type() prints, its typname and its array,
 * the modifiers format_type() adds, and names that are no built-in type.
 *
 * The catalog rows below are the output of, on PostgreSQL 15:
 *   SELECT t.oid, t.typname, format_type(t.oid, NULL), t.typarray,
 *          format_type(t.typarray, NULL)
 *   FROM pg_type t WHERE t.oid < 10000 AND t.typtype IN ('b','r','m')
 *   AND t.typnamespace = 'pg_catalog'::regnamespace
 *   AND t.typcategory <> 'A' AND t.typname NOT LIKE 'pg\_%'
 * plus int2vector, oidvector, pg_lsn and pg_snapshot by hand. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/typename.h"
#include "check_run.h"

static uint32_t oid_of(const char *name)
{
	/* an exactly-sized copy without a NUL: the length is what counts */
	size_t n = strlen(name);
	char *copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, name, n);
	uint32_t oid = typename_oid(copy, n);
	free(copy);
	return oid;
}

struct catalog_row {
	const char *fmt;
	const char *typname;
	uint32_t oid;
	const char *array_fmt;
	uint32_t array_oid;
};

static const struct catalog_row catalog[] = {
	{ "boolean", "bool", 16, "boolean[]", 1000 },
	{ "bytea", "bytea", 17, "bytea[]", 1001 },
	{ "\"char\"", "char", 18, "\"char\"[]", 1002 },
	{ "name", "name", 19, "name[]", 1003 },
	{ "bigint", "int8", 20, "bigint[]", 1016 },
	{ "smallint", "int2", 21, "smallint[]", 1005 },
	{ "integer", "int4", 23, "integer[]", 1007 },
	{ "regproc", "regproc", 24, "regproc[]", 1008 },
	{ "text", "text", 25, "text[]", 1009 },
	{ "oid", "oid", 26, "oid[]", 1028 },
	{ "tid", "tid", 27, "tid[]", 1010 },
	{ "xid", "xid", 28, "xid[]", 1011 },
	{ "cid", "cid", 29, "cid[]", 1012 },
	{ "json", "json", 114, "json[]", 199 },
	{ "xml", "xml", 142, "xml[]", 143 },
	{ "point", "point", 600, "point[]", 1017 },
	{ "lseg", "lseg", 601, "lseg[]", 1018 },
	{ "path", "path", 602, "path[]", 1019 },
	{ "box", "box", 603, "box[]", 1020 },
	{ "polygon", "polygon", 604, "polygon[]", 1027 },
	{ "line", "line", 628, "line[]", 629 },
	{ "cidr", "cidr", 650, "cidr[]", 651 },
	{ "real", "float4", 700, "real[]", 1021 },
	{ "double precision", "float8", 701, "double precision[]", 1022 },
	{ "circle", "circle", 718, "circle[]", 719 },
	{ "macaddr8", "macaddr8", 774, "macaddr8[]", 775 },
	{ "money", "money", 790, "money[]", 791 },
	{ "macaddr", "macaddr", 829, "macaddr[]", 1040 },
	{ "inet", "inet", 869, "inet[]", 1041 },
	{ "aclitem", "aclitem", 1033, "aclitem[]", 1034 },
	{ "character", "bpchar", 1042, "character[]", 1014 },
	{ "character varying", "varchar", 1043, "character varying[]", 1015 },
	{ "date", "date", 1082, "date[]", 1182 },
	{ "time without time zone", "time", 1083, "time without time zone[]",
	  1183 },
	{ "timestamp without time zone", "timestamp", 1114,
	  "timestamp without time zone[]", 1115 },
	{ "timestamp with time zone", "timestamptz", 1184,
	  "timestamp with time zone[]", 1185 },
	{ "interval", "interval", 1186, "interval[]", 1187 },
	{ "time with time zone", "timetz", 1266, "time with time zone[]",
	  1270 },
	{ "bit", "bit", 1560, "bit[]", 1561 },
	{ "bit varying", "varbit", 1562, "bit varying[]", 1563 },
	{ "numeric", "numeric", 1700, "numeric[]", 1231 },
	{ "refcursor", "refcursor", 1790, "refcursor[]", 2201 },
	{ "regprocedure", "regprocedure", 2202, "regprocedure[]", 2207 },
	{ "regoper", "regoper", 2203, "regoper[]", 2208 },
	{ "regoperator", "regoperator", 2204, "regoperator[]", 2209 },
	{ "regclass", "regclass", 2205, "regclass[]", 2210 },
	{ "regtype", "regtype", 2206, "regtype[]", 2211 },
	{ "uuid", "uuid", 2950, "uuid[]", 2951 },
	{ "txid_snapshot", "txid_snapshot", 2970, "txid_snapshot[]", 2949 },
	{ "tsvector", "tsvector", 3614, "tsvector[]", 3643 },
	{ "tsquery", "tsquery", 3615, "tsquery[]", 3645 },
	{ "gtsvector", "gtsvector", 3642, "gtsvector[]", 3644 },
	{ "regconfig", "regconfig", 3734, "regconfig[]", 3735 },
	{ "regdictionary", "regdictionary", 3769, "regdictionary[]", 3770 },
	{ "jsonb", "jsonb", 3802, "jsonb[]", 3807 },
	{ "int4range", "int4range", 3904, "int4range[]", 3905 },
	{ "numrange", "numrange", 3906, "numrange[]", 3907 },
	{ "tsrange", "tsrange", 3908, "tsrange[]", 3909 },
	{ "tstzrange", "tstzrange", 3910, "tstzrange[]", 3911 },
	{ "daterange", "daterange", 3912, "daterange[]", 3913 },
	{ "int8range", "int8range", 3926, "int8range[]", 3927 },
	{ "jsonpath", "jsonpath", 4072, "jsonpath[]", 4073 },
	{ "regnamespace", "regnamespace", 4089, "regnamespace[]", 4090 },
	{ "regrole", "regrole", 4096, "regrole[]", 4097 },
	{ "regcollation", "regcollation", 4191, "regcollation[]", 4192 },
	{ "int4multirange", "int4multirange", 4451, "int4multirange[]", 6150 },
	{ "nummultirange", "nummultirange", 4532, "nummultirange[]", 6151 },
	{ "tsmultirange", "tsmultirange", 4533, "tsmultirange[]", 6152 },
	{ "tstzmultirange", "tstzmultirange", 4534, "tstzmultirange[]", 6153 },
	{ "datemultirange", "datemultirange", 4535, "datemultirange[]", 6155 },
	{ "int8multirange", "int8multirange", 4536, "int8multirange[]", 6157 },
	{ "xid8", "xid8", 5069, "xid8[]", 271 },
	{ "int2vector", "int2vector", 22, "int2vector[]", 1006 },
	{ "oidvector", "oidvector", 30, "oidvector[]", 1013 },
	{ "pg_lsn", "pg_lsn", 3220, "pg_lsn[]", 3221 },
	{ "pg_snapshot", "pg_snapshot", 5038, "pg_snapshot[]", 5039 },
};

START_TEST(test_catalog)
{
	for (size_t i = 0; i < sizeof catalog / sizeof *catalog; i++) {
		const struct catalog_row *r = &catalog[i];
		char under[80];
		ck_assert_msg(oid_of(r->fmt) == r->oid, "%s", r->fmt);
		ck_assert_msg(oid_of(r->typname) == r->oid, "%s", r->typname);
		ck_assert_msg(oid_of(r->array_fmt) == r->array_oid, "%s",
			      r->array_fmt);
		snprintf(under, sizeof under, "_%s", r->typname);
		ck_assert_msg(oid_of(under) == r->array_oid, "%s", under);
	}
}
END_TEST

/* format_type() with a type modifier, as wal2json prints it
 * (include-typmod is on by default). */
START_TEST(test_modifiers)
{
	ck_assert_uint_eq(oid_of("numeric(10,2)"), 1700);
	ck_assert_uint_eq(oid_of("numeric(10,2)[]"), 1231);
	ck_assert_uint_eq(oid_of("character varying(20)"), 1043);
	ck_assert_uint_eq(oid_of("character varying(20)[]"), 1015);
	ck_assert_uint_eq(oid_of("character(3)"), 1042);
	ck_assert_uint_eq(oid_of("character(5)[]"), 1014);
	ck_assert_uint_eq(oid_of("bpchar"), 1042);
	ck_assert_uint_eq(oid_of("bit(3)"), 1560);
	ck_assert_uint_eq(oid_of("bit varying(8)"), 1562);
	ck_assert_uint_eq(oid_of("timestamp(3) with time zone"), 1184);
	ck_assert_uint_eq(oid_of("timestamp(3) with time zone[]"), 1185);
	ck_assert_uint_eq(oid_of("timestamp(0) without time zone"), 1114);
	ck_assert_uint_eq(oid_of("time(2) without time zone"), 1083);
	ck_assert_uint_eq(oid_of("time(2) with time zone"), 1266);
	ck_assert_uint_eq(oid_of("interval(2)"), 1186);
	ck_assert_uint_eq(oid_of("interval year"), 1186);
	ck_assert_uint_eq(oid_of("interval year to month"), 1186);
	ck_assert_uint_eq(oid_of("interval day to second(3)"), 1186);
	ck_assert_uint_eq(oid_of("interval day to second(3)[]"), 1187);
}
END_TEST

/* wal2json 2.5 copies a quoted format_type() name verbatim into its JSON,
 * so "char" arrives as char. */
START_TEST(test_char_unquoted)
{
	ck_assert_uint_eq(oid_of("char"), 18);
	ck_assert_uint_eq(oid_of("\"char\""), 18);
	ck_assert_uint_eq(oid_of("\"char\"[]"), 1002);
}
END_TEST

START_TEST(test_unknown)
{
	static const char *const names[] = {
		"",
		"[]",
		"mood",
		"public.mood",
		"\"Odd Schema\".\"Odd Type\"",
		"integer ",
		" integer",
		"Integer",
		"integer[][]",
		"integer(",
		"integer)",
		"numeric(10",
		"numeric10)",
		"interval fortnight",
		"interval year ",
		"interval ",
		"character varying varying",
		"timestamp with  time zone",
		"_",
		"(3)",
		"double",
		"precision",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		ck_assert_msg(oid_of(names[i]) == 0, "\"%s\"", names[i]);
	/* the length counts, not a NUL */
	ck_assert_uint_eq(typename_oid("integerXYZ", 7), 23);
	ck_assert_uint_eq(typename_oid("int", 3), 0);
	ck_assert_uint_eq(typename_oid(NULL, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("typename");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_catalog);
	tcase_add_test(tc, test_modifiers);
	tcase_add_test(tc, test_char_unquoted);
	tcase_add_test(tc, test_unknown);
	suite_add_tcase(s, tc);
	return check_run(s);
}
