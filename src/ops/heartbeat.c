#include "ops/heartbeat.h"
#include "protocol/pgsql.h"

#include <stdio.h>

static void beat(void *arg)
{
	struct heartbeat *hb = arg;
	struct err e;
	if (!hb->conn && !(hb->conn = conn_open(hb->params, false, &e))) {
		if (!hb->warned)
			fprintf(stderr, "walhook: heartbeat: %s\n", e.msg);
		hb->warned = true;
		return;
	}
	static const char *const prefix[] = { HEARTBEAT_PREFIX };
	if (pgsql_exec(
		hb->conn,
		"SELECT pg_catalog.pg_logical_emit_message(false, $1, now()::text)",
		1, prefix, NULL, "heartbeat", &e) < 0) {
		if (!hb->warned)
			fprintf(stderr, "walhook: %s\n", e.msg);
		hb->warned = true;
		PQfinish(hb->conn);
		hb->conn = NULL;
		return;
	}
	hb->warned = false;
}

int heartbeat_start(struct heartbeat *hb, const struct conn_params *p,
		    int interval_s, struct err *e)
{
	*hb = (struct heartbeat){ .params = p };
	if (!ticker_start(&hb->ticker, interval_s * INT64_C(1000000), beat, hb))
		return err_set(e, "heartbeat: cannot start its thread");
	return 0;
}

void heartbeat_stop(struct heartbeat *hb)
{
	ticker_stop(&hb->ticker);
	PQfinish(hb->conn);
	hb->conn = NULL;
}
