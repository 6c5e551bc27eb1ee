/* text — the events of wal2json and test_decoding, in the one shape of a
 * transaction pgoutput gives: empty transactions reach no hook, an update
 * that keeps its key carries no old key. */
#include <stdio.h>
#include <string.h>

#include "pipeline/steps.h"

/* handle_begin, late: a text plugin's empty transactions (DDL, skipped
 * rows) reach no hook, as pgoutput does not send them at all. */
static int text_begun(struct pipeline *p, uint64_t lsn, struct err *e)
{
	if (p->txn_begun)
		return 0;
	/* test_decoding's BEGIN carries no LSN: the first change tells. */
	if (pl_starts_past(p, lsn)) {
		p->endpos_hit = true;
		return err_set(e, "end position reached");
	}
	p->txn_begun = true;
	return lh_begin(p->lh, &p->txn, e);
}

static int text_message(struct pipeline *p, const struct event *ev,
			struct err *e)
{
	/* test_decoding may send a transactional message with no BEGIN
	 * around it: then it stands alone, as a non-transactional one. */
	bool inside = ev->message.transactional && p->in_txn;
	if (inside && text_begun(p, ev->lsn, e) < 0)
		return -1;
	if (!inside && pl_starts_past(p, ev->lsn)) {
		p->endpos_hit = true;
		return err_set(e, "end position reached");
	}
	struct message msg = {
		.txn = inside ? &p->txn : NULL,
		.lsn = ev->lsn,
		.prefix = ev->message.prefix,
		.content = ev->message.content,
		.len = ev->message.len,
		.transactional = ev->message.transactional,
	};
	if (pl_route_message(p, &msg, e) < 0)
		return -1;
	return inside ? 0 : delivery_event(p->d, ev->lsn, e);
}

/* Whether an update left its key columns as they were. */
static bool same_key(const struct rel *r, const struct datum *old,
		     const struct datum *new)
{
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (!r->cols[i].key)
			continue;
		if (old[i].kind != new[i].kind || old[i].len != new[i].len ||
		    (old[i].len &&
		     memcmp(old[i].data, new[i].data, old[i].len)))
			return false;
	}
	return true;
}

int pl_on_event(void *ctx, const struct event *ev, struct err *e)
{
	struct pipeline *p = ctx;
	switch (ev->kind) {
	case EVENT_BEGIN: {
		uint64_t end = ev->begin.end_lsn;
		if (end ? pl_ends_past(p, end)
			: ev->lsn && pl_starts_past(p, ev->lsn)) {
			p->endpos_hit = true;
			return err_set(e, "end position reached");
		}
		struct txn tx = { .xid = ev->begin.xid,
				  .commit_time = ev->begin.commit_time };
		p->txn_begun = false;
		return pl_txn_open(p, &tx, e);
	}
	case EVENT_CHANGE: {
		if (!p->in_txn)
			return err_set(e, "a change outside a transaction");
		if (text_begun(p, ev->lsn, e) < 0)
			return -1;
		struct change c = ev->change;
		c.txn = &p->txn;
		/* wal2json names the key on every update; pgoutput sends an old
		 * key only when the update changed it. Say it as pgoutput does.
		 */
		if (c.op == CHANGE_UPDATE && c.old_kind == 'K' && c.oldv &&
		    same_key(c.rel, c.oldv, c.newv))
			c.oldv = NULL;
		stats_add(p->stats,
			  c.op == CHANGE_INSERT	  ? STAT_INSERTS
			  : c.op == CHANGE_UPDATE ? STAT_UPDATES
						  : STAT_DELETES,
			  1);
		return lh_change(p->lh, &c, e);
	}
	case EVENT_TRUNCATE: {
		if (!p->in_txn)
			return err_set(e, "a truncate outside a transaction");
		if (text_begun(p, ev->lsn, e) < 0)
			return -1;
		struct truncate t = {
			.txn = &p->txn,
			.lsn = ev->lsn,
			.nrels = ev->truncate.nrels,
			.rels = ev->truncate.rels,
			.cascade = ev->truncate.cascade,
			.restart_identity = ev->truncate.restart_identity,
		};
		stats_add(p->stats, STAT_TRUNCATES, 1);
		return lh_truncate(p->lh, &t, e);
	}
	case EVENT_MESSAGE: return text_message(p, ev, e);
	case EVENT_COMMIT:
		if (!p->in_txn)
			return err_set(e, "a commit outside a transaction");
		if (!p->txn_begun) {
			/* Nothing in it reached a hook: just move on. */
			p->in_txn = false;
			p->txn.end_lsn = ev->commit.end_lsn;
			return delivery_end(p->d, &p->txn, e);
		}
		return pl_txn_commit(p, ev->commit.commit_lsn,
				     ev->commit.end_lsn, ev->commit.commit_time,
				     e);
	}
	return err_set(e, "unknown event 0x%02x", (unsigned)ev->kind);
}
