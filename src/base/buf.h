/* buf — a growable byte buffer for building output (JSON lines, commands).
 *
 * A buf owns its storage; buf_free releases it and accepts a zeroed buf.
 * Every function that may grow the buffer may move buf->data: never keep a
 * pointer into it across a buf_put*. Allocation failure aborts: walhook
 * cannot do anything useful without memory, and every caller would
 * otherwise need a path that loses data. */
#ifndef WALHOOK_BUF_H
#define WALHOOK_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Makes room for extra more bytes (and a NUL), growing the storage. */
void buf_grow(struct buf *b, size_t extra);

static inline void buf_reserve(struct buf *b, size_t extra)
{
	if (b->cap - b->len <= extra)
		buf_grow(b, extra);
}

/* More than 16 bytes: a call of memcpy. */
void buf_put_long(struct buf *b, const void *p, size_t n);

/* The appenders are inline: the JSON output calls them for every token,
 * mostly with a few bytes, which two copies of a size known when compiled
 * (overlapping) move for less than a call of memcpy. */
static inline void buf_put(struct buf *b, const void *p, size_t n)
{
	if (n > 16) {
		buf_put_long(b, p, n);
		return;
	}
	buf_reserve(b, n);
	char *d = b->data + b->len;
	const char *s = p;
	if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
	b->len += n;
}

static inline void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static inline void buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
}

/* A string literal, its length known when compiled. */
#define buf_putlit(b, lit) buf_put((b), "" lit, sizeof(lit) - 1)

/* For text written in place, with one test of the capacity: up to n
 * bytes may be written at the pointer returned, then buf_end says where
 * the writing stopped. */
static inline char *buf_tail(struct buf *b, size_t n)
{
	buf_reserve(b, n);
	return b->data + b->len;
}

static inline void buf_end(struct buf *b, const char *end)
{
	b->len = (size_t)(end - b->data);
}

/* v in decimal: the hot paths write integers without printf. */
void buf_put_int(struct buf *b, long long v);

void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminates without counting the NUL in len, so data is a C string. */
const char *buf_cstr(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
