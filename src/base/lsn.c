#include "base/lsn.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "base/dec.h"
#include "base/hex.h"

/* Reads 1 to 8 hex digits; advances *s past them. */
static bool parse_half(const char **s, uint32_t *out)
{
	uint32_t v = 0;
	int n = 0;
	for (; hex_digit(**s) >= 0; (*s)++) {
		if (++n > 8)
			return false;
		v = v << 4 | (uint32_t)hex_digit(**s);
	}
	*out = v;
	return n > 0;
}

bool lsn_parse(const char *s, uint64_t *out)
{
	uint32_t hi, lo;
	if (!s || !parse_half(&s, &hi) || *s++ != '/' || !parse_half(&s, &lo) ||
	    *s != '\0')
		return false;
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

/* Upper-case hex without leading zeros at p, eight bytes written
 * whatever the digits; returns the end of the digits. All digits at once:
 * each nibble spread into a byte of its own, then made a character. */
static char *put_hex32(char *p, uint32_t v)
{
	int n = v ? (35 - __builtin_clz(v)) / 4 : 1;
	uint64_t x = v;
	x = (x & 0xFFFF0000u) << 16 | (x & 0xFFFFu);
	x = (x & 0x0000FF000000FF00u) << 8 | (x & 0x000000FF000000FFu);
	x = (x & 0x00F000F000F000F0u) << 4 | (x & 0x000F000F000F000Fu);
	/* 1 in each byte whose nibble is 10 or more: 'A' follows '9' by 8. */
	uint64_t letter = ((x + 0x0606060606060606u) >> 4) & 0x0101010101010101u;
	x += 0x3030303030303030u + letter * ('A' - '9' - 1);
	/* The first digit into the highest byte, which goes first. */
	x <<= 8 * (8 - n);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	memcpy(p, &x, 8);
	return p + n;
}

/* By hand: it runs for every change of the default output. At most 17
 * bytes are written, digits or not: 8, the slash, 8. */
char *lsn_put(char *p, uint64_t lsn)
{
	p = put_hex32(p, (uint32_t)(lsn >> 32));
	*p++ = '/';
	return put_hex32(p, (uint32_t)lsn);
}

char *lsn_format(uint64_t lsn, char out[LSN_STRLEN])
{
	*lsn_put(out, lsn) = '\0';
	return out;
}

int64_t mono_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t pgtime_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec - PG_EPOCH_OFFSET_S) * 1000000 +
	       ts.tv_nsec / 1000;
}

/* The proleptic Gregorian date of a day counted from 1970-01-01, by
 * 400-year eras of 146097 days that start on March 1st (so that the leap
 * day ends a year). Pure arithmetic: gmtime_r takes glibc's time zone lock,
 * and this runs for every transaction. */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	days += 719468; /* from 0000-03-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;			   /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	   /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;			   /* March = 0 */
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

char *pgtime_format(int64_t pg_us, char out[PGTIME_STRLEN])
{
	int64_t sec = pg_us / 1000000, us = pg_us % 1000000;
	if (us < 0) {
		us += 1000000;
		sec -= 1;
	}
	int64_t unix_s = sec + PG_EPOCH_OFFSET_S;
	int64_t days = unix_s / 86400, tod = unix_s % 86400;
	if (tod < 0) {
		tod += 86400;
		days -= 1;
	}
	int64_t year;
	int month, day;
	civil_from_days(days, &year, &month, &day);
	char *p = out;
	if (year < 0)
		*p++ = '-';
	p = dec_put(p, (uint64_t)(year < 0 ? -year : year), 4);
	*p++ = '-';
	p = dec_put(p, (uint64_t)month, 2);
	*p++ = '-';
	p = dec_put(p, (uint64_t)day, 2);
	*p++ = ' ';
	p = dec_put(p, (uint64_t)(tod / 3600), 2);
	*p++ = ':';
	p = dec_put(p, (uint64_t)(tod / 60 % 60), 2);
	*p++ = ':';
	p = dec_put(p, (uint64_t)(tod % 60), 2);
	*p++ = '.';
	p = dec_put(p, (uint64_t)us, 6);
	memcpy(p, "+00", 4);
	return out;
}

/* ---- reading a timestamptz ---- */

/* Reads min to max decimal digits at *s, with no digit after them. */
static bool digits(const char **s, const char *end, size_t min, size_t max,
		   int64_t *out)
{
	int64_t v = 0;
	size_t n = 0;
	while (*s < end && n < max && **s >= '0' && **s <= '9') {
		v = v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	*out = v;
	return n >= min && !(*s < end && **s >= '0' && **s <= '9');
}

static bool take(const char **s, const char *end, char c)
{
	if (*s < end && **s == c) {
		(*s)++;
		return true;
	}
	return false;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 2000-01-01 to y-m-d, for years from 1 on. */
static int64_t days_since_2000(int64_t y, int64_t m, int64_t d)
{
	static const int before[12] = { 0,   31,  59,  90,  120, 151,
					181, 212, 243, 273, 304, 334 };
	int64_t p = y - 1; /* leap years in 1 .. y-1, minus those to 1999 */
	int64_t leaps =
	    p / 4 - p / 100 + p / 400 - (1999 / 4 - 1999 / 100 + 1999 / 400);
	return (y - 2000) * 365 + leaps + before[m - 1] + (m > 2 && leap(y)) +
	       d - 1;
}

bool pgtime_parse(const char *s, size_t n, int64_t *out)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30,
				       31, 31, 30, 31, 30, 31 };
	const char *end = s + n;
	int64_t y, mo, d, h, mi, sec, frac = 0, oh, om = 0, os = 0;
	if (!digits(&s, end, 4, 6, &y) || !take(&s, end, '-') ||
	    !digits(&s, end, 2, 2, &mo) || !take(&s, end, '-') ||
	    !digits(&s, end, 2, 2, &d) || !take(&s, end, ' ') ||
	    !digits(&s, end, 2, 2, &h) || !take(&s, end, ':') ||
	    !digits(&s, end, 2, 2, &mi) || !take(&s, end, ':') ||
	    !digits(&s, end, 2, 2, &sec))
		return false;
	if (take(&s, end, '.')) {
		const char *f = s;
		if (!digits(&s, end, 1, 6, &frac))
			return false;
		for (ptrdiff_t k = s - f; k < 6; k++)
			frac *= 10;
	}
	int sign = take(&s, end, '+') ? 1 : take(&s, end, '-') ? -1 : 0;
	if (!sign || !digits(&s, end, 2, 2, &oh))
		return false;
	if (take(&s, end, ':')) {
		if (!digits(&s, end, 2, 2, &om))
			return false;
		if (take(&s, end, ':') && !digits(&s, end, 2, 2, &os))
			return false;
	}
	if (s != end || y < 1 || y > 294276 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap(y)) || h > 23 ||
	    mi > 59 || sec > 59 || oh > 15 || om > 59 || os > 59)
		return false;
	int64_t secs = days_since_2000(y, mo, d) * 86400 + h * 3600 + mi * 60 +
		       sec - sign * (oh * 3600 + om * 60 + os);
	*out = secs * 1000000 + frac;
	return true;
}
