/* binary — see binary.h. Every rule here mirrors a PostgreSQL output
 * function (int4out, float8out, numeric_out, timestamptz_out, array_out,
 * ...) in a session with DateStyle = ISO, TimeZone = UTC, IntervalStyle =
 * postgres and extra_float_digits = 1, and the receive function's checks
 * (numeric_recv, array_recv, ...) decide what is malformed. The expected
 * texts in tests/unit/test_binary.c were taken from a PostgreSQL 15 server. */
#include "decode/binary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/binary_conv.h"

/* OIDs from here on are the database's own types (FirstNormalObjectId). */
#define FIRST_USER_OID 16384

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

#define ARRAY_MAXDIM 6

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

static const char hexdig[] = "0123456789abcdef";

void bin_put_hex(struct buf *b, const unsigned char *d, size_t n)
{
	buf_reserve(b, 2 * n);
	for (size_t i = 0; i < n; i++) {
		b->data[b->len++] = hexdig[d[i] >> 4];
		b->data[b->len++] = hexdig[d[i] & 15];
	}
}

/* ---- integers, bool, char ---- */

bool bin_int2(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 2))
		return false;
	buf_printf(c->out, "%d", (int)(int16_t)rd16(d));
	return true;
}

bool bin_int4(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 4))
		return false;
	buf_printf(c->out, "%ld", (long)(int32_t)rd32(d));
	return true;
}

bool bin_int8(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	buf_printf(c->out, "%lld", (long long)(int64_t)rd64(d));
	return true;
}

/* oid, xid, cid */
bool bin_uint4(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 4))
		return false;
	buf_printf(c->out, "%lu", (unsigned long)rd32(d));
	return true;
}

bool bin_uint8(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	buf_printf(c->out, "%llu", (unsigned long long)rd64(d));
	return true;
}

bool bin_bool(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 1))
		return false;
	buf_putc(c->out, d[0] ? 't' : 'f'); /* boolrecv: any non-zero byte */
	return true;
}

/* "char": a byte with the high bit set prints as \ooo, NUL as nothing. */
bool bin_char(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 1))
		return false;
	if (d[0] == 0)
		return true;
	if (d[0] & 0x80)
		buf_printf(c->out, "\\%03o", d[0]);
	else
		buf_putc(c->out, (char)d[0]);
	return true;
}

/* ---- floats ---- */

/* A decimal d.ddd x 10^exp with up to 17 significant digits. */
struct dec {
	char d[18]; /* ASCII digits, d[0] != '0' */
	int n;
	int exp;
	bool neg;
};

/* v rounded to prec significant digits (printf's %e). The decimal point
 * may be a locale's comma: only the digits are taken. */
static void dec_round(struct dec *x, double v, int prec)
{
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
	const char *p = tmp;
	x->neg = *p == '-';
	if (x->neg)
		p++;
	x->n = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && x->n < (int)sizeof x->d)
			x->d[x->n++] = *p;
	x->exp = *p == 'e' ? atoi(p + 1) : 0;
}

/* Moves x one unit in its last digit, up or down in magnitude. */
static void dec_step(struct dec *x, bool up)
{
	int i = x->n - 1;
	if (up) {
		while (i >= 0 && x->d[i] == '9')
			x->d[i--] = '0';
		if (i >= 0) {
			x->d[i]++;
		} else { /* 9.99 -> 10.0 */
			x->d[0] = '1';
			x->exp++;
		}
		return;
	}
	while (i >= 0 && x->d[i] == '0')
		x->d[i--] = '9';
	x->d[i]--;	      /* i >= 0: d[0] is not '0' */
	if (x->d[0] == '0') { /* 1.00 -> 0.99 -> 9.99 one power lower */
		memmove(x->d, x->d + 1, (size_t)x->n - 1);
		x->d[x->n - 1] = '9';
		x->exp--;
	}
}

static void dec_text(const struct dec *x, char *s, size_t size)
{
	snprintf(s, size, "%s%c.%.*se%d", x->neg ? "-" : "", x->d[0], x->n - 1,
		 x->d + 1, x->exp);
}

/* |x| as a 53-bit integer times a power of two: x = m * 2^exp2. */
static uint64_t int_mantissa(double x, int *exp2)
{
	int e;
	uint64_t m = (uint64_t)ldexp(fabs(frexp(x, &e)), 53);
	*exp2 = e - 53;
	return m;
}

/* Whether the decimal x (digits D times 10^k) is exactly the point halfway
 * between v and its neighbour w (odd times 2^p, as both are 53-bit
 * integers times powers of two). Integer arithmetic decides it:
 * D * 10^k = odd * 2^p iff D = D' * 2^a * 5^b (D' prime to 10) has
 * a + k = p and D' * 5^(b + k) = odd. The same for |x|, |v| and |w|. */
static bool dec_is_midpoint(const struct dec *x, double v, double w)
{
	int ev, ew;
	uint64_t mv = int_mantissa(v, &ev), mw = int_mantissa(w, &ew);
	int e = ev < ew ? ev : ew;
	if (ev - e > 8 || ew - e > 8) /* neighbours: never this far apart */
		return false;
	uint64_t odd = (mv << (ev - e)) + (mw << (ew - e));
	int p = e - 1; /* (v + w) / 2 */
	while (!(odd & 1)) {
		odd >>= 1;
		p++;
	}
	uint64_t d = 0;
	for (int i = 0; i < x->n; i++)
		d = d * 10 + (uint64_t)(x->d[i] - '0');
	int k = x->exp - (x->n - 1), a = 0, b = 0;
	while (d % 2 == 0) {
		d /= 2;
		a++;
	}
	while (d % 5 == 0) {
		d /= 5;
		b++;
	}
	if (a + k != p || b + k < 0)
		return false;
	for (int i = 0; i < b + k; i++) {
		if (d > odd / 5)
			return false;
		d *= 5;
	}
	return d == odd;
}

