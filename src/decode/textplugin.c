#include "decode/textplugin.h"

#include "decode/decoderbufs.h"
#include "decode/test_decoding.h"
#include "decode/textstate.h"
#include "decode/wal2json.h"

/* The decoders are wal2json.c, test_decoding.c and decoderbufs.c, on the state of
 * textstate.h; this file chooses one by kind and keeps its state. */

void textplugin_init(struct textplugin *d, enum textplugin_kind kind)
{
	*d = (struct textplugin){ .kind = kind };
	d->scratch = tp_state_new(kind);
}

void textplugin_free(struct textplugin *d)
{
	tp_state_free(d->scratch);
	d->scratch = NULL;
}

void textplugin_reset(struct textplugin *d)
{
	d->xid = 0;
	tp_state_reset(d->scratch);
}

int textplugin_decode(struct textplugin *d, const uint8_t *buf, size_t len,
		      uint64_t lsn, event_fn fn, void *ctx, struct err *e)
{
	tp_state_start(d->scratch, d->kind, (const char *)buf, len, lsn);
	switch (d->kind) {
	case TEXTPLUGIN_WAL2JSON_1: return wal2json_decode_1(d, fn, ctx, e);
	case TEXTPLUGIN_WAL2JSON_2: return wal2json_decode_2(d, fn, ctx, e);
	case TEXTPLUGIN_TEST_DECODING:
		return test_decoding_decode(d, fn, ctx, e);
	case TEXTPLUGIN_DECODERBUFS: return decoderbufs_decode(d, fn, ctx, e);
	}
	return err_set(e, "unknown text plugin kind %d", (int)d->kind);
}

const char *const *textplugin_required_options(enum textplugin_kind kind)
{
	/* Checked against wal2json 2.5 and PostgreSQL 15's test_decoding
	 * (tests/unit/decode/test_textplugin.c holds what they printed). */
	static const char *const wal2json_1[] = {
		"include-xids",
		"1",
		"include-timestamp",
		"1",
		"include-type-oids",
		"1",
		"include-pk",
		"1",
		"include-lsn",
		"1",
		NULL,
	};
	static const char *const wal2json_2[] = {
		"format-version",
		"2",
		"include-xids",
		"1",
		"include-timestamp",
		"1",
		"include-type-oids",
		"1",
		"include-pk",
		"1",
		"include-lsn",
		"1",
		"include-transaction",
		"1",
		NULL,
	};
	static const char *const test_decoding[] = {
		"include-xids",
		"1",
		"include-timestamp",
		"1",
		"skip-empty-xacts",
		"1",
		NULL,
	};
	switch (kind) {
	case TEXTPLUGIN_WAL2JSON_1: return wal2json_1;
	case TEXTPLUGIN_WAL2JSON_2: return wal2json_2;
	case TEXTPLUGIN_TEST_DECODING: return test_decoding;
	case TEXTPLUGIN_DECODERBUFS: break; /* it has no option but debug-mode */
	}
	static const char *const none[] = { NULL };
	return none;
}
