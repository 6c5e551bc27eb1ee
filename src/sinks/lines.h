/* sink_lines — sinks of lines: the default output (standard output or
 * -f), standard output, a file (fsynced, reopened on SIGHUP), a process's
 * standard input (exec), and memory (what a script test reads back). */
#ifndef WALHOOK_SINK_LINES_H
#define WALHOOK_SINK_LINES_H

#include <stdint.h>

#include "core/sink.h"

struct sink *sink_stdout_new(struct err *e);
/* Appends to path, created 0600; a line left cut short by a crash is
 * removed first. */
struct sink *sink_file_new(const char *path, struct err *e);
/* Runs command with /bin/sh; its output goes to walhook's stderr. A
 * process that exits is an error at the next flush. */
struct sink *sink_exec_new(const char *command, struct err *e);
/* walhook's own output: path, or standard output when NULL. A regular
 * file is fsynced before each status update and at least every
 * fsync_every_us, each transaction written out at its end; with
 * fsync_every_us 0, or a pipe or terminal, a transaction's flush is its
 * write. */
struct sink *sink_output_new(const char *path, int64_t fsync_every_us,
			     struct err *e);
/* Lines kept in memory; sink_memory_take moves everything written so far
 * into `into`. */
struct sink *sink_memory_new(void);
void sink_memory_take(struct sink *s, struct buf *into);

#endif
