/* utc — a wall-clock time in microseconds since 2000-01-01 UTC, the
 * PostgreSQL epoch, worked out by the C library rather than by the code
 * under test: the expected value of the suites that read times. */
#ifndef WALHOOK_TEST_UTC_H
#define WALHOOK_TEST_UTC_H

#include <stdint.h>
#include <time.h>

static inline int64_t utc(int y, int mo, int d, int h, int mi, int s, int us)
{
	struct tm tm = { .tm_year = y - 1900,
			 .tm_mon = mo - 1,
			 .tm_mday = d,
			 .tm_hour = h,
			 .tm_min = mi,
			 .tm_sec = s };
	time_t t = timegm(&tm);
	return ((int64_t)t - 946684800) * 1000000 + us;
}

#endif
