/* output — buffered writing of lines to a file descriptor, with the flush
 * that the delivery rule waits on before an LSN is confirmed. */
#ifndef WALHOOK_OUTPUT_H
#define WALHOOK_OUTPUT_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

struct output {
	int fd;
	bool sync;  /* fsync in output_sync: the fd is a regular file */
	bool dirty; /* written since the last output_sync */
	struct buf b;
	size_t kept; /* without a descriptor: the bytes flushed so far */
	const char *name; /* for messages: "standard output" */
};

/* fd -1: nothing is written anywhere; the buffer keeps it all. */
void output_init(struct output *o, int fd, const char *name);
/* The buffer to append to; call output_written after appending so a full
 * buffer is written out (a large transaction needs no more memory). */
static inline struct buf *output_buf(struct output *o) { return &o->b; }
int output_written(struct output *o, struct err *e);
/* Writes everything buffered. */
int output_flush(struct output *o, struct err *e);
/* Makes what was written durable: fsync for a file, nothing for a pipe or
 * terminal. The delivery rule calls it before the server hears of a new
 * confirmed position. */
int output_sync(struct output *o, struct err *e);
/* Drops what was written since the last flush (an unfinished
 * transaction's lines), as far as it has not left yet. */
void output_discard(struct output *o);
/* Without a descriptor: takes the flushed text out (the caller reads
 * o->b, then calls this to empty it). */
void output_take(struct output *o);
void output_free(struct output *o);

#endif