/* Whether x reads back as v, and not by lying exactly halfway to a
 * neighbouring value (a tie that reading rounds to v because v is even):
 * PostgreSQL's Ryu (built without STRICTLY_SHORTEST) takes the rounding
 * interval as open, so where the shortest candidate is such a tie it
 * prints a longer text (1e23 is "9.999999999999999e+22"). */
static bool dec_reads_back(const struct dec *x, double v, bool single)
{
	char text[48];
	dec_text(x, text, sizeof text);
	if (single ? strtof(text, NULL) != (float)v : strtod(text, NULL) != v)
		return false;
	for (int up = 0; up < 2; up++) {
		double dir = up ? INFINITY : -INFINITY;
		double w = single ? nextafterf((float)v, (float)dir)
				  : nextafter(v, dir);
		if (w != 0 && !isinf(w) && dec_is_midpoint(x, v, w))
			return false;
	}
	return true;
}

/* Whether v rounded to prec significant digits reads back; x gets them. */
static bool dec_try(struct dec *x, double v, int prec, bool single)
{
	dec_round(x, v, prec);
	return dec_reads_back(x, v, single);
}

/* Whether x moved one unit up or down in its last digit reads back; x
 * becomes the one that does. */
static bool dec_try_neighbours(struct dec *x, double v, bool single)
{
	for (int up = 1; up >= 0; up--) {
		struct dec y = *x;
		dec_step(&y, up);
		if (dec_reads_back(&y, v, single)) {
			*x = y;
			return true;
		}
	}
	return false;
}

/* The shortest text that reads back as the same value, as PostgreSQL's
 * float8out / float4out print it: plain notation for a decimal exponent
 * from -4 to below 15 (6 for float4), otherwise d.ddde+XX.
 *
 * The digits are v rounded by printf to the fewest significant digits
 * that read back. More digits are never farther from v, so a binary
 * search over 1..17 (1..9 for float4, where 17 and 9 always do) finds
 * them — except at a power of two, where the interval around v is
 * lopsided (half as wide below): there the count goes up one at a time,
 * also trying the neighbours of the rounded digits, one of which may be
 * inside when the rounded one falls on the narrow side. */
void bin_put_float(struct buf *b, double v, bool single)
{
	if (isnan(v)) {
		buf_puts(b, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_puts(b, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (v == 0) {
		buf_puts(b, signbit(v) ? "-0" : "0");
		return;
	}
	struct dec x;
	int max = single ? 9 : 17, e2;
	if (fabs(frexp(v, &e2)) != 0.5) {
		int lo = 1, hi = max;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (dec_try(&x, v, mid, single))
				hi = mid;
			else
				lo = mid + 1;
		}
		dec_round(&x, v, lo);
	} else {
		for (int prec = 1; prec <= max; prec++)
			if (dec_try(&x, v, prec, single) ||
			    dec_try_neighbours(&x, v, single))
				break;
	}
	int nd = x.n, exp = x.exp;
	const char *digits = x.d;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (x.neg)
		buf_putc(b, '-');
	if (exp >= -4 && exp < (single ? 6 : 15)) {
		if (exp < 0) {
			buf_puts(b, "0.");
			for (int i = -1; i > exp; i--)
				buf_putc(b, '0');
			buf_put(b, digits, (size_t)nd);
		} else if (nd <= exp + 1) {
			buf_put(b, digits, (size_t)nd);
			for (int i = nd; i <= exp; i++)
				buf_putc(b, '0');
		} else {
			buf_put(b, digits, (size_t)exp + 1);
			buf_putc(b, '.');
			buf_put(b, digits + exp + 1, (size_t)(nd - exp - 1));
		}
		return;
	}
	buf_putc(b, digits[0]);
	if (nd > 1) {
		buf_putc(b, '.');
		buf_put(b, digits + 1, (size_t)nd - 1);
	}
	buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

bool bin_float4(struct bin_conv *c, const struct pg_type *t,
		const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 4))
		return false;
	uint32_t u = rd32(d);
	float f;
	memcpy(&f, &u, sizeof f);
	bin_put_float(c->out, f, true);
	return true;
}

bool bin_float8(struct bin_conv *c, const struct pg_type *t,
		const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	bin_put_float(c->out, rd_float8(d), false);
	return true;
}

/* ---- strings ---- */

/* text, varchar, bpchar, name, json, xml, refcursor: the bytes as sent
 * (walhook's connection asks for the database's encoding: UTF-8). */
bool bin_text(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	(void)t;
	buf_put(c->out, d, len);
	return true;
}

/* jsonb and jsonpath: a version byte, 1, then the text. */
bool bin_versioned_text(struct bin_conv *c, const struct pg_type *t,
			const unsigned char *d, uint32_t len)
{
	if (len < 1)
		return bin_fail(c, "%s: no version byte", t->name);
	if (d[0] != 1)
		return bin_fail(c, "%s: unsupported version %u", t->name, d[0]);
	buf_put(c->out, d + 1, len - 1);
	return true;
}

bool bin_bytea(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	(void)t;
	buf_puts(c->out, "\\x");
	bin_put_hex(c->out, d, len);
	return true;
}

bool bin_uuid(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 16))
		return false;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf_putc(c->out, '-');
		bin_put_hex(c->out, d + i, 1);
	}
	return true;
}

/* ---- numeric ---- */

#define NUMERIC_POS	   0x0000
#define NUMERIC_NEG	   0x4000
#define NUMERIC_NAN	   0xC000
#define NUMERIC_PINF	   0xD000
#define NUMERIC_NINF	   0xF000
#define NUMERIC_DSCALE_MAX 0x3FFF

/* Int16 ndigits, Int16 weight (of the first base-10000 digit), UInt16
 * sign, UInt16 dscale (decimal digits after the point), then the digits.
 * As numeric_recv does, digits beyond dscale are dropped, and a value
 * that is then zero loses its minus sign. */
