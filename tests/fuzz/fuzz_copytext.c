/* fuzz_copytext — copytext_row over lines of COPY's text format.
 *
 * The first input byte is the column count the rows must have (0 to 63);
 * the rest are rows, one per line, split at each newline as the snapshot
 * splits COPY's output, and decoded with one scratch buffer, which is
 * reused from row to row as in the snapshot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "decode/copytext.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t ncols = data[0] % 64;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct datum *vals = calloc(ncols ? ncols : 1, sizeof *vals);
	FUZZ_CHECK(vals != NULL);
	struct buf scratch = { 0 };
	for (;;) {
		const char *nl = n ? memchr(s, '\n', n) : NULL;
		size_t len = nl ? (size_t)(nl - s) : n;
		/* An exactly-sized copy: a read past the line is caught. */
		char *line = malloc(len ? len : 1);
		FUZZ_CHECK(line != NULL);
		memcpy(line, s, len);
		char err[256] = "";
		int rc = copytext_row(line, len, &scratch, vals, ncols, err,
				      sizeof err);
		if (rc == 0) {
			for (size_t c = 0; c < ncols; c++) {
				FUZZ_CHECK(vals[c].kind == DATUM_NULL ||
					   vals[c].kind == DATUM_TEXT);
				fuzz_touch_datum(&vals[c]);
			}
		} else {
			fuzz_check_err(err, sizeof err);
		}
		free(line);
		if (!nl)
			break;
		s += len + 1;
		n -= len + 1;
	}
	buf_free(&scratch);
	free(vals);
	return 0;
}
