/* sink_pg internals — what the pieces of the postgres sink share: the
 * sink's state and what it knows of the target's tables, and the calls
 * each piece offers the others. The session (pg_session.c) connects and
 * keeps the position; the pipeline (pg_pipeline.c) queues statements and
 * reads their results; the tables (pg_tables.c) are described from the
 * target's catalog; the SQL of a change is built in pg_sql.c; runs of
 * inserts go by COPY in pg_copy.c, runs of updates and deletes in batches
 * in pg_batch.c; schema changes are applied in pg_ddl.c; backfills'
 * progress records are kept in pg_state.c; pg.c has the sink's
 * operations. Only those files include it. */
#ifndef WALHOOK_SINK_PG_INTERNAL_H
#define WALHOOK_SINK_PG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/sink.h"

/* Statements queued in the pipeline before walhook reads their results,
 * so neither side's buffers fill while the other waits. */
#define PIPELINE_DEPTH 256
/* Results a batch may have queued: the statements, their Prepares, and
 * the few plain commands (BEGIN, SAVEPOINT, ...) around them. */
#define PENDING_MAX    (2 * PIPELINE_DEPTH + 8)

/* pg_trigger's tgtype bits of the events a trigger fires on. */
#define TRIGGERS_INSERT (1 << 2)
#define TRIGGERS_DELETE (1 << 3)
#define TRIGGERS_UPDATE (1 << 4)

/* One column of a target table, as the target's catalog has it. */
struct target_col {
	char *name;
	uint32_t type;	/* atttypid: the type its parameters are sent as */
	uint32_t base;	/* a domain's base type, else type */
	bool generated; /* the target computes it: never written */
	bool always_identity; /* GENERATED ALWAYS AS IDENTITY */
	bool key; /* in the target's replica identity index or primary key */
};

/* What walhook knows of a target table. */
struct target_table {
	char *schema, *table; /* the names changes give, found by */
	char *qualified;      /* "schema"."table", quoted */
	char relkind;	 /* 'r', or 'p' for a partitioned table */
	size_t ncols;
	size_t nkeys; /* columns with key set: 0 when it has no such index */
	struct target_col *cols;
	/* The changes that fire a trigger of it (or of a partition) in the
	 * sink's session, TRIGGERS_INSERT etc.: those go one statement a row,
	 * as a subscription's worker applies them, never by COPY or in a
	 * batch, where a trigger would see the rows of a run at once. */
	int triggers;
	/* A unique or exclusion index besides the key, checked as each row
	 * changes: one statement's rows may change in another order than the
	 * source's and meet it where the source did not, so its updates go
	 * one statement a row. */
	bool other_unique;
	/* Described before the last reconnect: looked up again before its
	 * next use. (A table stays allocated until the sink is freed, so a
	 * pointer to it never dangles.) */
	bool stale;
	struct target_table *next;
};

/* A prepared statement, by its text and parameter types. */
struct prepared {
	char *sql;
	int nparams;
	uint32_t *types;
	char name[24];
	struct prepared *next;
};

/* What one result in the pipeline answers: for error messages, and to
 * know which table's description an error may have made stale. */
struct pending {
	char doing[200];
	struct target_table *table;
};

/* The run of inserts going to the target by COPY (pg_copy.c): every
 * insert of a run is into one table with one column list. */
struct pgsink_copy {
	struct target_table *table; /* NULL: no COPY open */
	struct buf stmt;	    /* the open COPY's statement */
	struct buf next;	    /* scratch: the statement a row needs */
	struct buf row;		    /* scratch: one row's text */
	size_t rows;
	uint64_t lsn; /* the source transaction the run began in, or 0 */
};

/* A statement's parameters, typed as the target's columns. */
struct pgsink_params {
	const char **values;
	int *lengths;
	int *formats;
	uint32_t *types;
	int n, cap;
};

/* What a batch's statement sets and finds its rows by: indexes into its
 * table's columns, nset set ones (an update's) then nkey key ones. */
struct pgsink_shape {
	enum change_op op;
	size_t nset, nkey;
	size_t *cols, cap;
};

/* The run of updates or deletes of one table, of one shape, held to go
 * in a few statements (pg_batch.c). */
