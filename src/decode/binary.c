/* binary — see binary.h: the entry points, and the dispatch of a value
 * to its converter by its type's row in the catalog (types.h). The
 * converters, by family, are in binary_*.c (binary_conv.h); the expected
 * texts in tests/unit/decode/test_binary*.c were taken from a PostgreSQL
 * 15 server. */
#include "decode/binary.h"

#include "decode/binary_conv.h"

/* The row of a built-in type binary_to_text can read by itself; NULL for
 * others, array types included. */
static const struct pg_type *find_type(uint32_t oid)
{
	const struct pg_type *t = types_by_oid(oid);
	return t && t->to_text ? t : NULL;
}

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
