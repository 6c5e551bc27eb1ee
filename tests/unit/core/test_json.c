/* Unit tests for json.h (and the buf.h it writes into): value spelling and
 * whole output lines, compared as exact strings. */
#include <check.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/lsn.h"
#include "core/json.h"
#include "decode/change.h"
#include "check_run.h"

/* ---- buf ---- */

START_TEST(test_buf_basics)
{
	struct buf b = { 0 };
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_put(&b, "d\0e", 3);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_mem_eq(b.data, "abcd\0e", 6);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	buf_printf(&b, "%d-%s", 42, "x");
	ck_assert_str_eq(buf_cstr(&b), "42-x");
	ck_assert_uint_eq(b.len, 4);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	buf_free(&b);
	buf_free(NULL);
}
END_TEST

START_TEST(test_buf_growth)
{
	struct buf b = { 0 };
	/* printf output longer than the first allocation, into a fresh buf. */
	char big[1000];
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	ck_assert_uint_eq(b.len, 1001);
	ck_assert_int_eq(b.data[0], '<');
	ck_assert_int_eq(b.data[1000], '>');
	/* And into a part-filled one, then many small appends. */
	buf_printf(&b, "%s", big);
	ck_assert_uint_eq(b.len, 2000);
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	ck_assert_uint_eq(b.len, 12000);
	ck_assert_int_eq(b.data[2000], 'a');
	ck_assert_int_eq(b.data[11999], 'a' + 9999 % 26);
	ck_assert_uint_eq(strlen(buf_cstr(&b)), 12000);
	/* Exactly filling the buffer still leaves room for the NUL. */
	struct buf c = { 0 };
	buf_reserve(&c, 10);
	size_t cap = c.cap;
	for (size_t i = 0; i + 1 < cap; i++)
		buf_putc(&c, 'z');
	ck_assert_uint_eq(strlen(buf_cstr(&c)), cap - 1);
	buf_free(&c);
	buf_free(&b);
}
END_TEST

/* ---- strings ---- */

static void assert_json_string(const char *in, size_t n, const char *want)
{
	struct buf b = { 0 };
	char got[256];
	json_put_string(&b, in, n);
	snprintf(got, sizeof got, "%s", buf_cstr(&b));
	buf_free(&b);
	ck_assert_str_eq(got, want);
}

#define STR(in, want) assert_json_string(in, sizeof(in) - 1, want)

