/* heartbeat — --heartbeat: a logical message emitted on an ordinary side
 * connection every few seconds, so a slot whose tables are idle still sees
 * WAL go by (on a server where nothing else writes). */
#ifndef WALHOOK_HEARTBEAT_H
#define WALHOOK_HEARTBEAT_H

#include <stdbool.h>

#include "base/err.h"
#include "base/ticker.h"
#include "pipeline/pipeline.h"
#include "protocol/conn.h"

struct heartbeat {
	const struct conn_params *params;
	struct ticker ticker;
	PGconn *conn; /* the side connection, the ticker's own */
	bool warned;  /* once per outage */
};

int heartbeat_start(struct heartbeat *hb, const struct conn_params *p,
		    int interval_s, struct err *e);
void heartbeat_stop(struct heartbeat *hb);

#endif
