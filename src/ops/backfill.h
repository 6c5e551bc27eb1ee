/* backfill — --backfill TABLE[:WHERE]: a table read again while the
 * stream flows, on a side connection, without a lock or a second slot.
 * Each chunk of rows, in primary-key order, is read between a low and a
 * high watermark, logical messages the stream carries; the pipeline
 * (pipeline_watch) opens the chunk's window at the low one, lets streamed
 * changes replace or remove its rows, and hands the rest on as "read"
 * rows at the high one. A consumer therefore never sees a read row older
 * than a change it already saw, and no row is missed.
 *
 * Chunks are read between messages of the stream (its tick), one at a
 * time for each backfill, each bounded by the chunk size: the stream
 * waits for one chunk's SELECT at most, and the keeper thread keeps the
 * server informed meanwhile. How far each backfill's rows are durable
 * (its high watermark confirmed) is kept in a state file, from which a
 * restart goes on. */
#ifndef WALHOOK_BACKFILL_H
#define WALHOOK_BACKFILL_H

#include <stdbool.h>

#include "base/err.h"
#include "core/delivery.h"
#include "pipeline/pipeline.h"
#include "protocol/conn.h"

#define BACKFILL_CHUNK 1024

struct backfill_spec {
	const char *table; /* "schema.table" or "table" (public) */
	const char *where; /* NULL: every row */
	int chunk;	   /* rows a chunk; 0: BACKFILL_CHUNK */
};

struct backfill;

/* Reads the state file at state_path and takes up the backfills it has
 * not finished; info prints progress lines (-v); NULL with e filled when it cannot be read. */
struct backfill *backfill_new(const struct conn_params *params,
			      const char *state_path,
			      const struct backfill_spec *specs, int n,
			      void (*info)(const char *fmt, ...),
			      struct err *e);
void backfill_free(struct backfill *b);
/* The stream the chunks go to, once the pipeline exists. */
void backfill_attach(struct backfill *b, struct pipeline *p,
		     struct delivery *d);
/* Between messages: what became of the chunks in flight, the state file
 * once their rows are durable, the next chunks read. A pipeline tick
 * hook (pipeline_set_tick). */
int backfill_step(void *b, struct err *e);

#endif