START_TEST(test_int)
{
	static const struct {
		long long v;
		const char *want;
	} cases[] = {
		{ 0, "0" },
		{ 7, "7" },
		{ -1, "-1" },
		{ 4294967295LL, "4294967295" },
		{ LLONG_MAX, "9223372036854775807" },
		{ LLONG_MIN, "-9223372036854775808" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = { 0 };
		buf_put_int(&b, cases[i].v);
		ck_assert_str_eq(buf_cstr(&b), cases[i].want);
		buf_free(&b);
	}
}
END_TEST

START_TEST(test_string_escapes)
{
	STR("", "\"\"");
	STR("plain", "\"plain\"");
	STR("a\"b", "\"a\\\"b\"");
	STR("a\\b", "\"a\\\\b\"");
	STR("line\nnext", "\"line\\nnext\"");
	STR("tab\there", "\"tab\\there\"");
	STR("cr\r", "\"cr\\r\"");
	STR("\x01", "\"\\u0001\"");
	STR("x\x1fy", "\"x\\u001fy\"");
	STR("\b\f", "\"\\u0008\\u000c\"");
	STR("nul\0byte", "\"nul\\u0000byte\"");
	STR("\"\\\n", "\"\\\"\\\\\\n\"");
	STR("del\x7f", "\"del\x7f\"");
	STR("/", "\"/\"");
}
END_TEST

/* The word-at-a-time scan must find an escape at every place in a word,
 * in the first word, a later one and the tail, next to bytes that look
 * close to the escaped ones (0x20, 0x21, 0x23, 0x5b, 0x5d, 0x80, 0xff). */
START_TEST(test_string_escape_every_position)
{
	static const char specials[] = { '"', '\\', '\n', '\x01', '\x1f', '\0' };
	static const char *const escaped[] = { "\\\"", "\\\\", "\\n",
					       "\\u0001", "\\u001f",
					       "\\u0000" };
	static const char filler[] = " !#[]\x80\xff";
	for (size_t len = 1; len <= 24; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof specials; k++) {
				char in[24];
				struct buf want = { 0 }, got = { 0 };
				buf_putc(&want, '"');
				for (size_t i = 0; i < len; i++) {
					in[i] = i == at ? specials[k]
							: filler[i % 7];
					if (i == at)
						buf_puts(&want, escaped[k]);
					else
						buf_putc(&want, in[i]);
				}
				buf_putc(&want, '"');
				json_put_string(&got, in, len);
				ck_assert_str_eq(buf_cstr(&got),
						 buf_cstr(&want));
				buf_free(&want);
				buf_free(&got);
			}
}
END_TEST

START_TEST(test_string_utf8)
{
	/* Multi-byte sequences pass through untouched. */
	STR("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\x98",
	    "\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x90\x98\"");
	STR("\xe2\x80\xa8", "\"\xe2\x80\xa8\"");
}
END_TEST

START_TEST(test_string_length_and_append)
{
	struct buf b = { 0 };
	buf_puts(&b, "[");
	json_put_string(&b, "abcdef", 3); /* only n bytes */
	buf_puts(&b, ",");
	json_put_string(&b, "", 0);
	buf_puts(&b, "]");
	ck_assert_str_eq(buf_cstr(&b), "[\"abc\",\"\"]");
	buf_free(&b);
}
END_TEST

/* An empty value may come without a pointer (a zero-length content). This
 * passes in an ordinary build; under -fsanitize=undefined, buf_put's
 * memcpy(dst, NULL, 0) is reported (src/base/buf.c, buf_put). */
START_TEST(test_string_null_empty)
{
	struct buf b = { 0 };
	json_put_string(&b, NULL, 0);
	ck_assert_str_eq(buf_cstr(&b), "\"\"");
	buf_free(&b);
}
END_TEST

START_TEST(test_string_long)
{
	/* Long enough to grow the buffer mid-string, escapes throughout. */
	enum {
		N = 5000
	};
	char *in = malloc(N);
	struct buf want = { 0 }, got = { 0 };
	buf_putc(&want, '"');
	for (int i = 0; i < N; i++) {
		in[i] = "ab\"\n\x02"[i % 5];
		switch (in[i]) {
		case '"': buf_puts(&want, "\\\""); break;
		case '\n': buf_puts(&want, "\\n"); break;
		case '\x02': buf_puts(&want, "\\u0002"); break;
		default: buf_putc(&want, in[i]);
		}
	}
	buf_putc(&want, '"');
	json_put_string(&got, in, N);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_str_eq(buf_cstr(&got), buf_cstr(&want));
	free(in);
	buf_free(&want);
	buf_free(&got);
}
END_TEST

/* ---- doubles ---- */

static void assert_json_double(double d, const char *want)
{
	struct buf b = { 0 };
	char got[64];
	json_put_double(&b, d);
	/* Copied out and freed first: a failed check must not leak. */
	snprintf(got, sizeof got, "%s", buf_cstr(&b));
	buf_free(&b);
	ck_assert_msg(strcmp(got, want) == 0,
		      "json_put_double(%.17g) = %s, want %s", d, got, want);
}

START_TEST(test_doubles)
{
	assert_json_double(0.1, "0.1");
	assert_json_double(1.0, "1");
	assert_json_double(0.0, "0");
	assert_json_double(-0.0, "-0");
	assert_json_double(-2.5, "-2.5");
	assert_json_double(1e300, "1e+300");
	assert_json_double(1.5e-300, "1.5e-300");
	assert_json_double(123456789.0, "123456789");
	assert_json_double(1.0 / 3.0, "0.3333333333333333");
	assert_json_double(0.1 + 0.2, "0.30000000000000004");
	assert_json_double(DBL_MAX, "1.7976931348623157e+308");
	assert_json_double(NAN, "\"NaN\"");
	assert_json_double(INFINITY, "\"Infinity\"");
	assert_json_double(-INFINITY, "\"-Infinity\"");
}
END_TEST

START_TEST(test_doubles_round_trip)
{
	/* Whatever the spelling, it reads back as the same double. */
	static const double ds[] = {
		0.1,
		0.7,
		1e23,
		5e-324,
		2.2250738585072014e-308,
		DBL_MAX,
		-DBL_MIN,
		9007199254740993.0,
		3.141592653589793,
		1e15,
		1e16,
		123456.789e3,
		2.0 / 3.0,
	};
	for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
		struct buf b = { 0 };
		json_put_double(&b, ds[i]);
		char *end;
		char got[64];
		snprintf(got, sizeof got, "%s", buf_cstr(&b));
		buf_free(&b);
		double back = strtod(got, &end);
		ck_assert_msg(*end == '\0' && back == ds[i],
			      "%.17g printed as %s", ds[i], got);
	}
}
END_TEST

