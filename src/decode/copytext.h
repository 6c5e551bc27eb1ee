/* copytext — a row of COPY's text format (tab-separated, \N for NULL,
 * backslash escapes): read into column values, for the initial snapshot,
 * and written from them, for the postgres sink's runs of inserts. Pure. */
#ifndef WALHOOK_COPYTEXT_H
#define WALHOOK_COPYTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "decode/values.h"

/* Splits line (without its newline) into exactly ncols values. Unescaped
 * text goes into scratch (replaced); the values point into it and are
 * valid until scratch changes. -1 with err filled when the column count
 * is wrong or an escape is cut short. */
int copytext_row(const char *line, size_t len, struct buf *scratch,
		 struct datum *vals, size_t ncols, char *err, size_t errlen);

/* Appends v as one field (without its separator): SQL NULL as \N, text
 * with its backslashes, tabs, newlines and carriage returns escaped; with
 * raw_bytes, v's bytes in bytea's hex input form (\x followed by two
 * digits a byte, its backslash escaped in turn). */
void copytext_put(struct buf *out, const struct datum *v, bool raw_bytes);

#endif
