/* decoderbufs — the decoder of Debezium's decoderbufs plugin into events:
 * one protocol buffers RowMessage a payload (a transaction's BEGIN, one row
 * change, or its COMMIT), the payload tp_state_start gave d's state,
 * decoded as textplugin_decode describes; textplugin.c is the caller.
 *
 * The messages, as decoderbufs (pg_logicaldec.proto) writes them:
 *
 *   RowMessage     1 transaction_id  uint32, the top-level xid
 *                  2 commit_time     uint64, microseconds since 1970-01-01
 *                                    UTC, on every message
 *                  3 table           string, "schema.table", each part
 *                                    quoted as quote_identifier() does
 *                  4 op              enum: 0 INSERT, 1 UPDATE, 2 DELETE,
 *                                    3 BEGIN, 4 COMMIT
 *                  5 new_tuple       repeated DatumMessage
 *                  6 old_tuple       repeated DatumMessage
 *                  7 new_typeinfo    repeated TypeInfo (format_type()'s
 *                                    name, nullability), not read
 *   DatumMessage   1 column_name     string, quoted as quote_identifier()
 *                  2 column_type     int64, the type's OID
 *                  then at most one value (none: NULL):
 *                  3 int32  bool is 7; int2, int4; date as days since 1970
 *                  4 int64  int8, oid, money (cents); timestamp and
 *                           timestamptz as microseconds since 1970 (UTC),
 *                           their infinities as PostgreSQL keeps them;
 *                           time as microseconds since midnight
 *                  5 float  float4            6 double  float8; timetz as
 *                           the time in UTC, in microseconds (zone lost)
 *                  8 string numeric, char, varchar, bpchar, text, json,
 *                           jsonb, xml, bit, varbit, uuid, interval: their
 *                           text output
 *                  9 bytes  bytea's bytes; any other type's text output
 *                 10 Point  {1 x double, 2 y double}
 *                 11 bool   datum_missing: an unchanged TOAST value
 *
 * Every column but dropped ones is sent, in the table's order. old_tuple
 * is the replica identity's old tuple as the server logged it: the whole
 * row under REPLICA IDENTITY FULL, else every column with only the key's
 * set, and only when the key changed or on a delete. A table with no
 * replica identity gets neither tuple on an update, and no old tuple on a
 * delete. There are no truncates, logical messages, streamed or prepared
 * transactions: decoderbufs has no callbacks for them. */
#ifndef WALHOOK_DECODERBUFS_H
#define WALHOOK_DECODERBUFS_H

#include "base/err.h"
#include "decode/event.h"
#include "decode/textplugin.h"

int decoderbufs_decode(struct textplugin *d, event_fn fn, void *ctx,
		       struct err *e);

#endif
