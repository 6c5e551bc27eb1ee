#include "decode/copytext.h"
#include "base/hex.h"

#include <stdio.h>
#include <string.h>

static int octal(char c)
{
	return c >= '0' && c <= '7' ? c - '0' : -1;
}

/* One escape after a backslash at s[*i]; appends its byte. */
static void unescape(const char *s, size_t n, size_t *i, struct buf *out)
{
	char c = s[*i];
	switch (c) {
	case 'b': buf_putc(out, '\b'); break;
	case 'f': buf_putc(out, '\f'); break;
	case 'n': buf_putc(out, '\n'); break;
	case 'r': buf_putc(out, '\r'); break;
	case 't': buf_putc(out, '\t'); break;
	case 'v': buf_putc(out, '\v'); break;
	case 'x':
		if (*i + 1 < n && hex_digit(s[*i + 1]) >= 0) {
			int v = hex_digit(s[++*i]);
			if (*i + 1 < n && hex_digit(s[*i + 1]) >= 0)
				v = v * 16 + hex_digit(s[++*i]);
			buf_putc(out, (char)v);
		} else {
			buf_putc(out, 'x');
		}
		break;
	default:
		if (octal(c) >= 0) {
			int v = octal(c);
			for (int k = 0;
			     k < 2 && *i + 1 < n && octal(s[*i + 1]) >= 0; k++)
				v = v * 8 + octal(s[++*i]);
			buf_putc(out, (char)v);
		} else {
			buf_putc(out,
				 c); /* \\ and any other character itself */
		}
	}
	(*i)++;
}

int copytext_row(const char *line, size_t len, struct buf *scratch,
		 struct datum *vals, size_t ncols, char *err, size_t errlen)
{
	size_t offs[ncols ? ncols : 1];
	size_t col = 0, i = 0;
	buf_reset(scratch);
	for (;;) {
		if (col == ncols) {
			snprintf(err, errlen, "more than %zu columns", ncols);
			return -1;
		}
		size_t start = i;
		while (i < len && line[i] != '\t')
			i++;
		if (i - start == 2 && line[start] == '\\' &&
		    line[start + 1] == 'N') {
			vals[col] = (struct datum){ .kind = DATUM_NULL };
		} else {
			offs[col] = scratch->len;
			for (size_t k = start; k < i;) {
				if (line[k] != '\\') {
					size_t run = k;
					while (run < i && line[run] != '\\')
						run++;
					buf_put(scratch, line + k, run - k);
					k = run;
				} else if (k + 1 < i) {
					k++;
					unescape(line, i, &k, scratch);
				} else {
					snprintf(
					    err, errlen,
					    "column %zu ends in a lone backslash",
					    col + 1);
					return -1;
				}
			}
			vals[col] = (struct datum){
				.kind = DATUM_TEXT,
				.len = (uint32_t)(scratch->len - offs[col])
			};
		}
		col++;
		if (i >= len)
			break;
		i++; /* the tab */
	}
	if (col != ncols) {
		snprintf(err, errlen, "%zu columns, expected %zu", col, ncols);
		return -1;
	}
	for (size_t c = 0; c < ncols; c++)
		if (vals[c].kind == DATUM_TEXT)
			vals[c].data =
			    scratch->data ? scratch->data + offs[c] : "";
	return 0;
}

/* A backslash, a tab, a newline or a carriage return would end a field
 * or a row, or start an escape: each goes as its escape. */
static void put_escaped(struct buf *out, const char *s, size_t n)
{
	for (size_t k = 0; k < n;) {
		size_t run = k;
		while (run < n && s[run] != '\\' && s[run] != '\t' &&
		       s[run] != '\n' && s[run] != '\r')
			run++;
		buf_put(out, s + k, run - k);
		if (run == n)
			break;
		buf_putc(out, '\\');
		buf_putc(out, s[run] == '\\'   ? '\\'
			      : s[run] == '\t' ? 't'
			      : s[run] == '\n' ? 'n'
					       : 'r');
		k = run + 1;
	}
}

void copytext_put(struct buf *out, const struct datum *v, bool raw_bytes)
{
	static const char digits[] = "0123456789abcdef";
	if (v->kind == DATUM_NULL) {
		buf_puts(out, "\\N");
		return;
	}
	if (!raw_bytes) {
		put_escaped(out, v->data, v->len);
		return;
	}
	buf_reserve(out, 3 + 2 * (size_t)v->len);
	buf_puts(out, "\\\\x");
	for (uint32_t i = 0; i < v->len; i++) {
		unsigned char b = (unsigned char)v->data[i];
		buf_putc(out, digits[b >> 4]);
		buf_putc(out, digits[b & 15]);
	}
}
