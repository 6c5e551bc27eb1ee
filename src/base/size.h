/* size — byte counts as a person writes them on a command line ("512MB")
 * and as messages show them, in PostgreSQL's units: kB, MB, GB and TB,
 * each 1024 of the one before. */
#ifndef WALHOOK_SIZE_H
#define WALHOOK_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/* Parses digits and an optional unit: B, kB, MB, GB or TB, the case of
 * the letters as one likes, the B optional ("512M"), spaces between the
 * number and the unit allowed. False on anything else, and on a size
 * past 2^63 bytes. */
bool size_parse(const char *s, uint64_t *out);

#define SIZE_STRLEN 48
/* The largest unit that divides v ("512MB", "1536kB"), else bytes and
 * about as much in the largest unit below it ("21577905 bytes (20.6MB)",
 * "1000 bytes"). Writes into out and returns it. */
char *size_format(uint64_t v, char out[SIZE_STRLEN]);

#endif
