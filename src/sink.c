#include "sink.h"

#include <stdlib.h>
#include <time.h>

int64_t sink_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sinks_add(struct sinks *all, struct sink *s)
{
	struct sink **pp = &all->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	s->next = NULL;
}

void sinks_free(struct sinks *all)
{
	struct sink *s = all->head;
	while (s) {
		struct sink *next = s->next;
		s->ops->free(s);
		s = next;
	}
	all->head = NULL;
}

void sink_wrote(struct sink *s, size_t bytes)
{
	if (!s->written && !s->batch_txns)
		s->batch_start_us = sink_now_us();
	s->written = true;
	s->batch_bytes += bytes;
}

static int flush_one(struct sink *s, struct err *e)
{
	if (s->durable >= s->ended && !s->batch_txns)
		return 0;
	if (s->ops->flush(s, e) < 0) {
		s->errors++;
		return err_prefix(e, "sink %s", s->name);
	}
	s->durable = s->ended;
	s->batch_txns = s->batch_bytes = 0;
	return 0;
}

int sinks_begin(struct sinks *all, const struct txn *tx, struct err *e)
{
	for (struct sink *s = all->head; s; s = s->next) {
		s->skipping = false;
		if (s->ops->begin && s->ops->begin(s, tx, e) < 0)
			return err_prefix(e, "sink %s", s->name);
	}
	return 0;
}

int sinks_commit(struct sinks *all, const struct txn *tx, struct err *e)
{
	for (struct sink *s = all->head; s; s = s->next) {
		if (!s->written || s->skipping) {
			s->written = s->skipping = false;
			continue;
		}
		s->written = false;
		if (s->ops->commit && s->ops->commit(s, tx, e) < 0)
			return err_prefix(e, "sink %s", s->name);
		s->ended = tx->end_lsn;
		s->batch_txns++;
		if ((s->max_txns && s->batch_txns >= s->max_txns) ||
		    (s->max_bytes && s->batch_bytes >= s->max_bytes)) {
			if (flush_one(s, e) < 0)
				return -1;
		}
	}
	return 0;
}

int sinks_tick(struct sinks *all, int64_t now, struct err *e)
{
	for (struct sink *s = all->head; s; s = s->next) {
		if (s->ops->poll && s->ops->poll(s, e) < 0) {
			s->errors++;
			return err_prefix(e, "sink %s", s->name);
		}
		/* Never in the middle of a source transaction: a flush makes
		 * durable what the sink holds, and for the postgres sink that
		 * would commit half a transaction. */
		if (s->batch_txns && !s->written &&
		    now - s->batch_start_us >= s->max_wait_us && flush_one(s, e) < 0)
			return -1;
	}
	return 0;
}

int sinks_flush(struct sinks *all, struct err *e)
{
	for (struct sink *s = all->head; s; s = s->next)
		if (flush_one(s, e) < 0)
			return -1;
	return 0;
}

void sinks_discard(struct sinks *all)
{
	for (struct sink *s = all->head; s; s = s->next) {
		if (s->ops->discard)
			s->ops->discard(s);
		s->written = s->skipping = false;
		s->ended = s->durable;
		s->batch_txns = s->batch_bytes = 0;
	}
}

int sinks_reopen(struct sinks *all, struct err *e)
{
	for (struct sink *s = all->head; s; s = s->next)
		if (s->ops->reopen && s->ops->reopen(s, e) < 0)
			return err_prefix(e, "sink %s", s->name);
	return 0;
}

bool sinks_holding(const struct sinks *all, uint64_t *limit)
{
	bool holding = false;
	for (const struct sink *s = all->head; s; s = s->next) {
		if (s->ended > s->durable || s->written) {
			if (!holding || s->durable < *limit)
				*limit = s->durable;
			holding = true;
		}
	}
	return holding;
}
