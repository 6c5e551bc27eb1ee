/* Unit tests for types.h: the catalog's rows hold together (each OID
 * once, constants named for their types, lookups that find every row),
 * and the columns that PostgreSQL's pg_type also has agree with it.
 *
 * pg_type facts below are from PostgreSQL 15:
 *   SELECT typname, typdelim FROM pg_type WHERE typdelim <> ',';
 *   -- box, ';'
 *   SELECT rngtypid::regtype, rngsubtype::regtype, rngmultitypid::regtype
 *   FROM pg_range;
 * The names and array types are checked in test_typename.c, the value
 * classes and array elements in test_values.c. */
#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "decode/types.h"

/* The rows as typelist.h writes them: the constant's name and the two
 * OIDs, to look each up again. */
static const struct row {
	const char *id;
	uint32_t oid, array;
} rows[] = {
#define PG_TYPE(id, oid, array, ...) { #id, oid, array },
#include "decode/typelist.h"
#undef PG_TYPE
};

#define NROWS (sizeof rows / sizeof rows[0])

START_TEST(test_lookups)
{
	const struct row *r = &rows[_i];
	const struct pg_type *t = types_by_oid(r->oid);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->oid, r->oid);
	ck_assert_uint_eq(t->array, r->array);
	ck_assert_ptr_eq(types_by_array(r->array), t);
	/* an array type is no row of its own */
	ck_assert_ptr_null(types_by_oid(r->array));
	ck_assert_ptr_null(types_by_array(r->oid));
	if (t->name)
		ck_assert_ptr_eq(types_by_name(t->name, strlen(t->name)), t);
	if (t->alias)
		ck_assert_ptr_eq(types_by_name(t->alias, strlen(t->alias)), t);
}
END_TEST

/* OID_INT4 is int4's, OID_PG_LSN pg_lsn's: the constant is the typname
 * in capitals. */
START_TEST(test_constant_names)
{
	const struct row *r = &rows[_i];
	const struct pg_type *t = types_by_oid(r->oid);
	if (!t->name)
		return;
	ck_assert_uint_eq(strlen(r->id), strlen(t->name));
	for (size_t i = 0; t->name[i]; i++)
		ck_assert_msg(r->id[i] == toupper((unsigned char)t->name[i]),
			      "OID_%s for %s", r->id, t->name);
}
END_TEST

START_TEST(test_oid_order)
{
	for (size_t i = 1; i < NROWS; i++)
		ck_assert_msg(rows[i - 1].oid < rows[i].oid, "%s before %s",
			      rows[i - 1].id, rows[i].id);
	/* Built-in OIDs are below FirstGenbkiObjectId. */
	for (size_t i = 0; i < NROWS; i++)
		ck_assert(rows[i].oid < 10000 && rows[i].array < 10000);
}
END_TEST

/* Whole names only, by their length; a name twice would fail
 * test_lookups (the second row would find the first). */
START_TEST(test_by_name)
{
	ck_assert_ptr_null(types_by_name("", 0));
	ck_assert_ptr_null(types_by_name("int", 3));
	ck_assert_ptr_null(types_by_name("int44", 5));
	ck_assert_ptr_null(types_by_name("Integer", 7));
	ck_assert_ptr_null(types_by_name("cstring", 7));
	ck_assert_ptr_eq(types_by_name("int4xyz", 4), types_by_oid(OID_INT4));
}
END_TEST

START_TEST(test_delim)
{
	for (size_t i = 0; i < NROWS; i++) {
		const struct pg_type *t = types_by_oid(rows[i].oid);
		ck_assert_int_eq(types_delim(t), t->oid == OID_BOX ? ';' : ',');
	}
}
END_TEST

/* pg_range: each range's subtype, each multirange's range. */
START_TEST(test_ranges)
{
	static const uint32_t range[][3] = {
		{ OID_INT4RANGE, OID_INT4, OID_INT4MULTIRANGE },
		{ OID_NUMRANGE, OID_NUMERIC, OID_NUMMULTIRANGE },
		{ OID_TSRANGE, OID_TIMESTAMP, OID_TSMULTIRANGE },
		{ OID_TSTZRANGE, OID_TIMESTAMPTZ, OID_TSTZMULTIRANGE },
		{ OID_DATERANGE, OID_DATE, OID_DATEMULTIRANGE },
		{ OID_INT8RANGE, OID_INT8, OID_INT8MULTIRANGE },
	};
	size_t with_of = 0;
	for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
		ck_assert_uint_eq(types_by_oid(range[i][0])->of, range[i][1]);
		ck_assert_uint_eq(types_by_oid(range[i][2])->of, range[i][0]);
	}
	for (size_t i = 0; i < NROWS; i++)
		with_of += types_by_oid(rows[i].oid)->of != 0;
	ck_assert_uint_eq(with_of, 12);
}
END_TEST

START_TEST(test_not_rows)
{
	static const uint32_t none[] = { 0,   1,    15,	   31,
					 273, 9999, 16384, UINT32_MAX };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		ck_assert_ptr_null(types_by_oid(none[i]));
		ck_assert_ptr_null(types_by_array(none[i]));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("types");
	TCase *tc = tcase_create("catalog");
	tcase_add_loop_test(tc, test_lookups, 0, NROWS);
	tcase_add_loop_test(tc, test_constant_names, 0, NROWS);
	tcase_add_test(tc, test_oid_order);
	tcase_add_test(tc, test_by_name);
	tcase_add_test(tc, test_delim);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_not_rows);
	suite_add_tcase(s, tc);
	return check_run(s);
}
