#include "values.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum val_class values_class(uint32_t typoid)
{
	switch (typoid) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
	case OID_XID:
	case OID_CID:
		return VAL_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return VAL_FLOAT;
	case OID_BOOL:
		return VAL_BOOL;
	default:
		return VAL_STRING;
	}
}

bool values_parse_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - v);
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

bool values_parse_float(const char *s, size_t n, double *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* PostgreSQL spells these exactly so; strtod would also take "nan(…)". */
	if (strcmp(tmp, "NaN") == 0) {
		*out = NAN;
		return true;
	}
	if (strcmp(tmp, "Infinity") == 0 || strcmp(tmp, "-Infinity") == 0) {
		*out = tmp[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	/* Otherwise only decimal digits, sign, point and exponent: strtod
	 * alone would also take spaces, hex floats and other spellings. */
	if (strspn(tmp, "+-0123456789.eE") != n || !strpbrk(tmp, "0123456789"))
		return false;
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (end != tmp + n || (errno == ERANGE && isinf(v)))
		return false;
	*out = v;
	return true;
}

bool values_parse_bool(const char *s, size_t n, bool *out)
{
	if (n != 1 || (s[0] != 't' && s[0] != 'f'))
		return false;
	*out = s[0] == 't';
	return true;
}
