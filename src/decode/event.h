/* event — what a text plugin's decoder (wal2json, test_decoding) makes of
 * one payload: transaction boundaries, row changes, truncates and messages
 * in the one shape of change.h, handed to a callback in stream order.
 *
 * Everything an event points to (rels, values, strings) belongs to the
 * decoder and stays valid only during the callback. */
#ifndef WALHOOK_EVENT_H
#define WALHOOK_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "decode/change.h"

enum event_kind {
	EVENT_BEGIN = 'B',
	EVENT_COMMIT = 'C',
	EVENT_CHANGE = 'X',
	EVENT_TRUNCATE = 'T',
	EVENT_MESSAGE = 'M',
};

struct event {
	enum event_kind kind;
	uint64_t lsn; /* the record's LSN when the plugin tells it, else the
			 payload's XLogData LSN */
	union {
		struct {
			uint32_t xid; /* 0 when the plugin does not say */
			int64_t commit_time; /* 0 when unknown */
			uint64_t end_lsn; /* the commit's end, 0 when unknown */
		} begin;
		struct {
			uint32_t xid;
			uint64_t commit_lsn; /* 0 when unknown */
			uint64_t end_lsn;    /* the LSN to confirm */
			int64_t commit_time;
		} commit;
		/* A row change: rel describes exactly the columns of newv
		 * and oldv (rel->ncols each). txn is left NULL: the
		 * consumer knows the transaction. */
		struct change change;
		struct {
			uint32_t nrels;
			const struct rel *const *rels;
			bool cascade;
			bool restart_identity;
		} truncate;
		struct {
			const char *prefix;
			const char *content;
			uint32_t len;
			bool transactional;
		} message;
	};
};

/* Returns 0 to go on, or -1 (with e filled) to stop decoding. */
typedef int (*event_fn)(void *ctx, const struct event *ev, struct err *e);

#endif
