/* dec — decimal digits written by hand: the JSON lines write an integer
 * for every change and the commit time for every transaction, where
 * printf's parsing of its format is most of the cost. */
#ifndef WALHOOK_DEC_H
#define WALHOOK_DEC_H

#include <stdint.h>

/* How many decimal digits v has (1 to 20). */
static inline int dec_count(uint64_t v)
{
	int n = 1;
	for (uint64_t ten = 10; n < 20 && v >= ten; ten *= 10)
		n++;
	return n;
}

/* v in decimal, zero-padded to at least width digits (at most 20), at
 * out; returns the end. Two digits a division, written from the end. */
static inline char *dec_put(char *out, uint64_t v, int width)
{
	static const char pairs[] = "00010203040506070809"
				    "10111213141516171819"
				    "20212223242526272829"
				    "30313233343536373839"
				    "40414243444546474849"
				    "50515253545556575859"
				    "60616263646566676869"
				    "70717273747576777879"
				    "80818283848586878889"
				    "90919293949596979899";
	int n = dec_count(v);
	if (n < width)
		n = width;
	char *end = out + n, *p = end;
	while (v >= 100) {
		const char *d = pairs + 2 * (v % 100);
		v /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (v >= 10) {
		*--p = pairs[2 * v + 1];
		*--p = pairs[2 * v];
	} else {
		*--p = (char)('0' + v);
	}
	while (p > out)
		*--p = '0';
	return end;
}

#endif
