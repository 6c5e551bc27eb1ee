/* test_decoding — the decoder of test_decoding's lines into events, one
 * line a payload: the payload tp_state_start gave d's state, decoded as
 * textplugin_decode describes; textplugin.c is the caller. */
#ifndef WALHOOK_TEST_DECODING_H
#define WALHOOK_TEST_DECODING_H

#include "base/err.h"
#include "decode/event.h"
#include "decode/textplugin.h"

int test_decoding_decode(struct textplugin *d, event_fn fn, void *ctx,
			 struct err *e);

#endif
