/* backfill — the stream's side of a backfill: the windows of the chunks
 * it passes through opened at their low watermark, changes matched
 * against them where the script sees them (commit order, streamed and
 * prepared transactions at their commit), and the rows left handed on at
 * the high watermark, inside its transaction, so that the delivery module
 * confirms nothing past it before the sinks have them. */
#include <string.h>

#include "base/lsn.h"
#include "pipeline/steps.h"

void pipeline_watch(struct pipeline *p, struct window *w)
{
	p->windows = pl_grow(p->windows, &p->windows_cap, p->nwindows + 1,
			     sizeof *p->windows);
	p->windows[p->nwindows++] = w;
}

void pipeline_unwatch(struct pipeline *p, struct window *w)
{
	for (size_t i = 0; i < p->nwindows; i++) {
		if (p->windows[i] == w) {
			p->windows[i] = p->windows[--p->nwindows];
			break;
		}
	}
	if (p->closing == w)
		p->closing = NULL;
}

static bool is_mark(const struct message *m, const char *mark)
{
	return strlen(mark) == m->len && memcmp(mark, m->content, m->len) == 0;
}

/* The rows the window kept, as "read" rows of the open transaction, and
 * after them the backfill's progress record, which therefore commits
 * with them wherever a sink keeps one. */
static int hand_on(struct pipeline *p, struct window *w, uint64_t lsn,
		   struct err *e)
{
	size_t at = 0;
	const struct datum *vals;
	while ((vals = window_next(w, &at))) {
		struct change c = {
			.op = CHANGE_READ,
			.rel = w->rel,
			.lsn = lsn,
			.txn = &p->txn,
			.newv = vals,
			.backfill = w->name,
		};
		stats_add(p->stats, STAT_READS, 1);
		if (lh_change(p->lh, &c, e) < 0)
			return -1;
	}
	if (w->progress &&
	    delivery_write_state(p->d, w->name, w->progress, e) < 0) {
		char at[LSN_STRLEN];
		return err_prefix(e, "the high watermark of %s at %s", w->name,
				  lsn_format(lsn, at));
	}
	return 0;
}

/* A watermark of no window watched is an earlier run's, sent again
 * after a restart: its chunk is read again from the last durable key. */
int pl_backfill_mark(struct pipeline *p, const struct message *m,
		     struct err *e)
{
	for (size_t i = 0; i < p->nwindows; i++) {
		struct window *w = p->windows[i];
		if (w->state == WINDOW_ARMED && is_mark(m, w->low)) {
			window_open(w, &p->recent);
			return 0;
		}
		if (!is_mark(m, w->high))
			continue;
		if (w->state != WINDOW_OPEN || !p->txn.xid) {
			w->state = WINDOW_RETRY;
			p->tick_due = true;
			return 0;
		}
		w->state = WINDOW_EMITTED;
		p->closing = w;
		return hand_on(p, w, m->lsn, e);
	}
	return 0;
}

void pl_backfill_change(struct pipeline *p, const struct change *c)
{
	for (size_t i = 0; i < p->nwindows; i++)
		if (p->windows[i]->rel->relid == c->rel->relid)
			window_change(p->windows[i], c);
}

void pl_backfill_truncate(struct pipeline *p, const struct truncate *t)
{
	for (size_t i = 0; i < p->nwindows; i++)
		for (uint32_t r = 0; r < t->nrels; r++)
			if (p->windows[i]->rel->relid == t->rels[r]->relid)
				window_truncate(p->windows[i]);
}

void pl_backfill_ended(struct pipeline *p, uint32_t xid, uint64_t end_lsn)
{
	if (xid)
		xid_ring_note(&p->recent, xid);
	if (p->closing) {
		p->closing->end_lsn = end_lsn;
		p->closing->state = WINDOW_DONE;
		p->closing = NULL;
		p->tick_due = true;
	}
}

void pl_backfill_reset(struct pipeline *p)
{
	for (size_t i = 0; i < p->nwindows; i++)
		p->windows[i]->state = WINDOW_LOST;
	p->nwindows = 0;
	p->closing = NULL;
}
