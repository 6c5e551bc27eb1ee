/* backfill_act — the backfills walhook knows of, and the requests that
 * start, pause, resume or cancel them: the command line's at the start,
 * a script's and a signal's while the stream flows. A request met is in
 * the state file before the stream goes on past it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "ops/backfill_jobs.h"

static struct job *find_job(const struct backfill *b, const char *table)
{
	for (size_t i = 0; i < b->njobs; i++)
		if (strcmp(b->jobs[i]->durable.table, table) == 0)
			return b->jobs[i];
	return NULL;
}

/* j takes old's place, or a new one; a replaced job's last signal stays
 * known, so that a signal delivered again still is. */
static void put_job(struct backfill *b, struct job *old, struct job *j)
{
	bf_publish(b, j);
	for (size_t i = 0; old && i < b->njobs; i++) {
		if (b->jobs[i] != old)
			continue;
		if (!j->durable.signal_commit) {
			j->durable.signal_commit = old->durable.signal_commit;
			j->durable.signal_lsn = old->durable.signal_lsn;
		}
		bf_unwatch(b, old);
		bf_job_free(old);
		b->jobs[i] = j;
		return;
	}
	if (b->njobs == b->jobs_cap) {
		b->jobs_cap = b->jobs_cap ? 2 * b->jobs_cap : 8;
		b->jobs = xrealloc(b->jobs, b->jobs_cap * sizeof *b->jobs);
	}
	b->jobs[b->njobs++] = j;
}

/* The command line's request: what the state file has of the same
 * table and WHERE goes on (or stays done, or cancelled); else it starts. */
static void take_flag(struct backfill *b, const struct backfill_request *r)
{
	struct job *j = bf_job_new(r, NULL);
	struct job *old = find_job(b, j->durable.table);
	if (old && strcmp(old->durable.where, j->durable.where) == 0) {
		bf_job_free(j);
		if (old->durable.state == BACKFILL_DONE)
			b->info("backfill of %s: done on an earlier run (%s)",
				old->durable.table, b->state_path);
		return;
	}
	put_job(b, old, j);
}

struct backfill *backfill_new(const struct backfill_config *cfg,
			      const struct backfill_request *flags, int n,
			      struct err *e)
{
	struct backfill_progress *saved;
	size_t nsaved;
	if (backfill_state_load(cfg->state_path, &saved, &nsaved, e) < 0)
		return NULL;
	struct backfill *b = xcalloc(1, sizeof *b);
	b->params = cfg->params;
	b->state_path = xstrdup(cfg->state_path);
	b->publications = cfg->publications ? xstrdup(cfg->publications) : NULL;
	b->stats = cfg->stats;
	b->info = cfg->info;
	relcache_init(&b->rels);
	snprintf(b->run, sizeof b->run, "%lx%04x", (long)time(NULL) ^ getpid(),
		 (unsigned)rand() & 0xffff);
	for (size_t i = 0; i < nsaved; i++) {
		put_job(b, find_job(b, saved[i].table),
			bf_job_new(NULL, &saved[i]));
		backfill_progress_free(&saved[i]);
	}
	free(saved);
	for (int i = 0; i < n; i++)
		take_flag(b, &flags[i]);
	return b;
}

void backfill_free(struct backfill *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->njobs; i++) {
		bf_unwatch(b, b->jobs[i]);
		bf_job_free(b->jobs[i]);
	}
	free(b->jobs);
	relcache_free(&b->rels);
	PQfinish(b->c);
	free(b->state_path);
	free(b->publications);
	free(b);
}

void backfill_attach(struct backfill *b, struct pipeline *p,
		     struct delivery *d, bool carries_marks)
{
	b->p = p;
	b->d = d;
	b->enabled = carries_marks;
}

/* A request that cannot be met: whoever asked hears why. A lost side
 * connection is no reason: the request comes again once it is back. */
static int refuse(struct backfill *b, struct err *e)
{
	if (b->c && PQstatus(b->c) != CONNECTION_OK) {
		PQfinish(b->c);
		b->c = NULL;
		e->transient = true;
		return -1;
	}
	return BACKFILL_REFUSED;
}

static bool in_progress(const struct job *j)
{
	return j && (j->durable.state == BACKFILL_RUNNING ||
		     j->durable.state == BACKFILL_PAUSED);
}

static int start(struct backfill *b, struct job *old,
		 const struct backfill_request *r, struct err *e)
{
	if (in_progress(old)) {
		err_set(e, "a backfill of %s is in progress (%s, %llu rows)",
			old->durable.table,
			backfill_state_name(old->durable.state),
			(unsigned long long)old->next.rows);
		return BACKFILL_REFUSED;
	}
	struct job *j = bf_job_new(r, NULL);
	if (bf_prepare(b, j, e) < 0) {
		err_prefix(e, "backfill of %s", j->durable.table);
		bf_job_free(j);
		return refuse(b, e);
	}
	put_job(b, old, j);
	return 0;
}

/* pause, resume or cancel: the state it moves from, and to. */
static int move(struct backfill *b, struct job *j, enum signal_action a,
		const char *table, struct err *e)
{
	enum backfill_state from = a == SIGNAL_RESUME ? BACKFILL_PAUSED
						      : BACKFILL_RUNNING;
	enum backfill_state to = a == SIGNAL_PAUSE    ? BACKFILL_PAUSED
				 : a == SIGNAL_RESUME ? BACKFILL_RUNNING
						      : BACKFILL_CANCELLED;
	bool ok = j && (j->durable.state == from ||
			(a == SIGNAL_CANCEL && in_progress(j)));
	if (!ok) {
		err_set(e, "cannot %s the backfill of %s: it is %s",
			signal_action_name(a), table,
			j ? backfill_state_name(j->durable.state)
			  : "not known");
		return BACKFILL_REFUSED;
	}
	j->durable.state = to;
	if (to == BACKFILL_CANCELLED)
		bf_unwatch(b, j);
	bf_publish(b, j);
	b->info("backfill of %s: %s", table, backfill_state_name(to));
	return 0;
}

/* Whether r, a signal, comes after the last one acted on for j. */
static bool new_signal(const struct job *j, const struct backfill_request *r)
{
	uint64_t commit = j->durable.signal_commit;
	return r->commit_lsn > commit ||
	       (r->commit_lsn == commit && r->lsn > j->durable.signal_lsn);
}

int backfill_act(void *ctx, enum signal_action a,
		 const struct backfill_request *r, struct err *e)
{
	struct backfill *b = ctx;
	if (!b->enabled) {
		err_set(e,
			"backfills need pgoutput with its messages (--backfill or -o messages=true)");
		return BACKFILL_REFUSED;
	}
	struct buf name = { 0 };
	const char *dot = strchr(r->table, '.');
	buf_printf(&name, "%s%s", dot ? "" : "public.", r->table);
	struct job *j = find_job(b, buf_cstr(&name));
	if (r->by == BACKFILL_BY_SIGNAL && j && !new_signal(j, r)) {
		char at[LSN_STRLEN];
		b->info("%s at %s: acted on before", SIGNAL_PREFIX,
			lsn_format(r->lsn, at));
		buf_free(&name);
		return 0;
	}
	int rc = a == SIGNAL_BACKFILL ? start(b, j, r, e)
				      : move(b, j, a, buf_cstr(&name), e);
	if (rc == 0 && r->by == BACKFILL_BY_SIGNAL) {
		j = find_job(b, buf_cstr(&name));
		j->durable.signal_commit = r->commit_lsn;
		j->durable.signal_lsn = r->lsn;
	}
	buf_free(&name);
	return rc == 0 ? bf_save(b, e) : rc;
}
