/* Unit tests for ddl.h: the event trigger's JSON read whole, escapes and
 * a null schema, members walhook does not know, and each way a hand-made
 * message can be wrong, with every prefix of a good one refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/ddl.h"
#include "check_run.h"

static const char good[] =
    "{\"tag\":\"ALTER TABLE\",\"object_type\":\"table\","
    "\"identity\":\"public.t\",\"schema\":\"public\","
    "\"statement\":\"ALTER TABLE t ADD c int\",\"command\":2}";

/* Decodes s from a block of exactly its size, so a read past it shows. */
static int decode(struct ddl *d, const char *s, struct err *e)
{
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, n);
	int rc = ddl_decode(d, copy, n, e);
	free(copy);
	return rc;
}

START_TEST(test_good)
{
	struct ddl d;
	struct err e;
	ddl_init(&d);
	ck_assert_int_eq(decode(&d, good, &e), 0);
	ck_assert_str_eq(d.tag, "ALTER TABLE");
	ck_assert_str_eq(d.object_type, "table");
	ck_assert_str_eq(d.identity, "public.t");
	ck_assert_str_eq(d.schema, "public");
	ck_assert_str_eq(d.statement, "ALTER TABLE t ADD c int");
	ck_assert_int_eq(d.command, 2);
	ddl_free(&d);
}
END_TEST

START_TEST(test_escapes_null_unknown)
{
	struct ddl d;
	struct err e;
	ddl_init(&d);
	/* A second decode replaces the first's strings. */
	ck_assert_int_eq(decode(&d, good, &e), 0);
	ck_assert_int_eq(
	    decode(&d,
		   " {\"extra\":{\"a\":[1,{}]},\"command\":1,"
		   "\"statement\":\"CREATE TABLE \\\"a\\\\b\\\" ()\\n;\","
		   "\"schema\":null,\"identity\":\"pub\",\"object_type\":"
		   "\"publication\",\"tag\":\"CREATE PUBLICATION\"} ",
		   &e),
	    0);
	ck_assert_ptr_null(d.schema);
	ck_assert_str_eq(d.statement, "CREATE TABLE \"a\\b\" ()\n;");
	ck_assert_str_eq(d.tag, "CREATE PUBLICATION");
	ck_assert_int_eq(d.command, 1);
	ddl_free(&d);
}
END_TEST

static void refused(const char *s, const char *why)
{
	struct ddl d;
	struct err e;
	ddl_init(&d);
	ck_assert_msg(decode(&d, s, &e) == -1, "accepted %s", s);
	ck_assert_msg(strstr(e.msg, why), "%s: \"%s\", want \"%s\"", s, e.msg,
		      why);
	ddl_free(&d);
}

START_TEST(test_refused)
{
	refused("", "expected a JSON object");
	refused("[]", "expected a JSON object");
	refused("not json", "expected a JSON object");
	refused("{\"tag\":1}", "\"tag\" must be a string");
	refused("{\"schema\":3}", "\"schema\" must be a string or null");
	refused("{\"command\":\"1\"}",
		"\"command\" must be a positive integer");
	refused("{\"command\":0}", "\"command\" must be a positive integer");
	refused("{\"command\":-1}", "\"command\" must be a positive integer");
	refused("{\"command\":1.5}", "\"command\" must be a positive integer");
	refused("{\"tag\":\"x\"}", "no \"object_type\"");
	refused("{\"tag\":\"x\",}", "not JSON at byte");
	char s[sizeof good + 2];
	snprintf(s, sizeof s, "%s{", good);
	refused(s, "text after the JSON object");
}
END_TEST

START_TEST(test_every_prefix)
{
	for (size_t n = 0; n + 1 < sizeof good; n++) {
		struct ddl d;
		struct err e;
		ddl_init(&d);
		char *copy = malloc(n ? n : 1);
		memcpy(copy, good, n);
		ck_assert_msg(ddl_decode(&d, copy, n, &e) == -1,
			      "accepted %zu bytes", n);
		free(copy);
		ddl_free(&d);
	}
}
END_TEST

static Suite *ddl_suite(void)
{
	Suite *s = suite_create("ddl");
	TCase *tc = tcase_create("ddl");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_escapes_null_unknown);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_every_prefix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(ddl_suite());
}
