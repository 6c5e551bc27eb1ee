/* Unit tests for relcache.h: descriptions by relid, replacement that keeps
 * old pointers alive until a prune, growth, and clearing. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/relcache.h"
#include "check_run.h"

static const struct rel_column users_cols[] = {
	{ .name = "id", .typoid = 23, .typmod = -1, .key = true },
	{ .name = "name", .typoid = 25, .typmod = -1, .key = false },
	{ .name = "note", .typoid = 1043, .typmod = 24, .key = false },
};

START_TEST(test_empty)
{
	struct relcache c;
	relcache_init(&c);
	ck_assert_ptr_null(relcache_get(&c, 0));
	ck_assert_ptr_null(relcache_get(&c, 16384));
	relcache_prune(&c);
	relcache_clear(&c);
	relcache_free(&c);
	relcache_free(&c); /* a freed cache is an empty one */
}
END_TEST

START_TEST(test_put_get)
{
	struct relcache c;
	relcache_init(&c);
	struct rel *r =
	    relcache_put(&c, 16384, "public", "users", 'd', 3, users_cols);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_eq(relcache_get(&c, 16384), r);
	ck_assert_ptr_null(relcache_get(&c, 16385));
	ck_assert_uint_eq(r->relid, 16384);
	ck_assert_str_eq(r->nspname, "public");
	ck_assert_str_eq(r->relname, "users");
	ck_assert_int_eq(r->replident, 'd');
	ck_assert_uint_eq(r->ncols, 3);
	ck_assert_uint_eq(r->nkeys, 1);
	ck_assert_ptr_null(r->replaced);
	for (int i = 0; i < 3; i++) {
		ck_assert_str_eq(r->cols[i].name, users_cols[i].name);
		ck_assert_uint_eq(r->cols[i].name_len,
				  strlen(users_cols[i].name));
		ck_assert_uint_eq(r->cols[i].typoid, users_cols[i].typoid);
		ck_assert_int_eq(r->cols[i].typmod, users_cols[i].typmod);
		ck_assert_int_eq(r->cols[i].key, users_cols[i].key);
	}
	relcache_free(&c);
}
END_TEST

/* The cache copies: the caller's strings (views into a message buffer) may
 * change right after the put. */
START_TEST(test_put_copies)
{
	char nsp[] = "sales", rel[] = "orders", a[] = "order_id", b[] = "total";
	struct rel_column cols[2] = {
		{ .name = a, .typoid = 20, .typmod = -1, .key = true },
		{ .name = b, .typoid = 1700, .typmod = 655366, .key = false },
	};
	struct relcache c;
	relcache_init(&c);
	struct rel *r = relcache_put(&c, 42, nsp, rel, 'i', 2, cols);
	memset(nsp, 'X', strlen(nsp));
	memset(rel, 'X', strlen(rel));
	memset(a, 'X', strlen(a));
	memset(b, 'X', strlen(b));
	cols[0].typoid = 0;
	cols[1].key = true;
	ck_assert_ptr_ne(r->cols, cols);
	ck_assert_str_eq(r->nspname, "sales");
	ck_assert_str_eq(r->relname, "orders");
	ck_assert_str_eq(r->cols[0].name, "order_id");
	ck_assert_str_eq(r->cols[1].name, "total");
	ck_assert_uint_eq(r->cols[0].typoid, 20);
	ck_assert_int_eq(r->cols[1].typmod, 655366);
	ck_assert(!r->cols[1].key);
	ck_assert_uint_eq(r->nkeys, 1);
	relcache_free(&c);
}
END_TEST

START_TEST(test_empty_namespace_is_pg_catalog)
{
	struct relcache c;
	relcache_init(&c);
	struct rel *r = relcache_put(&c, 1259, "", "pg_class", 'n', 0, NULL);
	ck_assert_str_eq(r->nspname, "pg_catalog");
	ck_assert_str_eq(relcache_get(&c, 1259)->nspname, "pg_catalog");
	ck_assert_uint_eq(r->ncols, 0);
	ck_assert_uint_eq(r->nkeys, 0);
	/* Only the empty namespace is renamed. */
	r = relcache_put(&c, 1260, "pg_catalog_x", "t", 'd', 0, NULL);
	ck_assert_str_eq(r->nspname, "pg_catalog_x");
	relcache_free(&c);
}
END_TEST

