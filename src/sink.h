/* sink — where a script sends what it keeps: JSON lines to standard output
 * or a file, into a process's stdin, to an HTTP endpoint, or applied to
 * another PostgreSQL.
 *
 * A sink batches writes and makes them durable in flush. It learns the
 * transaction boundaries of the source, and remembers the end LSN of the
 * last transaction it has durably taken; walhook confirms no further than
 * the lowest such position of a sink that still holds unflushed data (the
 * delivery rule). */
#ifndef WALHOOK_SINK_H
#define WALHOOK_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change.h"
#include "err.h"

struct sink;

/* A row change for sinks that apply changes rather than write records:
 * column names and their values as PostgreSQL text (DATUM_TEXT), SQL NULL
 * (DATUM_NULL) or an unchanged TOAST value to leave alone (DATUM_UNCHANGED).
 * Text may hold any byte, bytea's raw bytes included, and is followed by a
 * NUL that len does not count. */
struct sink_row {
	const char *op; /* insert, update, delete, read (a snapshot row) */
	const char *schema;
	const char *table;
	size_t ncols;
	const char *const *names;
	const struct datum *values;
	size_t nold; /* the old row (key or whole), may be 0 */
	const char *const *old_names;
	const struct datum *old_values;
	size_t nkeys;
	const char *const *keys; /* the replica identity's columns */
};

struct sink_truncate {
	size_t nrels;
	const char *const *schemas;
	const char *const *tables;
	bool cascade;
	bool restart_identity;
};

struct sink_ops {
	const char *kind;
	/* One record as JSON text; NULL for sinks that only apply rows. */
	int (*write_json)(struct sink *s, const char *json, size_t len,
			  struct err *e);
	/* NULL for sinks that only take JSON. */
	int (*write_row)(struct sink *s, const struct sink_row *row,
			 struct err *e);
	int (*write_truncate)(struct sink *s, const struct sink_truncate *t,
			      struct err *e);
	/* Optional: the source transaction tx starts (a sink may decide to
	 * skip it: then sink->skipping). */
	int (*begin)(struct sink *s, const struct txn *tx, struct err *e);
	/* Optional: the source transaction ended at end_lsn. */
	int (*commit)(struct sink *s, const struct txn *tx, struct err *e);
	/* Makes every ended transaction durable. */
	int (*flush)(struct sink *s, struct err *e);
	/* Optional, called about once a second: notice trouble while idle
	 * (an exec sink's process that exited). */
	int (*poll)(struct sink *s, struct err *e);
	/* Optional: forget what is not durable, as before a reconnect (the
	 * server sends it again). */
	void (*discard)(struct sink *s);
	/* Optional: SIGHUP (a file sink reopens its file). */
	int (*reopen)(struct sink *s, struct err *e);
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	char name[96];
	/* Batching: flush after this many transactions, bytes, or seconds. */
	size_t max_txns;
	size_t max_bytes;
	int64_t max_wait_us;
	size_t batch_txns;
	size_t batch_bytes;
	int64_t batch_start_us;
	bool written;   /* since the last transaction boundary */
	bool skipping;  /* the open transaction is one the sink already has */
	uint64_t ended;   /* end LSN of the last transaction with writes */
	uint64_t durable; /* end LSN of the last one flushed */
	uint64_t errors;
	struct sink *next;
};

struct sinks {
	struct sink *head;
};

/* Sets the batching of s from defaults (by kind) and links it in. */
void sinks_add(struct sinks *all, struct sink *s);
void sinks_free(struct sinks *all);

/* Records that s got bytes of data in the open transaction. */
void sink_wrote(struct sink *s, size_t bytes);

int sinks_begin(struct sinks *all, const struct txn *tx, struct err *e);
/* The transaction tx ended: sinks that wrote mark a boundary and flush
 * when their batch is full. */
int sinks_commit(struct sinks *all, const struct txn *tx, struct err *e);
/* Flushes sinks whose batch has waited long enough (now: monotonic µs),
 * between source transactions only. */
int sinks_tick(struct sinks *all, int64_t now, struct err *e);
int sinks_flush(struct sinks *all, struct err *e);
int sinks_reopen(struct sinks *all, struct err *e);
/* Forgets every sink's unflushed data: it comes again after a reconnect. */
void sinks_discard(struct sinks *all);
/* Whether some sink holds data not yet durable; then *limit is the
 * position walhook may confirm at most. */
bool sinks_holding(const struct sinks *all, uint64_t *limit);

int64_t sink_now_us(void);

#endif
