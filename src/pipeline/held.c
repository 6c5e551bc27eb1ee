/* held — transactions held back until they commit: a streamed one
 * (pgoutput streaming) spooled until Stream Commit and dropped at Stream
 * Abort, a prepared one (two_phase) until COMMIT PREPARED, pinning the
 * confirmed position at its PREPARE meanwhile; or, for a script that
 * defines their hooks, handed on as they come. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "pipeline/steps.h"

/* Held-back transactions beyond this go to a temporary file. */
#define SPOOL_MEMORY (4 * 1024 * 1024)

static struct held_xact *held_find(struct pipeline *p, uint32_t xid)
{
	for (struct held_xact *x = p->held; x; x = x->next)
		if (x->xid == xid)
			return x;
	return NULL;
}

static struct held_xact *held_new(struct pipeline *p, uint32_t xid,
				  bool streamed, uint64_t first_lsn)
{
	struct held_xact *x = xcalloc(1, sizeof *x);
	x->xid = xid;
	x->streamed = streamed;
	x->first_lsn = first_lsn;
	spool_init(&x->spool, SPOOL_MEMORY, xid);
	relcache_init(&x->rels);
	x->next = p->held;
	p->held = x;
	return x;
}

void pl_held_drop(struct pipeline *p, struct held_xact *x)
{
	for (struct held_xact **pp = &p->held; *pp; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	if (p->streaming == x)
		p->streaming = NULL;
	if (p->preparing == x)
		p->preparing = NULL;
	spool_free(&x->spool);
	relcache_free(&x->rels);
	free(x->aborted);
	free(x->gid);
	free(x);
}

static bool held_aborted(const struct held_xact *x, uint32_t subxid)
{
	for (size_t i = 0; i < x->naborted; i++)
		if (x->aborted[i] == subxid)
			return true;
	return false;
}

/* Opens tx and delivers a held-back transaction's changes into it; the
 * caller ends it (commit, or prepare for a live two-phase script). */
static int replay_held(struct pipeline *p, struct held_xact *x,
		       const struct txn *tx, struct err *e)
{
	if (pl_txn_open(p, tx, e) < 0 || lh_begin(p->lh, &p->txn, e) < 0)
		return -1;
	struct pgo_decoder dec;
	struct spool_reader rd;
	struct spool_entry ent;
	int rc;
	pgo_decoder_init(&dec);
	dec.in_stream = x->streamed;
	spool_read_begin(&x->spool, &rd);
	while ((rc = spool_next(&rd, &ent, e)) > 0) {
		struct pgo_msg m;
		char s[LSN_STRLEN];
		if (pgo_decode(&dec, ent.data, ent.len, &m) < 0) {
			rc = err_set(e, "decoding spooled message at %s: %s",
				     lsn_format(ent.lsn, s), dec.err);
			break;
		}
		if (m.kind == PGO_RELATION)
			rc = pl_on_relation(p, &x->rels, &m);
		else if (m.kind == PGO_TYPE || held_aborted(x, ent.subxid))
			rc = 0;
		else
			rc = pl_deliver(p, &x->rels, &m, ent.lsn, e);
		if (rc < 0)
			break;
	}
	spool_read_end(&rd);
	pgo_decoder_free(&dec);
	return rc < 0 ? -1 : 0;
}

static int replay_committed(struct pipeline *p, struct held_xact *x,
			    const struct txn *tx, struct err *e)
{
	if (replay_held(p, x, tx, e) < 0)
		return -1;
	return pl_txn_commit(p, tx->commit_lsn, tx->end_lsn, tx->commit_time,
			     e);
}

/* A message of a transaction held back (streamed or being prepared). */
int pl_hold_message(struct pipeline *p, struct held_xact *x,
		    const struct pgo_msg *m, uint64_t lsn, const uint8_t *data,
		    size_t len, struct err *e)
{
	/* Outside a streamed block a description counts for every later
	 * transaction too: the server will not send it again. Inside one it
	 * counts once the transaction commits or is prepared. */
	if (m->kind == PGO_RELATION)
		pl_on_relation(p, x->streamed ? &x->rels : &p->rels, m);
	return spool_add(&x->spool, lsn, m->has_xid ? m->xid : x->xid, data,
			 (uint32_t)len, e);
}

/* A row-level message inside a streamed block, for a script that sees
 * streamed changes as they come. */
int pl_live_stream_message(struct pipeline *p, struct held_xact *x,
			   const struct pgo_msg *m, uint64_t lsn, struct err *e)
{
	if (m->kind == PGO_RELATION)
		return pl_on_relation(p, &x->rels, m);
	if (m->kind == PGO_TYPE)
		return 0;
	struct txn saved = p->txn;
	bool was_open = p->in_txn;
	p->txn = (struct txn){ .xid = x->xid };
	int rc = pl_deliver(p, &x->rels, m, lsn, e);
	p->txn = saved;
	p->in_txn = was_open;
	return rc;
}

int pl_on_stream_start(struct pipeline *p, const struct pgo_msg *m,
		       uint64_t lsn, struct err *e)
{
	uint32_t xid = m->stream_start.xid;
	struct held_xact *x = held_find(p, xid);
	if (!x)
		x = held_new(p, xid, true, lsn);
	p->streaming = x;
	return p->live_streams
		   ? lh_stream_start(p->lh, xid, m->stream_start.first_segment,
				     e)
		   : 0;
}

int pl_on_stream_stop(struct pipeline *p, struct err *e)
{
	p->streaming = NULL;
	return p->live_streams ? lh_stream_stop(p->lh, e) : 0;
}

int pl_on_stream_commit(struct pipeline *p, const struct pgo_msg *m,
			struct err *e)
{
	struct held_xact *x = held_find(p, m->stream_commit.xid);
	if (!x)
		return err_set(e,
			       "Stream Commit of xid %u, which never streamed",
			       m->stream_commit.xid);
	if (pl_starts_past(p, m->stream_commit.commit_lsn))
		return STREAM_STOP;
	struct txn tx = {
		.xid = x->xid,
		.final_lsn = m->stream_commit.commit_lsn,
		.commit_lsn = m->stream_commit.commit_lsn,
		.end_lsn = m->stream_commit.end_lsn,
		.commit_time = m->stream_commit.commit_time,
	};
	int rc;
	if (p->live_streams) {
		pgtime_format(tx.commit_time, tx.commit_time_text);
		rc = lh_stream_commit(p->lh, &tx, e) < 0
			 ? -1
			 : pl_txn_ended(p, &tx, e);
	} else {
		rc = replay_committed(p, x, &tx, e);
	}
	/* Once the transaction commits, the server counts the descriptions
	 * it sent inside the stream as sent for every later transaction. */
	relcache_adopt(&p->rels, &x->rels);
	pl_held_drop(p, x);
	return rc;
}

int pl_on_stream_abort(struct pipeline *p, const struct pgo_msg *m,
		       struct err *e)
{
	uint32_t xid = m->stream_abort.xid, subxid = m->stream_abort.subxid;
	struct held_xact *x = held_find(p, xid);
	if (p->live_streams && lh_stream_abort(p->lh, xid, subxid, e) < 0)
		return -1;
	if (!x)
		return 0;
	if (subxid == xid) {
		pl_held_drop(p, x);
		return 0;
	}
	x->aborted = pl_grow(x->aborted, &x->aborted_cap, x->naborted + 1,
			     sizeof *x->aborted);
	x->aborted[x->naborted++] = subxid;
	return 0;
}

static struct txn prepare_txn(const struct pgo_msg *m)
{
	return (struct txn){
		.xid = m->prepare.xid,
		.final_lsn = m->prepare.lsn,
		.commit_lsn = m->prepare.lsn,
		.end_lsn = m->prepare.end_lsn,
		.commit_time = m->prepare.time,
		.gid = m->prepare.gid,
	};
}

int pl_on_begin_prepare(struct pipeline *p, const struct pgo_msg *m,
			uint64_t lsn, struct err *e)
{
	if (p->live_prepares) {
		struct txn tx = prepare_txn(m);
		tx.commit_lsn = tx.end_lsn = 0;
		if (pl_txn_open(p, &tx, e) < 0)
			return -1;
		return lh_begin(p->lh, &p->txn, e);
	}
	struct held_xact *x = held_new(p, m->prepare.xid, false, lsn);
	x->gid = xstrdup(m->prepare.gid);
	p->preparing = x;
	return 0;
}

/* Prepare, and Stream Prepare of a streamed transaction. */
int pl_on_prepare(struct pipeline *p, const struct pgo_msg *m, struct err *e)
{
	struct txn tx = prepare_txn(m);
	if (p->live_prepares) {
		/* A streamed transaction the script did not see live is
		 * delivered now, as any prepared one. */
		struct held_xact *x =
		    m->kind == PGO_STREAM_PREPARE ? held_find(p, tx.xid) : NULL;
		if (x && !p->live_streams && replay_held(p, x, &tx, e) < 0)
			return -1;
		if (x) {
			relcache_adopt(&p->rels, &x->rels);
			pl_held_drop(p, x);
		}
		if (!p->in_txn && pl_txn_open(p, &tx, e) < 0)
			return -1;
		p->txn.commit_lsn = tx.commit_lsn;
		p->txn.end_lsn = tx.end_lsn;
		if (lh_prepare(p->lh, &p->txn, e) < 0)
			return -1;
		return pl_txn_done(p, tx.end_lsn, false, e);
	}
	struct held_xact *x =
	    m->kind == PGO_PREPARE ? p->preparing : held_find(p, tx.xid);
	if (!x || x->xid != tx.xid)
		return err_set(e, "%s of xid %u, which was not begun",
			       pgo_kind_name(m->kind), tx.xid);
	if (!x->gid)
		x->gid = xstrdup(tx.gid);
	relcache_adopt(&p->rels, &x->rels);
	x->prepared = true;
	p->preparing = NULL;
	/* The server skips on a restart a PREPARE that starts before the
	 * confirmed position: nothing from it on is confirmed until the
	 * transaction has been delivered at its COMMIT PREPARED. */
	delivery_hold(p->d, x->xid, tx.commit_lsn);
	return delivery_event(p->d, tx.end_lsn, e);
}

int pl_on_commit_prepared(struct pipeline *p, const struct pgo_msg *m,
			  struct err *e)
{
	struct txn tx = prepare_txn(m);
	if (pl_starts_past(p, tx.commit_lsn))
		return STREAM_STOP;
	if (p->live_prepares) {
		pgtime_format(tx.commit_time, tx.commit_time_text);
		if (lh_commit_prepared(p->lh, &tx, e) < 0)
			return -1;
		return pl_txn_ended(p, &tx, e);
	}
	struct held_xact *x = held_find(p, tx.xid);
	if (!x || !x->prepared) {
		/* Prepared before the position this connection resumed from,
		 * so delivered before (or before this slot decoded two-phase,
		 * or handled at its PREPARE by a live script): the server sends
		 * no PREPARE, and whatever it streamed of it again is not for
		 * delivery. */
		if (x)
			pl_held_drop(p, x);
		return delivery_event(p->d, tx.end_lsn, e);
	}
	tx.final_lsn = tx.commit_lsn;
	int rc = replay_committed(p, x, &tx, e);
	/* Delivered: its hold goes, with whatever the sinks still hold of it
	 * marked below the hold. */
	if (rc == 0)
		delivery_release(p->d, x->xid);
	pl_held_drop(p, x);
	return rc;
}

int pl_on_rollback_prepared(struct pipeline *p, const struct pgo_msg *m,
			    struct err *e)
{
	struct txn tx = {
		.xid = m->rollback_prepared.xid,
		.end_lsn = m->rollback_prepared.rollback_end_lsn,
		.commit_time = m->rollback_prepared.rollback_time,
		.gid = m->rollback_prepared.gid,
	};
	if (p->live_prepares) {
		pgtime_format(tx.commit_time, tx.commit_time_text);
		if (lh_rollback_prepared(p->lh, &tx, e) < 0)
			return -1;
		return delivery_end(p->d, &tx, e);
	}
	struct held_xact *x = held_find(p, tx.xid);
	if (x) {
		delivery_release(p->d, x->xid);
		pl_held_drop(p, x);
	}
	return delivery_event(p->d, tx.end_lsn, e);
}
