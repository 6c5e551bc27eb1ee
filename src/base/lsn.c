#include "base/lsn.h"

#include <stddef.h>
#include <stdio.h>
#include <time.h>

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

/* Upper-case hex without leading zeros; returns the end. */
static char *put_hex32(char *p, uint32_t v)
{
	static const char digits[] = "0123456789ABCDEF";
	int shift = 28;
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = digits[(v >> shift) & 15];
	return p;
}

/* By hand: it runs for every change of the default output. */
char *lsn_format(uint64_t lsn, char out[LSN_STRLEN])
{
	char *p = put_hex32(out, (uint32_t)(lsn >> 32));
	*p++ = '/';
	p = put_hex32(p, (uint32_t)lsn);
	*p = '\0';
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

char *pgtime_format(int64_t pg_us, char out[PGTIME_STRLEN])
{
	int64_t sec = pg_us / 1000000, us = pg_us % 1000000;
	if (us < 0) {
		us += 1000000;
		sec -= 1;
	}
	time_t t = (time_t)(sec + PG_EPOCH_OFFSET_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	/* Years past 9999 are cut short; PostgreSQL's own limit is 294276. */
	snprintf(out, PGTIME_STRLEN, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)us);
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
