/* binary_numbers — converters of the number types' binary forms (see
 * binary_conv.h): integers, bool, "char", float4 and float8 (the shortest
 * text that reads back), numeric, money, and pg_lsn and tid, pairs of
 * integers. */
#include "decode/binary_conv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (!bin_want_min(c, t, len, 8))
		return false;
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

/* ---- pg_lsn and tid ---- */

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
