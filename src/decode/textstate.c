#include "decode/textstate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/lsn.h"

/* wal2json prints bytea without its "\x". */
static bool bare_bytea(enum textplugin_kind kind)
{
	return kind == TEXTPLUGIN_WAL2JSON_1 || kind == TEXTPLUGIN_WAL2JSON_2;
}

struct tp_state *tp_state_new(enum textplugin_kind kind)
{
	struct tp_state *st = xmalloc(sizeof *st);
	*st = (struct tp_state){ .kind = kind };
	textrow_init(&st->row, &st->arena, bare_bytea(kind));
	return st;
}

void tp_state_free(struct tp_state *st)
{
	if (!st)
		return;
	arena_free(&st->arena);
	tcols_free(&st->newc);
	tcols_free(&st->oldc);
	tcols_free(&st->pkc);
	textrow_free(&st->row);
	buf_free(&st->held_names);
	buf_free(&st->conv);
	free(st);
}

void tp_state_reset(struct tp_state *st)
{
	st->in_txn = false;
	st->held_n = 0;
	arena_reset(&st->arena);
}

void tp_state_start(struct tp_state *st, enum textplugin_kind kind,
		    const char *buf, size_t len, uint64_t lsn)
{
	st->kind = kind;
	st->row.bare_bytea = bare_bytea(kind);
	st->buf = buf;
	st->len = len;
	st->lsn = lsn;
	arena_reset(&st->arena);
}

static const char *kind_name(enum textplugin_kind k)
{
	switch (k) {
	case TEXTPLUGIN_WAL2JSON_1: return "wal2json format 1";
	case TEXTPLUGIN_WAL2JSON_2: return "wal2json format 2";
	case TEXTPLUGIN_TEST_DECODING: return "test_decoding";
	case TEXTPLUGIN_DECODERBUFS: return "decoderbufs";
	}
	return "text plugin";
}

/* Where in the payload at is, into where: its offset and the text there
 * (bytes that would not read well escaped), or that it is the end. */
static void describe_at(const struct tp_state *st, const char *at, char *where,
			size_t n)
{
	size_t off = (size_t)(at - st->buf);
	if (off >= st->len) {
		snprintf(where, n, " at its end (%zu bytes): it is cut short",
			 st->len);
		return;
	}
	char near[100];
	size_t k = 0, i = off;
	for (; i < st->len && i < off + 24; i++) {
		unsigned char c = (unsigned char)st->buf[i];
		if (c >= 0x20 && c < 0x7f && c != '`' && c != '\\')
			near[k++] = (char)c;
		else
			k += (size_t)snprintf(near + k, sizeof near - k,
					      "\\x%02x", c);
	}
	near[k] = '\0';
	snprintf(where, n, " at byte %zu of %zu (near `%s%s`)", off, st->len,
		 near, i < st->len ? "..." : "");
}

int tp_fail(struct tp_state *st, const char *at, struct err *e, const char *fmt,
	    ...)
{
	char what[512], where[160] = "", l[LSN_STRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (at)
		describe_at(st, at, where, sizeof where);
	return err_set(e, "%s payload at %s%s: %s", kind_name(st->kind),
		       lsn_format(st->lsn, l), where, what);
}
