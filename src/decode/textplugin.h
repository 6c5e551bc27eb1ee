/* textplugin — pure decoders of the output plugins that name a row's
 * table and columns in every change, having no relation messages: the
 * text plugins wal2json (format versions 1 and 2) and test_decoding, and
 * decoderbufs (protocol buffers): one payload in, events out (event.h), in
 * the same shape pgoutput's changes take.
 *
 * A decoder keeps, between payloads, only what the plugin spreads over
 * several of them: the open transaction's xid (test_decoding, wal2json 2),
 * and its own relation descriptions. */
#ifndef WALHOOK_TEXTPLUGIN_H
#define WALHOOK_TEXTPLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "decode/event.h"

enum textplugin_kind {
	TEXTPLUGIN_WAL2JSON_1,
	TEXTPLUGIN_WAL2JSON_2,
	TEXTPLUGIN_TEST_DECODING,
	TEXTPLUGIN_DECODERBUFS,
};

struct textplugin {
	enum textplugin_kind kind;
	/* Implementation state. Each change's rel is rebuilt from its
	 * payload in scratch: the plugins name no relid to cache by. xid:
	 * the open transaction's (test_decoding, wal2json 2). scratch: the
	 * rest, a struct tp_state (textstate.h). */
	uint32_t xid;
	void *scratch;
};

void textplugin_init(struct textplugin *d, enum textplugin_kind kind);
void textplugin_free(struct textplugin *d);
/* Forgets an unfinished transaction, as after a reconnect. */
void textplugin_reset(struct textplugin *d);

/*
 * Decodes one payload that arrived in XLogData at lsn; calls fn for each
 * event, in the payload's order, as soon as it is read (a wal2json format
 * 1 transaction is not held whole). -1 with e filled on malformed input
 * (the events before the fault were delivered, none after it; e names the
 * plugin, the LSN, the byte offset and the text there) or when fn fails
 * (e as fn left it).
 *
 * What the events hold:
 * - BEGIN: xid (0 without include-xids); commit_time from wal2json (its
 *   timestamps are the commit's) and decoderbufs, 0 from test_decoding.
 * - COMMIT: end_lsn, the position to confirm: wal2json's "nextlsn", else
 *   format 2's "lsn", else lsn; test_decoding's and decoderbufs' lsn (their
 *   COMMIT comes at the transaction's end). commit_lsn: format 2's "lsn",
 *   else 0.
 * - CHANGE: a rel built from the payload (relid 0, replident 0, typmod
 *   -1: the plugins tell none of them) with the columns in the plugin's
 *   order and their type OIDs (wal2json's include-type-oids, else
 *   typename_oid() of the printed name, 0 for types it does not know).
 *   Values are DATUM_TEXT with PostgreSQL's text output (JSON numbers as
 *   their token, true/false as t/f, bytea with its \x; decoderbufs' typed
 *   fields printed as the server prints the type), DATUM_NULL, or
 *   DATUM_UNCHANGED (test_decoding's unchanged-toast-datum, decoderbufs'
 *   datum_missing, and a column only the old row names). Key flags: the old row's columns, or without
 *   an old row wal2json's "pk". oldv has rel->ncols entries, non-key ones
 *   DATUM_NULL; old_kind 'O' when the old row names every column, else
 *   'K'. An unchanged TOAST column wal2json left out is not in the rel.
 * - TRUNCATE: rels with names only (ncols 0). wal2json format 2 sends a
 *   T record per table and no options: consecutive T records of one LSN
 *   are delivered as one truncate, once the next record (at the latest
 *   the commit) shows the truncate is whole. Format 1 sends none at all.
 * - MESSAGE: prefix (NUL-terminated), content and len.
 * Every lsn is the record's own where the plugin tells it (format 2's
 * "lsn"), else the payload's lsn.
 */
int textplugin_decode(struct textplugin *d, const uint8_t *buf, size_t len,
		      uint64_t lsn, event_fn fn, void *ctx, struct err *e);

/* The plugin options walhook needs for the decoder to work, added to the
 * user's -o options unless the user set them: name, value pairs ending in
 * a NULL name. */
const char *const *textplugin_required_options(enum textplugin_kind kind);

#endif
