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
 * restart goes on.
 *
 * A backfill is asked for by --backfill, by a script (walhook.backfill)
 * or by a walhook.signal message, which may also pause, resume or cancel
 * one; each request is one struct backfill_request, met or refused by
 * backfill_act. What a script or a signal asked is in the state file
 * before the stream goes past the request, so it outlives a crash. */
#ifndef WALHOOK_BACKFILL_H
#define WALHOOK_BACKFILL_H

#include <stdbool.h>

#include "base/err.h"
#include "base/stats.h"
#include "core/delivery.h"
#include "decode/signal.h"
#include "pipeline/pipeline.h"
#include "protocol/conn.h"

#define BACKFILL_CHUNK 1024

struct backfill;

/* Where a backfill reads its tables, and who hears of it. */
struct backfill_config {
	const struct conn_params *params;
	const char *state_path;
	const char *publications; /* --publication: its tables only */
	struct stats *stats;	  /* each backfill's state, rows, chunks */
	void (*info)(const char *fmt, ...); /* progress lines (-v) */
};

/* Reads the state file and takes up every backfill it has not finished,
 * then the n requests of the command line (BACKFILL_BY_FLAG): one the
 * file has with the same WHERE goes on from it (or stays done or
 * cancelled), any other starts. NULL with e filled when the file cannot
 * be read. */
struct backfill *backfill_new(const struct backfill_config *cfg,
			      const struct backfill_request *flags, int n,
			      struct err *e);
void backfill_free(struct backfill *b);
/* The stream the chunks go to, once the pipeline exists; carries_marks:
 * whether it passes logical messages on (pgoutput asked for them),
 * without which no backfill can run. */
void backfill_attach(struct backfill *b, struct pipeline *p,
		     struct delivery *d, bool carries_marks);
/* A backfill_control (decode/signal.h): starts, pauses, resumes or
 * cancels the backfill of r->table. A signal delivered again (its place
 * not past the last one acted on for the table) is known and passes. */
int backfill_act(void *b, enum signal_action a,
		 const struct backfill_request *r, struct err *e);
/* Between messages: what became of the chunks in flight, the state file
 * once their rows are durable, the next chunks read. A pipeline tick
 * hook (pipeline_set_tick). */
int backfill_step(void *b, struct err *e);

#endif
