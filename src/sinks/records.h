/* sink_records — copies of struct sink_record that a broker sink holds
 * until it can send them: the open source transaction, whose commit gives
 * every record its place (a Redis entry ID, a NATS message ID), or a
 * transaction that may be one the broker already has.
 *
 * One buffer holds every string, each followed by a NUL; records refer to
 * it by offset, so growing it moves nothing a caller keeps. */
#ifndef WALHOOK_SINK_RECORDS_H
#define WALHOOK_SINK_RECORDS_H

#include <stddef.h>

#include "base/buf.h"
#include "core/sink.h"

struct held_record {
	size_t json, len, key, key_len, dest, op, schema, table;
	bool has_key;
	uint64_t lsn;
	uint32_t xid;
};

struct sink_records {
	struct buf text;
	struct held_record *v;
	size_t n, cap;
};

/* Copies r in. */
void sink_records_add(struct sink_records *rs, const struct sink_record *r);
/* Record i as a view into rs, valid until the next add or clear. */
void sink_records_get(const struct sink_records *rs, size_t i,
		      struct sink_record *out);
/* Forgets every record, keeping the storage. */
void sink_records_clear(struct sink_records *rs);
/* Accepts a zeroed struct. */
void sink_records_free(struct sink_records *rs);

#endif
