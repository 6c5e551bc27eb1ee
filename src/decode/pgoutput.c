#include "decode/pgoutput.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/wire.h"

const char *pgo_kind_name(int kind)
{
	switch (kind) {
	case PGO_BEGIN: return "Begin";
	case PGO_COMMIT: return "Commit";
	case PGO_ORIGIN: return "Origin";
	case PGO_RELATION: return "Relation";
	case PGO_TYPE: return "Type";
	case PGO_INSERT: return "Insert";
	case PGO_UPDATE: return "Update";
	case PGO_DELETE: return "Delete";
	case PGO_TRUNCATE: return "Truncate";
	case PGO_MESSAGE: return "Message";
	case PGO_STREAM_START: return "Stream Start";
	case PGO_STREAM_STOP: return "Stream Stop";
	case PGO_STREAM_COMMIT: return "Stream Commit";
	case PGO_STREAM_ABORT: return "Stream Abort";
	case PGO_BEGIN_PREPARE: return "Begin Prepare";
	case PGO_PREPARE: return "Prepare";
	case PGO_COMMIT_PREPARED: return "Commit Prepared";
	case PGO_ROLLBACK_PREPARED: return "Rollback Prepared";
	case PGO_STREAM_PREPARE: return "Stream Prepare";
	default: return "unknown";
	}
}

void pgo_decoder_init(struct pgo_decoder *d)
{
	*d = (struct pgo_decoder){ 0 };
}

void pgo_decoder_reset(struct pgo_decoder *d)
{
	d->in_stream = false;
}

void pgo_decoder_free(struct pgo_decoder *d)
{
	free(d->vals);
	free(d->cols);
	free(d->relids);
	pgo_decoder_init(d);
}

