/* copytext — a row of COPY's text format (tab-separated, \N for NULL,
 * backslash escapes) as column values, for the initial snapshot. Pure. */
#ifndef WALHOOK_COPYTEXT_H
#define WALHOOK_COPYTEXT_H

#include <stddef.h>

#include "base/buf.h"
#include "decode/values.h"

/* Splits line (without its newline) into exactly ncols values. Unescaped
 * text goes into scratch (replaced); the values point into it and are
 * valid until scratch changes. -1 with err filled when the column count
 * is wrong or an escape is cut short. */
int copytext_row(const char *line, size_t len, struct buf *scratch,
		 struct datum *vals, size_t ncols, char *err, size_t errlen);

#endif