bool bin_numeric(struct bin_conv *c, const struct pg_type *t,
		 const unsigned char *d, uint32_t len)
{
	if (len < 8)
		return bin_fail(c, "%s: %u bytes, expected at least 8", t->name,
				len);
	uint32_t ndigits = rd16(d);
	int weight = (int16_t)rd16(d + 2);
	uint16_t sign = rd16(d + 4);
	int dscale = rd16(d + 6);
	if (len != 8 + 2 * ndigits)
		return bin_fail(c, "%s: %u bytes for %u digits", t->name, len,
				ndigits);
	switch (sign) {
	case NUMERIC_NAN: buf_puts(c->out, "NaN"); return true;
	case NUMERIC_PINF: buf_puts(c->out, "Infinity"); return true;
	case NUMERIC_NINF: buf_puts(c->out, "-Infinity"); return true;
	case NUMERIC_POS:
	case NUMERIC_NEG: break;
	default: return bin_fail(c, "%s: invalid sign 0x%04x", t->name, sign);
	}
	if (dscale > NUMERIC_DSCALE_MAX)
		return bin_fail(c, "%s: invalid scale %d", t->name, dscale);
	const unsigned char *dig = d + 8;
	for (uint32_t i = 0; i < ndigits; i++)
		if (rd16(dig + 2 * i) > 9999)
			return bin_fail(c, "%s: invalid digit %u", t->name,
					rd16(dig + 2 * i));
	/* Leading zero digits carry no information: skip them. */
	while (ndigits > 0 && rd16(dig) == 0) {
		dig += 2;
		ndigits--;
		weight--;
	}
	if (ndigits == 0)
		weight = 0;

	struct buf *b = c->out;
	size_t mark = b->len;
	bool nonzero = false;
	if (sign == NUMERIC_NEG)
		buf_putc(b, '-');
	/* The integer part: the first group without leading zeros. */
	int g = 0; /* index of the group being printed */
	if (weight < 0) {
		buf_putc(b, '0');
	} else {
		for (; g <= weight; g++) {
			unsigned v = g < (int)ndigits ? rd16(dig + 2 * g) : 0;
			nonzero |= v != 0;
			if (g == 0)
				buf_printf(b, "%u", v);
			else
				buf_printf(b, "%04u", v);
		}
	}
	/* dscale decimal digits after the point, by groups of four. */
	if (dscale > 0) {
		buf_putc(b, '.');
		g = weight + 1;
		for (int i = 0; i < dscale; i += 4, g++) {
			unsigned v =
			    g >= 0 && g < (int)ndigits ? rd16(dig + 2 * g) : 0;
			char grp[4] = { (char)('0' + v / 1000),
					(char)('0' + v / 100 % 10),
					(char)('0' + v / 10 % 10),
					(char)('0' + v % 10) };
			int n = dscale - i < 4 ? dscale - i : 4;
			for (int k = 0; k < n; k++)
				nonzero |= grp[k] != '0';
			buf_put(b, grp, (size_t)n);
		}
	}
	if (sign == NUMERIC_NEG && !nonzero) {
		memmove(b->data + mark, b->data + mark + 1, b->len - mark - 1);
		b->len--;
	}
	return true;
}

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

bool bin_date(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 4))
		return false;
	int32_t days = (int32_t)rd32(d);
	if (days == INT32_MIN) {
		buf_puts(c->out, "-infinity");
		return true;
	}
	if (days == INT32_MAX) {
		buf_puts(c->out, "infinity");
		return true;
	}
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
	if (ts == INT64_MIN) {
		buf_puts(c->out, "-infinity");
		return true;
	}
	if (ts == INT64_MAX) {
		buf_puts(c->out, "infinity");
		return true;
	}
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

/* ---- network, bit strings, LSN, tid ---- */

bool bin_pg_lsn(struct bin_conv *c, const struct pg_type *t,
		const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	buf_printf(c->out, "%X/%X", (unsigned)rd32(d), (unsigned)rd32(d + 4));
	return true;
}

/* UInt32 block, UInt16 offset. */
bool bin_tid(struct bin_conv *c, const struct pg_type *t,
	     const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 6))
		return false;
	buf_printf(c->out, "(%lu,%u)", (unsigned long)rd32(d),
		   (unsigned)rd16(d + 4));
	return true;
}

/* macaddr (6 bytes) and macaddr8 (8 bytes): hex pairs joined by ':'. */
bool bin_macaddr(struct bin_conv *c, const struct pg_type *t,
		 const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, t->oid == OID_MACADDR ? 6 : 8))
		return false;
	for (uint32_t i = 0; i < len; i++) {
		if (i)
			buf_putc(c->out, ':');
		bin_put_hex(c->out, d + i, 1);
	}
	return true;
}

/* The IPv6 text of inet_net_ntop: the longest run (the first of equal
 * ones) of two or more zero words becomes "::", and an address whose
 * first six words are zero, or five zeros and ffff, ends in dotted IPv4. */
static void put_ipv6(struct buf *b, const unsigned char *a)
{
	unsigned words[8];
	for (int i = 0; i < 8; i++)
		words[i] = rd16(a + 2 * i);
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && words[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				buf_putc(b, ':');
			continue;
		}
		if (i != 0)
			buf_putc(b, ':');
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
			buf_printf(b, "%u.%u.%u.%u", a[12], a[13], a[14],
				   a[15]);
			return;
		}
		buf_printf(b, "%x", words[i]);
	}
	if (best >= 0 && best + best_len == 8)
		buf_putc(b, ':');
}

/* Byte family (2 IPv4, 3 IPv6), Byte bits, Byte is_cidr (ignored, as
 * network_recv does: the type decides), Byte address length, address.
 * inet omits a full mask length, cidr always shows it. */
