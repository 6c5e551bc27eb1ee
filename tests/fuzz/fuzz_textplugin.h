/* fuzz_textplugin — the part of the wal2json, test_decoding and
 * decoderbufs targets they share: one input is a control byte, then
 * payloads separated by NUL bytes (the text plugins print text, which
 * never holds a NUL; decoderbufs' target splits its own), decoded in
 * order by one decoder so that state kept between payloads (the open
 * transaction) is exercised.
 *
 * The control byte's bits 1 to 7 name an event at which the callback
 * fails (0: never), so the decoder's path for a failing callback runs too;
 * bit 0 is the target's own (wal2json's format). After a payload fails the
 * decoder is reset, as walhook does on reconnecting, and the next payload
 * is decoded. Every event is read whole. */
#ifndef WALHOOK_FUZZ_TEXTPLUGIN_H
#define WALHOOK_FUZZ_TEXTPLUGIN_H

#include <string.h>

#include "decode/textplugin.h"
#include "fuzz.h"

struct fuzz_tp {
	unsigned events;  /* delivered so far, this input */
	unsigned fail_at; /* fail at this event (1-based); 0 never */
};

static inline void fuzz_touch_rel(const struct rel *r)
{
	FUZZ_CHECK(r != NULL);
	fuzz_touch_str(r->nspname);
	fuzz_touch_str(r->relname);
	FUZZ_CHECK(r->nkeys <= r->ncols);
	FUZZ_CHECK(r->ncols == 0 || r->cols != NULL);
	for (uint16_t i = 0; i < r->ncols; i++) {
		const struct rel_column *c = &r->cols[i];
		FUZZ_CHECK(c->name != NULL);
		fuzz_touch(c->name, c->name_len);
	}
}

static inline void fuzz_touch_row(const struct rel *r, const struct datum *v)
{
	if (!v)
		return;
	for (uint16_t i = 0; i < r->ncols; i++)
		fuzz_touch_datum(&v[i]);
}

static inline int fuzz_tp_event(void *ctx, const struct event *ev,
				struct err *e)
{
	struct fuzz_tp *t = ctx;
	switch (ev->kind) {
	case EVENT_BEGIN:
	case EVENT_COMMIT: break;
	case EVENT_CHANGE:
		FUZZ_CHECK(ev->change.op == CHANGE_INSERT ||
			   ev->change.op == CHANGE_UPDATE ||
			   ev->change.op == CHANGE_DELETE);
		fuzz_touch_rel(ev->change.rel);
		fuzz_touch_row(ev->change.rel, ev->change.newv);
		fuzz_touch_row(ev->change.rel, ev->change.oldv);
		if (ev->change.oldv)
			FUZZ_CHECK(ev->change.old_kind == 'K' ||
				   ev->change.old_kind == 'O');
		break;
	case EVENT_TRUNCATE:
		FUZZ_CHECK(ev->truncate.nrels == 0 ||
			   ev->truncate.rels != NULL);
		for (uint32_t i = 0; i < ev->truncate.nrels; i++)
			fuzz_touch_rel(ev->truncate.rels[i]);
		break;
	case EVENT_MESSAGE:
		fuzz_touch_str(ev->message.prefix);
		FUZZ_CHECK(ev->message.len == 0 || ev->message.content != NULL);
		fuzz_touch(ev->message.content, ev->message.len);
		break;
	default: FUZZ_CHECK(!"an event of no known kind");
	}
	if (++t->events == t->fail_at)
		return err_set(e, "the callback fails at event %u", t->events);
	return 0;
}

static inline void fuzz_textplugin(enum textplugin_kind kind, uint8_t control,
				   const uint8_t *data, size_t size)
{
	struct textplugin d;
	struct fuzz_tp t = { .fail_at = control >> 1 };
	uint64_t lsn = 0x1000000;
	textplugin_init(&d, kind);
	for (;;) {
		const uint8_t *nul = size ? memchr(data, '\0', size) : NULL;
		size_t len = nul ? (size_t)(nul - data) : size;
		struct err e = { 0 };
		if (textplugin_decode(&d, data, len, lsn, fuzz_tp_event, &t,
				      &e) < 0) {
			fuzz_check_err(e.msg, sizeof e.msg);
			textplugin_reset(&d);
		}
		if (!nul)
			break;
		lsn += len + 1;
		data += len + 1;
		size -= len + 1;
	}
	textplugin_free(&d);
}

#endif
