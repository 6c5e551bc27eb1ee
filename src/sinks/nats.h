/* sink_nats — records to NATS JetStream with libnats: each record
 * published asynchronously on the subject the script's routing named,
 * with the header Nats-Msg-Id "<slot>:<end lsn>:<n>" (the transaction's
 * end LSN and the record's place in it), so a stream whose duplicate
 * window covers a reconnect drops what is sent again. A batch is durable
 * when every message of it has its PubAck; a missing stream for a
 * subject is an error that names the subject. */
#ifndef WALHOOK_SINK_NATS_H
#define WALHOOK_SINK_NATS_H

#include "core/sink.h"

struct sink_nats_config {
	const char *url;  /* nats://host:port, or a comma list */
	const char *slot; /* the Nats-Msg-Id's first part */
	double timeout_s; /* for an ack; then the flush fails (transient) */
};

/* Connects (the server must answer at once). The configuration is copied. */
struct sink *sink_nats_new(const struct sink_nats_config *c, struct err *e);

#endif
