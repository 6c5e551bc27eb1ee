/* sink_kafka — records to Kafka with librdkafka: an idempotent producer
 * (acks from every in-sync replica, no duplicates from its own retries),
 * each record a message with its key, the headers walhook.lsn,
 * walhook.xid, walhook.op and walhook.table, to the topic the script's
 * routing named. A batch is durable when every message of it has a
 * successful delivery report; a failed report, or message.timeout.ms
 * passing, fails the flush as a target that went down does (transient).
 *
 * With a transactional id, each batch is one Kafka transaction that also
 * writes the batch's end LSN to a compacted offsets topic; at start the
 * sink reads that topic (read_committed) and skips every source
 * transaction Kafka already has: exactly once. */
#ifndef WALHOOK_SINK_KAFKA_H
#define WALHOOK_SINK_KAFKA_H

#include "core/sink.h"

struct sink_kafka_config {
	const char *brokers;	   /* bootstrap.servers */
	const char *const *config; /* librdkafka properties: name, value, ... */
	int nconfig;		   /* pairs */
	const char *transactional_id; /* NULL: at least once */
	const char *offsets_topic;    /* with transactional_id */
};

/* Connects (the brokers must answer within the connect timeout) and, with
 * a transactional id, reads where the last run ended. The configuration
 * is copied. */
struct sink *sink_kafka_new(const struct sink_kafka_config *c, struct err *e);

#endif
