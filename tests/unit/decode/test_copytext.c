/* Unit tests for copytext.h: fields written in COPY's text format (the
 * postgres sink's runs of inserts), each hostile byte escaped so that a
 * value never ends a field or a row early, bytea in its hex form, and
 * what is written read back the same by copytext_row. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode/copytext.h"
#include "check_run.h"

static struct datum text(const char *s, size_t n)
{
	return (
	    struct datum){ .kind = DATUM_TEXT, .len = (uint32_t)n, .data = s };
}

/* v written as one field, as a C string the test frees. */
static char *field(struct datum v, bool raw)
{
	struct buf b = { 0 };
	copytext_put(&b, &v, raw);
	char *s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static void assert_field(struct datum v, bool raw, const char *want)
{
	char *got = field(v, raw);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_plain)
{
	assert_field(text("data1", 5), false, "data1");
	assert_field(text("", 0), false, "");
	assert_field((struct datum){ .kind = DATUM_NULL }, false, "\\N");
	assert_field((struct datum){ .kind = DATUM_NULL }, true, "\\N");
}
END_TEST

START_TEST(test_escapes)
{
	assert_field(text("a\tb", 3), false, "a\\tb");
	assert_field(text("a\nb\r", 4), false, "a\\nb\\r");
	assert_field(text("C:\\dir", 6), false, "C:\\\\dir");
	/* The text \N is a string, never a NULL; \. never ends the data. */
	assert_field(text("\\N", 2), false, "\\\\N");
	assert_field(text("\\.", 2), false, "\\\\.");
	/* Other control bytes and UTF-8 go as they are. */
	assert_field(text("\x01\x7f\xc3\xa9", 4), false, "\x01\x7f\xc3\xa9");
	assert_field(text("\\\\\t\t", 4), false, "\\\\\\\\\\t\\t");
}
END_TEST

START_TEST(test_bytea)
{
	assert_field(text("\x00\xff\\\t", 4), true, "\\\\x00ff5c09");
	assert_field(text("", 0), true, "\\\\x");
}
END_TEST

/* Every byte value in a field, each field read back by the reader that
 * takes the snapshot's COPY rows. */
START_TEST(test_round_trip)
{
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	struct datum in[] = {
		text(all + 1, 255),
		(struct datum){ .kind = DATUM_NULL },
		text("\\N", 2),
		text("", 0),
		text("tab\there\nand\\there", 19),
	};
	size_t n = sizeof in / sizeof in[0];
	struct buf line = { 0 }, scratch = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&line, '\t');
		copytext_put(&line, &in[i], false);
	}
	ck_assert_ptr_null(memchr(line.data, '\n', line.len));
	struct datum out[5];
	char err[128];
	ck_assert_int_eq(copytext_row(line.data, line.len, &scratch, out, n,
				      err, sizeof err),
			 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(out[i].kind, in[i].kind);
		if (in[i].kind != DATUM_TEXT)
			continue;
		ck_assert_uint_eq(out[i].len, in[i].len);
		ck_assert(memcmp(out[i].data, in[i].data, in[i].len) == 0);
	}
	buf_free(&line);
	buf_free(&scratch);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("copytext");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_bytea);
	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);
	return check_run(s);
}