/* The header promises the *shortest* text that reads back; for subnormal
 * numbers the 15-digit first try is longer than needed. */
START_TEST(test_doubles_shortest_subnormal)
{
	assert_json_double(5e-324, "5e-324");
	assert_json_double(1e-320, "1e-320");
}
END_TEST

/* ---- datums ---- */

static struct datum text(const char *s)
{
	return (struct datum){ .kind = DATUM_TEXT,
			       .len = (uint32_t)strlen(s),
			       .data = s };
}

static const struct datum null_datum = { .kind = DATUM_NULL };
static const struct datum unchanged_datum = { .kind = DATUM_UNCHANGED };

static void assert_json_datum(uint32_t typoid, struct datum v, const char *want)
{
	struct buf b = { 0 };
	char got[256];
	json_put_datum(&b, typoid, &v);
	snprintf(got, sizeof got, "%s", buf_cstr(&b));
	buf_free(&b);
	ck_assert_msg(strcmp(got, want) == 0, "type %u: got %s, want %s",
		      typoid, got, want);
}

START_TEST(test_datums)
{
	assert_json_datum(23, text("42"), "42");
	assert_json_datum(21, text("-7"), "-7");
	assert_json_datum(20, text("-9223372036854775808"),
			  "-9223372036854775808");
	assert_json_datum(26, text("4294967295"), "4294967295");
	assert_json_datum(16, text("t"), "true");
	assert_json_datum(16, text("f"), "false");
	assert_json_datum(701, text("1.5"), "1.5");
	assert_json_datum(700, text("0.1"), "0.1");
	assert_json_datum(701, text("NaN"), "\"NaN\"");
	assert_json_datum(701, text("-Infinity"), "\"-Infinity\"");
	assert_json_datum(701, text("1e+300"), "1e+300");
	assert_json_datum(25, text("say \"hi\""), "\"say \\\"hi\\\"\"");
	assert_json_datum(25, text(""), "\"\"");
	assert_json_datum(1700, text("12.50"), "\"12.50\"");
	assert_json_datum(1700, text("NaN"), "\"NaN\"");
	assert_json_datum(1043, text("42"), "\"42\"");
	assert_json_datum(3802, text("{\"a\": 1}"), "\"{\\\"a\\\": 1}\"");
	assert_json_datum(1082, text("2026-11-26"), "\"2026-11-26\"");
	assert_json_datum(23, null_datum, "null");
	assert_json_datum(25, null_datum, "null");
	assert_json_datum(25, unchanged_datum, "null");
}
END_TEST

START_TEST(test_datum_fallbacks)
{
	/* Text a type's rule cannot parse stays a string, never lost. */
	assert_json_datum(23, text("abc"), "\"abc\"");
	assert_json_datum(20, text("99999999999999999999"),
			  "\"99999999999999999999\"");
	assert_json_datum(16, text("true"), "\"true\"");
	assert_json_datum(701, text("1e400"), "\"1e400\"");
}
END_TEST