bool bin_inet(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (len < 4)
		return bin_fail(c, "%s: %u bytes, expected at least 4", t->name,
				len);
	unsigned family = d[0], bits = d[1], nb = d[3];
	unsigned maxbits = family == 2 ? 32 : family == 3 ? 128 : 0;
	if (!maxbits)
		return bin_fail(c, "%s: invalid address family %u", t->name,
				family);
	if (bits > maxbits)
		return bin_fail(c, "%s: invalid bits %u", t->name, bits);
	if (nb != maxbits / 8 || len != 4 + nb)
		return bin_fail(c, "%s: invalid address length", t->name);
	if (family == 2)
		buf_printf(c->out, "%u.%u.%u.%u", d[4], d[5], d[6], d[7]);
	else
		put_ipv6(c->out, d + 4);
	if (bits != maxbits || t->oid == OID_CIDR)
		buf_printf(c->out, "/%u", bits);
	return true;
}

/* bit and varbit: Int32 bit count, then the bits, first one highest. */
bool bin_bits(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (len < 4)
		return bin_fail(c, "%s: %u bytes, expected at least 4", t->name,
				len);
	int32_t nbits = (int32_t)rd32(d);
	if (nbits < 0 || len - 4 != ((uint32_t)nbits + 7) / 8)
		return bin_fail(c, "%s: %u bytes for %d bits", t->name, len,
				nbits);
	buf_reserve(c->out, (size_t)nbits);
	for (int32_t i = 0; i < nbits; i++)
		c->out->data[c->out->len++] =
		    d[4 + i / 8] & (0x80 >> (i % 8)) ? '1' : '0';
	return true;
}

/* ---- money ---- */

/* An Int64 count of cents, printed as cash_out does with lc_monetary = C:
 * "$1,234.56", "-$0.01". (The server's own text depends on its
 * lc_monetary; the postgres sink reads money in the C locale, so this
 * form keeps the count exact whatever locales the two servers have.) */
bool bin_money(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 8))
		return false;
	int64_t v = (int64_t)rd64(d);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char digits[32];
	int n =
	    snprintf(digits, sizeof digits, "%03llu", (unsigned long long)u);
	if (v < 0)
		buf_putc(c->out, '-');
	buf_putc(c->out, '$');
	int whole = n - 2;
	for (int i = 0; i < whole; i++) {
		if (i && (whole - i) % 3 == 0)
			buf_putc(c->out, ',');
		buf_putc(c->out, digits[i]);
	}
	buf_putc(c->out, '.');
	buf_put(c->out, digits + whole, 2);
	return true;
}

/* ---- text search ---- */

/* A lexeme or a query operand between single quotes, with ' doubled and
 * \ escaped, as tsvectorout and tsqueryout write them. */
static void put_lexeme(struct buf *b, const unsigned char *s, size_t n)
{
	buf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_putc(b, '\'');
		else if (s[i] == '\\')
			buf_putc(b, '\\');
		buf_putc(b, (char)s[i]);
	}
	buf_putc(b, '\'');
}

/* tsvectorsend: Int32 count, then per lexeme its text and a NUL, UInt16
 * count of positions, and each as UInt16: weight in the top two bits (3
 * is A ... 0 is D, which is not printed), position in the rest. */
bool bin_tsvector(struct bin_conv *c, const struct pg_type *t,
		  const unsigned char *d, uint32_t len)
{
	if (len < 4)
		return bin_fail(c, "%s: %u bytes, expected at least 4", t->name,
				len);
	uint32_t n = rd32(d), pos = 4;
	if (n > len)
		return bin_fail(c, "%s: %u lexemes in %u bytes", t->name, n,
				len);
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *word = d + pos;
		const unsigned char *nul = memchr(word, '\0', len - pos);
		if (!nul)
			return bin_fail(c, "%s: lexeme %u has no end", t->name,
					i + 1);
		pos += (uint32_t)(nul - word) + 1;
		if (len - pos < 2)
			return bin_fail(c, "%s: truncated", t->name);
		uint32_t npos = rd16(d + pos);
		pos += 2;
		if ((len - pos) / 2 < npos)
			return bin_fail(c, "%s: truncated", t->name);
		if (i)
			buf_putc(c->out, ' ');
		put_lexeme(c->out, word, (size_t)(nul - word));
		for (uint32_t j = 0; j < npos; j++, pos += 2) {
			uint16_t wp = rd16(d + pos);
			buf_printf(c->out, "%c%u", j ? ',' : ':', wp & 0x3fffu);
			if (wp >> 14)
				buf_putc(c->out, "DCBA"[wp >> 14]);
		}
	}
	if (pos != len)
		return bin_fail(c, "%s: %u bytes after the lexemes", t->name,
				len - pos);
	return true;
}

/* tsquery items, in the order tsquerysend writes them: an operator, then
 * its right operand, then its left. */
enum {
	TSQ_VAL = 1,
	TSQ_OPR = 2
};
enum {
	TSQ_NOT = 1,
	TSQ_AND = 2,
	TSQ_OR = 3,
	TSQ_PHRASE = 4
};

struct tsq_item {
	uint8_t type, oper, weight, prefix;
	int16_t distance;
	const unsigned char *operand;
	size_t operand_len;
	uint32_t left; /* index of an operator's left operand */
};

struct tsq {
	struct tsq_item *items;
	uint32_t n;
};

/* Checks the subtree at *at and finds each operator's left operand, as
 * tsqueryrecv's findoprnd does; *at ends past the subtree. */
static bool tsq_link(struct tsq *q, uint32_t *at, int depth)
{
	if (*at >= q->n || depth > 1000)
		return false;
	struct tsq_item *it = &q->items[(*at)++];
	if (it->type == TSQ_VAL)
		return true;
	if (it->oper == TSQ_NOT)
		return tsq_link(q, at, depth + 1);
	if (!tsq_link(q, at, depth + 1)) /* the right operand */
		return false;
	it->left = *at;
	return tsq_link(q, at, depth + 1);
}

