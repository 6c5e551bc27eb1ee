/* Unit tests for window.h: rows found by key, replaced and removed by
 * streamed changes, handed on in key order; the snapshot's in-progress
 * list parsed and held against the transactions the stream committed. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/window.h"
#include "check_run.h"

static struct rel_column cols[] = {
	{ .name = "id", .typoid = 23, .key = true },
	{ .name = "v", .typoid = 25 },
};
static struct rel table = { .relid = 16384, .nspname = "public",
			    .relname = "t", .ncols = 2, .cols = cols };
/* The stream describes the columns in another order. */
static struct rel_column stream_cols[] = {
	{ .name = "v", .typoid = 25 },
	{ .name = "id", .typoid = 23, .key = true },
};
static struct rel streamed = { .relid = 16384, .nspname = "public",
			       .relname = "t", .ncols = 2, .cols = stream_cols };
static const uint16_t pk[] = { 0 };

static struct datum text(const char *s)
{
	return (struct datum){ DATUM_TEXT, (uint32_t)strlen(s), s };
}

static void fill(struct window *w, int n)
{
	window_init(w, "public.t", &table, pk, 1, "low", "high");
	char id[16], v[16];
	for (int i = 1; i <= n; i++) {
		snprintf(id, sizeof id, "%d", i);
		snprintf(v, sizeof v, "v%d", i);
		struct datum row[] = { text(id), text(v) };
		window_add(w, row);
	}
	struct xid_ring none = { 0 };
	window_open(w, &none);
}

/* Row ids left, as "1,2,3", and the value of the row with id want_id. */
static void left(const struct window *w, char *out, size_t n, int want_id,
		 char *value, size_t vn)
{
	size_t at = 0;
	const struct datum *r;
	out[0] = '\0';
	value[0] = '\0';
	while ((r = window_next(w, &at))) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "%s%.*s", len ? "," : "",
			 (int)r[0].len, r[0].data);
		if (atoi(r[0].data) == want_id && r[1].kind == DATUM_TEXT)
			snprintf(value, vn, "%.*s", (int)r[1].len, r[1].data);
	}
}

static void apply(struct window *w, enum change_op op, const char *id,
		  const char *v, const char *old_id, char old_kind)
{
	struct datum nv[] = { v ? text(v) : (struct datum){ .kind = DATUM_UNCHANGED },
			      text(id ? id : "") };
	struct datum ov[] = { (struct datum){ .kind = DATUM_NULL },
			      text(old_id ? old_id : "") };
	struct change c = { .op = op, .rel = &streamed,
			    .newv = op == CHANGE_DELETE ? NULL : nv,
			    .oldv = old_id ? ov : NULL, .old_kind = old_kind };
	window_change(w, &c);
}

START_TEST(test_untouched_rows_in_key_order)
{
	struct window w;
	fill(&w, 5);
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 3, v, sizeof v);
	ck_assert_str_eq(ids, "1,2,3,4,5");
	ck_assert_str_eq(v, "v3");
	window_free(&w);
}
END_TEST

START_TEST(test_update_replaces_row)
{
	struct window w;
	fill(&w, 3);
	apply(&w, CHANGE_UPDATE, "2", "new", NULL, 0);
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 2, v, sizeof v);
	ck_assert_str_eq(ids, "1,2,3");
	ck_assert_str_eq(v, "new");
	window_free(&w);
}
END_TEST

START_TEST(test_unchanged_toast_kept)
{
	struct window w;
	fill(&w, 3);
	apply(&w, CHANGE_UPDATE, "2", NULL, NULL, 0);
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 2, v, sizeof v);
	ck_assert_str_eq(v, "v2");
	window_free(&w);
}
END_TEST

START_TEST(test_delete_removes_row)
{
	struct window w;
	fill(&w, 3);
	apply(&w, CHANGE_DELETE, NULL, NULL, "1", 'K');
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 0, v, sizeof v);
	ck_assert_str_eq(ids, "2,3");
	window_free(&w);
}
END_TEST

START_TEST(test_key_change_removes_old_takes_new)
{
	struct window w;
	fill(&w, 4);
	/* 1 becomes 3: the old row 1 is gone, row 3 is now what 1 was. */
	apply(&w, CHANGE_UPDATE, "3", "from1", "1", 'K');
	/* 4 becomes 99, outside the chunk: 4 is gone, nothing added. */
	apply(&w, CHANGE_UPDATE, "99", "x", "4", 'K');
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 3, v, sizeof v);
	ck_assert_str_eq(ids, "2,3");
	ck_assert_str_eq(v, "from1");
	window_free(&w);
}
END_TEST

START_TEST(test_full_identity_update_keeps_row)
{
	struct window w;
	fill(&w, 2);
	apply(&w, CHANGE_UPDATE, "2", "full", "2", 'O');
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 2, v, sizeof v);
	ck_assert_str_eq(ids, "1,2");
	ck_assert_str_eq(v, "full");
	window_free(&w);
}
END_TEST