START_TEST(test_datum_binary)
{
	static const char bytes[] = { 0x00, (char)0xff, 0x10, 'A' };
	struct datum v = { .kind = DATUM_BINARY, .len = 4, .data = bytes };
	assert_json_datum(17, v, "\"\\\\x00ff1041\"");
	/* Binary is binary, whatever the type. */
	assert_json_datum(23, v, "\"\\\\x00ff1041\"");
	v.len = 0;
	assert_json_datum(17, v, "\"\\\\x\"");
}
END_TEST

/* ---- whole lines ---- */

/* public.users: id int4 (key), name text, active bool, score float8,
 * price numeric, body text (toastable). */
static const struct rel_column users_cols[] = {
	{ .name = "id", .typoid = 23, .typmod = -1, .key = true },
	{ .name = "name", .typoid = 25, .typmod = -1 },
	{ .name = "active", .typoid = 16, .typmod = -1 },
	{ .name = "score", .typoid = 701, .typmod = -1 },
	{ .name = "price", .typoid = 1700, .typmod = -1 },
	{ .name = "body", .typoid = 25, .typmod = -1 },
};

struct fixture {
	struct relcache cache;
	const struct rel *users;
	struct txn txn;
	struct buf out;
};

static struct fixture fx;

static void fixture_setup(void)
{
	relcache_init(&fx.cache);
	fx.users = relcache_put(&fx.cache, 16384, "public", "users", 'd', 6,
				users_cols);
	fx.txn = (struct txn){
		.xid = 742,
		.final_lsn = UINT64_C(0x16B374D848),
		.commit_lsn = UINT64_C(0x16B374D900),
		.end_lsn = UINT64_C(0x16B374D930),
		.commit_time = INT64_C(848982600123456),
	};
	/* The producer formats the time once per transaction (change.h). */
	pgtime_format(fx.txn.commit_time, fx.txn.commit_time_text);
	fx.out = (struct buf){ 0 };
}

static void fixture_teardown(void)
{
	buf_free(&fx.out);
	relcache_free(&fx.cache);
}

#define TXN_TAIL "\"xid\":742,\"commit_time\":\"2026-11-26 04:30:00.123456+00\""
#define USERS_HEAD(op)                                                         \
	"{\"op\":\"" op "\",\"schema\":\"public\",\"table\":\"users\","        \
	"\"relid\":16384,\"key\":[\"id\"],\"lsn\":\"16/B374D800\"," TXN_TAIL

static const char *change_line(enum change_op op, const struct datum *newv,
			       const struct datum *oldv, char old_kind)
{
	struct change c = {
		.op = op,
		.rel = fx.users,
		.lsn = UINT64_C(0x16B374D800),
		.txn = &fx.txn,
		.newv = newv,
		.oldv = oldv,
		.old_kind = old_kind,
	};
	buf_reset(&fx.out);
	json_change_line(&fx.out, &c);
	return buf_cstr(&fx.out);
}

START_TEST(test_insert_line)
{
	struct datum newv[6] = {
		text("1"),   text("Ann \"A\""), text("t"),
		text("1.5"), text("12.50"),	null_datum,
	};
	ck_assert_str_eq(
	    change_line(CHANGE_INSERT, newv, NULL, 0),
	    USERS_HEAD(
		"insert") ",\"new\":{\"id\":1,\"name\":\"Ann \\\"A\\\"\","
			  "\"active\":true,\"score\":1.5,\"price\":\"12.50\","
			  "\"body\":null}}\n");
}
END_TEST

/* The transaction's text is kept with the txn: a later commit time, or
 * another xid in the same struct (a txn copied or built anew), is written
 * as it is, never as kept. */
