#include "pipeline/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "pipeline/steps.h"

void *pl_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	if (n <= *cap)
		return arr;
	size_t c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	*cap = c;
	return xrealloc(arr, c * elem);
}

void pipeline_init(struct pipeline *p, const struct plugin_profile *profile,
		   struct lh *lh, struct delivery *d, struct stats *stats,
		   uint64_t endpos)
{
	*p = (struct pipeline){
		.decoder = profile->decoder,
		.live_streams = lh_wants_streams(lh),
		.live_prepares = lh_wants_two_phase(lh),
		.lh = lh,
		.d = d,
		.stats = stats,
		.endpos = endpos,
	};
	pgo_decoder_init(&p->dec);
	p->dec.abort_has_lsn = profile->abort_has_lsn;
	relcache_init(&p->rels);
	textplugin_init(&p->text_dec, p->decoder == PLUGIN_WAL2JSON_1
					  ? TEXTPLUGIN_WAL2JSON_1
				      : p->decoder == PLUGIN_WAL2JSON_2
					  ? TEXTPLUGIN_WAL2JSON_2
				      : p->decoder == PLUGIN_DECODERBUFS
					  ? TEXTPLUGIN_DECODERBUFS
					  : TEXTPLUGIN_TEST_DECODING);
}

void pipeline_set_reopen(struct pipeline *p, volatile sig_atomic_t *flag)
{
	p->reopen_flag = flag;
}

void pipeline_set_tick(struct pipeline *p, int (*hook)(void *, struct err *),
		       void *ctx)
{
	p->tick_hook = hook;
	p->tick_ctx = ctx;
}

void pipeline_set_backfills(struct pipeline *p, backfill_control act,
			    void *ctx)
{
	p->backfills = act;
	p->backfills_ctx = ctx;
}

void pipeline_reset(struct pipeline *p)
{
	p->in_txn = false;
	while (p->held)
		pl_held_drop(p, p->held);
	pgo_decoder_reset(&p->dec);
	textplugin_reset(&p->text_dec);
	relcache_clear(&p->rels);
	pl_backfill_reset(p);
}

void pipeline_lost(struct pipeline *p)
{
	delivery_lost(p->d);
	pipeline_reset(p);
}

void pipeline_free(struct pipeline *p)
{
	pipeline_reset(p);
	pgo_decoder_free(&p->dec);
	textplugin_free(&p->text_dec);
	relcache_free(&p->rels);
	free(p->colbuf);
	free(p->relbuf);
	free(p->textvals);
	free(p->textoffs);
	free(p->types);
	free(p->windows);
	buf_free(&p->text);
	ddl_free(&p->ddl);
	signal_free(&p->signal);
}

/* ---- the stream's consumer ---- */

int pipeline_tick(void *ctx, struct err *e)
{
	struct pipeline *p = ctx;
	p->tick_due = false;
	/* The request stays until the files are reopened: a full disk that
	 * fails the flush before the reopen fails this tick, and the next
	 * one after the reconnect tries again. */
	if (p->reopen_flag && *p->reopen_flag) {
		if (delivery_reopen(p->d, e) < 0)
			return -1;
		*p->reopen_flag = 0;
	}
	if (delivery_tick(p->d, mono_now_us(), e) < 0)
		return -1;
	return p->tick_hook ? p->tick_hook(p->tick_ctx, e) : 0;
}

int pipeline_sync(void *ctx, struct err *e)
{
	struct pipeline *p = ctx;
	return delivery_sync(p->d, e);
}

bool pipeline_tick_due(void *ctx)
{
	const struct pipeline *p = ctx;
	return p->tick_due;
}

bool pipeline_idle(void *ctx)
{
	struct pipeline *p = ctx;
	return !p->in_txn && !p->preparing;
}

int pipeline_on_keepalive(void *ctx, uint64_t wal_end, int64_t send_time,
			  bool reply_requested, struct err *e)
{
	struct pipeline *p = ctx;
	/* The server has sent everything before wal_end: with nothing of ours
	 * in the middle, it is all handled, so a quiet slot moves on. */
	if (pipeline_idle(p))
		delivery_idle(p->d, wal_end);
	return lh_keepalive(p->lh, wal_end, send_time, reply_requested, e);
}

int pipeline_finish(struct pipeline *p, struct err *e)
{
	return delivery_stop(p->d, e);
}

struct stream_consumer pipeline_consumer(struct pipeline *p)
{
	return (struct stream_consumer){
		.data = pipeline_on_data,
		.keepalive = pipeline_on_keepalive,
		.tick = pipeline_tick,
		.tick_due = pipeline_tick_due,
		.sync = pipeline_sync,
		.idle = pipeline_idle,
		.ctx = p,
	};
}

