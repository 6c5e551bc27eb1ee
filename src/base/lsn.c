#include "base/lsn.h"

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
