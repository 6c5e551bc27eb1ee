/* binary_datetime — converters of the binary forms of dates, times,
 * timestamps and intervals (see binary_conv.h), printed with DateStyle =
 * ISO, TimeZone = UTC and IntervalStyle = postgres. */
#include "decode/binary_conv.h"

#define USECS_PER_SEC	 INT64_C(1000000)
#define USECS_PER_MINUTE (60 * USECS_PER_SEC)
#define USECS_PER_HOUR	 (60 * USECS_PER_MINUTE)
#define USECS_PER_DAY	 (24 * USECS_PER_HOUR)
/* Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define UNIX_TO_PG_DAYS	 10957

/* The valid ranges of date and timestamp (datatype/timestamp.h), relative
 * to 2000-01-01: 4714-11-24 BC to 5874897-12-31 and 294276-12-31. */
#define DATE_MIN      (-2451545)
#define DATE_END      (2147483494 - 2451545)
#define TIMESTAMP_MIN INT64_C(-211813488000000000)
#define TIMESTAMP_END INT64_C(9223371331200000000)

/* ---- dates and times ---- */

static void put2(struct buf *b, int v)
{
	buf_putc(b, (char)('0' + v / 10));
	buf_putc(b, (char)('0' + v % 10));
}

/* ".ffffff" without trailing zeros; nothing for 0. */
static void put_fraction(struct buf *b, int64_t usec)
{
	if (usec == 0)
		return;
	char f[7];
	int n = 6;
	for (int i = 5; i >= 0; i--, usec /= 10)
		f[i] = (char)('0' + usec % 10);
	while (f[n - 1] == '0')
		n--;
	buf_putc(b, '.');
	buf_put(b, f, (size_t)n);
}

/* HH:MM:SS[.ffffff] of 0 <= usec <= 24:00:00. */
static void put_time_of_day(struct buf *b, int64_t usec)
{
	put2(b, (int)(usec / USECS_PER_HOUR));
	buf_putc(b, ':');
	put2(b, (int)(usec / USECS_PER_MINUTE % 60));
	buf_putc(b, ':');
	put2(b, (int)(usec / USECS_PER_SEC % 60));
	put_fraction(b, usec % USECS_PER_SEC);
}

/* YYYY-MM-DD of a day counted from 2000-01-01 in the proleptic Gregorian
 * calendar; true when the year is BC (the caller appends " BC" where
 * PostgreSQL puts it). Year 0 is 1 BC. */
static bool put_date(struct buf *b, int64_t pgdays)
{
	/* Howard Hinnant's civil_from_days, on days since 1970-01-01. */
	int64_t z = pgdays + UNIX_TO_PG_DAYS + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int day = (int)(doy - (153 * mp + 2) / 5 + 1);
	int month = (int)(mp < 10 ? mp + 3 : mp - 9);
	int64_t year = yoe + era * 400 + (month <= 2);
	bool bc = year <= 0;
	buf_printf(b, "%04lld-", (long long)(bc ? 1 - year : year));
	put2(b, month);
	buf_putc(b, '-');
	put2(b, day);
	return bc;
}

/* EncodeTimezone: tz is seconds west of UTC; "+05", "-05:30",
 * "+05:45:30". */
static void put_zone(struct buf *b, int32_t tz)
{
	int sec = tz < 0 ? -tz : tz;
	int min = sec / 60;
	sec -= min * 60;
	int hour = min / 60;
	min -= hour * 60;
	buf_putc(b, tz <= 0 ? '+' : '-');
	put2(b, hour);
	if (sec != 0) {
		buf_putc(b, ':');
		put2(b, min);
		buf_putc(b, ':');
		put2(b, sec);
	} else if (min != 0) {
		buf_putc(b, ':');
		put2(b, min);
	}
}

/* date's and timestamp's infinities are their lowest and highest values:
 * true, with the text written, when v is one. */
static bool put_infinite(struct buf *b, int64_t v, int64_t lowest,
			 int64_t highest)
{
	if (v != lowest && v != highest)
		return false;
	buf_puts(b, v == lowest ? "-infinity" : "infinity");
	return true;
}

bool bin_date(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 4))
		return false;
	int32_t days = (int32_t)rd32(d);
	if (put_infinite(c->out, days, INT32_MIN, INT32_MAX))
		return true;
	if (days < DATE_MIN || days >= DATE_END)
		return bin_fail(c, "%s: out of range", t->name);
	if (put_date(c->out, days))
		buf_puts(c->out, " BC");
	return true;
}

