/* sink_lines — sinks of JSON lines: standard output, a file (fsynced,
 * reopened on SIGHUP), and a process's standard input (exec). */
#ifndef WALHOOK_SINK_LINES_H
#define WALHOOK_SINK_LINES_H

#include "sink.h"

struct sink *sink_stdout_new(struct err *e);
struct sink *sink_file_new(const char *path, struct err *e);
/* Runs command with /bin/sh; its output goes to walhook's stderr. A
 * process that exits is an error at the next flush. */
struct sink *sink_exec_new(const char *command, struct err *e);

#endif
