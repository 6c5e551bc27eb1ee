/* wal2json_read — the values wal2json prints, read from its JSON with
 * jsonlex: objects and arrays walked member by member, column values as
 * PostgreSQL's text output, xids and type OIDs, LSNs, timestamps, and type
 * names (with the ones wal2json 2.5 prints as not quite JSON). Each reader
 * returns 0, or -1 with e filled by tp_fail: the payload, its LSN and the
 * byte where the text went wrong. Strings are views of the payload when
 * they hold no escapes, else copies in the decoder's arena. */
#ifndef WALHOOK_WAL2JSON_READ_H
#define WALHOOK_WAL2JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "decode/jsonlex.h"
#include "decode/textstate.h"

/* How many arrays and objects may be open at once (wal2json's own
 * documents open five at the most). */
#define WJ_MAX_DEPTH 64

struct wj {
	struct jsonlex lx; /* the payload's tokens */
	struct tp_state *st;
	struct err *e;
};

/* Starts reading st's payload. */
void wj_init(struct wj *j, struct tp_state *st, struct err *e);

/* Fail at position at of the payload, or at the next byte, where
 * jsonlex_peek stopped. At the end of a format 1 payload the message says
 * what cuts a transaction short. */
int wj_fail_at(struct wj *j, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int wj_fail(struct wj *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The next byte after white space, for messages about what starts there. */
const char *wj_here(struct wj *j);

/* Reads the opening bracket of kind (an object or an array); what names
 * it in the message when something else is there. */
int wj_open(struct wj *j, enum jsonlex_kind kind, const char *what);
/* Object members: call after the '{'. 1 with *key set for each member
 * (the ':' consumed), 0 after the closing '}', -1 on error. */
int wj_member(struct wj *j, bool *first, const char **key, size_t *klen);
/* Array elements: call after the '['. 1 when an element follows, 0 after
 * the closing ']', -1 on error. */
int wj_element(struct wj *j, bool *first);
/* A value walhook has no use for, read whole. */
int wj_skip(struct wj *j);

/* A JSON string; *s and *n get its text, NUL-terminated when nul is
 * asked for. */
int wj_string(struct wj *j, const char **s, size_t *n, bool nul);
/* A column value: its text as PostgreSQL's output function wrote it
 * (numbers as their token, true and false as t and f), or DATUM_NULL. */
int wj_datum(struct wj *j, struct datum *d);
int wj_bool(struct wj *j, bool *out);
/* An xid or a type OID. wal2json prints OIDs with %d, so an OID past
 * 2^31 comes out negative: it is taken modulo 2^32. null sets *isnull
 * when isnull is given (format 2's xid of a non-transactional message). */
int wj_uint32(struct wj *j, uint32_t *out, bool *isnull);
int wj_lsn(struct wj *j, uint64_t *out);
/* A timestamp string, or null (setting *isnull). */
int wj_time(struct wj *j, int64_t *out, bool *isnull);
/*
 * A type's name. wal2json 2.5 copies a name that format_type() quoted
 * into its JSON verbatim: "char" reads as the string char, but
 * "Odd Schema"."Odd Type" or "we""ird" are several JSON strings in a row.
 * Those are taken whole (quotes included) and name no built-in type.
 */
int wj_typename(struct wj *j, const char **s, size_t *n);

#endif
