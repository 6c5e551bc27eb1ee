/* Unit tests for jsonlex.h: the tokens of documents, JSON's number and
 * string grammar, every fault with the byte it names, the bound on
 * nesting, and every prefix of a document read without a fault past its
 * end. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode/jsonlex.h"
#include "check_run.h"

/* The input in a block of exactly its size, so a read past it shows. */
static struct jsonlex lx;
static char *copy;

static void start(const char *s, size_t n, int max_depth)
{
	free(copy);
	copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, n);
	jsonlex_init(&lx, copy, n, max_depth);
}

static void teardown(void)
{
	free(copy);
	copy = NULL;
}

/* Reads the whole value s, which must be one token; returns it. */
static struct jsonlex_token one(const char *s)
{
	struct jsonlex_token t;
	start(s, strlen(s), 8);
	ck_assert_msg(jsonlex_value(&lx, &t) == 0, "refused %s", s);
	ck_assert_msg(jsonlex_at_end(&lx), "%s: text after the token", s);
	return t;
}

/* Reads s whole (jsonlex_skip) and expects fault f at byte offset at. */
static void faults(const char *s, enum jsonlex_fault f, size_t at)
{
	start(s, strlen(s), 8);
	ck_assert_msg(jsonlex_skip(&lx) == -1, "accepted %s", s);
	char w[128];
	ck_assert_msg(lx.fault == f, "%s: fault %s", s,
		      jsonlex_fault_text(&lx, w, sizeof w));
	ck_assert_msg((size_t)(lx.fault_at - lx.start) == at,
		      "%s: at byte %td, want %zu", s, lx.fault_at - lx.start,
		      at);
}

START_TEST(test_scalars)
{
	struct jsonlex_token t = one(" \t\r\n\"a b\" ");
	ck_assert_int_eq(t.kind, JSONLEX_STRING);
	ck_assert(!t.escaped);
	ck_assert_uint_eq(t.len, 3);
	ck_assert(!memcmp(t.text, "a b", 3));
	static const char *const numbers[] = {
		"0",	   "-0",  "12",
		"-12.50",  "1e5", "1E+5",
		"1.5e-07", "0.0", "12345678901234567890123",
	};
	for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
		t = one(numbers[i]);
		ck_assert_int_eq(t.kind, JSONLEX_NUMBER);
		ck_assert_uint_eq(t.len, strlen(numbers[i]));
	}
	ck_assert_int_eq(one("true").kind, JSONLEX_TRUE);
	ck_assert_int_eq(one("false").kind, JSONLEX_FALSE);
	ck_assert_int_eq(one("null").kind, JSONLEX_NULL);
	/* a word is its letters: what follows is the next token's */
	start("truex", 5, 8);
	ck_assert_int_eq(jsonlex_value(&lx, &t), 0);
	ck_assert_int_eq(jsonlex_peek(&lx), JSONLEX_BAD);
}
END_TEST