START_TEST(test_txn_text_follows_txn)
{
	struct datum newv[6] = { text("1"), null_datum, null_datum,
				 null_datum, null_datum, null_datum };
	const char *line = change_line(CHANGE_INSERT, newv, NULL, 0);
	ck_assert_ptr_nonnull(strstr(line, TXN_TAIL));
	fx.txn.commit_time = 0;
	line = change_line(CHANGE_INSERT, newv, NULL, 0);
	ck_assert_ptr_nonnull(strstr(line, "\"xid\":742,\"new\""));
	fx.txn.commit_time = INT64_C(848982600123457);
	pgtime_format(fx.txn.commit_time, fx.txn.commit_time_text);
	line = change_line(CHANGE_INSERT, newv, NULL, 0);
	ck_assert_ptr_nonnull(strstr(
	    line, "\"xid\":742,\"commit_time\":\"2026-11-26 04:30:00.123457+00\""));
	struct txn copy = fx.txn;
	copy.xid = 743;
	fx.txn = copy;
	line = change_line(CHANGE_INSERT, newv, NULL, 0);
	ck_assert_ptr_nonnull(strstr(line, "\"xid\":743,"));
}
END_TEST

START_TEST(test_update_key_line)
{
	/* The key changed: a 'K' tuple, non-key columns sent as NULL. */
	struct datum oldv[6] = {
		text("1"),  null_datum, null_datum,
		null_datum, null_datum, null_datum,
	};
	struct datum newv[6] = {
		text("2"),     text("Bob"), text("f"),
		text("-0.25"), text("0"),   text("short"),
	};
	ck_assert_str_eq(
	    change_line(CHANGE_UPDATE, newv, oldv, 'K'),
	    USERS_HEAD(
		"update") ",\"new\":{\"id\":2,\"name\":\"Bob\",\"active\":false,"
			  "\"score\":-0.25,\"price\":\"0\",\"body\":\"short\"},"
			  "\"old\":{\"id\":1}}\n");
}
END_TEST

START_TEST(test_update_old_row_toast_line)
{
	/* REPLICA IDENTITY FULL: the 'O' row has the TOAST value that the new
	 * tuple marks unchanged; "new" shows it merged from "old". */
	struct datum oldv[6] = {
		text("1"),   text("Ann"), text("t"),
		text("NaN"), null_datum,  text("a long body"),
	};
	struct datum newv[6] = {
		text("1"),	  text("Ann B"), text("t"),
		text("Infinity"), text("3"),	 unchanged_datum,
	};
	ck_assert_str_eq(
	    change_line(CHANGE_UPDATE, newv, oldv, 'O'),
	    USERS_HEAD(
		"update") ",\"new\":{\"id\":1,\"name\":\"Ann B\",\"active\":true,"
			  "\"score\":\"Infinity\",\"price\":\"3\","
			  "\"body\":\"a long body\"},"
			  "\"old\":{\"id\":1,\"name\":\"Ann\",\"active\":true,"
			  "\"score\":\"NaN\",\"price\":null,"
			  "\"body\":\"a long body\"}}\n");
}
END_TEST

START_TEST(test_update_toast_without_old_line)
{
	/* Default identity, key unchanged: no old tuple, and the unchanged
	 * TOAST column is left out of "new" rather than shown as null. */
	struct datum newv[6] = {
		text("1"),  text("Ann"),  text("t"),
		null_datum, text("9.99"), unchanged_datum,
	};
	ck_assert_str_eq(
	    change_line(CHANGE_UPDATE, newv, NULL, 0),
	    USERS_HEAD(
		"update") ",\"new\":{\"id\":1,\"name\":\"Ann\",\"active\":true,"
			  "\"score\":null,\"price\":\"9.99\"}}\n");
}
END_TEST

START_TEST(test_update_toast_key_old_line)
{
	/* A 'K' old tuple never supplies a TOAST value to "new". */
	struct datum oldv[6] = {
		text("1"),  null_datum, null_datum,
		null_datum, null_datum, null_datum,
	};
	struct datum newv[6] = {
		text("5"),  text("Ann"), text("t"),
		null_datum, null_datum,	 unchanged_datum,
	};
	ck_assert_str_eq(
	    change_line(CHANGE_UPDATE, newv, oldv, 'K'),
	    USERS_HEAD(
		"update") ",\"new\":{\"id\":5,\"name\":\"Ann\",\"active\":true,"
			  "\"score\":null,\"price\":null},\"old\":{\"id\":1}}\n");
}
END_TEST

