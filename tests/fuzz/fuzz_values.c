/* fuzz_values — the value parsers of values.h and binary_to_text.
 *
 * The first 4 input bytes are a type OID (big-endian); the rest is a
 * value. The value goes through binary_to_text as that type's binary
 * form, and as text through values_parse_array (once only checking, once
 * with a visitor that checks the promises of values.h: calls nest,
 * indexes count from 1, nitems is the number of items that follow),
 * values_bytea_decode and the scalar parsers. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "decode/binary.h"
#include "decode/values.h"
#include "fuzz.h"

/* The open arrays, outermost first, as the visitor sees them. */
struct walk {
	int depth;
	unsigned calls; /* callbacks so far */
	struct {
		size_t index;  /* its position in the enclosing array */
		size_t nitems; /* what begin_array announced */
		size_t seen;   /* items delivered so far */
	} open[8];
};

/* An item (element or sub-array) at index inside the innermost array. */
static void walk_item(struct walk *w, size_t index)
{
	FUZZ_CHECK(w->depth > 0);
	size_t *seen = &w->open[w->depth - 1].seen;
	FUZZ_CHECK(index == *seen + 1);
	FUZZ_CHECK(index <= w->open[w->depth - 1].nitems);
	(*seen)++;
}

static void on_begin(void *ctx, size_t index, size_t nitems)
{
	struct walk *w = ctx;
	w->calls++;
	if (w->depth == 0)
		FUZZ_CHECK(index == 0);
	else
		walk_item(w, index);
	FUZZ_CHECK(w->depth < 6);
	w->open[w->depth].index = index;
	w->open[w->depth].nitems = nitems;
	w->open[w->depth].seen = 0;
	w->depth++;
}

static void on_end(void *ctx, size_t index)
{
	struct walk *w = ctx;
	w->calls++;
	FUZZ_CHECK(w->depth > 0);
	w->depth--;
	FUZZ_CHECK(w->open[w->depth].index == index);
	FUZZ_CHECK(w->open[w->depth].seen == w->open[w->depth].nitems);
}

static void on_element(void *ctx, size_t index, const char *text, size_t len,
		       bool is_null)
{
	struct walk *w = ctx;
	w->calls++;
	walk_item(w, index);
	FUZZ_CHECK(text != NULL || len == 0);
	fuzz_touch(text, len);
	if (is_null)
		FUZZ_CHECK(len == 4);
}

static const struct values_array_visitor visitor = {
	.begin_array = on_begin,
	.end_array = on_end,
	.element = on_element,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t oid = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
		       (uint32_t)data[2] << 8 | data[3];
	const char *s = (const char *)data + 4;
	size_t n = size - 4;
	struct buf out = { 0 };
	char err[256];

	/* binary_to_text: false leaves out as it was. */
	err[0] = '\0';
	buf_putc(&out, '>');
	if (binary_to_text(oid, s, (uint32_t)n, &out, err, sizeof err)) {
		FUZZ_CHECK(out.len >= 1 && out.data[0] == '>');
		fuzz_touch(out.data, out.len);
	} else {
		FUZZ_CHECK(out.len == 1);
		FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
		if (binary_known_type(oid))
			FUZZ_CHECK(err[0] != '\0');
	}

	/* values_parse_array: checking alone and walking agree. */
	struct buf scratch = { 0 };
	struct walk w = { 0 };
	err[0] = '\0';
	int checked =
	    values_parse_array(s, n, NULL, NULL, &scratch, err, sizeof err);
	int walked =
	    values_parse_array(s, n, &visitor, &w, &scratch, err, sizeof err);
	FUZZ_CHECK(checked == walked);
	if (walked == 0) {
		FUZZ_CHECK(w.depth == 0 && w.calls >= 2);
	} else {
		FUZZ_CHECK(w.calls == 0); /* checked before the first call */
		fuzz_check_err(err, sizeof err);
	}
	(void)values_array_element(oid);
	(void)values_class(oid);

	/* values_bytea_decode: false leaves out as it was. */
	buf_reset(&out);
	buf_putc(&out, '>');
	if (values_bytea_decode(s, n, &out))
		fuzz_touch(out.data, out.len);
	else
		FUZZ_CHECK(out.len == 1);

	int64_t i;
	double f;
	bool b;
	(void)values_parse_int(s, n, &i);
	(void)values_parse_float(s, n, &f);
	(void)values_parse_bool(s, n, &b);

	buf_free(&scratch);
	buf_free(&out);
	return 0;
}
