/* backfill_jobs — what the files of backfills share: backfill.c reads
 * the chunks of each backfill through the stream, backfill_act.c keeps the
 * list of backfills and meets the requests that change it,
 * backfill_resume.c sets where each goes on from at the start. No other
 * file includes it. */
#ifndef WALHOOK_BACKFILL_JOBS_H
#define WALHOOK_BACKFILL_JOBS_H

#include "ops/backfill.h"
#include "ops/backfill_state.h"
#include "pipeline/window.h"

/* Chunks delivered ahead of what is durable, at most. */
#define BACKFILL_QUEUE 32

/* One backfill: its durable progress and state (what the state file
 * says), where the next chunk starts, and the chunk in flight. */
struct job {
	struct backfill_progress durable;
	char *schema, *table;
	const struct rel *rel; /* NULL until described (bf_prepare) */
	uint16_t *pk;
	uint16_t npk;
	struct backfill_progress next; /* key: where the next chunk starts */
	/* Chunks delivered, not yet durable: the progress each makes once
	 * its high watermark's end is confirmable. */
	struct {
		uint64_t lsn;
		struct backfill_progress at;
	} queue[BACKFILL_QUEUE];
	size_t nqueue;
	struct window win;
	bool watching;
	char **chunk_key; /* the last key the chunk in flight read */
	size_t chunk_nkey, chunk_rows;
};

struct backfill {
	const struct conn_params *params;
	char *state_path;
	char *publications; /* NULL: not checked */
	struct stats *stats;
	void (*info)(const char *fmt, ...);
	PGconn *c;
	/* Every backfill known, each its own allocation: the pipeline
	 * watches their windows by address. */
	struct job **jobs;
	size_t njobs, jobs_cap;
	struct relcache rels;
	struct pipeline *p;
	struct delivery *d;
	bool enabled; /* the stream carries the watermarks */
	bool resumed; /* each job goes on from the least advanced record */
	char run[24]; /* tells this run's watermarks from an earlier one's */
	unsigned long long seq;
};

/* backfill.c */
/* A job for the request r, or for the line saved (then r is NULL); its
 * next chunk starts from its durable progress. Free with bf_job_free. */
struct job *bf_job_new(const struct backfill_request *r,
		       const struct backfill_progress *saved);
void bf_job_free(struct job *j);
/* The job's next chunk starts from its durable progress again. */
void bf_rewind(struct job *j);
/* The side connection, opened when there is none. */
int bf_connect(struct backfill *b, struct err *e);
/* Describes the job's table and refuses one whose rows cannot be
 * matched or would never be streamed. */
int bf_prepare(struct backfill *b, struct job *j, struct err *e);
/* The chunk in flight, if any, forgotten: the stream stops watching it. */
void bf_unwatch(struct backfill *b, struct job *j);
/* Every job's durable progress into the state file. */
int bf_save(struct backfill *b, struct err *e);
/* The job as walhook.stats() and the metrics show it. */
void bf_publish(const struct backfill *b, const struct job *j);

/* backfill_resume.c */
/* Once the sinks exist, before any chunk is read: each job's durable
 * progress moves back to the least advanced of the state file's and
 * every sink's record, and the state file says so. */
int bf_resume(struct backfill *b, struct err *e);

#endif