START_TEST(test_delete_line)
{
	struct datum oldv[6] = {
		text("7"),  null_datum, null_datum,
		null_datum, null_datum, null_datum,
	};
	ck_assert_str_eq(change_line(CHANGE_DELETE, NULL, oldv, 'K'),
			 USERS_HEAD("delete") ",\"old\":{\"id\":7}}\n");
}
END_TEST

START_TEST(test_delete_full_line)
{
	/* REPLICA IDENTITY FULL: every column is a key column. */
	struct rel_column cols[2] = {
		{ .name = "a", .typoid = 23, .typmod = -1, .key = true },
		{ .name = "b\"q", .typoid = 25, .typmod = -1, .key = true },
	};
	const struct rel *r = relcache_put(&fx.cache, 1, "", "t", 'f', 2, cols);
	struct datum oldv[2] = { text("1"), text("x") };
	struct change c = {
		.op = CHANGE_DELETE,
		.rel = r,
		.lsn = 0x10,
		.txn = &fx.txn,
		.oldv = oldv,
		.old_kind = 'O',
	};
	json_change_line(&fx.out, &c);
	ck_assert_str_eq(
	    buf_cstr(&fx.out),
	    "{\"op\":\"delete\",\"schema\":\"pg_catalog\","
	    "\"table\":\"t\",\"relid\":1,\"key\":[\"a\",\"b\\\"q\"],"
	    "\"lsn\":\"0/10\"," TXN_TAIL
	    ",\"old\":{\"a\":1,\"b\\\"q\":\"x\"}}\n");
}
END_TEST

START_TEST(test_lines_append)
{
	/* Each call appends exactly one line. */
	struct datum newv[6] = {
		text("1"),  null_datum, null_datum,
		null_datum, null_datum, null_datum,
	};
	struct change c = { .op = CHANGE_INSERT,
			    .rel = fx.users,
			    .txn = &fx.txn,
			    .newv = newv };
	json_change_line(&fx.out, &c);
	size_t one = fx.out.len;
	json_change_line(&fx.out, &c);
	ck_assert_uint_eq(fx.out.len, 2 * one);
	ck_assert_int_eq(fx.out.data[one - 1], '\n');
	ck_assert_mem_eq(fx.out.data, fx.out.data + one, one);
	ck_assert_ptr_null(memchr(fx.out.data, '\n', one - 1));
}
END_TEST

START_TEST(test_truncate_line)
{
	const struct rel *cat =
	    relcache_put(&fx.cache, 1259, "", "pg_x", 'n', 0, NULL);
	const struct rel *rels[2] = { fx.users, cat };
	struct truncate t = {
		.txn = &fx.txn,
		.lsn = UINT64_C(0x16B374D8A0),
		.nrels = 2,
		.rels = rels,
		.cascade = true,
		.restart_identity = false,
	};
	json_truncate_line(&fx.out, &t);
	ck_assert_str_eq(
	    buf_cstr(&fx.out),
	    "{\"op\":\"truncate\",\"relations\":["
	    "{\"schema\":\"public\",\"table\":\"users\",\"relid\":16384},"
	    "{\"schema\":\"pg_catalog\",\"table\":\"pg_x\",\"relid\":1259}],"
	    "\"cascade\":true,\"restart_identity\":false,"
	    "\"lsn\":\"16/B374D8A0\"," TXN_TAIL "}\n");

	buf_reset(&fx.out);
	t.nrels = 1;
	t.cascade = false;
	t.restart_identity = true;
	json_truncate_line(&fx.out, &t);
	ck_assert_str_eq(
	    buf_cstr(&fx.out),
	    "{\"op\":\"truncate\",\"relations\":["
	    "{\"schema\":\"public\",\"table\":\"users\",\"relid\":16384}],"
	    "\"cascade\":false,\"restart_identity\":true,"
	    "\"lsn\":\"16/B374D8A0\"," TXN_TAIL "}\n");
}
END_TEST

