/* replay — a stream without a server: a recording (--record) run through
 * the same decoders and hooks as the live run, or a fixture of JSON lines
 * run through the hooks. Used by --replay and by script tests. */
#ifndef WALHOOK_REPLAY_H
#define WALHOOK_REPLAY_H

#include <signal.h>
#include <stdint.h>

#include "base/err.h"
#include "base/stats.h"
#include "core/delivery.h"
#include "lua/host.h"

/* Runs path through lh, whose sinks and output d owns; stops at endpos
 * (0: none) or when *stop is set. Everything handled is flushed at the
 * end. 0, or -1 with e filled. */
int replay_run(const char *path, struct lh *lh, struct delivery *d,
	       struct stats *stats, uint64_t endpos,
	       volatile sig_atomic_t *stop, struct err *e);

#endif
