/* stats — counters of what walhook has done. The main thread writes them;
 * the metrics endpoint, the progress line and walhook.stats() read them,
 * possibly from another thread, so every access is atomic. */
#ifndef WALHOOK_STATS_H
#define WALHOOK_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum stat_id {
	STAT_INSERTS,
	STAT_UPDATES,
	STAT_DELETES,
	STAT_TRUNCATES,
	STAT_MESSAGES,
	STAT_READS, /* rows of the initial snapshot */
	STAT_TRANSACTIONS,
	STAT_RECONNECTS,
	STAT_ERRORS,
	STAT_SINK_ERRORS, /* sink failures that passed (target down, disk full)
			   */
	STAT_BYTES_RECEIVED,
	STAT_CONFIRMED_LSN,
	STAT_SERVER_END_LSN,
	STAT_LAST_CONFIRM_US, /* monotonic time the confirmed LSN last moved */
	NSTATS
};

/* Backfills shown at most; one more is not shown. */
#define STATS_MAX_BACKFILLS 64

/* A backfill as walhook.stats() and the metrics show it. */
struct stats_backfill {
	char table[128]; /* set once, before the entry is counted */
	const char *state; /* a name that lives for the whole run */
	uint64_t rows, chunks;
};

struct stats {
	uint64_t v[NSTATS];
	struct stats_backfill backfills[STATS_MAX_BACKFILLS];
	size_t nbackfills;
};

static inline void stats_add(struct stats *s, enum stat_id k, uint64_t n)
{
	if (s)
		__atomic_fetch_add(&s->v[k], n, __ATOMIC_RELAXED);
}

static inline void stats_set(struct stats *s, enum stat_id k, uint64_t v)
{
	if (s)
		__atomic_store_n(&s->v[k], v, __ATOMIC_RELAXED);
}

static inline uint64_t stats_get(const struct stats *s, enum stat_id k)
{
	return __atomic_load_n(&s->v[k], __ATOMIC_RELAXED);
}

static inline uint64_t stats_changes(const struct stats *s)
{
	return stats_get(s, STAT_INSERTS) + stats_get(s, STAT_UPDATES) +
	       stats_get(s, STAT_DELETES);
}

/* The main thread's news of the backfill of table (found by its name,
 * or counted anew). */
static inline void stats_set_backfill(struct stats *s, const char *table,
				      const char *state, uint64_t rows,
				      uint64_t chunks)
{
	if (!s)
		return;
	size_t n = s->nbackfills, i;
	for (i = 0; i < n && strcmp(s->backfills[i].table, table); i++)
		;
	if (i == STATS_MAX_BACKFILLS)
		return;
	struct stats_backfill *b = &s->backfills[i];
	if (i == n)
		snprintf(b->table, sizeof b->table, "%s", table);
	__atomic_store_n(&b->state, state, __ATOMIC_RELAXED);
	__atomic_store_n(&b->rows, rows, __ATOMIC_RELAXED);
	__atomic_store_n(&b->chunks, chunks, __ATOMIC_RELAXED);
	if (i == n) /* its name is written before a reader may see it */
		__atomic_store_n(&s->nbackfills, n + 1, __ATOMIC_RELEASE);
}

static inline size_t stats_backfills(const struct stats *s)
{
	return __atomic_load_n(&s->nbackfills, __ATOMIC_ACQUIRE);
}

/* The i-th backfill (i < stats_backfills), read from any thread. */
static inline struct stats_backfill stats_get_backfill(const struct stats *s,
							size_t i)
{
	const struct stats_backfill *b = &s->backfills[i];
	struct stats_backfill v = {
		.state = __atomic_load_n(&b->state, __ATOMIC_RELAXED),
		.rows = __atomic_load_n(&b->rows, __ATOMIC_RELAXED),
		.chunks = __atomic_load_n(&b->chunks, __ATOMIC_RELAXED),
	};
	memcpy(v.table, b->table, sizeof v.table);
	return v;
}

#endif
