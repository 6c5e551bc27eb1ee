/* stats — counters of what walhook has done. The main thread writes them;
 * the metrics endpoint, the progress line and walhook.stats() read them,
 * possibly from another thread, so every access is atomic. */
#ifndef WALHOOK_STATS_H
#define WALHOOK_STATS_H

#include <stdint.h>

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

struct stats {
	uint64_t v[NSTATS];
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

#endif
