/* typename — type OIDs of the built-in types from the names that
 * format_type() prints ("integer", "character varying(20)", "timestamp
 * with time zone", "text[]") and from pg_type's typnames ("int4",
 * "_int4"), for plugins that name types instead of numbering them. The
 * names are the catalog's (types.h); this unit reads the modifiers and
 * array marks around them. */
#ifndef WALHOOK_TYPENAME_H
#define WALHOOK_TYPENAME_H

#include <stddef.h>
#include <stdint.h>

/* The OID, ignoring a type modifier in parentheses; 0 when the name is
 * not a built-in type (an enum, a domain, an extension's type). */
uint32_t typename_oid(const char *name, size_t len);

#endif
