/* window — one chunk of a backfill between its two watermarks: the rows
 * read from the table in primary-key order, found by their key's text,
 * which streamed changes replace or remove until the high watermark hands
 * the rest on as "read" rows; and the check that the chunk's snapshot saw
 * every transaction the stream delivered before the window opened.
 * Pure: no I/O, no globals. A window owns copies of its rows; the
 * relation and the names it is given are the caller's and must outlive
 * it. */
#ifndef WALHOOK_WINDOW_H
#define WALHOOK_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "decode/change.h"

/* Enough for the commits that may pass between a commit record and its
 * transaction leaving the server's ProcArray, under any load. */
#define XID_RING_SIZE 4096

/* The xids of the transactions the stream committed last. */
struct xid_ring {
	uint32_t xids[XID_RING_SIZE];
	size_t next, n;
};

void xid_ring_note(struct xid_ring *r, uint32_t xid);
bool xid_ring_has(const struct xid_ring *r, uint32_t xid);

enum window_state {
	WINDOW_ARMED,	/* read; the low watermark not reached yet */
	WINDOW_OPEN,	/* between the watermarks */
	WINDOW_RACED,	/* open, but its snapshot missed a transaction the
			   stream delivered before: read it again */
	WINDOW_EMITTED, /* the high watermark handed its rows on */
	WINDOW_DONE,	/* ... and their transaction ended at end_lsn */
	WINDOW_RETRY,	/* the high watermark came to a raced window */
	WINDOW_LOST,	/* the stream started again before the end */
};

struct window_row {
	struct datum *vals; /* rel->ncols, and their text, in one block */
	char *key;	    /* the key's encoding, in the same block */
	size_t keylen;
	bool gone;
};

struct window {
	const char *name; /* the backfill's, for the rows it hands on */
	const struct rel *rel;
	const uint16_t *pk; /* rel's columns of the primary key, in order */
	uint16_t npk;
	struct window_row *rows;
	size_t nrows, rows_cap;
	size_t *slots; /* open addressing: a row's index + 1, 0 free */
	size_t nslots;
	uint32_t *xip; /* the snapshot's transactions in progress */
	size_t nxip;
	char *low, *high; /* the watermarks' contents */
	/* The backfill's progress once this chunk is in, opaque here: what
	 * the sinks that keep such records commit with its rows. NULL: none. */
	char *progress;
	enum window_state state;
	uint64_t end_lsn;
	struct buf scratch;
};

/* low and high are copied. */
void window_init(struct window *w, const char *name, const struct rel *rel,
		 const uint16_t *pk, uint16_t npk, const char *low,
		 const char *high);
void window_free(struct window *w);
/* Copies a row read (rel->ncols text or NULL values), in key order. */
void window_add(struct window *w, const struct datum *vals);
/* Copies the in-progress xids of the snapshot the chunk was read in. */
void window_set_xip(struct window *w, const uint32_t *xip, size_t n);
/* Copies the progress record the chunk's rows are handed on with. */
void window_set_progress(struct window *w, const char *text);
/* Parses pg_current_snapshot()'s text "xmin:xmax:xip,..." into xids
 * (their low 32 bits, as the stream names them); *n is the count. NULL
 * when the text is not a snapshot. Caller frees. */
uint32_t *window_parse_snapshot(const char *text, size_t *n);
/* The low watermark: open, or raced when a transaction of the snapshot's
 * in-progress list is one the stream already committed. */
void window_open(struct window *w, const struct xid_ring *recent);
/* A streamed change of the window's table, as r (the stream's
 * description) names its columns: a buffered row with its key takes the
 * new version (unchanged TOAST values kept), a deleted one, or one whose
 * key changed away, is removed. */
void window_change(struct window *w, const struct change *c);
/* A truncate of the table: nothing read is left. */
void window_truncate(struct window *w);
/* The next row still buffered at or after *at, which moves past it;
 * NULL at the end. */
const struct datum *window_next(const struct window *w, size_t *at);

/* Where the chunk stands: what the stream made of it so far. */
static inline enum window_state window_state_of(const struct window *w)
{
	return w->state;
}

/* The position the chunk's rows were handed on at, once WINDOW_DONE. */
static inline uint64_t window_end_lsn(const struct window *w)
{
	return w->end_lsn;
}

#endif