int pl_txn_open(struct pipeline *p, const struct txn *tx, struct err *e)
{
	if (p->in_txn)
		return err_set(e, "Begin of xid %u inside transaction %u",
			       tx->xid, p->txn.xid);
	p->txn = *tx;
	/* The GID points into a message buffer that the next message frees. */
	if (tx->gid) {
		snprintf(p->gid, sizeof p->gid, "%s", tx->gid);
		p->txn.gid = p->gid;
	}
	pgtime_format(p->txn.commit_time, p->txn.commit_time_text);
	p->in_txn = true;
	return delivery_begin(p->d, &p->txn, e);
}

/* The transaction's hooks all returned: the delivery module takes it from
 * here. */
int pl_txn_done(struct pipeline *p, uint64_t end_lsn, bool committed,
		struct err *e)
{
	p->txn.end_lsn = end_lsn;
	p->in_txn = false;
	if (committed ? pl_txn_ended(p, &p->txn, e) < 0
		      : delivery_end(p->d, &p->txn, e) < 0)
		return -1;
	pl_backfill_ended(p, p->txn.xid, end_lsn);
	relcache_prune(&p->rels);
	return 0;
}

int pl_txn_ended(struct pipeline *p, const struct txn *tx, struct err *e)
{
	if (delivery_end(p->d, tx, e) < 0)
		return -1;
	stats_add(p->stats, STAT_TRANSACTIONS, 1);
	return 0;
}

int pl_txn_commit(struct pipeline *p, uint64_t commit_lsn, uint64_t end_lsn,
		  int64_t commit_time, struct err *e)
{
	if (!p->in_txn)
		return err_set(e, "Commit outside a transaction");
	p->txn.commit_lsn = commit_lsn;
	p->txn.end_lsn = end_lsn;
	if (commit_time && commit_time != p->txn.commit_time) {
		p->txn.commit_time = commit_time;
		pgtime_format(commit_time, p->txn.commit_time_text);
	}
	if (lh_commit(p->lh, &p->txn, e) < 0)
		return -1;
	return pl_txn_done(p, end_lsn, true, e);
}

bool pl_ends_past(const struct pipeline *p, uint64_t end_lsn)
{
	return p->endpos && end_lsn > p->endpos;
}

bool pl_starts_past(const struct pipeline *p, uint64_t start_lsn)
{
	return p->endpos && start_lsn >= p->endpos;
}

/* Payloads of plugins walhook does not decode: each one is a unit of its
 * own. Confirming a position inside a transaction is safe: the server
 * resends any transaction whose commit lies past the confirmed position. */
static int on_raw(struct pipeline *p, uint64_t lsn, const uint8_t *data,
		  size_t len, struct err *e)
{
	/* An XLogData's position is where its record ends (a commit's
	 * end_lsn), as pg_recvlogical reads it. */
	if (pl_ends_past(p, lsn))
		return STREAM_STOP;
	if (lh_data(p->lh, data, len, lsn, e) < 0)
		return -1;
	return delivery_event(p->d, lsn, e);
}

int pipeline_on_data(void *ctx, uint64_t lsn, uint64_t wal_end,
		     int64_t send_time, const uint8_t *data, size_t len,
		     struct err *e)
{
	struct pipeline *p = ctx;
	(void)wal_end;
	(void)send_time;
	if (p->decoder == PLUGIN_RAW)
		return on_raw(p, lsn, data, len, e);
	if (p->decoder != PLUGIN_PGOUTPUT) {
		if (textplugin_decode(&p->text_dec, data, len, lsn, pl_on_event,
				      p, e) == 0)
			return 0;
		return p->endpos_hit ? STREAM_STOP : -1;
	}
	struct pgo_msg m;
	char s[LSN_STRLEN];
	if (pgo_decode(&p->dec, data, len, &m) < 0)
		return err_set(e, "decoding pgoutput message at %s: %s",
			       lsn_format(lsn, s), p->dec.err);
	int rc = pl_dispatch(p, &m, lsn, data, len, e);
	if (rc < 0 && m.kind != PGO_INSERT && m.kind != PGO_UPDATE &&
	    m.kind != PGO_DELETE)
		err_prefix(e, "handling %s at %s", pgo_kind_name(m.kind),
			   lsn_format(lsn, s));
	return rc;
}

/* ---- the initial snapshot ---- */

int pipeline_snapshot_begin(struct pipeline *p, uint64_t consistent_point,
			    struct err *e)
{
	struct txn tx = { .final_lsn = consistent_point,
			  .commit_time = pgtime_now() };
	if (pl_txn_open(p, &tx, e) < 0)
		return -1;
	return lh_begin(p->lh, &p->txn, e);
}

int pipeline_read_row(struct pipeline *p, const struct rel *r,
		      const struct datum *vals, struct err *e)
{
	struct change c = {
		.op = CHANGE_READ,
		.rel = r,
		.lsn = p->txn.final_lsn,
		.txn = &p->txn,
		.newv = vals,
	};
	stats_add(p->stats, STAT_READS, 1);
	return lh_change(p->lh, &c, e);
}

int pipeline_snapshot_end(struct pipeline *p, uint64_t consistent_point,
			  struct err *e)
{
	return pl_txn_commit(p, consistent_point, consistent_point, 0, e);
}