static int tsq_priority(uint8_t oper)
{
	static const int priority[] = { 0, 4, 2, 1, 3 }; /* NOT AND OR PHRASE */
	return priority[oper];
}

/* tsqueryout's infix(): operators of lower priority than their parent's
 * in "( ... )", and a phrase operator as a right operand of another too. */
static void tsq_put(struct buf *b, const struct tsq *q, uint32_t i,
		    int parent_priority, bool right_phrase)
{
	const struct tsq_item *it = &q->items[i];
	if (it->type == TSQ_VAL) {
		put_lexeme(b, it->operand, it->operand_len);
		if (it->weight || it->prefix) {
			buf_putc(b, ':');
			if (it->prefix)
				buf_putc(b, '*');
			for (int bit = 3; bit >= 0; bit--)
				if (it->weight & (1 << bit))
					buf_putc(b, "DCBA"[bit]);
		}
		return;
	}
	int priority = tsq_priority(it->oper);
	if (it->oper == TSQ_NOT) {
		if (priority < parent_priority)
			buf_puts(b, "( ");
		buf_putc(b, '!');
		tsq_put(b, q, i + 1, priority, false);
		if (priority < parent_priority)
			buf_puts(b, " )");
		return;
	}
	bool parens = priority < parent_priority ||
		      (it->oper == TSQ_PHRASE && right_phrase);
	if (parens)
		buf_puts(b, "( ");
	tsq_put(b, q, it->left, priority, false);
	if (it->oper == TSQ_OR)
		buf_puts(b, " | ");
	else if (it->oper == TSQ_AND)
		buf_puts(b, " & ");
	else if (it->distance != 1)
		buf_printf(b, " <%d> ", it->distance);
	else
		buf_puts(b, " <-> ");
	tsq_put(b, q, i + 1, priority, it->oper == TSQ_PHRASE);
	if (parens)
		buf_puts(b, " )");
}

/* tsquerysend: Int32 count of items; an operand is Int8 1, Int8 weight
 * bits (8 A, 4 B, 2 C, 1 D), Int8 prefix flag and its text with a NUL;
 * an operator Int8 2, Int8 operator, and for a phrase Int16 distance. */
bool bin_tsquery(struct bin_conv *c, const struct pg_type *t,
		 const unsigned char *d, uint32_t len)
{
	if (len < 4)
		return bin_fail(c, "%s: %u bytes, expected at least 4", t->name,
				len);
	uint32_t n = rd32(d), pos = 4;
	if (n > len / 2)
		return bin_fail(c, "%s: %u items in %u bytes", t->name, n, len);
	if (n == 0)
		return pos == len ||
		       bin_fail(c, "%s: bytes after an empty query", t->name);
	struct tsq q = { calloc(n, sizeof *q.items), n };
	if (!q.items)
		abort();
	bool ok = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		struct tsq_item *it = &q.items[i];
		if (len - pos < 2) {
			ok = false;
			break;
		}
		it->type = d[pos++];
		if (it->type == TSQ_VAL) {
			if (len - pos < 3) {
				ok = false;
				break;
			}
			it->weight = d[pos++];
			it->prefix = d[pos++];
			it->operand = d + pos;
			const unsigned char *nul =
			    memchr(d + pos, '\0', len - pos);
			ok = nul && it->weight < 16;
			if (ok) {
				it->operand_len = (size_t)(nul - it->operand);
				pos += (uint32_t)it->operand_len + 1;
			}
		} else if (it->type == TSQ_OPR) {
			it->oper = d[pos++];
			ok = it->oper >= TSQ_NOT && it->oper <= TSQ_PHRASE;
			if (ok && it->oper == TSQ_PHRASE) {
				ok = len - pos >= 2;
				if (ok)
					it->distance = (int16_t)rd16(d + pos);
				pos += 2;
			}
		} else {
			ok = false;
		}
	}
	uint32_t end = 0;
	ok = ok && pos == len && tsq_link(&q, &end, 0) && end == n;
	if (ok)
		tsq_put(c->out, &q, 0, -1, false);
	free(q.items);
	return ok || bin_fail(c, "%s: malformed", t->name);
}

/* ---- geometry: float8 coordinates, printed as float8out does ---- */

static void put_point(struct buf *b, const unsigned char *d)
{
	buf_putc(b, '(');
	bin_put_float(b, rd_float8(d), false);
	buf_putc(b, ',');
	bin_put_float(b, rd_float8(d + 8), false);
	buf_putc(b, ')');
}

static void put_points(struct buf *b, const unsigned char *d, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		put_point(b, d + 16 * i);
	}
}

bool bin_point(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 16))
		return false;
	put_point(c->out, d);
	return true;
}

bool bin_lseg(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 32))
		return false;
	buf_putc(c->out, '[');
	put_points(c->out, d, 2);
	buf_putc(c->out, ']');
	return true;
}

bool bin_box(struct bin_conv *c, const struct pg_type *t,
	     const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 32))
		return false;
	put_points(c->out, d, 2);
	return true;
}

/* {A,B,C} of Ax + By + C = 0 */
bool bin_line(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 24))
		return false;
	for (int i = 0; i < 3; i++) {
		buf_putc(c->out, i ? ',' : '{');
		bin_put_float(c->out, rd_float8(d + 8 * i), false);
	}
	buf_putc(c->out, '}');
	return true;
}

bool bin_circle(struct bin_conv *c, const struct pg_type *t,
		const unsigned char *d, uint32_t len)
{
	if (!bin_want_len(c, t, len, 24))
		return false;
	buf_putc(c->out, '<');
	put_point(c->out, d);
	buf_putc(c->out, ',');
	bin_put_float(c->out, rd_float8(d + 16), false);
	buf_putc(c->out, '>');
	return true;
}

