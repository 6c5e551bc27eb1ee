/* types — see types.h. The rows are typelist.h's; this file builds the
 * table from them and finds rows by OID, by array OID and by name. */
#include "decode/types.h"

#include "decode/binary_conv.h" /* the converters the rows name */

#include <string.h>

/* Each row's place in the table. */
enum {
#define PG_TYPE(id, ...) ROW_##id,
#include "decode/typelist.h"
#undef PG_TYPE
	NROWS
};

static const struct pg_type catalog[NROWS] = {
#define PG_TYPE(id, oid_, array_, name_, to_text_, ...)                        \
	[ROW_##id] = { .oid = oid_,                                            \
		       .array = array_,                                        \
		       .name = name_,                                          \
		       .to_text = to_text_,                                    \
		       __VA_ARGS__ },
#include "decode/typelist.h"
#undef PG_TYPE
};

/* Both lookups are switches: the compiler finds the row in a few
 * comparisons (this runs for every column of every change), and an OID
 * given to two rows is a duplicate case, which does not compile. */

const struct pg_type *types_by_oid(uint32_t oid)
{
	switch (oid) {
#define PG_TYPE(id, ...)                                                       \
	case OID_##id:                                                         \
		return &catalog[ROW_##id];
#include "decode/typelist.h"
#undef PG_TYPE
	default: return NULL;
	}
}

const struct pg_type *types_by_array(uint32_t array_oid)
{
	switch (array_oid) {
#define PG_TYPE(id, ...)                                                       \
	case OID_##id##_ARRAY:                                                 \
		return &catalog[ROW_##id];
#include "decode/typelist.h"
#undef PG_TYPE
	default: return NULL;
	}
}

static bool is_word(const char *s, size_t n, const char *w)
{
	return w && strlen(w) == n && memcmp(s, w, n) == 0;
}

const struct pg_type *types_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < NROWS; i++) {
		const struct pg_type *t = &catalog[i];
		if (is_word(name, len, t->name) || is_word(name, len, t->alias))
			return t;
	}
	return NULL;
}