struct pgsink_batch {
	struct target_table *table; /* NULL: no run open */
	struct pgsink_shape shape;
	int rows;
	/* The rows' parameters, one row after the other; the values' bytes
	 * are copies in data, at offs, until the run ends. */
	struct pgsink_params params;
	size_t *offs;
	struct buf data;
	struct pgsink_shape next; /* scratch: a row's shape */
	struct pgsink_params row; /* scratch: a row's parameters */
	struct buf sql;		  /* scratch: a statement */
};

struct pgsink {
	struct sink base;
	PGconn *conn;
	char progress_name[128];
	bool replica_role; /* asked for session_replication_role = replica */
	bool warned_role;
	bool use_origin;   /* else the walhook.progress table */
	uint64_t progress; /* end LSN of the last source transaction applied */
	/* The target held a position under this name when the sink started:
	 * snapshot rows then replace each table's rows (a snapshot taken
	 * again, after a run that died before its slot was made). */
	bool fed_before;
	struct target_table *emptied; /* by the open snapshot table's rows */
	bool in_txn;		      /* a target transaction is open */
	bool state_table; /* walhook.state is known to be there */
	bool apply_ddl;
	/* The statement text of the last schema change seen was run (or
	 * need not be): its later commands are skipped. */
	bool ddl_done;
	/* The open source transaction may be a repeat: 1, a savepoint is due
	 * at its first write; 2, one is open. */
	int savepoint;
	uint64_t txn_lsn; /* the open source transaction's commit, or 0 */
	struct pgsink_copy copy;
	struct pgsink_batch batch;
	uint64_t batch_end;
	int64_t batch_time;
	int queued;    /* results not read yet */
	bool unusable; /* the session's pipeline is in no known state */
	struct pending *pending; /* PENDING_MAX of them: what each answers */
	int nprepared;
	struct prepared *stmts;
	struct target_table *tables;
	struct buf sql;
};

/* ---- the session (pg_session.c) ---- */

/* A statement outside the pipeline (setup, lookups); res is the caller's. */
PGresult *pgsink_run(struct pgsink *p, const char *sql, int n,
		     const char *const *params, const char *doing,
		     struct err *e);
/* Marks e transient when the failure is one the target recovers from
 * (see pg_session.c); returns -1. */
int pgsink_fail(struct pgsink *p, struct err *e);
/* The session's settings, and the position the target holds (the
 * replication origin's, else walhook.progress's) into p->progress. */
int pgsink_setup(struct pgsink *p, struct err *e);
/* Connects again when the session is lost or unusable. */
int pgsink_ensure_connected(struct pgsink *p, struct err *e);

/* ---- the pipeline (pg_pipeline.c) ---- */

/* Queues the prepared statement of sql with these parameters (t: the
 * table it writes, or NULL); reads the results when the pipeline is
 * full. */
int pgsink_queue(struct pgsink *p, const char *sql, int n,
		 const uint32_t *types, const char *const *values,
		 const int *lengths, const int *formats, struct target_table *t,
		 const char *doing, struct err *e);
/* Queues a statement without parameters, unprepared. */
int pgsink_queue_plain(struct pgsink *p, const char *sql, struct err *e);
/* Notes what the next result will answer. */
void pgsink_expect(struct pgsink *p, struct target_table *t, const char *doing);
/* Waits until the next result can be read without blocking, giving up
 * on a target that does not answer once a stop asks to. */
int pgsink_await(struct pgsink *p, struct err *e);
/* Reads the results of everything queued, up to a sync. */
int pgsink_drain(struct pgsink *p, struct err *e);
/* After a failed statement: rolls the target transaction back (t: the
 * failed statement's table, described anew). */
void pgsink_after_failure(struct pgsink *p, struct target_table *t,
			  struct err *e);
/* Opens the target transaction, and the savepoint a repeat may need. */
int pgsink_open_txn(struct pgsink *p, struct err *e);
/* Forgets every prepared statement (a new session has none). */
void pgsink_forget_statements(struct pgsink *p);

/* ---- target tables (pg_tables.c) ---- */

/* The target table schema.table (schema NULL: public), described on
 * first use and after a reconnect. */
struct target_table *pgsink_target(struct pgsink *p, const char *schema,
				   const char *table, struct err *e);
/* Every column the row names is the target table's (looked up again once
 * when one is not). */
int pgsink_check_columns(struct pgsink *p, struct target_table *t,
			 const struct sink_row *r, struct err *e);
/* Describes t anew, outside the pipeline: true when its description
 * changed, and t now has the new one. */
