/* Unit tests for arena.h: what was handed out stays put and intact while
 * the arena grows, a reset forgets it and makes one block of all, and
 * large requests are met whole. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "check_run.h"

START_TEST(test_pointers_stay)
{
	struct arena a = { 0 };
	char *p[500];
	for (int i = 0; i < 500; i++) {
		p[i] = arena_alloc(&a, 100);
		memset(p[i], 'a' + i % 26, 100);
	}
	for (int i = 0; i < 500; i++)
		for (int k = 0; k < 100; k++)
			ck_assert_int_eq(p[i][k], 'a' + i % 26);
	const char *s = arena_strndup(&a, "hello, world", 5);
	ck_assert_str_eq(s, "hello");
	arena_free(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(test_reset_merges)
{
	struct arena a = { 0 };
	for (int i = 0; i < 100; i++)
		arena_alloc(&a, 1000);
	arena_reset(&a);
	/* all of it fits in the one block now, so the same work again
	 * comes from it */
	char *first = arena_alloc(&a, 1000);
	for (int i = 1; i < 100; i++)
		ck_assert_ptr_eq(arena_alloc(&a, 1000),
				 first + (size_t)i * 1000);
	arena_reset(&a);
	ck_assert_ptr_eq(arena_alloc(&a, 1), first);
	arena_free(&a);
}
END_TEST

START_TEST(test_large)
{
	struct arena a = { 0 };
	arena_alloc(&a, 10);
	char *big = arena_alloc(&a, 1 << 20);
	memset(big, 'x', 1 << 20);
	ck_assert_ptr_nonnull(arena_alloc(&a, 0));
	arena_free(&a);
	arena_reset(&a); /* an empty arena */
	arena_free(&a);
}
END_TEST

static Suite *arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("arena");
	tcase_add_test(tc, test_pointers_stay);
	tcase_add_test(tc, test_reset_merges);
	tcase_add_test(tc, test_large);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(arena_suite());
}
