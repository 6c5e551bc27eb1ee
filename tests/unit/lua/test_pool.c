/* Unit tests for pool.h: every block keeps its bytes through resizes, no
 * two live blocks overlap, and freed blocks are used again. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua/pool.h"
#include "check_run.h"

#define LIVE 400

struct block {
	unsigned char *p;
	size_t n;
	unsigned char fill;
};

static void fill(struct block *b)
{
	memset(b->p, b->fill, b->n);
}

static void check_fill(const struct block *b, size_t n)
{
	size_t i = 0;
	while (i < n && b->p[i] == b->fill)
		i++;
	ck_assert_msg(i == n, "block of %zu: byte %zu changed", b->n, i);
}

static size_t some_size(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	uint32_t r = *x >> 8;
	/* mostly small, sometimes past the pool's largest class */
	return r % 8 ? 1 + r % 600 : 1 + r % 5000;
}

START_TEST(test_random_walk)
{
	struct lua_pool *p = lua_pool_new();
	ck_assert_ptr_nonnull(p);
	struct block live[LIVE] = { 0 };
	uint32_t x = 7;
	for (int step = 0; step < 50000; step++) {
		struct block *b = &live[(x >> 4) % LIVE];
		size_t n = some_size(&x);
		if (!b->p) {
			b->p = lua_pool_alloc(p, NULL, 5 /* a type */, n);
			b->n = n;
		} else if (x % 3 == 0) {
			check_fill(b, b->n);
			ck_assert_ptr_null(lua_pool_alloc(p, b->p, b->n, 0));
			b->p = NULL;
			continue;
		} else {
			check_fill(b, b->n);
			b->p = lua_pool_alloc(p, b->p, b->n, n);
			size_t kept = b->n < n ? b->n : n;
			b->n = n;
			check_fill(b, kept);
		}
		ck_assert_ptr_nonnull(b->p);
		ck_assert_uint_eq((uintptr_t)b->p % 16, 0);
		b->fill = (unsigned char)(step * 31 + 1);
		fill(b);
	}
	/* No two live blocks share a byte: each still holds its own fill. */
	for (int i = 0; i < LIVE; i++)
		if (live[i].p)
			check_fill(&live[i], live[i].n);
	for (int i = 0; i < LIVE; i++)
		if (live[i].p)
			lua_pool_alloc(p, live[i].p, live[i].n, 0);
	lua_pool_free(p);
}
END_TEST

START_TEST(test_reuse)
{
	struct lua_pool *p = lua_pool_new();
	void *a = lua_pool_alloc(p, NULL, 0, 40);
	lua_pool_alloc(p, a, 40, 0);
	void *b = lua_pool_alloc(p, NULL, 0, 33); /* the same class */
	ck_assert_ptr_eq(a, b);
	/* A resize within the class keeps the block. */
	ck_assert_ptr_eq(lua_pool_alloc(p, b, 33, 48), b);
	lua_pool_alloc(p, b, 48, 0);
	lua_pool_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");
	tcase_add_test(tc, test_random_walk);
	tcase_add_test(tc, test_reuse);
	suite_add_tcase(s, tc);
	return check_run(s);
}
