/* backfill_state — the state file of backfills: for each, how far its
 * rows are durably delivered, so that a restart goes on with the next
 * chunk. One line a backfill, tab-separated fields with \\, \t, \n and
 * \r escaped: table, where, "running" or "done", chunk size, rows,
 * chunks, then the last key read, one field a column. Written whole to a
 * new file, fsynced and renamed over the old one. */
#ifndef WALHOOK_BACKFILL_STATE_H
#define WALHOOK_BACKFILL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct backfill_progress {
	char *table;
	char *where; /* "" for none */
	bool done;
	int chunk;
	uint64_t rows, chunks;
	char **key; /* nkey values of text; nkey 0: nothing read yet */
	size_t nkey;
};

/* *out gets every backfill of the file (none when it does not exist),
 * which the caller frees with backfill_progress_free each and free. */
int backfill_state_load(const char *path, struct backfill_progress **out,
			size_t *n, struct err *e);
int backfill_state_save(const char *path, const struct backfill_progress *p,
			size_t n, struct err *e);
/* Replaces p's key with a copy of key. */
void backfill_progress_set_key(struct backfill_progress *p,
			       const char *const *key, size_t n);
void backfill_progress_free(struct backfill_progress *p);

#endif