/* path: Byte closed, Int32 npts, points: "((..),(..))" closed, "[...]"
 * open. polygon: Int32 npts, points: always "(...)". */
bool bin_path(struct bin_conv *c, const struct pg_type *t,
	      const unsigned char *d, uint32_t len)
{
	uint32_t head = t->oid == OID_PATH ? 5 : 4;
	if (len < head)
		return bin_fail(c, "%s: %u bytes, too short", t->name, len);
	uint32_t npts = rd32(d + head - 4);
	if (npts == 0 || npts > (len - head) / 16 || len - head != 16 * npts)
		return bin_fail(c, "%s: %u bytes for %u points", t->name, len,
				npts);
	bool closed = t->oid == OID_POLYGON || d[0];
	buf_putc(c->out, closed ? '(' : '[');
	put_points(c->out, d + head, npts);
	buf_putc(c->out, closed ? ')' : ']');
	return true;
}

/* The row of a built-in type binary_to_text can read by itself; NULL for
 * others, array types included. */
static const struct pg_type *find_type(uint32_t oid)
{
	const struct pg_type *t = types_by_oid(oid);
	return t && t->to_text ? t : NULL;
}

/* ---- ranges ---- */

#define RANGE_EMPTY  0x01
#define RANGE_LB_INC 0x02
#define RANGE_UB_INC 0x04
#define RANGE_LB_INF 0x08
#define RANGE_UB_INF 0x10

/* range_bound_escape: quotes a bound that is empty or holds any of
 * "\()[], or white space; doubles " and \. Works in place on the text
 * written from mark on. */
static void range_quote(struct buf *b, size_t mark)
{
	size_t n = b->len - mark, extra = 0;
	bool quote = n == 0;
	for (size_t i = 0; i < n; i++) {
		char ch = b->data[mark + i];
		if (ch == '"' || ch == '\\')
			extra++;
		if (strchr("\"\\()[],", ch) || ch == ' ' ||
		    (ch >= '\t' && ch <= '\r'))
			quote = true;
	}
	if (!quote)
		return;
	extra += 2;
	buf_reserve(b, extra);
	char *s = b->data + mark;
	size_t src = n, dst = n + extra;
	s[--dst] = '"';
	while (src > 0) {
		char ch = s[--src];
		s[--dst] = ch;
		if (ch == '"' || ch == '\\')
			s[--dst] = ch;
	}
	s[0] = '"';
	b->len += extra;
}

/* Byte flags, then each finite bound of a non-empty range as Int32 length
 * and the subtype's binary value. */
bool bin_range(struct bin_conv *c, const struct pg_type *t,
	       const unsigned char *d, uint32_t len)
{
	if (len < 1)
		return bin_fail(c, "%s: no flags", t->name);
	unsigned flags = d[0];
	uint32_t pos = 1;
	if (flags & RANGE_EMPTY) {
		if (len != 1)
			return bin_fail(c, "%s: bytes after an empty range",
					t->name);
		buf_puts(c->out, "empty");
		return true;
	}
	const struct pg_type *sub = find_type(t->of);
	buf_putc(c->out, flags & RANGE_LB_INC ? '[' : '(');
	for (int upper = 0; upper < 2; upper++) {
		if (upper)
			buf_putc(c->out, ',');
		if (flags & (upper ? RANGE_UB_INF : RANGE_LB_INF))
			continue;
		if (len - pos < 4)
			return bin_fail(c, "%s: truncated", t->name);
		uint32_t blen = rd32(d + pos);
		pos += 4;
		if (blen > len - pos)
			return bin_fail(c, "%s: truncated", t->name);
		size_t mark = c->out->len;
		if (!sub->to_text(c, sub, d + pos, blen))
			return false;
		range_quote(c->out, mark);
		pos += blen;
	}
	if (pos != len)
		return bin_fail(c, "%s: %u bytes after the bounds", t->name,
				len - pos);
	buf_putc(c->out, flags & RANGE_UB_INC ? ']' : ')');
	return true;
}

/* Int32 count, then each range as Int32 length and range bytes. */
bool bin_multirange(struct bin_conv *c, const struct pg_type *t,
		    const unsigned char *d, uint32_t len)
{
	if (len < 4)
		return bin_fail(c, "%s: %u bytes, expected at least 4", t->name,
				len);
	uint32_t n = rd32(d), pos = 4;
	const struct pg_type *range = find_type(t->of);
	buf_putc(c->out, '{');
	for (uint32_t i = 0; i < n; i++) {
		if (len - pos < 4)
			return bin_fail(c, "%s: truncated", t->name);
		uint32_t rlen = rd32(d + pos);
		pos += 4;
		if (rlen > len - pos)
			return bin_fail(c, "%s: truncated", t->name);
		if (i)
			buf_putc(c->out, ',');
		if (!range->to_text(c, range, d + pos, rlen))
			return false;
		pos += rlen;
	}
	if (pos != len)
		return bin_fail(c, "%s: %u bytes after the ranges", t->name,
				len - pos);
	buf_putc(c->out, '}');
	return true;
}

/* ---- arrays ---- */

/* The element type of an array type binary_to_text can print, and the
 * delimiter between its elements; NULL if there is none. Unlike
 * values_array_element, this takes bytea[] and box[]: their binary forms
 * are read all the same. */
static const struct pg_type *array_element(uint32_t typoid, char *delim)
{
	const struct pg_type *e = types_by_array(typoid);
	if (!e || !e->to_text)
		return NULL;
	*delim = types_delim(e);
	return e;
}

