/* lsn — WAL positions and replication timestamps as PostgreSQL writes them.
 *
 * An LSN prints as %X/%X: the high and low 32 bits in upper-case hex.
 * Replication times are microseconds since 2000-01-01 00:00:00 UTC. */
#ifndef WALHOOK_LSN_H
#define WALHOOK_LSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSN_INVALID	  ((uint64_t)0)
#define LSN_STRLEN	  18 /* "FFFFFFFF/FFFFFFFF" plus NUL */
#define PG_EPOCH_OFFSET_S INT64_C(946684800)

/* Parses "16/B374D848"; false on anything else (no spaces, no trailing text).
 */
bool lsn_parse(const char *s, uint64_t *out);
/* Writes into out (LSN_STRLEN bytes) and returns out. */
char *lsn_format(uint64_t lsn, char out[LSN_STRLEN]);
/* The same text without the NUL at p, which needs LSN_STRLEN - 1 bytes
 * of room (all may be written, even past the text); returns its end. */
char *lsn_put(char *p, uint64_t lsn);

/* Microseconds on the monotonic clock every timer of walhook's runs on. */
int64_t mono_now_us(void);

/* Microseconds since the PostgreSQL epoch, now. */
int64_t pgtime_now(void);
/* "2026-11-26 04:30:00.123456+00": always UTC, always six fraction digits,
 * so the text does not depend on any server or client setting.
 * out needs PGTIME_STRLEN bytes. */
#define PGTIME_STRLEN 48
char *pgtime_format(int64_t pg_us, char out[PGTIME_STRLEN]);
/* Parses the n bytes at s, a time as PostgreSQL prints a timestamptz
 * ("2026-11-26 04:30:00.123456+00", any offset such as +05:30, the
 * fraction optional; pgtime_format's text among them), into microseconds
 * since the PostgreSQL epoch. False on anything else. */
bool pgtime_parse(const char *s, size_t n, int64_t *out);

#endif
