#include "base/size.h"

#include <stdio.h>
#include <strings.h>

static const struct {
	const char *name;
	uint64_t factor;
} units[] = {
	{ "TB", UINT64_C(1) << 40 },
	{ "GB", UINT64_C(1) << 30 },
	{ "MB", UINT64_C(1) << 20 },
	{ "kB", UINT64_C(1) << 10 },
};

bool size_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_C(1) << 63) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	while (*p == ' ')
		p++;
	uint64_t factor = 1;
	if (*p && strcasecmp(p, "B") != 0) {
		factor = 0;
		for (size_t i = 0;
		     i < sizeof units / sizeof units[0] && !factor; i++) {
			/* "MB" or "M" */
			if (strcasecmp(p, units[i].name) == 0 ||
			    ((p[0] | 0x20) == (units[i].name[0] | 0x20) &&
			     !p[1]))
				factor = units[i].factor;
		}
		if (!factor)
			return false;
	}
	if (v > (UINT64_C(1) << 63) / factor)
		return false;
	*out = v * factor;
	return true;
}

char *size_format(uint64_t v, char out[SIZE_STRLEN])
{
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (v && v % units[i].factor == 0) {
			snprintf(out, SIZE_STRLEN, "%llu%s",
				 (unsigned long long)(v / units[i].factor),
				 units[i].name);
			return out;
		}
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (v >= units[i].factor) {
			snprintf(out, SIZE_STRLEN, "%llu bytes (%.1f%s)",
				 (unsigned long long)v,
				 (double)v / (double)units[i].factor,
				 units[i].name);
			return out;
		}
	}
	snprintf(out, SIZE_STRLEN, "%llu bytes", (unsigned long long)v);
	return out;
}