static bool array_space(char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* array_out's quoting of one element, in place on the text written from
 * mark on: quoted when empty, NULL in any case, or holding { } " \ the
 * delimiter or white space; " and \ get a backslash. */
static void array_quote(struct buf *b, size_t mark, char delim)
{
	const char *s = b->data + mark;
	size_t n = b->len - mark, extra = 0;
	bool quote =
	    n == 0 || (n == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' &&
		       (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 'l');
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '"' || ch == '\\') {
			extra++;
			quote = true;
		} else if (ch == '{' || ch == '}' || ch == delim ||
			   array_space(ch)) {
			quote = true;
		}
	}
	if (!quote)
		return;
	extra += 2;
	buf_reserve(b, extra);
	char *p = b->data + mark;
	size_t src = n, dst = n + extra;
	p[--dst] = '"';
	while (src > 0) {
		char ch = p[--src];
		p[--dst] = ch;
		if (ch == '"' || ch == '\\')
			p[--dst] = '\\';
	}
	p[0] = '"';
	b->len += extra;
}

/* array_send: Int32 ndim, Int32 flags (has nulls: 0 or 1), UInt32 element
 * type, per dimension Int32 size and Int32 lower bound, then the elements
 * in row-major order as Int32 length (-1 for NULL) and bytes. name is the
 * element type's, for messages; elem is the element type expected, or 0
 * for the one the bytes name (an array of the database's own type). */
static bool bin_array(struct bin_conv *c, const char *name, uint32_t elem,
		      char delim, const unsigned char *d, uint32_t len,
		      int depth)
{
	if (len < 12)
		return bin_fail(c, "%s[]: %u bytes, expected at least 12", name,
				len);
	int32_t ndim = (int32_t)rd32(d);
	int32_t flags = (int32_t)rd32(d + 4);
	uint32_t sent = rd32(d + 8);
	if (ndim < 0 || ndim > ARRAY_MAXDIM)
		return bin_fail(c, "%s[]: %d dimensions", name, ndim);
	if (flags != 0 && flags != 1)
		return bin_fail(c, "%s[]: invalid flags %d", name, flags);
	if (elem ? sent != elem : sent < FIRST_USER_OID)
		return bin_fail(c, "%s[]: element type %u, expected %u", name,
				sent, elem);
	if (len - 12 < 8 * (uint32_t)ndim)
		return bin_fail(c, "%s[]: truncated dimensions", name);
	int32_t dims[ARRAY_MAXDIM], lbs[ARRAY_MAXDIM];
	uint32_t pos = 12;
	uint64_t nitems = ndim > 0;
	bool bounds = false;
	for (int i = 0; i < ndim; i++, pos += 8) {
		dims[i] = (int32_t)rd32(d + pos);
		lbs[i] = (int32_t)rd32(d + pos + 4);
		/* As ArrayCheckBounds: lower bound + size must fit. */
		if (dims[i] < 0 || (int64_t)lbs[i] + dims[i] > INT32_MAX)
			return bin_fail(c, "%s[]: invalid dimension %d", name,
					i + 1);
		/* Stays below 2^63: len < 2^32 and a size < 2^31. */
		nitems *= (uint64_t)dims[i];
		if (nitems > len)
			return bin_fail(c, "%s[]: truncated", name);
		bounds |= lbs[i] != 1;
	}
	/* Every element takes at least its 4 length bytes. */
	if (nitems > (len - pos) / 4)
		return bin_fail(c, "%s[]: truncated", name);
	struct buf *b = c->out;
	if (nitems == 0) {
		if (pos != len)
			return bin_fail(c, "%s[]: bytes after an empty array",
					name);
		buf_puts(b, "{}");
		return true;
	}
	if (bounds) {
		for (int i = 0; i < ndim; i++)
			buf_printf(b, "[%d:%d]", lbs[i],
				   (int)((int64_t)lbs[i] + dims[i] - 1));
		buf_putc(b, '=');
	}
	int32_t idx[ARRAY_MAXDIM] = { 0 };
	for (int i = 0; i < ndim; i++)
		buf_putc(b, '{');
	for (uint64_t k = 0;; k++) {
		if (len - pos < 4)
			return bin_fail(c, "%s[]: truncated at element %llu",
					name, (unsigned long long)k + 1);
		int32_t elen = (int32_t)rd32(d + pos);
		pos += 4;
		if (elen == -1) {
			buf_puts(b, "NULL");
		} else if (elen < 0 || (uint32_t)elen > len - pos) {
			return bin_fail(c, "%s[]: truncated at element %llu",
					name, (unsigned long long)k + 1);
		} else {
			size_t mark = b->len;
			if (!bin_value(c, sent, d + pos, (uint32_t)elen,
				       depth + 1)) {
				/* Say which element: "int4[] element 3: int4:
				 * 2 bytes, expected 4". */
				char inner[200];
				snprintf(inner, sizeof inner, "%s",
					 c->errlen ? c->err : "");
				return bin_fail(c, "%s[] element %llu: %s",
						name, (unsigned long long)k + 1,
						inner);
			}
			array_quote(b, mark, delim);
			pos += (uint32_t)elen;
		}
		/* Close the dimensions this element completes, then open
		 * those the next one starts. */
		int j = ndim - 1;
		while (j >= 0 && ++idx[j] == dims[j]) {
			idx[j] = 0;
			buf_putc(b, '}');
			j--;
		}
		if (j < 0)
			break;
		buf_putc(b, delim);
		for (int i = j + 1; i < ndim; i++)
			buf_putc(b, '{');
	}
	if (pos != len)
		return bin_fail(c, "%s[]: %u bytes after the elements", name,
				len - pos);
	return true;
}

/* ---- types of the database's own ---- */

/* record_out's quoting of one field, in place on the text written from
 * mark on: quoted when empty or holding " \ ( ) , or white space; " and \
 * doubled inside. */
