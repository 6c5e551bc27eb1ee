/* pipeline — what walhook does with each XLogData payload: decode it, keep
 * the relation cache, build the transaction and its changes, hand them to
 * the script, and confirm a transaction's end LSN once its output is
 * flushed. The stream calls pipeline_on_data; nothing here does I/O on the
 * connection. */
#ifndef WALHOOK_PIPELINE_H
#define WALHOOK_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "change.h"
#include "luahost.h"
#include "output.h"
#include "pgoutput.h"
#include "relcache.h"
#include "stream.h"

struct pipeline {
	bool decode_pgoutput; /* false: hand raw payloads to handle_data */
	struct pgo_decoder dec;
	struct relcache rels;
	struct lh *lh;
	struct output *out;
	struct stream *stream;
	uint64_t endpos;
	struct txn txn;
	bool in_txn;
	char origin[128];
	struct rel_column *colbuf; /* scratch for Relation messages */
	size_t colbuf_cap;
	const struct rel **relbuf; /* scratch for Truncate */
	size_t relbuf_cap;
	uint64_t changes, transactions;
};

void pipeline_init(struct pipeline *p, bool decode_pgoutput, struct lh *lh,
		   struct output *out, struct stream *stream, uint64_t endpos);
/* Forgets what a new connection will send again: the open transaction,
 * the relations, the decoder's state. */
void pipeline_reset(struct pipeline *p);
void pipeline_free(struct pipeline *p);

/* A stream_data_fn. */
int pipeline_on_data(void *ctx, uint64_t lsn, uint64_t wal_end,
		     int64_t send_time, const uint8_t *data, size_t len,
		     struct err *e);

#endif
