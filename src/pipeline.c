#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	if (n <= *cap)
		return arr;
	size_t c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	void *p = realloc(arr, c * elem);
	if (!p) {
		fputs("walhook: out of memory\n", stderr);
		abort();
	}
	*cap = c;
	return p;
}

void pipeline_init(struct pipeline *p, bool decode_pgoutput, struct lh *lh,
		   struct output *out, struct stream *stream, uint64_t endpos)
{
	*p = (struct pipeline){
		.decode_pgoutput = decode_pgoutput,
		.lh = lh,
		.out = out,
		.stream = stream,
		.endpos = endpos,
	};
	pgo_decoder_init(&p->dec);
	relcache_init(&p->rels);
}

void pipeline_reset(struct pipeline *p)
{
	p->in_txn = false;
	pgo_decoder_reset(&p->dec);
	relcache_clear(&p->rels);
}

void pipeline_free(struct pipeline *p)
{
	pgo_decoder_free(&p->dec);
	relcache_free(&p->rels);
	free(p->colbuf);
	free(p->relbuf);
}

static int on_begin(struct pipeline *p, const struct pgo_msg *m, struct err *e)
{
	if (p->in_txn)
		return err_set(e, "Begin of xid %u inside transaction %u",
			       m->begin.xid, p->txn.xid);
	/* -E: a transaction that commits at or past the end position is the
	 * first record past it; stop before any of it is handled. */
	if (p->endpos && m->begin.final_lsn >= p->endpos)
		return STREAM_STOP;
	p->txn = (struct txn){
		.xid = m->begin.xid,
		.final_lsn = m->begin.final_lsn,
		.commit_time = m->begin.commit_time,
	};
	pgtime_format(p->txn.commit_time, p->txn.commit_time_text);
	p->in_txn = true;
	p->stream->idle = false;
	return lh_begin(p->lh, &p->txn, e);
}

static int on_commit(struct pipeline *p, const struct pgo_msg *m, struct err *e)
{
	if (!p->in_txn)
		return err_set(e, "Commit outside a transaction");
	p->txn.commit_lsn = m->commit.commit_lsn;
	p->txn.end_lsn = m->commit.end_lsn;
	if (lh_commit(p->lh, &p->txn, e) < 0 || output_flush(p->out, e) < 0)
		return -1;
	/* The delivery rule: hooks done, output flushed, now confirm. */
	stream_confirm(p->stream, p->txn.end_lsn);
	p->in_txn = false;
	p->stream->idle = true;
	p->transactions++;
	relcache_prune(&p->rels);
	return 0;
}

static int on_relation(struct pipeline *p, const struct pgo_msg *m)
{
	uint16_t n = m->relation.ncols;
	p->colbuf = grow(p->colbuf, &p->colbuf_cap, n, sizeof *p->colbuf);
	for (uint16_t i = 0; i < n; i++) {
		const struct pgo_column *c = &m->relation.cols[i];
		p->colbuf[i] = (struct rel_column){
			.name = c->name,
			.typoid = c->typoid,
			.typmod = c->typmod,
			.key = c->flags & PGO_COLUMN_KEY,
		};
	}
	relcache_put(&p->rels, m->relation.relid, m->relation.nspname,
		     m->relation.relname, m->relation.replident, n, p->colbuf);
	return 0;
}

static const struct rel *known_rel(struct pipeline *p, uint32_t relid,
				   uint64_t lsn, struct err *e)
{
	const struct rel *r = relcache_get(&p->rels, relid);
	if (!r) {
		char s[LSN_STRLEN];
		err_set(e, "change at %s for relation OID %u, which the server never described",
			lsn_format(lsn, s), relid);
	}
	return r;
}

static bool tuple_fits(const struct rel *r, const struct pgo_tuple *t,
		       uint64_t lsn, struct err *e)
{
	if (t->ncols == r->ncols)
		return true;
	char s[LSN_STRLEN];
	err_set(e, "change at %s for %s.%s has %u columns; the relation has %u",
		lsn_format(lsn, s), r->nspname, r->relname, t->ncols, r->ncols);
	return false;
}

static int on_change(struct pipeline *p, const struct pgo_msg *m, uint64_t lsn,
		     struct err *e)
{
	if (!p->in_txn)
		return err_set(e, "%s outside a transaction", pgo_kind_name(m->kind));
	const struct rel *r = known_rel(p, m->change.relid, lsn, e);
	if (!r)
		return -1;
	struct change c = {
		.op = (char)m->kind,
		.rel = r,
		.lsn = lsn,
		.txn = &p->txn,
		.old_kind = m->change.old_kind,
	};
	if (m->kind != PGO_DELETE) {
		if (!tuple_fits(r, &m->change.new, lsn, e))
			return -1;
		c.newv = m->change.new.cols;
	}
	if (m->change.old_kind) {
		if (!tuple_fits(r, &m->change.old, lsn, e))
			return -1;
		c.oldv = m->change.old.cols;
	}
	p->changes++;
	return lh_change(p->lh, &c, e);
}