START_TEST(test_insert_of_new_key_not_added)
{
	struct window w;
	fill(&w, 2);
	apply(&w, CHANGE_INSERT, "7", "new", NULL, 0);
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 0, v, sizeof v);
	ck_assert_str_eq(ids, "1,2");
	window_free(&w);
}
END_TEST

START_TEST(test_changes_before_open_ignored)
{
	struct window w;
	window_init(&w, "public.t", &table, pk, 1, "low", "high");
	struct datum row[] = { text("1"), text("a") };
	window_add(&w, row);
	apply(&w, CHANGE_DELETE, NULL, NULL, "1", 'K');
	char ids[64], v[16];
	left(&w, ids, sizeof ids, 0, v, sizeof v);
	ck_assert_str_eq(ids, "1");
	window_free(&w);
}
END_TEST

START_TEST(test_truncate_drops_all)
{
	struct window w;
	fill(&w, 3);
	window_truncate(&w);
	size_t at = 0;
	ck_assert_ptr_null(window_next(&w, &at));
	window_free(&w);
}
END_TEST

START_TEST(test_many_rows)
{
	struct window w;
	fill(&w, 5000);
	apply(&w, CHANGE_DELETE, NULL, NULL, "4321", 'K');
	apply(&w, CHANGE_UPDATE, "17", "seventeen", NULL, 0);
	size_t at = 0, n = 0;
	const struct datum *r;
	while ((r = window_next(&w, &at))) {
		n++;
		ck_assert_int_ne(atoi(r[0].data), 4321);
		if (atoi(r[0].data) == 17)
			ck_assert_int_eq(memcmp(r[1].data, "seventeen", 9), 0);
	}
	ck_assert_uint_eq(n, 4999);
	window_free(&w);
}
END_TEST

START_TEST(test_parse_snapshot)
{
	size_t n = 99;
	uint32_t *x = window_parse_snapshot("100:105:", &n);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(n, 0);
	free(x);
	x = window_parse_snapshot("100:105:100,102,4294967400", &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(x[0], 100);
	ck_assert_uint_eq(x[1], 102);
	/* An xid8 past the first epoch: the stream sends its low half. */
	ck_assert_uint_eq(x[2], 104);
	free(x);
	ck_assert_ptr_null(window_parse_snapshot("nonsense", &n));
	ck_assert_ptr_null(window_parse_snapshot("1:2:3,x", &n));
}
END_TEST

/* The race: the stream delivered xid 700 before the low watermark, but
 * the chunk's snapshot still had it in progress. */
START_TEST(test_race_detected)
{
	struct xid_ring ring = { 0 };
	for (uint32_t x = 600; x <= 700; x++)
		xid_ring_note(&ring, x);
	struct window w;
	window_init(&w, "public.t", &table, pk, 1, "low", "high");
	window_set_xip(&w, (const uint32_t[]){ 650, 800 }, 2);
	window_open(&w, &ring);
	ck_assert_int_eq(w.state, WINDOW_RACED);
	window_free(&w);

	window_init(&w, "public.t", &table, pk, 1, "low", "high");
	window_set_xip(&w, (const uint32_t[]){ 701, 800 }, 2);
	window_open(&w, &ring);
	ck_assert_int_eq(w.state, WINDOW_OPEN);
	window_free(&w);
}
END_TEST

START_TEST(test_ring_forgets_oldest)
{
	struct xid_ring ring = { 0 };
	for (uint32_t x = 1; x <= XID_RING_SIZE + 10; x++)
		xid_ring_note(&ring, x);
	ck_assert(!xid_ring_has(&ring, 5));
	ck_assert(xid_ring_has(&ring, 11));
	ck_assert(xid_ring_has(&ring, XID_RING_SIZE + 10));
}
END_TEST

static Suite *window_suite(void)
{
	Suite *s = suite_create("window");
	TCase *tc = tcase_create("window");
	tcase_add_test(tc, test_untouched_rows_in_key_order);
	tcase_add_test(tc, test_update_replaces_row);
	tcase_add_test(tc, test_unchanged_toast_kept);
	tcase_add_test(tc, test_delete_removes_row);
	tcase_add_test(tc, test_key_change_removes_old_takes_new);
	tcase_add_test(tc, test_full_identity_update_keeps_row);
	tcase_add_test(tc, test_insert_of_new_key_not_added);
	tcase_add_test(tc, test_changes_before_open_ignored);
	tcase_add_test(tc, test_truncate_drops_all);
	tcase_add_test(tc, test_many_rows);
	tcase_add_test(tc, test_parse_snapshot);
	tcase_add_test(tc, test_race_detected);
	tcase_add_test(tc, test_ring_forgets_oldest);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(window_suite());
}