bool pgsink_changed(struct pgsink *p, struct target_table *t);
/* A target column by name; NULL when the table has no such column. */
const struct target_col *pgsink_column(const struct target_table *t,
				       const char *name);
void pgsink_free_tables(struct pgsink *p);
/* Every table is described again before its next use: a reconnect, or
 * a schema change applied. */
void pgsink_tables_stale(struct pgsink *p);

/* ---- runs of inserts by COPY (pg_copy.c) ---- */

/* Adds r to the open run, or ends that run and opens one for r when r
 * is of another table or writes other columns. */
int pgsink_copy_row(struct pgsink *p, struct target_table *t,
		    const struct sink_row *r, struct err *e);
/* Ends the open run, if any: whatever else goes to the target goes
 * after it (the pipeline's entry points call it first). */
int pgsink_copy_end(struct pgsink *p, struct err *e);
/* A new session has no COPY open; or the sink is freed. */
void pgsink_copy_forget(struct pgsink *p);
void pgsink_copy_free(struct pgsink *p);

/* ---- runs of updates and deletes in batches (pg_batch.c) ---- */

/* Adds r to the open run, or ends that run and opens one for r: 0; 1
 * when r cannot join a batch (pgsink_batch_shape) and goes as a statement
 * of its own. */
int pgsink_batch_row(struct pgsink *p, struct target_table *t,
		     const struct sink_row *r, struct err *e);
/* Queues the open run's statements, if any: whatever else goes to the
 * target goes after them (the pipeline's entry points call it first). */
int pgsink_batch_end(struct pgsink *p, struct err *e);
/* Drops the open run (a new session); or frees what the runs use. */
void pgsink_batch_forget(struct pgsink *p);
void pgsink_batch_free(struct pgsink *p);

/* ---- schema changes (pg_ddl.c) ---- */

/* The sink's write_ddl: a schema change's statement text run once in the
 * open target transaction, when applying is asked for. */
int pgsink_write_ddl(struct sink *s, const struct sink_ddl *d, struct err *e);

/* ---- backfills' progress records (pg_state.c) ---- */

/* The sink's write_state and read_state: walhook.state's row for the
 * backfill name. */
int pgsink_write_state(struct sink *s, const char *name, const char *text,
		       struct err *e);
int pgsink_read_state(struct sink *s, const char *name, char **text,
		      struct err *e);

/* ---- the SQL of a change (pg_sql.c) ---- */

/* The statement that applies r to t into q, its parameters into ps: 0,
 * 1 when there is nothing to do (an update that sets no column), -1 with
 * e set. */
int pgsink_put_change(struct buf *q, struct pgsink_params *ps,
		      const struct target_table *t, const struct sink_row *r,
		      struct err *e);
/* Room for more parameters: true when the arrays grew (to ps->cap). */
bool pgsink_reserve_params(struct pgsink_params *ps, int more);
void pgsink_free_params(struct pgsink_params *ps);
/* Whether r goes to t by COPY: an insert (not a snapshot's or a
 * backfill's row, which meet rows the target may have) into a table or a
 * partitioned table whose inserts fire no trigger, writing a column. */
bool pgsink_copies(const struct target_table *t, const struct sink_row *r);
/* r as a row of a batch of updates or deletes of t: the columns its
 * statement sets and finds the row by into sh, their values (set columns
 * first) into ps. false when r cannot join a batch: it is no update or
 * delete, a trigger would see it, t has no key or r does not carry its
 * values, r changes them, or sets no column. */
bool pgsink_batch_shape(const struct target_table *t, const struct sink_row *r,
			struct pgsink_shape *sh, struct pgsink_params *ps);
bool pgsink_same_shape(const struct pgsink_shape *a,
		       const struct pgsink_shape *b);
/* The statement that applies nrows rows of shape sh to t, into q:
 * UPDATE ... FROM (VALUES ...) or DELETE ... USING (VALUES ...), joined
 * on t's key, the rows' parameters one row after the other. */
void pgsink_put_batch(struct buf *q, const struct target_table *t,
		      const struct pgsink_shape *sh, int nrows);
/* The COPY statement that takes r's columns into t, into q. */
void pgsink_put_copy(struct buf *q, const struct target_table *t,
		     const struct sink_row *r);
/* r's values as one row of COPY's text format, newline included, in
 * the statement's column order, into q. */
void pgsink_put_copy_row(struct buf *q, const struct target_table *t,
			 const struct sink_row *r);

#endif
