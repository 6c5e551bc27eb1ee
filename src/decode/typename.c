#include "decode/typename.h"

#include <stdbool.h>
#include <string.h>

/* One built-in type: the names a plugin may print for it and the OIDs of
 * the type and of its array type. fmt is format_type()'s spelling; alias
 * is pg_type.typname, which wal2json prints with include-typmod off
 * (arrays then come as "_int4"), or another spelling seen in the wild. */
struct typename_entry {
	const char *fmt;
	const char *alias;
	uint32_t oid;
	uint32_t array_oid;
};

/* PostgreSQL 15's pg_type, checked against the catalog (see
 * tests/unit/test_typename.c). */
static const struct typename_entry types[] = {
	{ "boolean", "bool", 16, 1000 },
	{ "bytea", NULL, 17, 1001 },
	/* format_type() writes "char" with its quotes; wal2json 2.5 drops
	 * them (it copies a quoted name into its JSON verbatim), so a bare
	 * char there means this type too. SQL's char(n) is printed as
	 * character(n), never as char. */
	{ "\"char\"", "char", 18, 1002 },
	{ "name", NULL, 19, 1003 },
	{ "bigint", "int8", 20, 1016 },
	{ "smallint", "int2", 21, 1005 },
	{ "int2vector", NULL, 22, 1006 },
	{ "integer", "int4", 23, 1007 },
	{ "regproc", NULL, 24, 1008 },
	{ "text", NULL, 25, 1009 },
	{ "oid", NULL, 26, 1028 },
	{ "tid", NULL, 27, 1010 },
	{ "xid", NULL, 28, 1011 },
	{ "cid", NULL, 29, 1012 },
	{ "oidvector", NULL, 30, 1013 },
	{ "json", NULL, 114, 199 },
	{ "xml", NULL, 142, 143 },
	{ "point", NULL, 600, 1017 },
	{ "lseg", NULL, 601, 1018 },
	{ "path", NULL, 602, 1019 },
	{ "box", NULL, 603, 1020 },
	{ "polygon", NULL, 604, 1027 },
	{ "line", NULL, 628, 629 },
	{ "cidr", NULL, 650, 651 },
	{ "real", "float4", 700, 1021 },
	{ "double precision", "float8", 701, 1022 },
	{ "circle", NULL, 718, 719 },
	{ "macaddr8", NULL, 774, 775 },
	{ "money", NULL, 790, 791 },
	{ "macaddr", NULL, 829, 1040 },
	{ "inet", NULL, 869, 1041 },
	{ "aclitem", NULL, 1033, 1034 },
	/* character(n); plain bpchar when the typmod is -1. */
	{ "character", "bpchar", 1042, 1014 },
	{ "character varying", "varchar", 1043, 1015 },
	{ "date", NULL, 1082, 1182 },
	{ "time without time zone", "time", 1083, 1183 },
	{ "timestamp without time zone", "timestamp", 1114, 1115 },
	{ "timestamp with time zone", "timestamptz", 1184, 1185 },
	{ "interval", NULL, 1186, 1187 },
	{ "time with time zone", "timetz", 1266, 1270 },
	{ "bit", NULL, 1560, 1561 },
	{ "bit varying", "varbit", 1562, 1563 },
	{ "numeric", "decimal", 1700, 1231 },
	{ "refcursor", NULL, 1790, 2201 },
	{ "regprocedure", NULL, 2202, 2207 },
	{ "regoper", NULL, 2203, 2208 },
	{ "regoperator", NULL, 2204, 2209 },
	{ "regclass", NULL, 2205, 2210 },
	{ "regtype", NULL, 2206, 2211 },
	{ "uuid", NULL, 2950, 2951 },
	{ "txid_snapshot", NULL, 2970, 2949 },
	{ "pg_lsn", NULL, 3220, 3221 },
	{ "tsvector", NULL, 3614, 3643 },
	{ "tsquery", NULL, 3615, 3645 },
	{ "gtsvector", NULL, 3642, 3644 },
	{ "regconfig", NULL, 3734, 3735 },
	{ "regdictionary", NULL, 3769, 3770 },
	{ "jsonb", NULL, 3802, 3807 },
	{ "int4range", NULL, 3904, 3905 },
	{ "numrange", NULL, 3906, 3907 },
	{ "tsrange", NULL, 3908, 3909 },
	{ "tstzrange", NULL, 3910, 3911 },
	{ "daterange", NULL, 3912, 3913 },
	{ "int8range", NULL, 3926, 3927 },
	{ "jsonpath", NULL, 4072, 4073 },
	{ "regnamespace", NULL, 4089, 4090 },
	{ "regrole", NULL, 4096, 4097 },
	{ "regcollation", NULL, 4191, 4192 },
	{ "int4multirange", NULL, 4451, 6150 },
	{ "nummultirange", NULL, 4532, 6151 },
	{ "tsmultirange", NULL, 4533, 6152 },
	{ "tstzmultirange", NULL, 4534, 6153 },
	{ "datemultirange", NULL, 4535, 6155 },
	{ "int8multirange", NULL, 4536, 6157 },
	{ "pg_snapshot", NULL, 5038, 5039 },
	{ "xid8", NULL, 5069, 271 },
};

/* Longer than any name above with its modifier: such a name is no
 * built-in type. */
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

	if (is_interval(s, n))
		return array ? 1187 : 1186;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		const struct typename_entry *t = &types[i];
		if (is_word(s, n, t->fmt) ||
		    (t->alias && is_word(s, n, t->alias)))
			return array ? t->array_oid : t->oid;
	}
	return 0;
}
