/* ticker — a thread that calls a function at an interval until stopped.
 * A stop wakes it at once, not at its next tick: the heartbeat's interval
 * is seconds, and a stop should not wait for it. */
#ifndef WALHOOK_TICKER_H
#define WALHOOK_TICKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct ticker {
	void (*fn)(void *ctx);
	void *ctx;
	int64_t interval_us;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool quit; /* under mu */
	bool running;
};

/* Calls fn(ctx) on a thread of its own every interval_us, the first time
 * one interval after the start; false when the thread cannot start. */
bool ticker_start(struct ticker *t, int64_t interval_us, void (*fn)(void *),
		  void *ctx);
/* Wakes the thread, waits for a call in progress to return, and joins
 * it; nothing is called after. A ticker never started is no error. */
void ticker_stop(struct ticker *t);

#endif
