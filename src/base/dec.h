/* dec — decimal digits written by hand: the JSON lines write an integer
 * for every change and the commit time for every transaction, where
 * printf's parsing of its format is most of the cost. */
#ifndef WALHOOK_DEC_H
#define WALHOOK_DEC_H

#include <stdint.h>

/* v in decimal, zero-padded to at least width digits (at most 20), at
 * out; returns the end. */
static inline char *dec_put(char *out, uint64_t v, int width)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		*out++ = tmp[--n];
	return out;
}

#endif
