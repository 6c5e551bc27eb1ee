/* Unit tests for signal.h: each action read with its table, a backfill's
 * where and chunk, escapes, and each way an operator's message can be
 * wrong, with every prefix of a good one refused. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/signal.h"
#include "check_run.h"

static const char good[] =
    "{\"backfill\":\"public.t\",\"where\":\"id < 10\",\"chunk\":100}";

/* Decodes s from a block of exactly its size, so a read past it shows. */
static int decode(struct signal *sig, const char *s, struct err *e)
{
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, n);
	int rc = signal_decode(sig, copy, n, e);
	free(copy);
	return rc;
}

START_TEST(test_backfill)
{
	struct signal s;
	struct err e;
	signal_init(&s);
	ck_assert_int_eq(decode(&s, good, &e), 0);
	ck_assert_int_eq(s.action, SIGNAL_BACKFILL);
	ck_assert_str_eq(s.req.table, "public.t");
	ck_assert_str_eq(s.req.where, "id < 10");
	ck_assert_int_eq(s.req.chunk, 100);
	ck_assert_int_eq(s.req.by, BACKFILL_BY_SIGNAL);
	/* A second decode replaces the first entirely. */
	ck_assert_int_eq(decode(&s, " {\"backfill\" : \"a\\\"b\"} ", &e), 0);
	ck_assert_str_eq(s.req.table, "a\"b");
	ck_assert_ptr_null(s.req.where);
	ck_assert_int_eq(s.req.chunk, 0);
	signal_free(&s);
}
END_TEST

START_TEST(test_other_actions)
{
	static const struct {
		const char *text;
		enum signal_action a;
	} cases[] = {
		{ "{\"pause\":\"s.t\"}", SIGNAL_PAUSE },
		{ "{\"resume\":\"s.t\"}", SIGNAL_RESUME },
		{ "{\"cancel\":\"s.t\"}", SIGNAL_CANCEL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct signal s;
		struct err e;
		signal_init(&s);
		ck_assert_int_eq(decode(&s, cases[i].text, &e), 0);
		ck_assert_int_eq(s.action, cases[i].a);
		ck_assert_str_eq(s.req.table, "s.t");
		signal_free(&s);
	}
}
END_TEST

START_TEST(test_refused)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "expected a JSON object" },
		{ "[\"backfill\"]", "expected a JSON object" },
		{ "{}", "no action" },
		{ "{\"backfill\":\"t\",\"pause\":\"t\"}", "both \"backfill\" and \"pause\"" },
		{ "{\"backfill\":\"t\",\"backfill\":\"u\"}", "\"backfill\" twice" },
		{ "{\"backfil\":\"t\"}", "unknown member \"backfil\"" },
		{ "{\"backfill\":\"\"}", "\"backfill\" must be a non-empty string" },
		{ "{\"backfill\":1}", "\"backfill\" must be a non-empty string" },
		{ "{\"backfill\":\"t\",\"chunk\":0}", "\"chunk\" must be an integer" },
		{ "{\"backfill\":\"t\",\"chunk\":1.5}", "\"chunk\" must be an integer" },
		{ "{\"backfill\":\"t\",\"chunk\":\"9\"}", "\"chunk\" must be an integer" },
		{ "{\"backfill\":\"t\",\"chunk\":1000001}", "\"chunk\" must be an integer" },
		{ "{\"pause\":\"t\",\"where\":\"x\"}", "go with \"backfill\" only" },
		{ "{\"backfill\":\"t\"} x", "text after the JSON object" },
		{ "{\"backfill\":\"t\"", "not JSON at byte" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct signal s;
		struct err e;
		signal_init(&s);
		ck_assert_msg(decode(&s, cases[i].text, &e) == -1,
			      "accepted %s", cases[i].text);
		ck_assert_msg(strstr(e.msg, cases[i].msg), "%s: %s",
			      cases[i].text, e.msg);
		signal_free(&s);
	}
}
END_TEST

START_TEST(test_every_prefix)
{
	for (size_t n = 0; n + 1 < sizeof good; n++) {
		struct signal s;
		struct err e;
		signal_init(&s);
		char *copy = malloc(n ? n : 1);
		memcpy(copy, good, n);
		ck_assert_msg(signal_decode(&s, copy, n, &e) == -1,
			      "accepted %zu bytes", n);
		free(copy);
		signal_free(&s);
	}
}
END_TEST

static Suite *signal_suite(void)
{
	Suite *s = suite_create("signal");
	TCase *tc = tcase_create("signal");
	tcase_add_test(tc, test_backfill);
	tcase_add_test(tc, test_other_actions);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_every_prefix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(signal_suite());
}
