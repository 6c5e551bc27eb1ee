/* backfill_resume — where each backfill goes on from when walhook starts:
 * the least advanced of the state file and every sink's own record of it
 * (a sink whose target has a home for one: the postgres sink's
 * walhook.state). The state file is written only once every sink has a
 * chunk durably, so it never runs ahead of them; a target's record can
 * (its rows and record commit together while another sink has not synced
 * them, and read rows are not in the WAL to be sent again), and it moves
 * back with the target's data, which a state file beside walhook cannot
 * know of. */
#include <stdlib.h>

#include "base/alloc.h"
#include "ops/backfill_jobs.h"

/* One job's least advanced point, as the sinks' records come in. */
struct lowering {
	struct backfill *b;
	struct backfill_progress at;
	uint64_t file_chunks;
	bool moved;
};

static void take_record(void *ctx, const char *sink, const char *text)
{
	struct lowering *l = ctx;
	struct backfill_progress record;
	bool have = text && backfill_progress_parse(text, &record);
	if (text && !have)
		l->b->info(
		    "sink %s: the record of the backfill of %s is not one: taken as none",
		    sink, l->at.table);
	if (backfill_progress_least(&l->at, have ? &record : NULL)) {
		l->moved = true;
		if (have)
			l->b->info(
			    "sink %s: the target holds chunk %llu of %s, the state file chunk %llu: going on from %llu",
			    sink, (unsigned long long)record.chunks,
			    l->at.table, (unsigned long long)l->file_chunks,
			    (unsigned long long)record.chunks);
		else
			l->b->info(
			    "sink %s: the target holds no record of the backfill of %s, the state file chunk %llu: starting it again",
			    sink, l->at.table,
			    (unsigned long long)l->file_chunks);
	}
	if (have)
		backfill_progress_free(&record);
}

/* j's durable progress moved back to what the least advanced sink holds;
 * whether it moved. */
static int lower_job(struct backfill *b, struct job *j, bool *moved,
		     struct err *e)
{
	struct lowering l = { .b = b,
			      .at = j->durable,
			      .file_chunks = j->durable.chunks };
	l.at.key = NULL;
	l.at.nkey = 0;
	backfill_progress_set_key(&l.at, (const char *const *)j->durable.key,
				  j->durable.nkey);
	int rc =
	    delivery_read_state(b->d, j->durable.table, take_record, &l, e);
	if (rc == 0 && l.moved) {
		j->durable.rows = l.at.rows;
		j->durable.chunks = l.at.chunks;
		j->durable.state = l.at.state;
		backfill_progress_set_key(
		    &j->durable, (const char *const *)l.at.key, l.at.nkey);
		bf_rewind(j);
		bf_publish(b, j);
		*moved = true;
	}
	backfill_progress_set_key(&l.at, NULL, 0);
	return rc < 0 ? err_prefix(e, "reading where the backfill of %s is",
				   j->durable.table)
		      : 0;
}

int bf_resume(struct backfill *b, struct err *e)
{
	bool moved = false;
	for (size_t i = 0; i < b->njobs; i++)
		if (lower_job(b, b->jobs[i], &moved, e) < 0)
			return -1;
	return moved ? bf_save(b, e) : 0;
}
