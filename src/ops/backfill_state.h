/* backfill_state — the state file of backfills: for each, how far its
 * rows are durably delivered, so that a restart goes on with the next
 * chunk, and what an operator asked of it, so that a request outlives
 * a crash. One line a backfill, tab-separated fields with \\, \t, \n
 * and \r escaped: table, where, its state ("running", "paused", "done",
 * "cancelled"), chunk size, rows, chunks, who asked ("flag", "script",
 * "signal"), the last signal acted on as commit LSN and LSN (0/0 for
 * none), then the last key read, one field a column. Written whole to a
 * new file, fsynced and renamed over the old one. */
#ifndef WALHOOK_BACKFILL_STATE_H
#define WALHOOK_BACKFILL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "decode/signal.h"

enum backfill_state {
	BACKFILL_RUNNING,
	BACKFILL_PAUSED,
	BACKFILL_DONE,
	BACKFILL_CANCELLED,
};

struct backfill_progress {
	char *table;
	char *where; /* "" for none */
	enum backfill_state state;
	int chunk;
	uint64_t rows, chunks;
	enum backfill_origin by;
	/* The last signal acted on (0: none), its place as a signal's
	 * request names it: one delivered again is known by it. */
	uint64_t signal_commit, signal_lsn;
	char **key; /* nkey values of text; nkey 0: nothing read yet */
	size_t nkey;
};

/* *out gets every backfill of the file (none when it does not exist),
 * which the caller frees with backfill_progress_free each and free. */
int backfill_state_load(const char *path, struct backfill_progress **out,
			size_t *n, struct err *e);
int backfill_state_save(const char *path, const struct backfill_progress *p,
			size_t n, struct err *e);
/* One backfill's line without its newline, the text a sink keeps as the
 * backfill's record; and that text read back (false when it is not one),
 * into a *p to free with backfill_progress_free. */
void backfill_progress_put(struct buf *b, const struct backfill_progress *p);
bool backfill_progress_parse(const char *text, struct backfill_progress *p);
/* The least advanced of at (the state file's progress, or the least
 * found so far) and a sink's record of the same backfill (NULL: the sink
 * holds none): whether at moved back to it. A record of another request
 * (another WHERE or chunk size) counts as none, and none means the target
 * lost the backfill's rows (emptied, or restored from before it began):
 * at goes back to the first key. Records compare by their chunks. A
 * cancelled backfill stays so, a paused one stays paused, and one moved
 * back is not done any more. */
bool backfill_progress_least(struct backfill_progress *at,
			     const struct backfill_progress *record);
/* Replaces p's key with a copy of key. */
void backfill_progress_set_key(struct backfill_progress *p,
			       const char *const *key, size_t n);
void backfill_progress_free(struct backfill_progress *p);
/* "running", "paused", ...: never fails. */
const char *backfill_state_name(enum backfill_state s);

#endif