static void record_quote(struct buf *b, size_t mark)
{
	size_t n = b->len - mark, extra = 0;
	bool quote = n == 0;
	for (size_t i = 0; i < n; i++) {
		char ch = b->data[mark + i];
		if (ch == '"' || ch == '\\')
			extra++;
		if (strchr("\"\\(),", ch) || ch == ' ' ||
		    (ch >= '\t' && ch <= '\r'))
			quote = true;
	}
	if (!quote)
		return;
	extra += 2;
	buf_reserve(b, extra);
	char *p = b->data + mark;
	size_t src = n, dst = n + extra;
	p[--dst] = '"';
	while (src > 0) {
		char ch = p[--src];
		p[--dst] = ch;
		if (ch == '"' || ch == '\\')
			p[--dst] = ch;
	}
	p[0] = '"';
	b->len += extra;
}

/* record_send: Int32 count of columns, then per column UInt32 type, Int32
 * length (-1 for NULL) and the bytes; the fields name their types, so a
 * composite is read whatever its own OID. */
static bool bin_record(struct bin_conv *c, const unsigned char *d, uint32_t len,
		       int depth)
{
	if (len < 4)
		return false;
	uint32_t n = rd32(d), pos = 4;
	/* MaxTupleAttributeNumber; each column takes 8 bytes at least. */
	if (n > 1664 || n > (len - 4) / 8)
		return false;
	size_t start = c->out->len;
	buf_putc(c->out, '(');
	for (uint32_t i = 0; i < n; i++) {
		if (len - pos < 8)
			goto bad;
		uint32_t oid = rd32(d + pos);
		int32_t flen = (int32_t)rd32(d + pos + 4);
		pos += 8;
		if (i)
			buf_putc(c->out, ',');
		if (flen == -1)
			continue;
		if (flen < 0 || (uint32_t)flen > len - pos)
			goto bad;
		size_t mark = c->out->len;
		if (!bin_value(c, oid, d + pos, (uint32_t)flen, depth + 1))
			goto bad;
		record_quote(c->out, mark);
		pos += (uint32_t)flen;
	}
	if (pos != len)
		goto bad;
	buf_putc(c->out, ')');
	return true;
bad:
	c->out->len = start;
	return false;
}

/* Valid UTF-8 without NUL or control characters but tab, newline and
 * carriage return. */
static bool printable_utf8(const unsigned char *d, uint32_t len)
{
	for (uint32_t i = 0; i < len;) {
		unsigned char ch = d[i];
		if (ch < 0x80) {
			if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
				return false;
			if (ch == 0x7f)
				return false;
			i++;
			continue;
		}
		uint32_t n = ch >= 0xf0 && ch <= 0xf4  ? 4
			     : ch >= 0xe0	       ? 3
			     : ch >= 0xc2 && ch < 0xe0 ? 2
						       : 0;
		if (!n || len - i < n)
			return false;
		for (uint32_t k = 1; k < n; k++)
			if ((d[i + k] & 0xc0) != 0x80)
				return false;
		/* No overlong forms, surrogates, or code points past U+10FFFF.
		 */
		if ((ch == 0xe0 && d[i + 1] < 0xa0) ||
		    (ch == 0xed && d[i + 1] >= 0xa0) ||
		    (ch == 0xf0 && d[i + 1] < 0x90) ||
		    (ch == 0xf4 && d[i + 1] >= 0x90))
			return false;
		i += n;
	}
	return true;
}

/* A value of a type created in the database, which the wire names only by
 * an OID that means something in the source database alone. Its binary
 * form says what it is:
 *  - a composite's (record_send) starts with its column count, whose high
 *    bytes are zero, and names every field's type;
 *  - an array's (array_send) names its element type the same way;
 *  - an enum's is its label, text, which can hold no NUL: so neither of
 *    the above, and then the very text the server prints.
 * A value that is none of these (an extension type's binary form) stays
 * raw bytes: false, with no error. */
static bool bin_user(struct bin_conv *c, const unsigned char *d, uint32_t len,
		     int depth)
{
	size_t mark = c->out->len;
	/* Trying a form is no error: nothing is reported from inside. */
	char err[8];
	struct bin_conv quiet = { c->out, err, 0 };
	if (bin_record(&quiet, d, len, depth) ||
	    bin_array(&quiet, "", 0, ',', d, len, depth))
		return true;
	c->out->len = mark;
	if (!printable_utf8(d, len))
		return false;
	buf_put(c->out, d, len);
	return true;
}

/* Any value by its type's OID. */
bool bin_value(struct bin_conv *c, uint32_t oid, const unsigned char *d,
	       uint32_t len, int depth)
{
	if (depth > 32)
		return bin_fail(c, "nested too deep");
	const struct pg_type *t = find_type(oid);
	if (t)
		return t->to_text(c, t, d, len);
	char delim;
	const struct pg_type *et = array_element(oid, &delim);
	if (et)
		return bin_array(c, et->name, et->oid, delim, d, len, depth);
	if (oid >= FIRST_USER_OID && bin_user(c, d, len, depth))
		return true;
	return bin_fail(c, "type %u: not known", oid);
}

/* ---- entry points ---- */

bool binary_known_type(uint32_t typoid)
{
	char delim;
	return find_type(typoid) || array_element(typoid, &delim);
}

bool binary_to_text(uint32_t typoid, const char *data, uint32_t len,
		    struct buf *out, char *err, size_t errlen)
{
	struct bin_conv c = { out, err, errlen };
	const unsigned char *d = (const unsigned char *)data;
	size_t mark = out->len;
	if (errlen)
		err[0] = '\0';
	bool ok;
	if (binary_known_type(typoid)) {
		ok = bin_value(&c, typoid, d, len, 0);
	} else {
		/* A type of the database's own that says nothing of itself
		 * stays raw bytes: no error. */
		ok = typoid >= FIRST_USER_OID && bin_user(&c, d, len, 0);
	}
	if (!ok)
		out->len = mark;
	return ok;
}
