#include "decode/typename.h"

#include "decode/types.h"

#include <stdbool.h>
#include <string.h>

/* Longer than any name in the catalog with its modifier: such a name is
 * no built-in type. */
#define TYPENAME_MAX 64

static bool is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* "interval" may carry a field restriction: "interval year to month",
 * "interval second" (its precision was removed with the parentheses). */
static bool is_interval(const char *s, size_t n)
{
	static const char *const fields[] = { "year",	"month",  "day", "hour",
					      "minute", "second", "to" };
	if (n < 9 || memcmp(s, "interval ", 9) != 0)
		return false;
	size_t i = 9;
	while (i < n) {
		size_t w = i;
		while (w < n && s[w] != ' ')
			w++;
		bool known = false;
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
			known |= is_word(s + i, w - i, fields[f]);
		if (!known)
			return false;
		i = w + 1;
	}
	return s[n - 1] != ' ';
}

uint32_t typename_oid(const char *name, size_t len)
{
	/* The name without its modifiers: "timestamp(3) with time zone"
	 * becomes "timestamp with time zone", "numeric(10,2)[]" becomes
	 * "numeric[]". */
	char base[TYPENAME_MAX];
	size_t n = 0;
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth < 0)
				return 0;
		} else if (depth == 0) {
			if (n == sizeof base)
				return 0;
			base[n++] = c;
		}
	}
	if (depth != 0 || n == 0)
		return 0;

	/* format_type() prints one "[]" whatever the dimensions; typname
	 * spells an array type with a leading underscore. */
	bool array = false;
	const char *s = base;
	if (n > 2 && base[n - 2] == '[' && base[n - 1] == ']') {
		array = true;
		n -= 2;
	} else if (n > 1 && base[0] == '_') {
		array = true;
		s++;
		n--;
	}

	const struct pg_type *t = is_interval(s, n) ? types_by_oid(OID_INTERVAL)
						    : types_by_name(s, n);
	if (!t)
		return 0;
	return array ? t->array : t->oid;
}
