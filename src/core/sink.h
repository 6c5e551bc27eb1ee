/* sink — where what walhook keeps goes: JSON lines to standard output or a
 * file (the default output is one of these), into a process's stdin, to
 * an HTTP endpoint, records to a broker (Kafka, NATS JetStream, Redis
 * Streams), or applied to another PostgreSQL.
 *
 * A sink takes writes, learns the source's transaction boundaries, and
 * makes what it took durable in flush. It never decides when to flush or
 * what may be confirmed: the delivery module (delivery.h) owns every sink
 * and is the only caller of these operations. */
#ifndef WALHOOK_SINK_H
#define WALHOOK_SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "decode/change.h"

struct sink;

/* A row change for sinks that apply changes rather than write records:
 * column names and their values as PostgreSQL text (DATUM_TEXT), SQL NULL
 * (DATUM_NULL) or an unchanged TOAST value to leave alone (DATUM_UNCHANGED).
 * Text may hold any byte, bytea's raw bytes included, and is followed by a
 * NUL that len does not count. */
struct sink_row {
	enum change_op op;
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
	/* A read row of a backfill (the change table's backfill field), not
	 * of the initial snapshot: it may overwrite the target's row. */
	bool backfill;
};

struct sink_truncate {
	size_t nrels;
	const char *const *schemas;
	const char *const *tables;
	bool cascade;
	bool restart_identity;
};

/* A schema change (the script's handle_ddl table) for sinks that apply
 * changes: the statement text its source ran, and the command's place
 * among those that text made (decode/ddl.h). */
struct sink_ddl {
	const char *tag;
	const char *identity;
	const char *statement;
	long long command;
	uint64_t lsn;
};

/* A record for sinks that route and label what they send (the brokers):
 * the JSON text, the key and destination the script's routing gave, and
 * what the record is of. Every pointer is a view, valid for the call only;
 * the sink copies what it keeps. */
struct sink_record {
	const char *json;
	size_t len;
	const char *key; /* NULL: no key */
	size_t key_len;
	const char *dest;   /* topic, subject or stream; never NULL */
	uint64_t lsn;       /* the change's position, 0 when none */
	uint32_t xid;       /* 0 when none */
	const char *op;     /* "insert", ..., "truncate", "message", or "" */
	const char *schema; /* "" when none */
	const char *table;  /* "" when none */
};

struct sink_ops {
	const char *kind;
	/* One record as JSON text; NULL for sinks that only apply rows. */
	int (*write_json)(struct sink *s, const char *json, size_t len,
			  struct err *e);
	/* Optional, for sinks that route records: one record with its
	 * destination and labels; such a sink has no write_json. */
	int (*write_record)(struct sink *s, const struct sink_record *r,
			    struct err *e);
	/* NULL for sinks that only take JSON. */
	int (*write_row)(struct sink *s, const struct sink_row *row,
			 struct err *e);
	int (*write_truncate)(struct sink *s, const struct sink_truncate *t,
			      struct err *e);
	/* Optional, for sinks that apply rows: a schema change; without it
	 * such a sink skips them. */
	int (*write_ddl)(struct sink *s, const struct sink_ddl *d,
			 struct err *e);
	/* Optional, for sinks whose target has a home for it: the record
	 * of a backfill's progress under name (text, its state line), kept
	 * in the open transaction so that it commits with the rows around
	 * it. */
	int (*write_state)(struct sink *s, const char *name, const char *text,
			   struct err *e);
	/* Optional, with write_state: the record the target holds under
	 * name into *text, which the caller frees; NULL when it holds none. */
	int (*read_state)(struct sink *s, const char *name, char **text,
			  struct err *e);
	/* Optional, for sinks of lines: the buffer whole lines are appended
	 * to directly (the default output's JSON lines and print()); the
	 * appender then calls wrote. */
	struct buf *(*lines)(struct sink *s);
	int (*wrote)(struct sink *s, struct err *e);
	/* Optional: the source transaction tx starts (a sink may decide to
	 * skip it: then sink->skipping). */
	int (*begin)(struct sink *s, const struct txn *tx, struct err *e);
	/* Optional: the source transaction ended at tx->end_lsn. */
	int (*commit)(struct sink *s, const struct txn *tx, struct err *e);
	/* Makes everything written up to the last commit durable. */
	int (*flush)(struct sink *s, struct err *e);
	/* Optional, called ten times a second: notice trouble while idle
	 * (an exec sink's process that exited). */
	int (*poll)(struct sink *s, struct err *e);
	/* Optional: forget what the open transaction wrote and keep the
	 * transactions before it; -1 when that is not possible, and then
	 * discard follows. */
	int (*abort)(struct sink *s);
	/* Optional: forget everything not durable (it comes again). */
	void (*discard)(struct sink *s);
	/* Optional: SIGHUP (a file sink reopens its file). */
	int (*reopen)(struct sink *s, struct err *e);
	void (*free)(struct sink *s);
};

/* What a sink is and how it batches; the delivery module keeps the rest
 * (struct sink_state) and no other code touches it. */
struct sink_state {
	bool dirty;	  /* holds data that is not durable yet */
	uint64_t mark;	  /* while dirty: all before it is durable here */
	bool written;	  /* wrote since the last transaction boundary */
	bool unit_wrote;  /* ... and inside the open unit */
	bool skipping;	  /* the open transaction is one it already has */
	bool flush_asked; /* s:flush() inside a transaction: at its end */
	size_t batch_txns;
	size_t batch_bytes;
	int64_t batch_start_us;
};

/* A stop request, as every sink sees it. A sink blocked on its target (a
 * process that does not read, a locked table, a server that never
 * answers) gives up once sink_give_up says so: a stop waits for a flush
 * this long, no longer. */
#define SINK_STOP_GRACE_US (2 * INT64_C(1000000))
struct sink_stop {
	const volatile sig_atomic_t *flag; /* SIGINT/SIGTERM; may be NULL */
	int64_t seen_us; /* when a blocked sink first saw it */
};

struct sink {
	const struct sink_ops *ops;
	char name[96];
	/* Batching: flush after this many transactions, bytes, or seconds
	 * (0: no limit of that kind). */
	size_t max_txns;
	size_t max_bytes;
	int64_t max_wait_us;
	/* Flushed before every status update as well (the default output
	 * file, whose fsync one status update's worth of transactions
	 * shares). */
	bool flush_at_status;
	uint64_t errors;
	struct sink_stop *stop; /* the delivery module's */
	struct sink_state st;
	struct sink *next;
};

/* Whether a sink waiting on its target should give up now: a stop was
 * asked for SINK_STOP_GRACE_US ago or more. Call it while waiting (now:
 * mono_now_us()). */
bool sink_give_up(struct sink *s, int64_t now);

/* A sink's begin op says the open transaction is one it already has. */
static inline void sink_skip(struct sink *s, bool skip)
{
	s->st.skipping = skip;
}
/* A sink's write op reports how many bytes a write added to its batch. */
static inline void sink_wrote(struct sink *s, size_t bytes)
{
	s->st.batch_bytes += bytes;
}

#endif
