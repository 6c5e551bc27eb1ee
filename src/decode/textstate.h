/* textstate — what a text plugin's decoder keeps (textplugin.c,
 * wal2json.c, test_decoding.c, decoderbufs.c): its scratch memory and the columns being
 * read, the events built from them, what carries over between payloads
 * (the open transaction, a held truncate), and the payload being decoded,
 * for the error that names where in it the text went wrong. */
#ifndef WALHOOK_TEXTSTATE_H
#define WALHOOK_TEXTSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "decode/textplugin.h"
#include "decode/textrow.h"

struct tp_state {
	/* The strings of the event being built: reset for every payload
	 * and after every event of a format 1 transaction. */
	struct arena arena;
	struct tcols newc, oldc, pkc;
	struct textrow row;
	/* wal2json format 2 sends one TRUNCATE of several tables as one T
	 * record per table, each with the truncate's LSN: they are held
	 * here (names copied, "schema\0table\0" each) until a record that
	 * is not one of them, and delivered as one truncate, as pgoutput and
	 * test_decoding deliver it. */
	struct buf held_names;
	uint32_t held_n;
	uint64_t held_lsn;
	bool in_txn;
	/* decoderbufs: a value's text while it is made (binary_to_text). */
	struct buf conv;
	/* The payload being decoded, for error messages. */
	enum textplugin_kind kind;
	const char *buf;
	size_t len;
	uint64_t lsn;
};

/* A state of its own, freed by tp_state_free (which accepts NULL). */
struct tp_state *tp_state_new(enum textplugin_kind kind);
void tp_state_free(struct tp_state *st);
/* Forgets the open transaction and a held truncate, as after a reconnect. */
void tp_state_reset(struct tp_state *st);
/* Starts on the payload of len bytes at buf, from XLogData at lsn. */
void tp_state_start(struct tp_state *st, enum textplugin_kind kind,
		    const char *buf, size_t len, uint64_t lsn);

/* Fills e with what is wrong at position at of the payload (NULL: the
 * payload as a whole): plugin, LSN, offset and a few bytes from there.
 * Returns -1. */
int tp_fail(struct tp_state *st, const char *at, struct err *e, const char *fmt,
	    ...) __attribute__((format(printf, 4, 5)));

#endif