START_TEST(test_nkeys)
{
	struct rel_column cols[5];
	static const char *const names[5] = { "a", "b", "c", "d", "e" };
	struct relcache c;
	relcache_init(&c);
	for (int k = 0; k <= 5; k++) {
		/* The first k columns are keys. */
		for (int i = 0; i < 5; i++)
			cols[i] = (struct rel_column){ .name = names[i],
						       .typoid = 23,
						       .typmod = -1,
						       .key = i < k };
		struct rel *r = relcache_put(&c, (uint32_t)(100 + k), "s", "t",
					     k == 5 ? 'f' : 'd', 5, cols);
		ck_assert_uint_eq(r->nkeys, k);
	}
	/* Keys need not come first. */
	for (int i = 0; i < 5; i++)
		cols[i].key = i % 2 == 1;
	ck_assert_uint_eq(relcache_put(&c, 200, "s", "t", 'i', 5, cols)->nkeys,
			  2);
	relcache_free(&c);
}
END_TEST

START_TEST(test_replace)
{
	static const struct rel_column v2_cols[] = {
		{ .name = "id", .typoid = 20, .typmod = -1, .key = true },
		{ .name = "email", .typoid = 25, .typmod = -1, .key = true },
	};
	struct relcache c;
	relcache_init(&c);
	struct rel *old =
	    relcache_put(&c, 16384, "public", "users", 'd', 3, users_cols);
	struct rel *other =
	    relcache_put(&c, 16390, "public", "other", 'd', 0, NULL);
	struct rel *new =
	    relcache_put(&c, 16384, "public", "people", 'f', 2, v2_cols);
	ck_assert_ptr_ne(new, old);
	ck_assert_ptr_eq(relcache_get(&c, 16384), new);
	ck_assert_ptr_eq(relcache_get(&c, 16390), other);
	ck_assert_str_eq(new->relname, "people");
	ck_assert_int_eq(new->replident, 'f');
	ck_assert_uint_eq(new->ncols, 2);
	ck_assert_uint_eq(new->nkeys, 2);
	ck_assert_uint_eq(new->cols[0].typoid, 20);
	ck_assert_str_eq(new->cols[1].name, "email");
	ck_assert_ptr_eq(new->replaced, old);
	ck_assert_uint_eq(c.count, 2);

	/* The old description is intact until the prune (valgrind checks
	 * that these reads are of live memory). */
	ck_assert_str_eq(old->relname, "users");
	ck_assert_uint_eq(old->ncols, 3);
	ck_assert_str_eq(old->cols[2].name, "note");
	ck_assert_uint_eq(old->cols[0].typoid, 23);

	/* A third description chains to the second. */
	struct rel *third =
	    relcache_put(&c, 16384, "public", "persons", 'd', 3, users_cols);
	ck_assert_ptr_eq(relcache_get(&c, 16384), third);
	ck_assert_ptr_eq(third->replaced, new);
	ck_assert_str_eq(new->relname, "people");
	ck_assert_str_eq(old->relname, "users");
	ck_assert_uint_eq(c.count, 2);

	relcache_prune(&c);
	ck_assert_ptr_eq(relcache_get(&c, 16384), third);
	ck_assert_ptr_null(third->replaced);
	ck_assert_str_eq(third->relname, "persons");
	ck_assert_ptr_eq(relcache_get(&c, 16390), other);
	ck_assert_str_eq(other->relname, "other");
	ck_assert_uint_eq(c.nreplaced, 0);

	/* Pruning again, and replacing after a prune, both work. */
	relcache_prune(&c);
	struct rel *fourth =
	    relcache_put(&c, 16384, "public", "p4", 'd', 0, NULL);
	ck_assert_ptr_eq(fourth->replaced, third);
	ck_assert_ptr_eq(relcache_get(&c, 16384), fourth);
	relcache_free(&c);
}
END_TEST

