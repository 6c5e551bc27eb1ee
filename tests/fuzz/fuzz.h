/* fuzz — what the libFuzzer targets share: reading every byte a decoder
 * hands out, so that a view pointing outside its buffer shows up under
 * AddressSanitizer at the decoder's call, and a check that fails loudly.
 *
 * Each target is one LLVMFuzzerTestOneInput over one pure decoder. A
 * target owns everything it allocates for one input and frees it before
 * returning: state that outlived an input would make a crash depend on the
 * inputs before it, and LeakSanitizer would not see what the decoder
 * forgot to free. */
#ifndef WALHOOK_FUZZ_H
#define WALHOOK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/values.h"

/* Where touched bytes go, so the compiler cannot drop the reads. */
static volatile uint8_t fuzz_sink;

/* Reads n bytes at p. */
static inline void fuzz_touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= b[i];
	fuzz_sink ^= x;
}

/* Reads a NUL-terminated string, the NUL included. NULL is allowed. */
static inline void fuzz_touch_str(const char *s)
{
	if (s)
		fuzz_touch(s, strlen(s) + 1);
}

/* A broken promise of the decoder's interface: report it and abort, so
 * libFuzzer keeps the input as a crash. */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* Reads one column value: its kind must be one of the four, and text or
 * binary data must be readable for its whole length. */
static inline void fuzz_touch_datum(const struct datum *v)
{
	FUZZ_CHECK(v->kind == DATUM_NULL || v->kind == DATUM_UNCHANGED ||
		   v->kind == DATUM_TEXT || v->kind == DATUM_BINARY);
	if (v->kind == DATUM_TEXT || v->kind == DATUM_BINARY) {
		FUZZ_CHECK(v->data != NULL || v->len == 0);
		if (v->len)
			fuzz_touch(v->data, v->len);
	}
}

/* An error message must say something and end within its buffer. */
static inline void fuzz_check_err(const char *err, size_t size)
{
	FUZZ_CHECK(memchr(err, '\0', size) != NULL);
	FUZZ_CHECK(err[0] != '\0');
}

#endif
