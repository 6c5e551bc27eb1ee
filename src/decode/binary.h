/* binary — the binary send format of common types turned into the text the
 * server prints for them, so a value reaches Lua and JSON the same whether
 * pgoutput sent it as text or binary.
 *
 * The text is that of a session with DateStyle = ISO, TimeZone = UTC,
 * IntervalStyle = postgres and extra_float_digits = 1, which is how
 * walhook connects. */
#ifndef WALHOOK_BINARY_H
#define WALHOOK_BINARY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

/* Appends the text form of a binary value of type typoid to out. false
 * when walhook does not know the type's binary format (out unchanged), or
 * when the bytes are malformed (then err says how). */
bool binary_to_text(uint32_t typoid, const char *data, uint32_t len,
		    struct buf *out, char *err, size_t errlen);

/* Whether binary_to_text knows typoid. */
bool binary_known_type(uint32_t typoid);

#endif
