/* spool — the messages of a transaction held back until it commits: a
 * streamed transaction until Stream Commit, a prepared one until Commit
 * Prepared. Kept in memory up to a bound, then in an unlinked temporary
 * file, so a transaction of any size costs the same memory.
 *
 * Each entry is one plugin message as received, with its LSN and the
 * (sub)transaction it belongs to.
 *
 * The file is made in $TMPDIR (else /tmp), unlinked from the start. What
 * all spools of the process hold together may be bounded
 * (spool_set_limit, --spool-limit): past it, spool_add fails with a
 * message naming the transaction and the limit. */
#ifndef WALHOOK_SPOOL_H
#define WALHOOK_SPOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"

struct spool {
	struct buf mem;
	FILE *file; /* NULL until the memory bound is passed */
	size_t mem_limit;
	uint64_t entries;
	uint64_t bytes;
	uint32_t xid; /* the transaction held, for messages */
};

struct spool_entry {
	uint64_t lsn;
	uint32_t subxid;
	uint32_t len;
	const uint8_t *data; /* valid until the next spool_next */
};

/* The bound on what all spools hold together, in bytes (0: none). */
void spool_set_limit(uint64_t bytes);
/* xid names the transaction in messages. */
void spool_init(struct spool *s, size_t mem_limit, uint32_t xid);
int spool_add(struct spool *s, uint64_t lsn, uint32_t subxid,
	      const uint8_t *data, uint32_t len, struct err *e);

struct spool_reader {
	struct spool *s;
	size_t mem_off;
	bool in_file;
	struct buf scratch;
};

/* Reads the entries back in order: 1 and *out filled, 0 at the end, -1 on
 * an I/O error. */
void spool_read_begin(struct spool *s, struct spool_reader *r);
int spool_next(struct spool_reader *r, struct spool_entry *out, struct err *e);
void spool_read_end(struct spool_reader *r);

void spool_free(struct spool *s);

#endif