START_TEST(test_message_line)
{
	struct message m = {
		.txn = &fx.txn,
		.lsn = UINT64_C(0x16B374D8B0),
		.prefix = "wal\"hook",
		.content = "he\0l\nlo",
		.len = 7,
		.transactional = true,
	};
	json_message_line(&fx.out, &m);
	ck_assert_str_eq(
	    buf_cstr(&fx.out),
	    "{\"op\":\"message\",\"prefix\":\"wal\\\"hook\","
	    "\"content\":\"he\\u0000l\\nlo\",\"transactional\":true,"
	    "\"lsn\":\"16/B374D8B0\"," TXN_TAIL "}\n");

	/* Non-transactional: no transaction to name. */
	buf_reset(&fx.out);
	m.txn = NULL;
	m.transactional = false;
	m.content = "";
	m.len = 0;
	json_message_line(&fx.out, &m);
	ck_assert_str_eq(buf_cstr(&fx.out),
			 "{\"op\":\"message\",\"prefix\":\"wal\\\"hook\","
			 "\"content\":\"\",\"transactional\":false,"
			 "\"lsn\":\"16/B374D8B0\"}\n");
}
END_TEST

START_TEST(test_ddl_line)
{
	struct ddl d = {
		.txn = &fx.txn,
		.lsn = UINT64_C(0x16B374D8C0),
		.tag = "ALTER TABLE",
		.object_type = "table",
		.identity = "public.t",
		.schema = "public",
		.statement = "ALTER TABLE \"t\"\nADD c int",
		.command = 2,
	};
	json_ddl_line(&fx.out, &d);
	ck_assert_str_eq(
	    buf_cstr(&fx.out),
	    "{\"op\":\"ddl\",\"tag\":\"ALTER TABLE\",\"object_type\":\"table\","
	    "\"identity\":\"public.t\",\"schema\":\"public\","
	    "\"statement\":\"ALTER TABLE \\\"t\\\"\\nADD c int\",\"command\":2,"
	    "\"lsn\":\"16/B374D8C0\"," TXN_TAIL "}\n");

	/* No schema (a publication), no transaction (emitted by hand). */
	buf_reset(&fx.out);
	d.schema = NULL;
	d.txn = NULL;
	d.statement = "";
	json_ddl_line(&fx.out, &d);
	ck_assert_str_eq(
	    buf_cstr(&fx.out),
	    "{\"op\":\"ddl\",\"tag\":\"ALTER TABLE\",\"object_type\":\"table\","
	    "\"identity\":\"public.t\",\"statement\":\"\",\"command\":2,"
	    "\"lsn\":\"16/B374D8C0\"}\n");
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("buf");
	tcase_add_test(tc, test_buf_basics);
	tcase_add_test(tc, test_buf_growth);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, test_int);
	tcase_add_test(tc, test_string_escapes);
	tcase_add_test(tc, test_string_escape_every_position);
	tcase_add_test(tc, test_string_utf8);
	tcase_add_test(tc, test_string_length_and_append);
	tcase_add_test(tc, test_string_null_empty);
	tcase_add_test(tc, test_string_long);
	tcase_add_test(tc, test_doubles);
	tcase_add_test(tc, test_doubles_round_trip);
	tcase_add_test(tc, test_doubles_shortest_subnormal);
	tcase_add_test(tc, test_datums);
	tcase_add_test(tc, test_datum_fallbacks);
	tcase_add_test(tc, test_datum_binary);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_add_test(tc, test_insert_line);
	tcase_add_test(tc, test_txn_text_follows_txn);
	tcase_add_test(tc, test_update_key_line);
	tcase_add_test(tc, test_update_old_row_toast_line);
	tcase_add_test(tc, test_update_toast_without_old_line);
	tcase_add_test(tc, test_update_toast_key_old_line);
	tcase_add_test(tc, test_delete_line);
	tcase_add_test(tc, test_delete_full_line);
	tcase_add_test(tc, test_lines_append);
	tcase_add_test(tc, test_truncate_line);
	tcase_add_test(tc, test_message_line);
	tcase_add_test(tc, test_ddl_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(json_suite());
}
