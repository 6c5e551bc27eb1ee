#include "base/ticker.h"

#include <time.h>

static struct timespec deadline_after(int64_t us)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t ns = ts.tv_nsec + (us % 1000000) * 1000;
	ts.tv_sec += (time_t)(us / 1000000 + ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	return ts;
}

/* Waits one interval; false once a stop was asked for. */
static bool wait_tick(struct ticker *t)
{
	struct timespec until = deadline_after(t->interval_us);
	pthread_mutex_lock(&t->mu);
	int rc = 0;
	while (!t->quit && rc == 0)
		rc = pthread_cond_timedwait(&t->cv, &t->mu, &until);
	bool go = !t->quit;
	pthread_mutex_unlock(&t->mu);
	return go;
}

static void *ticker_main(void *arg)
{
	struct ticker *t = arg;
	while (wait_tick(t))
		t->fn(t->ctx);
	return NULL;
}

bool ticker_start(struct ticker *t, int64_t interval_us, void (*fn)(void *),
		  void *ctx)
{
	*t =
	    (struct ticker){ .fn = fn, .ctx = ctx, .interval_us = interval_us };
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	/* A wall clock set back must not stretch an interval. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&t->mu, NULL);
	t->running = pthread_create(&t->thread, NULL, ticker_main, t) == 0;
	if (!t->running) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
	}
	return t->running;
}

void ticker_stop(struct ticker *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->mu);
	t->quit = true;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	t->running = false;
}