START_TEST(test_peek)
{
	static const struct {
		const char *s;
		enum jsonlex_kind k;
	} cases[] = {
		{ "", JSONLEX_END },	   { "  ", JSONLEX_END },
		{ "{", JSONLEX_OBJECT },   { "[", JSONLEX_ARRAY },
		{ " \"", JSONLEX_STRING }, { "-", JSONLEX_NUMBER },
		{ "7", JSONLEX_NUMBER },   { "tru", JSONLEX_BAD },
		{ "nul", JSONLEX_BAD },	   { "fals", JSONLEX_BAD },
		{ "+1", JSONLEX_BAD },	   { ".5", JSONLEX_BAD },
		{ "}", JSONLEX_BAD },	   { "null", JSONLEX_NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		start(cases[i].s, strlen(cases[i].s), 8);
		ck_assert_msg(jsonlex_peek(&lx) == cases[i].k, "peek of \"%s\"",
			      cases[i].s);
	}
}
END_TEST

START_TEST(test_unescape)
{
	struct jsonlex_token t = one(
	    "\"\\u00fc\\u20ac\\ud83d\\ude00\\/\\\"\\\\\\b\\f\\n\\r\\t\\u0000z\"");
	ck_assert(t.escaped);
	char out[64];
	ck_assert_uint_le(t.len, sizeof out);
	size_t n = jsonlex_unescape(&t, out);
	static const char want[] =
	    "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80/\"\\\b\f\n\r\t\0z";
	ck_assert_uint_eq(n, sizeof want - 1);
	ck_assert(!memcmp(out, want, n));
	/* bytes that are not ASCII pass as they are */
	t = one("\"\xc3\xbc\\n\"");
	ck_assert_uint_eq(jsonlex_unescape(&t, out), 3);
	ck_assert(!memcmp(out, "\xc3\xbc\n", 3));
}
END_TEST

START_TEST(test_containers)
{
	static const char doc[] =
	    "{\"a\" : [1, \"x\", {}, [], null] , \"b\\\"\":{\"c\":true}}";
	struct jsonlex_token t, key;
	bool first = true, efirst = true, ofirst = true;
	start(doc, sizeof doc - 1, 8);
	ck_assert_int_eq(jsonlex_value(&lx, &t), 0);
	ck_assert_int_eq(t.kind, JSONLEX_OBJECT);
	ck_assert_int_eq(lx.depth, 1);
	ck_assert_int_eq(jsonlex_member(&lx, &first, &key), 1);
	ck_assert(key.len == 1 && key.text[0] == 'a');
	ck_assert_int_eq(jsonlex_value(&lx, &t), 0);
	ck_assert_int_eq(t.kind, JSONLEX_ARRAY);
	static const enum jsonlex_kind kinds[] = {
		JSONLEX_NUMBER, JSONLEX_STRING, JSONLEX_OBJECT, JSONLEX_ARRAY,
		JSONLEX_NULL
	};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(jsonlex_element(&lx, &efirst), 1);
		ck_assert_int_eq(jsonlex_peek(&lx), kinds[i]);
		ck_assert_int_eq(jsonlex_skip(&lx), 0);
	}
	ck_assert_int_eq(jsonlex_element(&lx, &efirst), 0);
	ck_assert_int_eq(lx.depth, 1);
	ck_assert_int_eq(jsonlex_member(&lx, &first, &key), 1);
	ck_assert(key.escaped && key.len == 3);
	ck_assert_int_eq(jsonlex_value(&lx, &t), 0);
	ck_assert_int_eq(jsonlex_member(&lx, &ofirst, &key), 1);
	ck_assert_int_eq(jsonlex_skip(&lx), 0);
	ck_assert_int_eq(jsonlex_member(&lx, &ofirst, &key), 0);
	ck_assert_int_eq(jsonlex_member(&lx, &first, &key), 0);
	ck_assert_int_eq(lx.depth, 0);
	ck_assert(jsonlex_at_end(&lx));
}
END_TEST

