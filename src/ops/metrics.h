/* metrics — a Prometheus text endpoint on 127.0.0.1 (--metrics-port),
 * served by a thread of its own from the stats counters. */
#ifndef WALHOOK_METRICS_H
#define WALHOOK_METRICS_H

#include <pthread.h>
#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/stats.h"

struct metrics {
	int fd;
	pthread_t thread;
	bool running;
	int quit;
	const struct stats *stats;
	const char *slot;
};

int metrics_start(struct metrics *m, int port, const struct stats *stats,
		  const char *slot, struct err *e);
void metrics_stop(struct metrics *m);
/* The exposition text (also what the endpoint serves). */
void metrics_render(struct buf *b, const struct stats *stats, const char *slot);

#endif