/* 1000 relids force several growths; the rels themselves never move. */
START_TEST(test_many)
{
	enum {
		N = 1000
	};
	/* Consecutive OIDs, OIDs that share their low bits, and extremes. */
	static const uint32_t strides[] = { 1, 64, 1024, 65536 };
	for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
		struct relcache c;
		struct rel **saved = calloc(N, sizeof *saved);
		char name[32];
		relcache_init(&c);
		for (uint32_t i = 0; i < N; i++) {
			uint32_t relid = 16384 + i * strides[s];
			snprintf(name, sizeof name, "t%u", relid);
			saved[i] = relcache_put(&c, relid, "public", name, 'd',
						3, users_cols);
			/* Everything put so far is still found. */
			if (i % 97 == 0)
				for (uint32_t j = 0; j <= i; j++)
					ck_assert_ptr_eq(
					    relcache_get(
						&c, 16384 + j * strides[s]),
					    saved[j]);
		}
		ck_assert_uint_eq(c.count, N);
		ck_assert_uint_ge(c.cap, N);
		for (uint32_t i = 0; i < N; i++) {
			uint32_t relid = 16384 + i * strides[s];
			struct rel *r = relcache_get(&c, relid);
			ck_assert_ptr_eq(r, saved[i]);
			ck_assert_uint_eq(r->relid, relid);
			snprintf(name, sizeof name, "t%u", relid);
			ck_assert_str_eq(r->relname, name);
		}
		/* Absent relids between and beyond are not found. */
		ck_assert_ptr_null(relcache_get(&c, 16383));
		ck_assert_ptr_null(relcache_get(&c, 16384 + N * strides[s]));
		if (strides[s] > 1)
			ck_assert_ptr_null(relcache_get(&c, 16385));
		free(saved);
		relcache_free(&c);
	}
}
END_TEST

START_TEST(test_extreme_relids)
{
	struct relcache c;
	relcache_init(&c);
	struct rel *zero = relcache_put(&c, 0, "a", "zero", 'd', 0, NULL);
	struct rel *max =
	    relcache_put(&c, UINT32_MAX, "a", "max", 'd', 0, NULL);
	ck_assert_ptr_eq(relcache_get(&c, 0), zero);
	ck_assert_ptr_eq(relcache_get(&c, UINT32_MAX), max);
	ck_assert_ptr_null(relcache_get(&c, 1));
	relcache_free(&c);
}
END_TEST

START_TEST(test_replace_many_then_grow)
{
	/* Replacements chained before a growth survive the rehash. */
	struct relcache c;
	relcache_init(&c);
	struct rel *first = relcache_put(&c, 7, "s", "v1", 'd', 0, NULL);
	struct rel *second = relcache_put(&c, 7, "s", "v2", 'd', 0, NULL);
	for (uint32_t i = 0; i < 500; i++)
		relcache_put(&c, 1000 + i, "s", "x", 'd', 0, NULL);
	ck_assert_ptr_eq(relcache_get(&c, 7), second);
	ck_assert_ptr_eq(second->replaced, first);
	ck_assert_str_eq(first->relname, "v1");
	ck_assert_uint_eq(c.count, 501);
	relcache_prune(&c);
	ck_assert_ptr_null(second->replaced);
	relcache_free(&c);
}
END_TEST

START_TEST(test_clear)
{
	struct relcache c;
	relcache_init(&c);
	for (uint32_t i = 0; i < 100; i++)
		relcache_put(&c, i, "s", "t", 'd', 3, users_cols);
	relcache_put(&c, 5, "s", "t2", 'd', 0, NULL); /* a replaced one too */
	relcache_clear(&c);
	ck_assert_uint_eq(c.count, 0);
	ck_assert_uint_eq(c.nreplaced, 0);
	for (uint32_t i = 0; i < 100; i++)
		ck_assert_ptr_null(relcache_get(&c, i));
	/* Usable again after a clear. */
	struct rel *r = relcache_put(&c, 5, "s", "again", 'd', 0, NULL);
	ck_assert_ptr_eq(relcache_get(&c, 5), r);
	ck_assert_ptr_null(r->replaced);
	ck_assert_uint_eq(c.count, 1);
	relcache_clear(&c);
	relcache_clear(&c);
	relcache_free(&c);
}
END_TEST

static Suite *relcache_suite(void)
{
	Suite *s = suite_create("relcache");
	TCase *tc = tcase_create("relcache");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_put_get);
	tcase_add_test(tc, test_put_copies);
	tcase_add_test(tc, test_empty_namespace_is_pg_catalog);
	tcase_add_test(tc, test_nkeys);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_extreme_relids);
	tcase_add_test(tc, test_replace_many_then_grow);
	tcase_add_test(tc, test_clear);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(relcache_suite());
}
