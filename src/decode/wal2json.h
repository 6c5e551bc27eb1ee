/* wal2json — the decoder of wal2json's output into events: format 1, a
 * whole transaction a payload, and format 2, a record a payload. Each
 * decodes the payload tp_state_start gave d's state, as textplugin_decode
 * describes; textplugin.c is the caller. */
#ifndef WALHOOK_WAL2JSON_H
#define WALHOOK_WAL2JSON_H

#include "base/err.h"
#include "decode/event.h"
#include "decode/textplugin.h"

int wal2json_decode_1(struct textplugin *d, event_fn fn, void *ctx,
		      struct err *e);
int wal2json_decode_2(struct textplugin *d, event_fn fn, void *ctx,
		      struct err *e);

#endif
