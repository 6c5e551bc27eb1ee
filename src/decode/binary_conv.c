/* binary_conv — see binary_conv.h: the helpers every converter uses. */
#include "decode/binary_conv.h"

#include <stdarg.h>
#include <stdio.h>

bool bin_fail(struct bin_conv *c, const char *fmt, ...)
{
	if (c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool bin_want_len(struct bin_conv *c, const struct pg_type *t, uint32_t len,
		  uint32_t want)
{
	if (len == want)
		return true;
	return bin_fail(c, "%s: %u bytes, expected %u", t->name, len, want);
}

bool bin_want_min(struct bin_conv *c, const struct pg_type *t, uint32_t len,
		  uint32_t min)
{
	if (len >= min)
		return true;
	return bin_fail(c, "%s: %u bytes, expected at least %u", t->name, len,
			min);
}

static const char hexdig[] = "0123456789abcdef";

void bin_put_hex(struct buf *b, const unsigned char *d, size_t n)
{
	buf_reserve(b, 2 * n);
	for (size_t i = 0; i < n; i++) {
		b->data[b->len++] = hexdig[d[i] >> 4];
		b->data[b->len++] = hexdig[d[i] & 15];
	}
}