static int fail(struct pgo_decoder *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct pgo_decoder *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof d->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Grows a scratch array to hold n elements; false when n is more than the
 * message could possibly describe (each element takes at least one byte). */
static bool scratch(void **arr, size_t *cap, size_t n, size_t elem,
		    size_t remaining)
{
	if (n > remaining)
		return false;
	if (n <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	void *p = xrealloc(*arr, c * elem);
	*arr = p;
	*cap = c;
	return true;
}

/* Reads TupleData into the value scratch, starting at slot `at` so an
 * update's old and new tuples can share it. */
static int read_tuple(struct pgo_decoder *d, struct wire *r, size_t at,
		      struct pgo_tuple *t)
{
	uint16_t n = wire_u16(r);
	if (r->bad)
		return fail(d, "truncated tuple");
	if (!scratch((void **)&d->vals, &d->vals_cap, at + n, sizeof *d->vals,
		     at + r->len - r->off))
		return fail(d, "tuple claims %u columns in %zu bytes", n,
			    r->len - r->off);
	/* No scratch yet for an empty tuple: nothing to point into. */
	struct datum *v = d->vals ? d->vals + at : NULL;
	for (uint16_t i = 0; i < n; i++) {
		v[i].kind = (char)wire_u8(r);
		v[i].len = 0;
		v[i].data = NULL;
		switch (v[i].kind) {
		case DATUM_NULL:
		case DATUM_UNCHANGED: break;
		case DATUM_TEXT:
		case DATUM_BINARY:
			v[i].len = wire_u32(r);
			v[i].data = (const char *)wire_bytes(r, v[i].len);
			break;
		default:
			if (r->bad)
				return fail(d, "truncated tuple");
			return fail(d, "column %u has unknown kind 0x%02x",
				    i + 1, (unsigned char)v[i].kind);
		}
		if (r->bad)
			return fail(d, "truncated tuple at column %u", i + 1);
	}
	/* Set after the reads: the scratch may have moved while growing. */
	t->ncols = n;
	t->cols = v;
	return 0;
}

static void read_stream_xid(struct pgo_decoder *d, struct wire *r,
			    struct pgo_msg *m)
{
	m->has_xid = d->in_stream;
	m->xid = d->in_stream ? wire_u32(r) : 0;
}

static int read_relation(struct pgo_decoder *d, struct wire *r,
			 struct pgo_msg *m)
{
	read_stream_xid(d, r, m);
	m->relation.relid = wire_u32(r);
	m->relation.nspname = wire_str(r);
	m->relation.relname = wire_str(r);
	m->relation.replident = (char)wire_u8(r);
	uint16_t n = wire_u16(r);
	if (r->bad)
		return fail(d, "truncated Relation");
	if (!scratch((void **)&d->cols, &d->cols_cap, n, sizeof *d->cols,
		     r->len - r->off))
		return fail(d, "Relation claims %u columns in %zu bytes", n,
			    r->len - r->off);
	for (uint16_t i = 0; i < n; i++) {
		d->cols[i].flags = wire_u8(r);
		d->cols[i].name = wire_str(r);
		d->cols[i].typoid = wire_u32(r);
		d->cols[i].typmod = (int32_t)wire_u32(r);
	}
	m->relation.ncols = n;
	m->relation.cols = d->cols;
	return 0;
}

static int read_change(struct pgo_decoder *d, struct wire *r, struct pgo_msg *m)
{
	read_stream_xid(d, r, m);
	m->change.relid = wire_u32(r);
	m->change.old_kind = 0;
	m->change.old = m->change.new = (struct pgo_tuple){ 0 };
	uint8_t tag = wire_u8(r);
	if (r->bad)
		return fail(d, "truncated %s", pgo_kind_name(m->kind));
	if (m->kind != PGO_INSERT && (tag == 'K' || tag == 'O')) {
		m->change.old_kind = (char)tag;
		if (read_tuple(d, r, 0, &m->change.old) < 0)
			return -1;
		if (m->kind == PGO_DELETE)
			return 0;
		tag = wire_u8(r);
	} else if (m->kind == PGO_DELETE) {
		return fail(d, "Delete has tuple tag 0x%02x, not K or O", tag);
	}
	if (tag != 'N')
		return fail(d, "%s has tuple tag 0x%02x, not N",
			    pgo_kind_name(m->kind), tag);
	if (read_tuple(d, r, m->change.old.ncols, &m->change.new) < 0)
		return -1;
	/* Reading the new tuple may have moved the scratch. */
	if (m->change.old_kind)
		m->change.old.cols = d->vals;
	return 0;
}

static int read_truncate(struct pgo_decoder *d, struct wire *r,
			 struct pgo_msg *m)
{
	read_stream_xid(d, r, m);
	uint32_t n = wire_u32(r);
	m->truncate.options = wire_u8(r);
	if (r->bad)
		return fail(d, "truncated Truncate");
	if (!scratch((void **)&d->relids, &d->relids_cap, n, sizeof *d->relids,
		     (r->len - r->off) / 4))
		return fail(d, "Truncate claims %u relations in %zu bytes", n,
			    r->len - r->off);
	for (uint32_t i = 0; i < n; i++)
		d->relids[i] = wire_u32(r);
	m->truncate.nrels = n;
	m->truncate.relids = d->relids;
	return 0;
}

static void read_message(struct pgo_decoder *d, struct wire *r,
			 struct pgo_msg *m)
{
	read_stream_xid(d, r, m);
	m->message.flags = wire_u8(r);
	m->message.lsn = wire_u64(r);
	m->message.prefix = wire_str(r);
	m->message.len = wire_u32(r);
	m->message.content = (const char *)wire_bytes(r, m->message.len);
}

/* Begin Prepare, Prepare, Commit Prepared, Stream Prepare share a layout,
 * except that Begin Prepare has no flags byte. */
static void read_prepare(struct wire *r, struct pgo_msg *m)
{
	m->prepare.flags = m->kind == PGO_BEGIN_PREPARE ? 0 : wire_u8(r);
	m->prepare.lsn = wire_u64(r);
	m->prepare.end_lsn = wire_u64(r);
	m->prepare.time = (int64_t)wire_u64(r);
	m->prepare.xid = wire_u32(r);
	m->prepare.gid = wire_str(r);
}

static int read_body(struct pgo_decoder *d, struct wire *r, struct pgo_msg *m)
{
	switch (m->kind) {
	case PGO_BEGIN:
		m->begin.final_lsn = wire_u64(r);
		m->begin.commit_time = (int64_t)wire_u64(r);
		m->begin.xid = wire_u32(r);
		return 0;
	case PGO_COMMIT:
		m->commit.flags = wire_u8(r);
		m->commit.commit_lsn = wire_u64(r);
		m->commit.end_lsn = wire_u64(r);
		m->commit.commit_time = (int64_t)wire_u64(r);
		return 0;
	case PGO_ORIGIN:
		m->origin.commit_lsn = wire_u64(r);
		m->origin.name = wire_str(r);
		return 0;
	case PGO_RELATION: return read_relation(d, r, m);
	case PGO_TYPE:
		read_stream_xid(d, r, m);
		m->type.typoid = wire_u32(r);
		m->type.nspname = wire_str(r);
		m->type.typname = wire_str(r);
		return 0;
	case PGO_INSERT:
	case PGO_UPDATE:
	case PGO_DELETE: return read_change(d, r, m);
	case PGO_TRUNCATE: return read_truncate(d, r, m);
	case PGO_MESSAGE: read_message(d, r, m); return 0;
	case PGO_STREAM_START:
		if (d->in_stream)
			return fail(d, "Stream Start inside a streamed block");
		m->stream_start.xid = wire_u32(r);
		m->stream_start.first_segment = wire_u8(r) == 1;
		return 0;
	case PGO_STREAM_STOP:
		if (!d->in_stream)
			return fail(d, "Stream Stop outside a streamed block");
		return 0;
	case PGO_STREAM_COMMIT:
		m->stream_commit.xid = wire_u32(r);
		m->stream_commit.flags = wire_u8(r);
		m->stream_commit.commit_lsn = wire_u64(r);
		m->stream_commit.end_lsn = wire_u64(r);
		m->stream_commit.commit_time = (int64_t)wire_u64(r);
		return 0;
	case PGO_STREAM_ABORT:
		m->stream_abort.xid = wire_u32(r);
		m->stream_abort.subxid = wire_u32(r);
		m->stream_abort.has_abort_lsn = d->abort_has_lsn;
		m->stream_abort.abort_lsn = d->abort_has_lsn ? wire_u64(r) : 0;
		m->stream_abort.abort_time =
		    d->abort_has_lsn ? (int64_t)wire_u64(r) : 0;
		return 0;
	case PGO_BEGIN_PREPARE:
	case PGO_PREPARE:
	case PGO_COMMIT_PREPARED:
	case PGO_STREAM_PREPARE: read_prepare(r, m); return 0;
	case PGO_ROLLBACK_PREPARED:
		m->rollback_prepared.flags = wire_u8(r);
		m->rollback_prepared.prepare_end_lsn = wire_u64(r);
		m->rollback_prepared.rollback_end_lsn = wire_u64(r);
		m->rollback_prepared.prepare_time = (int64_t)wire_u64(r);
		m->rollback_prepared.rollback_time = (int64_t)wire_u64(r);
		m->rollback_prepared.xid = wire_u32(r);
		m->rollback_prepared.gid = wire_str(r);
		return 0;
	}
	return fail(d, "unknown message type 0x%02x", (unsigned)m->kind);
}

/* The flags byte that several messages carry is reserved and must be 0. */
static uint8_t reserved_flags(const struct pgo_msg *m)
{
	switch (m->kind) {
	case PGO_COMMIT: return m->commit.flags;
	case PGO_STREAM_COMMIT: return m->stream_commit.flags;
	case PGO_PREPARE:
	case PGO_COMMIT_PREPARED:
	case PGO_STREAM_PREPARE: return m->prepare.flags;
	case PGO_ROLLBACK_PREPARED: return m->rollback_prepared.flags;
	default: return 0;
	}
}

int pgo_decode(struct pgo_decoder *d, const uint8_t *buf, size_t len,
	       struct pgo_msg *out)
{
	struct wire r = wire_init(buf, len);
	d->err[0] = '\0';
	*out = (struct pgo_msg){ .kind = (enum pgo_kind)wire_u8(&r) };
	if (r.bad)
		return fail(d, "empty message");
	if (read_body(d, &r, out) < 0)
		return -1;
	const char *name = pgo_kind_name(out->kind);
	if (r.bad)
		return fail(d, "truncated %s message (%zu bytes)", name, len);
	if (!wire_done(&r))
		return fail(d, "%s message has %zu unexpected trailing bytes",
			    name, r.len - r.off);
	if (reserved_flags(out) != 0)
		return fail(d, "%s message has flags 0x%02x, expected 0", name,
			    reserved_flags(out));
	if (out->kind == PGO_STREAM_START)
		d->in_stream = true;
	else if (out->kind == PGO_STREAM_STOP)
		d->in_stream = false;
	return 0;
}
