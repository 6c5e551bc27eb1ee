/* debezium — Debezium's change-event envelope, for the sinks' format =
 * "debezium" and walhook.format.debezium(c): a change, a truncate (one
 * event per relation) or a logical message as the JSON that Debezium's
 * PostgreSQL connector writes with schemas off:
 *
 *   {"before": {...} | null, "after": {...} | null,
 *    "source": {"version", "connector": "postgresql", "name", "ts_ms",
 *               "snapshot", "db", "schema", "table", "txId", "lsn"},
 *    "op": "c" | "u" | "d" | "r" | "t", "ts_ms", "transaction": null}
 *
 * and a message as {"op": "m", "ts_ms", "source", "message": {"prefix",
 * "content" (base64)}}. The key of an event is its replica identity's
 * columns as an object ({"id": 1}), as Debezium's key struct is without
 * schemas. Built from the Lua table a script holds, so what a script
 * changed is what goes. */
#ifndef WALHOOK_DEBEZIUM_H
#define WALHOOK_DEBEZIUM_H

#include <stdint.h>

#include "base/buf.h"
#include "decode/relcache.h"
#include "lua/compat.h"

struct dbz_source {
	const char *name; /* the logical server name: a prefix, the slot */
	const char *db;	  /* the source database, "" when not known yet */
};

/* How many events the table at idx makes: 1 for a change (op insert,
 * update, delete, read) or a message, one per relation for a truncate, 0
 * for any other table (written as it is). */
int dbz_events(lua_State *L, int idx);
/* Appends event n (from 0) of the table at idx. rel orders the columns
 * (may be NULL); now_ms is the event's ts_ms. 0, or -1 with a message
 * pushed, as ljson_encode. */
int dbz_encode(lua_State *L, int idx, int n, const struct dbz_source *src,
	       int64_t now_ms, struct buf *b);
/* "2026-11-26 04:30:00.123456+00" as milliseconds since 1970; -1 when the
 * text is not in that form. */
int64_t dbz_time_ms(const char *text);

#endif