static int on_truncate(struct pipeline *p, const struct pgo_msg *m,
		       uint64_t lsn, struct err *e)
{
	if (!p->in_txn)
		return err_set(e, "Truncate outside a transaction");
	uint32_t n = m->truncate.nrels;
	p->relbuf = grow(p->relbuf, &p->relbuf_cap, n, sizeof *p->relbuf);
	for (uint32_t i = 0; i < n; i++)
		if (!(p->relbuf[i] = known_rel(p, m->truncate.relids[i], lsn, e)))
			return -1;
	struct truncate t = {
		.txn = &p->txn,
		.lsn = lsn,
		.nrels = n,
		.rels = p->relbuf,
		.cascade = m->truncate.options & PGO_TRUNCATE_CASCADE,
		.restart_identity =
			m->truncate.options & PGO_TRUNCATE_RESTART_IDENTITY,
	};
	return lh_truncate(p->lh, &t, e);
}

static int on_message(struct pipeline *p, const struct pgo_msg *m,
		      struct err *e)
{
	bool transactional = m->message.flags & PGO_MESSAGE_TRANSACTIONAL;
	if (transactional && !p->in_txn)
		return err_set(e, "transactional Message outside a transaction");
	struct message msg = {
		.txn = transactional ? &p->txn : NULL,
		.lsn = m->message.lsn,
		.prefix = m->message.prefix,
		.content = m->message.content,
		.len = m->message.len,
		.transactional = transactional,
	};
	if (lh_message(p->lh, &msg, e) < 0)
		return -1;
	/* A message outside any transaction is done once written. */
	if (!p->in_txn) {
		if (output_flush(p->out, e) < 0)
			return -1;
		stream_confirm(p->stream, msg.lsn);
	}
	return 0;
}

static int dispatch(struct pipeline *p, const struct pgo_msg *m, uint64_t lsn,
		    struct err *e)
{
	switch (m->kind) {
	case PGO_BEGIN:
		return on_begin(p, m, e);
	case PGO_COMMIT:
		return on_commit(p, m, e);
	case PGO_ORIGIN:
		snprintf(p->origin, sizeof p->origin, "%s", m->origin.name);
		p->txn.origin = p->origin;
		return 0;
	case PGO_RELATION:
		return on_relation(p, m);
	case PGO_TYPE:
		/* Text values are converted by the type OID the Relation
		 * names; the type's name is not needed. */
		return 0;
	case PGO_INSERT:
	case PGO_UPDATE:
	case PGO_DELETE:
		return on_change(p, m, lsn, e);
	case PGO_TRUNCATE:
		return on_truncate(p, m, lsn, e);
	case PGO_MESSAGE:
		return on_message(p, m, e);
	default:
		return err_set(e, "pgoutput %s messages are not supported by this walhook version; do not enable streaming or two_phase",
			       pgo_kind_name(m->kind));
	}
}

/* Payloads of plugins walhook does not decode: each one is its own unit,
 * confirmed once handled and flushed. Confirming a position inside a
 * transaction is safe: the server resends any transaction whose commit
 * lies past the confirmed position. */
static int on_raw(struct pipeline *p, uint64_t lsn, const uint8_t *data,
		  size_t len, struct err *e)
{
	if (p->endpos && lsn > p->endpos)
		return STREAM_STOP;
	if (lh_data(p->lh, data, len, lsn, e) < 0 || output_flush(p->out, e) < 0)
		return -1;
	p->changes++;
	stream_confirm(p->stream, lsn);
	return 0;
}

int pipeline_on_data(void *ctx, uint64_t lsn, uint64_t wal_end,
		     int64_t send_time, const uint8_t *data, size_t len,
		     struct err *e)
{
	struct pipeline *p = ctx;
	(void)wal_end;
	(void)send_time;
	if (!p->decode_pgoutput)
		return on_raw(p, lsn, data, len, e);
	struct pgo_msg m;
	char s[LSN_STRLEN];
	if (pgo_decode(&p->dec, data, len, &m) < 0)
		return err_set(e, "decoding pgoutput message at %s: %s",
			       lsn_format(lsn, s), p->dec.err);
	int rc = dispatch(p, &m, lsn, e);
	if (rc < 0 && m.kind != PGO_INSERT && m.kind != PGO_UPDATE &&
	    m.kind != PGO_DELETE)
		err_prefix(e, "handling %s at %s", pgo_kind_name(m.kind),
			   lsn_format(lsn, s));
	return rc;
}
