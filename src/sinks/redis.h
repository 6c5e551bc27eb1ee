/* sink_redis — records to Redis Streams with hiredis: each record an
 * XADD with an explicit entry ID "<end lsn>-<n>" (the transaction's end
 * LSN, the record's place in it), so a record sent again is refused as
 * not above the stream's top and a replay changes nothing. A batch is
 * durable when every reply has arrived (and, with replicas = n, WAIT n
 * has counted n replicas). */
#ifndef WALHOOK_SINK_REDIS_H
#define WALHOOK_SINK_REDIS_H

#include "core/sink.h"

struct sink_redis_config {
	const char *url;  /* redis://[:password@]host[:port][/db] */
	long long maxlen; /* XADD MAXLEN ~ n; 0: none */
	int replicas;	  /* WAIT replicas at each flush; 0: none */
	double timeout_s; /* for a reply; then the flush fails (transient) */
};

/* Connects (the server must answer at once). The configuration is copied. */
struct sink *sink_redis_new(const struct sink_redis_config *c, struct err *e);

#endif
