/* output — buffered writing of lines to a file descriptor, with the flush
 * that the delivery rule waits on before an LSN is confirmed. */
#ifndef WALHOOK_OUTPUT_H
#define WALHOOK_OUTPUT_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

struct output {
	int fd;
	bool sync; /* fsync on flush: the fd is a regular file */
	struct buf b;
	const char *name; /* for messages: "standard output" */
};

void output_init(struct output *o, int fd, const char *name);
/* The buffer to append to; call output_written after appending so a full
 * buffer is written out (a large transaction needs no more memory). */
static inline struct buf *output_buf(struct output *o) { return &o->b; }
int output_written(struct output *o, struct err *e);
/* Writes everything buffered and, for a file, fsyncs it. */
int output_flush(struct output *o, struct err *e);
void output_free(struct output *o);

#endif
