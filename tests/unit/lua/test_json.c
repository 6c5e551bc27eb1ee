/* Unit tests for luajson.h against a real Lua state: nesting as deep as
 * LJ_MAX_DEPTH goes through, one level more is an error naming where, in
 * both directions, and no input leaves the Lua stack or heap broken (each
 * test ends with lua_close, which is where an overrun stack showed). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "lua/compat.h"
#include "lua/json.h"
#include "check_run.h"

static lua_State *L;

static void setup(void)
{
	L = luaL_newstate();
	luaL_openlibs(L);
}

static void teardown(void)
{
	lua_close(L);
}

/* n nested arrays around 1: [[[1]]] */
static char *nested_arrays(int n)
{
	char *s = malloc((size_t)n * 2 + 2);
	memset(s, '[', (size_t)n);
	s[n] = '1';
	memset(s + n + 1, ']', (size_t)n);
	s[2 * n + 1] = '\0';
	return s;
}

/* Pushes n tables nested under key k, the innermost holding v = 1. */
static void push_nested_tables(int n, const char *k)
{
	lua_newtable(L);
	int top = lua_gettop(L);
	lua_pushvalue(L, top);
	for (int i = 1; i < n; i++) {
		lua_newtable(L); /* stack: root, cur, new */
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, k);
		lua_remove(L, -2);
	}
	lua_pushinteger(L, 1);
	lua_setfield(L, -2, "v");
	lua_pop(L, 1);
}

/* Runs Lua code that returns one value, and pushes it. */
static void push_lua(const char *code)
{
	ck_assert_int_eq(luaL_dostring(L, code), 0);
}

static const char *encode_error(int idx)
{
	struct buf b = { 0 };
	int top = lua_gettop(L);
	int rc = ljson_encode(L, idx, &b);
	buf_free(&b);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(lua_gettop(L), top + 1); /* the message only */
	return lua_tostring(L, -1);
}

START_TEST(test_decode_encode_deep)
{
	static const int depths[] = { 1, 60, 99, LJ_MAX_DEPTH };
	for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
		char *s = nested_arrays(depths[i]);
		char msg[128];
		int top = lua_gettop(L);
		ck_assert_int_eq(ljson_decode(L, s, strlen(s), msg, sizeof msg),
				 0);
		ck_assert_int_eq(lua_gettop(L), top + 1);
		struct buf b = { 0 };
		ck_assert_int_eq(ljson_encode(L, -1, &b), 0);
		ck_assert_str_eq(buf_cstr(&b), s);
		buf_free(&b);
		lua_pop(L, 1);
		free(s);
	}
}
END_TEST

START_TEST(test_decode_too_deep)
{
	char *s = nested_arrays(LJ_MAX_DEPTH + 1);
	char msg[128];
	int top = lua_gettop(L);
	ck_assert_int_eq(ljson_decode(L, s, strlen(s), msg, sizeof msg), -1);
	ck_assert_int_eq(lua_gettop(L), top);
	ck_assert_msg(
	    strstr(msg, "nested more than 500 deep at byte 501, in [1][1]") ==
		msg,
	    "message: %s", msg);
	ck_assert_msg(strstr(msg, "more... [1]"), "message: %s", msg);
	free(s);

	/* Objects: the path names the keys. */
	struct buf b = { 0 };
	for (int i = 0; i <= LJ_MAX_DEPTH; i++)
		buf_puts(&b, i == 3 ? "{\"odd key\":" : "{\"k\":");
	buf_puts(&b, "1");
	for (int i = 0; i <= LJ_MAX_DEPTH; i++)
		buf_putc(&b, '}');
	ck_assert_int_eq(ljson_decode(L, b.data, b.len, msg, sizeof msg), -1);
	ck_assert_msg(strstr(msg, "in k.k.k[\"odd key\"].k."), "message: %s",
		      msg);
	ck_assert_uint_lt(strlen(msg), 127);
	buf_free(&b);
}
END_TEST

START_TEST(test_encode_deep_tables)
{
	/* 99 levels: the repro of a bad free at lua_close. */
	push_nested_tables(99, "a");
	struct buf b = { 0 };
	ck_assert_int_eq(ljson_encode(L, -1, &b), 0);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "{\"v\":1}"));
	buf_free(&b);
	lua_pop(L, 1);

	push_nested_tables(LJ_MAX_DEPTH, "a");
	ck_assert_int_eq(ljson_encode(L, -1, &b), 0);
	buf_free(&b);
	lua_pop(L, 1);

	push_nested_tables(LJ_MAX_DEPTH + 1, "a");
	const char *msg = encode_error(-1);
	ck_assert_msg(
	    strstr(msg, "cannot encode tables nested more than 500 deep") ==
		msg,
	    "message: %s", msg);
	ck_assert_msg(strstr(msg, " at a.a.a."), "message: %s", msg);
	lua_pop(L, 2);
}
END_TEST

START_TEST(test_encode_cycle)
{
	lua_newtable(L);
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "self");
	const char *msg = encode_error(-1);
	ck_assert_msg(
	    strstr(msg, "a table that holds itself?) at self.self.self"),
	    "message: %s", msg);
	lua_pop(L, 2);
}
END_TEST

