/* Unit tests for plugin.h: the options each plugin is started with and
 * the profile its messages are read by. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode/plugin.h"
#include "check_run.h"

static struct plugin_option out[16];
static char proto[8];
static struct err e;

static const char *value(int n, const char *name)
{
	bool given;
	const char *v = plugin_option(out, n, name, &given);
	return given ? (v ? v : "") : NULL;
}

START_TEST(test_pgoutput_newest_protocol)
{
	static const struct {
		int server;
		const char *proto;
	} cases[] = {
		{ 130012, "1" },
		{ 140010, "2" },
		{ 150018, "3" },
		{ 170002, "4" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = plugin_options("pgoutput", cases[i].server, "pub", NULL,
				       0, out, proto, &e);
		ck_assert_int_eq(n, 2);
		ck_assert_str_eq(value(n, "proto_version"), cases[i].proto);
		ck_assert_str_eq(value(n, "publication_names"), "pub");
	}
}
END_TEST

START_TEST(test_user_options_win)
{
	const struct plugin_option given[] = { { "proto_version", "2" },
					       { "publication_names", "a,b" },
					       { "streaming", "on" } };
	int n =
	    plugin_options("pgoutput", 150018, "pub", given, 3, out, proto, &e);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(value(n, "proto_version"), "2");
	ck_assert_str_eq(value(n, "publication_names"), "a,b");
	ck_assert_str_eq(out[2].name, "streaming");
}
END_TEST

START_TEST(test_pgoutput_needs_publications)
{
	ck_assert_int_eq(
	    plugin_options("pgoutput", 150018, NULL, NULL, 0, out, proto, &e),
	    -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "--publication"));
}
END_TEST

START_TEST(test_text_plugins_get_what_they_read)
{
	int n =
	    plugin_options("wal2json", 150018, NULL, NULL, 0, out, proto, &e);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(value(n, "include-xids"), "1");
	ck_assert_ptr_null(value(n, "proto_version"));
	const struct plugin_option mine[] = { { "include-xids", "0" } };
	n = plugin_options("wal2json", 150018, NULL, mine, 1, out, proto, &e);
	ck_assert_str_eq(value(n, "include-xids"), "0");
	n = plugin_options("test_decoding", 150018, NULL, NULL, 0, out, proto,
			   &e);
	ck_assert_str_eq(value(n, "skip-empty-xacts"), "1");
	n = plugin_options("decoderbufs", 150018, NULL, NULL, 0, out, proto,
			   &e);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_profiles)
{
	ck_assert_int_eq(plugin_profile("pgoutput", NULL, 0).decoder,
			 PLUGIN_PGOUTPUT);
	ck_assert_int_eq(plugin_profile("wal2json", NULL, 0).decoder,
			 PLUGIN_WAL2JSON_1);
	const struct plugin_option v2[] = { { "format-version", "2" } };
	ck_assert_int_eq(plugin_profile("wal2json", v2, 1).decoder,
			 PLUGIN_WAL2JSON_2);
	ck_assert_int_eq(plugin_profile("test_decoding", NULL, 0).decoder,
			 PLUGIN_TEST_DECODING);
	ck_assert_int_eq(plugin_profile("decoderbufs", NULL, 0).decoder,
			 PLUGIN_DECODERBUFS);
	const struct plugin_option debug[] = { { "debug-mode", "on" } };
	ck_assert_int_eq(plugin_profile("decoderbufs", debug, 1).decoder,
			 PLUGIN_RAW);
	const struct plugin_option quiet[] = { { "debug-mode", "off" } };
	ck_assert_int_eq(plugin_profile("decoderbufs", quiet, 1).decoder,
			 PLUGIN_DECODERBUFS);
	ck_assert_int_eq(plugin_profile("other_plugin", NULL, 0).decoder,
			 PLUGIN_RAW);
	const struct plugin_option par[] = { { "proto_version", "4" },
					     { "streaming", "parallel" } };
	ck_assert(plugin_profile("pgoutput", par, 2).abort_has_lsn);
	const struct plugin_option on[] = { { "proto_version", "4" },
					    { "streaming", "on" } };
	ck_assert(!plugin_profile("pgoutput", on, 2).abort_has_lsn);
	const struct plugin_option v3[] = { { "proto_version", "3" },
					    { "streaming", "parallel" } };
	ck_assert(!plugin_profile("pgoutput", v3, 2).abort_has_lsn);
}
END_TEST

/* pgoutput's messages, read as its defGetBoolean reads them. */
START_TEST(test_pgoutput_messages)
{
	static const char *const yes[] = { NULL, "true", "ON", "True" };
	static const char *const no[] = { "false", "off", "OFF", "FALSE" };
	for (size_t i = 0; i < 4; i++) {
		struct plugin_option o = { "messages", yes[i] };
		ck_assert(plugin_profile("pgoutput", &o, 1).messages);
		o.value = no[i];
		ck_assert(!plugin_profile("pgoutput", &o, 1).messages);
	}
	ck_assert(!plugin_profile("pgoutput", NULL, 0).messages);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("plugin");
	tcase_add_test(tc, test_pgoutput_newest_protocol);
	tcase_add_test(tc, test_user_options_win);
	tcase_add_test(tc, test_pgoutput_needs_publications);
	tcase_add_test(tc, test_text_plugins_get_what_they_read);
	tcase_add_test(tc, test_profiles);
	tcase_add_test(tc, test_pgoutput_messages);
	suite_add_tcase(s, tc);
	return check_run(s);
}
