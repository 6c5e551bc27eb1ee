#include "ops/heartbeat.h"
#include "protocol/pgsql.h"

#include <stdio.h>
#include <time.h>

static bool wait_interval(struct heartbeat *hb)
{
	for (int i = 0; i < hb->interval_s * 10; i++) {
		if (__atomic_load_n(&hb->quit, __ATOMIC_ACQUIRE))
			return false;
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	return !__atomic_load_n(&hb->quit, __ATOMIC_ACQUIRE);
}

static void *heartbeat_main(void *arg)
{
	struct heartbeat *hb = arg;
	PGconn *c = NULL;
	bool warned = false;
	while (wait_interval(hb)) {
		struct err e;
		if (!c && !(c = conn_open(hb->params, false, &e))) {
			if (!warned)
				fprintf(stderr, "walhook: heartbeat: %s\n",
					e.msg);
			warned = true;
			continue;
		}
		static const char *const prefix[] = { HEARTBEAT_PREFIX };
		if (pgsql_exec(
			c,
			"SELECT pg_catalog.pg_logical_emit_message(false, $1, now()::text)",
			1, prefix, NULL, "heartbeat", &e) < 0) {
			if (!warned)
				fprintf(stderr, "walhook: %s\n", e.msg);
			warned = true;
			PQfinish(c);
			c = NULL;
		} else {
			warned = false;
		}
	}
	PQfinish(c);
	return NULL;
}

int heartbeat_start(struct heartbeat *hb, const struct conn_params *p,
		    int interval_s, struct err *e)
{
	*hb = (struct heartbeat){ .params = p, .interval_s = interval_s };
	if (pthread_create(&hb->thread, NULL, heartbeat_main, hb) != 0)
		return err_set(e, "heartbeat: cannot start its thread");
	hb->running = true;
	return 0;
}

void heartbeat_stop(struct heartbeat *hb)
{
	if (!hb->running)
		return;
	__atomic_store_n(&hb->quit, 1, __ATOMIC_RELEASE);
	pthread_join(hb->thread, NULL);
	hb->running = false;
}