START_TEST(test_faults)
{
	faults("", JSONLEX_NO_VALUE, 0);
	faults(" }", JSONLEX_NO_VALUE, 1);
	faults("tru", JSONLEX_NO_VALUE, 0);
	faults("[", JSONLEX_NO_ELEMENT, 1);
	faults("[1,", JSONLEX_NO_ELEMENT, 3);
	faults("[1,]", JSONLEX_NO_VALUE, 3);
	faults("[1 2]", JSONLEX_NO_ELEMENT_SEP, 3);
	faults("[1", JSONLEX_NO_ELEMENT_SEP, 2);
	faults("{", JSONLEX_NO_KEY, 1);
	faults("{a:1}", JSONLEX_NO_KEY, 1);
	faults("{\"a\":1,}", JSONLEX_NO_KEY, 7);
	faults("{\"a\" 1}", JSONLEX_NO_COLON, 5);
	faults("{\"a\":1 \"b\":2}", JSONLEX_NO_MEMBER_SEP, 7);
	faults("\"abc", JSONLEX_END_IN_STRING, 4);
	faults("\"ab\\", JSONLEX_END_IN_STRING, 4);
	faults("\"a\x01\"", JSONLEX_CONTROL_CHAR, 2);
	faults("\"a\\x\"", JSONLEX_BAD_ESCAPE, 2);
	faults("\"a\\u00\"", JSONLEX_BAD_ESCAPE, 2);
	faults("\"a\\u00g0\"", JSONLEX_BAD_ESCAPE, 2);
	faults("\"\\udc00\"", JSONLEX_LONE_LOW_SURROGATE, 1);
	faults("\"\\ud800\"", JSONLEX_LONE_HIGH_SURROGATE, 1);
	faults("\"\\ud800\\u0041\"", JSONLEX_LONE_HIGH_SURROGATE, 1);
	faults("\"x\\ud800\\udbff\"", JSONLEX_LONE_HIGH_SURROGATE, 2);
	/* the end is found first: a string cut short says so */
	faults("\"\\x", JSONLEX_END_IN_STRING, 3);
	faults("-", JSONLEX_NO_DIGITS, 0);
	faults("-x", JSONLEX_NO_DIGITS, 0);
	faults("1.", JSONLEX_NO_FRACTION, 2);
	faults("1.e5", JSONLEX_NO_FRACTION, 2);
	faults("1e", JSONLEX_NO_EXPONENT, 2);
	faults("1e+", JSONLEX_NO_EXPONENT, 3);
	faults("[1e+x]", JSONLEX_NO_EXPONENT, 4);
	/* not JSON numbers: a leading zero ends the number */
	faults("[01]", JSONLEX_NO_ELEMENT_SEP, 2);
	faults("[-.5]", JSONLEX_NO_DIGITS, 1);

	char w[128];
	start("\"\x1f\"", 3, 8);
	ck_assert_int_eq(jsonlex_skip(&lx), -1);
	ck_assert_str_eq(jsonlex_fault_text(&lx, w, sizeof w),
			 "control character 0x1f inside a string");
	start("[1 2]", 5, 8);
	ck_assert_int_eq(jsonlex_skip(&lx), -1);
	ck_assert_str_eq(jsonlex_fault_text(&lx, w, sizeof w),
			 "expected ',' or ']' after an array element");
}
END_TEST

START_TEST(test_depth)
{
	/* max_depth containers open is fine, one more is not, named at its
	 * bracket */
	char s[64];
	for (int n = 1; n <= 20; n++) {
		memset(s, '[', (size_t)n);
		memset(s + n, ']', (size_t)n);
		start(s, (size_t)n * 2, 10);
		int rc = jsonlex_skip(&lx);
		if (n <= 10) {
			ck_assert_int_eq(rc, 0);
			ck_assert_int_eq(lx.depth, 0);
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_int_eq(lx.fault, JSONLEX_TOO_DEEP);
			ck_assert_int_eq(lx.fault_at - lx.start, 10);
		}
	}
	/* scalars do not count */
	start("[[\"x\",1]]", 9, 2);
	ck_assert_int_eq(jsonlex_skip(&lx), 0);
}
END_TEST

START_TEST(test_prefixes)
{
	/* Every prefix of a document: a fault inside the input or at its
	 * end, never past it. */
	static const char doc[] = "{\"a\":[1.5e+3,\"\\ud83d\\ude00\\n\",true,"
				  "false,null,{}],\"b\":{\"c\":[]}}";
	for (size_t n = 0; n < sizeof doc - 1; n++) {
		start(doc, n, 8);
		ck_assert_msg(jsonlex_skip(&lx) == -1, "accepted %zu bytes", n);
		ck_assert(lx.fault_at >= lx.start && lx.fault_at <= lx.end);
	}
	start(doc, sizeof doc - 1, 8);
	ck_assert_int_eq(jsonlex_skip(&lx), 0);
	ck_assert(jsonlex_at_end(&lx));
}
END_TEST

START_TEST(test_take)
{
	start(" , {", 4, 8);
	ck_assert(!jsonlex_take(&lx, '{'));
	ck_assert(jsonlex_take(&lx, ','));
	ck_assert_int_eq(jsonlex_peek(&lx), JSONLEX_OBJECT);
	ck_assert(!jsonlex_at_end(&lx));
}
END_TEST

static Suite *jsonlex_suite(void)
{
	Suite *s = suite_create("jsonlex");
	TCase *tc = tcase_create("tokens");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_peek);
	tcase_add_test(tc, test_unescape);
	tcase_add_test(tc, test_containers);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_take);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(jsonlex_suite());
}
