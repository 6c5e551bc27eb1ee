/* fuzz_pgoutput — pgo_decode over one pgoutput message.
 *
 * The input is one message as it follows the XLogData header. It is
 * decoded four times by one decoder, in every combination of the state a
 * caller can set (inside a streamed block or not; Stream Abort with or
 * without its LSN), so the streamed forms of every message get the same
 * bytes, and the decoder's scratch arrays are reused as in a real stream.
 * Everything a decoded message points to is read. */
#include <stdint.h>

#include "decode/pgoutput.h"
#include "fuzz.h"

static void touch_tuple(const struct pgo_tuple *t)
{
	FUZZ_CHECK(t->ncols == 0 || t->cols != NULL);
	for (uint16_t i = 0; i < t->ncols; i++)
		fuzz_touch_datum(&t->cols[i]);
}

static void touch_msg(const struct pgo_msg *m)
{
	fuzz_touch_str(pgo_kind_name(m->kind));
	switch (m->kind) {
	case PGO_ORIGIN: fuzz_touch_str(m->origin.name); break;
	case PGO_RELATION:
		fuzz_touch_str(m->relation.nspname);
		fuzz_touch_str(m->relation.relname);
		FUZZ_CHECK(m->relation.ncols == 0 || m->relation.cols != NULL);
		for (uint16_t i = 0; i < m->relation.ncols; i++)
			fuzz_touch_str(m->relation.cols[i].name);
		break;
	case PGO_TYPE:
		fuzz_touch_str(m->type.nspname);
		fuzz_touch_str(m->type.typname);
		break;
	case PGO_INSERT:
	case PGO_UPDATE:
	case PGO_DELETE:
		FUZZ_CHECK(m->change.old_kind == 0 ||
			   m->change.old_kind == 'K' ||
			   m->change.old_kind == 'O');
		touch_tuple(&m->change.old);
		touch_tuple(&m->change.new);
		break;
	case PGO_TRUNCATE:
		FUZZ_CHECK(m->truncate.nrels == 0 ||
			   m->truncate.relids != NULL);
		fuzz_touch(m->truncate.relids,
			   m->truncate.nrels * sizeof *m->truncate.relids);
		break;
	case PGO_MESSAGE:
		fuzz_touch_str(m->message.prefix);
		FUZZ_CHECK(m->message.len == 0 || m->message.content != NULL);
		fuzz_touch(m->message.content, m->message.len);
		break;
	case PGO_BEGIN_PREPARE:
	case PGO_PREPARE:
	case PGO_COMMIT_PREPARED:
	case PGO_STREAM_PREPARE: fuzz_touch_str(m->prepare.gid); break;
	case PGO_ROLLBACK_PREPARED:
		fuzz_touch_str(m->rollback_prepared.gid);
		break;
	default:
		/* The rest hold numbers only. */
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgo_decoder d;
	pgo_decoder_init(&d);
	for (int mode = 0; mode < 4; mode++) {
		pgo_decoder_reset(&d);
		d.in_stream = mode & 1;
		d.abort_has_lsn = mode & 2;
		struct pgo_msg m;
		if (pgo_decode(&d, data, size, &m) == 0)
			touch_msg(&m);
		else
			fuzz_check_err(d.err, sizeof d.err);
	}
	pgo_decoder_free(&d);
	return 0;
}