START_TEST(test_encode_paths)
{
	push_lua("return { x = { 1, { f = print } } }");
	const char *msg = encode_error(-1);
	ck_assert_str_eq(msg, "cannot encode a function at x[2].f");
	lua_pop(L, 2);
	push_lua(
	    "return { ['a b'] = { [1.5] = coroutine.create(function() end) } }");
	msg = encode_error(-1);
	ck_assert_str_eq(msg, "cannot encode a thread at [\"a b\"][1.5]");
	lua_pop(L, 2);
	push_lua("return { [{}] = 1 }");
	msg = encode_error(-1);
	ck_assert_str_eq(
	    msg,
	    "cannot encode a table key that is a table (only strings and numbers) at the top level");
	lua_pop(L, 2);
}
END_TEST

START_TEST(test_encode_change_path)
{
	/* A change whose new.doc nests a level too deep: the path starts at
	 * the change; its own object and new do not count. */
	lua_newtable(L);
	lua_pushliteral(L, "insert");
	lua_setfield(L, -2, "op");
	lua_newtable(L);
	push_nested_tables(LJ_MAX_DEPTH, "a");
	lua_setfield(L, -2, "doc");
	lua_setfield(L, -2, "new");
	struct buf b = { 0 };
	ck_assert_int_eq(ljson_encode_change(L, -1, &b), 0);
	buf_reset(&b);
	lua_getfield(L, -1, "new");
	push_nested_tables(LJ_MAX_DEPTH + 1, "a");
	lua_setfield(L, -2, "doc");
	lua_pop(L, 1);
	int top = lua_gettop(L);
	ck_assert_int_eq(ljson_encode_change(L, -1, &b), -1);
	ck_assert_int_eq(lua_gettop(L), top + 1);
	const char *msg = lua_tostring(L, -1);
	ck_assert_msg(strstr(msg, " at new.doc.a.a."), "message: %s", msg);
	buf_free(&b);
	lua_pop(L, 2);
}
END_TEST

static void decode_fails(const char *s, size_t n, const char *want)
{
	char msg[128];
	int top = lua_gettop(L);
	ck_assert_int_eq(ljson_decode(L, s, n, msg, sizeof msg), -1);
	ck_assert_int_eq(lua_gettop(L), top);
	ck_assert_msg(strstr(msg, want) == msg, "%s: message %s", want, msg);
}

START_TEST(test_decode_strings_numbers)
{
	decode_fails("\"\\udc00\"", 8,
		     "a \\u low surrogate without a high one");
	decode_fails("\"\\ud800\"", 8,
		     "a \\u high surrogate without a low one");
	decode_fails("\"\\ud800\\u0041\"", 14,
		     "a \\u high surrogate without a low one");
	decode_fails("1\0", 2, "trailing text");
	decode_fails("[1\0]", 4, "expected ',' or ']'");
	/* The byte named is the one where the text went wrong, from 1. */
	decode_fails("{\"a\" 1}", 7,
		     "expected ':' after a member name at byte 6");
	decode_fails("[\"a\\x\"]", 7, "invalid escape in a string at byte 4");
	/* JSON's numbers only, as jsonb takes them: no leading zeros, digits
	 * on both sides of a decimal point. */
	decode_fails("01", 2, "trailing text at byte 2");
	decode_fails("[1.]", 4,
		     "expected digits after a decimal point at byte 4");
	decode_fails("-.5", 3, "expected a number at byte 1");
	char msg[128];
	/* Numbers: out of int64 is a double, not the nearest int64; -0 stays
	 * negative (where an integer is not a double, LuaJIT's numbers being
	 * all doubles written without a fraction when whole); a long one is
	 * read whole. */
#if LUA_VERSION_NUM < 502
#define MINUS_ZERO "0"
#else
#define MINUS_ZERO "-0"
#endif
	struct {
		const char *in, *out;
	} numbers[] = {
		{ "12345678901234567890", "1.2345678901234567e+19" },
		{ "-0", MINUS_ZERO },
		{ "-1e-400", MINUS_ZERO },
		{ "0", "0" },
		{ "1000000000000000000000000000000000000000000000000000000000000000000000.5",
		  "1e+69" },
	};
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		ck_assert_int_eq(ljson_decode(L, numbers[i].in,
					   strlen(numbers[i].in), msg,
					   sizeof msg),
				 0);
		struct buf b = { 0 };
		ck_assert_int_eq(ljson_encode(L, -1, &b), 0);
		ck_assert_str_eq(buf_cstr(&b), numbers[i].out);
		buf_free(&b);
		lua_pop(L, 1);
	}
	ck_assert_int_eq(
	    ljson_decode(L, "\"\\ud83d\\ude00\"", 14, msg, sizeof msg), 0);
	ck_assert_str_eq(lua_tostring(L, -1), "\xf0\x9f\x98\x80");
	lua_pop(L, 1);
}
END_TEST

static Suite *luajson_suite(void)
{
	Suite *s = suite_create("luajson");
	TCase *tc = tcase_create("nesting");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_decode_encode_deep);
	tcase_add_test(tc, test_decode_too_deep);
	tcase_add_test(tc, test_encode_deep_tables);
	tcase_add_test(tc, test_encode_cycle);
	tcase_add_test(tc, test_encode_paths);
	tcase_add_test(tc, test_encode_change_path);
	tcase_add_test(tc, test_decode_strings_numbers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(luajson_suite());
}