bool bin_time(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	int64_t usec = (int64_t)rd64(d);
	if (usec < 0 || usec > USECS_PER_DAY)
		return bin_fail(c, "%s: out of range", t->name);
	put_time_of_day(c->out, usec);
	return true;
}

/* Int64 time of day, Int32 zone in seconds west of UTC. */
bool bin_timetz(struct bin_conv *c, const struct pg_type *t,
		const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 12))
		return false;
	int64_t usec = (int64_t)rd64(d);
	int32_t zone = (int32_t)rd32(d + 8);
	if (usec < 0 || usec > USECS_PER_DAY)
		return bin_fail(c, "%s: out of range", t->name);
	if (zone < -16 * 3600 || zone > 16 * 3600)
		return bin_fail(c, "%s: zone displacement out of range",
				t->name);
	put_time_of_day(c->out, usec);
	put_zone(c->out, zone);
	return true;
}

/* timestamp and timestamptz: microseconds since 2000-01-01 00:00 (UTC for
 * timestamptz, shown with the session's zone: "+00"). */
bool bin_timestamp(struct bin_conv *c, const struct pg_type *t,
		   const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	int64_t ts = (int64_t)rd64(d);
	if (put_infinite(c->out, ts, INT64_MIN, INT64_MAX))
		return true;
	if (ts < TIMESTAMP_MIN || ts >= TIMESTAMP_END)
		return bin_fail(c, "%s: out of range", t->name);
	int64_t days = ts / USECS_PER_DAY;
	int64_t tod = ts % USECS_PER_DAY;
	if (tod < 0) {
		tod += USECS_PER_DAY;
		days--;
	}
	bool bc = put_date(c->out, days);
	buf_putc(c->out, ' ');
	put_time_of_day(c->out, tod);
	if (t->oid == OID_TIMESTAMPTZ)
		buf_puts(c->out, "+00");
	if (bc)
		buf_puts(c->out, " BC");
	return true;
}

/* One "N units" part of the postgres interval style (AddPostgresIntPart):
 * after a negative part a positive one gets an explicit '+'. */
static void put_interval_part(struct buf *b, int64_t v, const char *unit,
			      bool *is_zero, bool *is_before)
{
	if (v == 0)
		return;
	buf_printf(b, "%s%s%lld %s%s", *is_zero ? "" : " ",
		   *is_before && v > 0 ? "+" : "", (long long)v, unit,
		   v != 1 ? "s" : "");
	*is_before = v < 0;
	*is_zero = false;
}

/* Int64 microseconds, Int32 days, Int32 months. */
bool bin_interval(struct bin_conv *c, const struct pg_type *t,
		  const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 16))
		return false;
	int64_t time = (int64_t)rd64(d);
	int32_t day = (int32_t)rd32(d + 8);
	int32_t month = (int32_t)rd32(d + 12);
	/* PostgreSQL 17's infinite intervals. */
	if (time == INT64_MAX && day == INT32_MAX && month == INT32_MAX) {
		buf_puts(c->out, "infinity");
		return true;
	}
	if (time == INT64_MIN && day == INT32_MIN && month == INT32_MIN) {
		buf_puts(c->out, "-infinity");
		return true;
	}
	struct buf *b = c->out;
	bool is_zero = true, is_before = false;
	put_interval_part(b, month / 12, "year", &is_zero, &is_before);
	put_interval_part(b, month % 12, "mon", &is_zero, &is_before);
	put_interval_part(b, day, "day", &is_zero, &is_before);
	int64_t hour = time / USECS_PER_HOUR;
	time -= hour * USECS_PER_HOUR;
	int64_t min = time / USECS_PER_MINUTE;
	time -= min * USECS_PER_MINUTE;
	int64_t sec = time / USECS_PER_SEC;
	int64_t fsec = time - sec * USECS_PER_SEC;
	if (is_zero || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
		bool minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
		/* |hour| fits: INT64_MIN / USECS_PER_HOUR is far from it. */
		buf_printf(b, "%s%s%02lld:", is_zero ? "" : " ",
			   minus       ? "-"
			   : is_before ? "+"
				       : "",
			   (long long)(hour < 0 ? -hour : hour));
		put2(b, (int)(min < 0 ? -min : min));
		buf_putc(b, ':');
		put2(b, (int)(sec < 0 ? -sec : sec));
		put_fraction(b, fsec < 0 ? -fsec : fsec);
	}
	return true;
}
