/* main — walhook's command: parse the flags, run the slot actions, and
 * stream with reconnects until a signal, the end position or an error. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/lsn.h"
#include "cli.h"
#include "core/delivery.h"
#include "lua/host.h"
#include "ops/backfill.h"
#include "ops/ddl_capture.h"
#include "ops/heartbeat.h"
#include "ops/metrics.h"
#include "ops/replay.h"
#include "ops/scripttest.h"
#include "ops/snapshot.h"
#include "pipeline/pipeline.h"
#include "pipeline/spool.h"
#include "protocol/conn.h"
#include "protocol/record.h"
#include "protocol/stream.h"
#include "sinks/lines.h"

#define MAX_BACKOFF_S 30

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;

static void on_hangup(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

/* The script of the run, for a stop to reach a hook that runs on. */
static struct lh *volatile interruptible;

/* How long a stop may take before walhook ends without finishing it.
 * Each stuck sink and a running hook get SINK_STOP_GRACE_US; this is the
 * backstop for what no grace reaches, such as a loop LuaJIT compiled,
 * where count hooks never run.  Ending here is as safe as kill -9:
 * nothing past what the sinks took was confirmed. */
#define STOP_DEADLINE_S 5
#define SECONDS_(n)	#n " s"
#define SECONDS(n)	SECONDS_(n)

static void on_stop_deadline(int sig)
{
	(void)sig;
	static const char msg[] = "walhook: stopped: still running " SECONDS(
	    STOP_DEADLINE_S) " after the stop was asked for\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	_exit(1);
}

static void on_signal(int sig)
{
	(void)sig;
	if (!stop_requested)
		alarm(STOP_DEADLINE_S);
	stop_requested = 1;
	lh_interrupt(interruptible);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must wake poll() so the loop can stop. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGHUP: file sinks reopen their files (log rotation). */
	sa.sa_handler = on_hangup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_stop_deadline;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int verbose;

static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void info(const char *fmt, ...)
{
	if (!verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("walhook: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void report(const struct err *e)
{
	fprintf(stderr, "walhook: %s\n", e->msg);
}

/* Sleeps up to seconds, waking early for a stop request. */
static void pause_for(double seconds)
{
	for (double left = seconds; left > 0 && !stop_requested; left -= 0.1) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Which plugin to stream with: -P, else the slot's own. */
static int choose_plugin(PGconn *c, const struct options *o, char *plugin,
			 size_t len, struct err *e)
{
	char slot_plugin[64];
	if (o->temporary) {
		snprintf(plugin, len, "%s", o->plugin ? o->plugin : "pgoutput");
		return 0;
	}
	if (conn_slot_plugin(c, o->slot, slot_plugin, sizeof slot_plugin, e) <
	    0)
		return -1;
	if (!*slot_plugin)
		return err_set(
		    e,
		    "replication slot \"%s\" does not exist; create it with --create-slot",
		    o->slot);
	if (o->plugin && strcmp(o->plugin, slot_plugin) != 0)
		return err_set(e,
			       "replication slot \"%s\" uses plugin %s, not %s",
			       o->slot, slot_plugin, o->plugin);
	snprintf(plugin, len, "%s", slot_plugin);
	return 0;
}

struct session {
	const struct options *o;
	struct lh *lh;
	struct delivery d;
	struct stream stream;
	struct pipeline pipe;
	bool pipe_ready;
	bool started; /* START_REPLICATION succeeded once */
	bool snapshot_done;
	struct recorder rec;
	struct stats stats;
	struct backfill *backfill; /* NULL in a replay */
	bool backfill_marks; /* the stream carries a backfill's watermarks */
};

/* A recording's header and connect frames are NAME=VALUE lines. */
static void put_kv(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, "%s=%s\n", key, value);
}

static void describe_connect(struct buf *b, const struct sysinfo *sys,
			     const char *slot, const char *plugin,
			     uint64_t start)
{
	char lsn[LSN_STRLEN];
	put_kv(b, "system_id", sys->systemid);
	buf_printf(b, "timeline=%u\n", sys->timeline);
	put_kv(b, "xlogpos", lsn_format(sys->xlogpos, lsn));
	put_kv(b, "dbname", sys->dbname);
	buf_printf(b, "server_version=%d\n", sys->server_version);
	put_kv(b, "slot", slot);
	put_kv(b, "plugin", plugin);
	put_kv(b, "start_lsn", lsn_format(start, lsn));
}

static int start_recording(struct session *s, const struct sysinfo *sys,
			   const char *plugin, const struct plugin_option *opts,
			   int nopts, uint64_t start, struct err *e)
{
	if (!s->o->record)
		return 0;
	struct buf b = { 0 };
	int rc = 0;
	if (!s->rec.f) {
		char when[PGTIME_STRLEN];
		put_kv(&b, "walhook_version", WALHOOK_VERSION);
		put_kv(&b, "recorded_at", pgtime_format(pgtime_now(), when));
		put_kv(&b, "system_id", sys->systemid);
		buf_printf(&b, "server_version=%d\n", sys->server_version);
		put_kv(&b, "slot", s->o->slot);
		put_kv(&b, "plugin", plugin);
		for (int i = 0; i < nopts; i++)
			buf_printf(&b, "option=%s%s%s\n", opts[i].name,
				   opts[i].value ? "=" : "",
				   opts[i].value ? opts[i].value : "");
		rc = recorder_open(&s->rec, s->o->record, buf_cstr(&b), e);
		stream_set_recorder(&s->stream, &s->rec);
		buf_reset(&b);
	}
	describe_connect(&b, sys, s->o->slot, plugin, start);
	if (rc == 0)
		rc = recorder_frame(&s->rec, RECORD_CONNECT, b.data,
				    (uint32_t)b.len, e);
	buf_free(&b);
	return rc;
}

/* The slot to stream from, and its plugin: a temporary slot is made at
 * every connect; --snapshot starts with a slot that exports the snapshot,
 * unless the slot exists already (then its snapshot was delivered on the
 * run that made it, and --if-not-exists makes one command line serve every
 * start). */
static int open_slot(struct session *s, PGconn *c, bool *snapshot,
		     const struct snapshot_plan *plan, struct slot_info *slot,
		     char *plugin, size_t plugin_len, struct err *e)
{
	const struct options *o = s->o;
	*slot = (struct slot_info){ 0 };
	if (*snapshot && !o->temporary) {
		char existing[64];
		if (conn_slot_plugin(c, o->slot, existing, sizeof existing, e) <
		    0)
			return -1;
		if (*existing && !o->if_not_exists)
			return err_set(
			    e,
			    "replication slot \"%s\" already exists; --snapshot needs a new one (or --if-not-exists to stream from it)",
			    o->slot);
		if (*existing) {
			*snapshot = false;
			s->snapshot_done = true;
		}
	}
	if (*snapshot) {
		snprintf(plugin, plugin_len, "%s", plan->plugin);
		return snapshot_begin(c, plan, slot, e);
	}
	if (o->temporary) {
		snprintf(plugin, plugin_len, "%s", plan->plugin);
		return conn_create_slot(c, o->slot, plugin, true, o->two_phase,
					false, o->if_not_exists, slot, e);
	}
	return choose_plugin(c, o, plugin, plugin_len, e);
}

/* What a connection agreed on before it streams. */
struct started {
	struct sysinfo sys;
	char plugin[64];
	char proto[8];
	struct plugin_option opts[CLI_MAX_LIST + PLUGIN_MAX_ADDED];
	int nopts;
	uint64_t start;
};

/* The pipeline is made once, on the first connection's plugin: later
 * ones resume it. */
static void ensure_pipeline(struct session *s, const struct started *st)
{
	if (s->pipe_ready)
		return;
	struct plugin_profile profile =
	    plugin_profile(st->plugin, st->opts, st->nopts);
	if (s->o->raw)
		profile.decoder = PLUGIN_RAW;
	pipeline_init(&s->pipe, &profile, s->lh, &s->d, &s->stats,
		      s->o->endpos);
	pipeline_set_reopen(&s->pipe, &reopen_requested);
	if (s->backfill) {
		backfill_attach(s->backfill, &s->pipe, &s->d,
				s->backfill_marks);
		pipeline_set_tick(&s->pipe, backfill_step, s->backfill);
		pipeline_set_backfills(&s->pipe, backfill_act, s->backfill);
		lh_set_backfills(s->lh, backfill_act, s->backfill);
	}
	stream_set_consumer(&s->stream, pipeline_consumer(&s->pipe));
	s->pipe_ready = true;
}

/* A backfill's watermarks are logical messages: pgoutput passes them on
 * when asked to, which --backfill does. Without it, backfills (a
 * script's, a signal's) run when the stream carries messages anyway. */
static int backfill_options(struct session *s, struct started *st,
			    struct err *e)
{
	struct plugin_profile profile =
	    plugin_profile(st->plugin, st->opts, st->nopts);
	bool pgoutput = profile.decoder == PLUGIN_PGOUTPUT && !s->o->raw;
	s->backfill_marks = pgoutput && profile.messages;
	if (!s->o->nbackfills || s->backfill_marks)
		return 0;
	if (s->o->raw)
		return err_set(e, "--backfill needs the stream decoded, not --raw");
	if (!pgoutput)
		return err_set(e, "--backfill needs pgoutput, not %s",
			       st->plugin);
	const char *messages =
	    plugin_option(st->opts, st->nopts, "messages", NULL);
	if (messages)
		return err_set(e, "--backfill needs pgoutput's messages, not -o messages=%s",
			       messages);
	if (st->nopts == (int)(sizeof st->opts / sizeof st->opts[0]))
		return err_set(e, "too many plugin options for --backfill");
	st->opts[st->nopts++] = (struct plugin_option){ "messages", "true" };
	s->backfill_marks = true;
	return 0;
}

/* Where backfills keep their progress: --backfill-state, else beside
 * the output file or the recording, else in the working directory under
 * the slot's name. */
static void backfill_state_path(const struct options *o, char *out, size_t n)
{
	const char *beside = o->outfile && strcmp(o->outfile, "-") != 0
				 ? o->outfile
				 : o->record;
	if (o->backfill_state)
		snprintf(out, n, "%s", o->backfill_state);
	else if (beside)
		snprintf(out, n, "%s.backfill", beside);
	else
		snprintf(out, n, "walhook-%s.backfill", o->slot);
}

static struct backfill *start_backfills(const struct options *o,
					struct stats *stats, struct err *e)
{
	struct backfill_request flags[CLI_MAX_LIST];
	for (int i = 0; i < o->nbackfills; i++)
		flags[i] = (struct backfill_request){
			.table = o->backfills[i].table,
			.where = o->backfills[i].where,
			.chunk = o->backfill_chunk,
			.by = BACKFILL_BY_FLAG,
		};
	char path[4096];
	backfill_state_path(o, path, sizeof path);
	struct backfill_config cfg = {
		.params = &o->conn,
		.state_path = path,
		.publications = o->publication,
		.stats = stats,
		.info = info,
	};
	return backfill_new(&cfg, flags, o->nbackfills, e);
}

/* Everything before the stream: the slot, the plugin's options,
 * handle_connect, the initial snapshot, START_REPLICATION and the
 * recording. */
static int start_stream(struct session *s, PGconn *c, struct started *st,
			struct err *e)
{
	const struct options *o = s->o;
	if (conn_identify(c, &st->sys, e) < 0)
		return -1;
	bool snapshot = o->snapshot && !s->snapshot_done;
	struct snapshot_plan plan = {
		.slot = o->slot,
		.plugin = o->plugin ? o->plugin : "pgoutput",
		.temporary = o->temporary,
		.two_phase = o->two_phase,
		.publications = o->publication,
	};
	struct slot_info slot;
	if (open_slot(s, c, &snapshot, &plan, &slot, st->plugin,
		      sizeof st->plugin, e) < 0)
		return -1;
	st->nopts =
	    plugin_options(st->plugin, st->sys.server_version, o->publication,
			   o->opts, o->nopts, st->opts, st->proto, e);
	if (st->nopts < 0 || backfill_options(s, st, e) < 0)
		return -1;
	ensure_pipeline(s, st);
	st->start = o->startpos > stream_confirmed(&s->stream)
			? o->startpos
			: stream_confirmed(&s->stream);
	if (snapshot && slot.consistent_point > st->start)
		st->start = slot.consistent_point;
	struct lh_connect_info ci = { &st->sys, o->slot, st->plugin,
				      st->start };
	if (lh_connect(s->lh, &ci, e) < 0)
		return -1;
	char lsn[LSN_STRLEN];
	if (snapshot) {
		info("copying the tables of %s as of %s", o->publication,
		     lsn_format(slot.consistent_point, lsn));
		/* Killed or failed before the end, it leaves no slot behind
		 * and nothing confirmed: the next run starts over. */
		if (snapshot_deliver(c, &o->conn, &plan, &slot, &s->pipe, e) <
		    0) {
			pipeline_lost(&s->pipe);
			return -1;
		}
		s->snapshot_done = true;
	}
	if (conn_start(c, o->slot, st->start, st->opts, st->nopts, e) < 0)
		return -1;
	s->started = true;
	if (start_recording(s, &st->sys, st->plugin, st->opts, st->nopts,
			    st->start, e) < 0)
		return -1;
	info("streaming from slot \"%s\" (%s) at %s", o->slot, st->plugin,
	     st->start ? lsn_format(st->start, lsn) : "its confirmed position");
	return 0;
}

/* Streams until the connection ends. What the sinks hold is made
 * durable and confirmed before the final status update; after an
 * error, or with the connection gone, what is not durable is
 * forgotten: it comes again. */
static enum stream_end stream_to_end(struct session *s, PGconn *c, bool *fatal,
				     struct err *e)
{
	stream_init(&s->stream, c);
	pipeline_reset(&s->pipe);
	enum stream_end end = stream_run(&s->stream, e);
	*fatal = end == STREAM_ENDED_FAILED;
	if ((end == STREAM_ENDED_SIGNAL || end == STREAM_ENDED_ENDPOS) &&
	    pipeline_finish(&s->pipe, e) < 0) {
		end = STREAM_ENDED_FAILED;
		*fatal = true;
	}
	if (end == STREAM_ENDED_FAILED || end == STREAM_ENDED_LOST)
		pipeline_lost(&s->pipe);
	if (end == STREAM_ENDED_LOST)
		return end;
	/* The final status update: the server keeps what was confirmed. */
	struct err fe;
	if (stream_finish(&s->stream, &fe) < 0 && end != STREAM_ENDED_FAILED) {
		*e = fe;
		end = STREAM_ENDED_FAILED;
	}
	return end;
}

/* Whether a start that failed was refused (no such slot, a bad option, a
 * snapshot that cannot be taken), which a retry will not change, rather
 * than cut short by the connection going (a server restarting, a
 * walsender terminated: SQLSTATE classes 08 and 57). */
static bool start_refused(PGconn *c, const struct err *e)
{
	return PQstatus(c) == CONNECTION_OK && strncmp(e->code, "08", 2) != 0 &&
	       strncmp(e->code, "57", 2) != 0;
}

/* One connection's life: connect, start, stream. Sets *fatal when a retry
 * cannot help. */
static enum stream_end stream_once(struct session *s, bool *fatal,
				   struct err *e)
{
	*fatal = false;
	PGconn *c = conn_open(&s->o->conn, true, e);
	if (!c)
		return STREAM_ENDED_LOST;
	struct started st = { 0 };
	enum stream_end end = STREAM_ENDED_LOST;
	if (start_stream(s, c, &st, e) == 0)
		end = stream_to_end(s, c, fatal, e);
	else if (start_refused(c, e)) {
		end = STREAM_ENDED_FAILED;
		*fatal = true;
	}
	PQfinish(c);
	return end;
}

/* Streams until a stop; returns the exit status. */
static int run_stream(struct session *s)
{
	const struct options *o = s->o;
	struct err e;
	double backoff = 1;
	bool streamed = false;
	for (;;) {
		bool fatal;
		uint64_t before = stream_confirmed(&s->stream);
		enum stream_end end = stream_once(s, &fatal, &e);
		if (end == STREAM_ENDED_SIGNAL || end == STREAM_ENDED_ENDPOS)
			return 0;
		streamed |= s->started;
		/* A slot still held by a walsender of a connection that died
		 * (or by another client) frees up: worth waiting for after a
		 * reconnect, or when asked to. */
		bool in_use = strcmp(e.code, "55006") == 0;
		if (in_use && (streamed || o->retry_active))
			fatal = false;
		/* Before the first stream, only a slot in use is waited for:
		 * a wrong host or password will not get better. */
		bool retry = !fatal && !o->no_loop && (streamed || in_use);
		if (!retry || stop_requested) {
			if (stop_requested && !fatal)
				return 0;
			report(&e);
			return 1;
		}
		stats_add(&s->stats, STAT_ERRORS, 1);
		stats_add(&s->stats, STAT_SINK_ERRORS, e.transient);
		stats_add(&s->stats, STAT_RECONNECTS, 1);
		if (stream_confirmed(&s->stream) > before)
			backoff = 1;
		/* A slot in use is asked for again every second or so: a
		 * standby (--retry-active) takes over soon after the active
		 * walhook is gone. */
		if (in_use)
			backoff = 1;
		fprintf(stderr, "walhook: %s; reconnecting in %.0f s\n", e.msg,
			backoff);
		struct err he;
		if (lh_disconnect(s->lh, e.msg, &he) < 0) {
			report(&he);
			return 1;
		}
		/* Jitter keeps many clients from reconnecting in step. */
		pause_for(backoff * (0.75 + 0.5 * rand() / (double)RAND_MAX));
		backoff =
		    backoff * 2 > MAX_BACKOFF_S ? MAX_BACKOFF_S : backoff * 2;
	}
}

static int slot_action(const struct options *o)
{
	struct err e;
	PGconn *c = conn_open(&o->conn, true, &e);
	if (!c) {
		report(&e);
		return 1;
	}
	int rc = 0;
	struct slot_info slot;
	char lsn[LSN_STRLEN];
	if (o->drop_slot) {
		rc = conn_drop_slot(c, o->slot, &e);
		if (rc == 0)
			info("dropped slot \"%s\"", o->slot);
	} else if (o->create_slot && !o->temporary) {
		rc = conn_create_slot(
		    c, o->slot, o->plugin ? o->plugin : "pgoutput", false,
		    o->two_phase, false, o->if_not_exists, &slot, &e);
		if (rc == 0 && slot.consistent_point)
			info("created slot \"%s\" at %s", o->slot,
			     lsn_format(slot.consistent_point, lsn));
	}
	if (rc < 0)
		report(&e);
	PQfinish(c);
	return rc < 0 ? 1 : 0;
}

/* --install-ddl-capture, --uninstall-ddl-capture. */
static int ddl_capture_action(const struct options *o)
{
	struct err e;
	int rc = 0;
	if (o->install_ddl_capture &&
	    (rc = ddl_capture_install(&o->conn, &e)) == 0)
		info("installed the DDL capture");
	if (o->uninstall_ddl_capture &&
	    (rc = ddl_capture_uninstall(&o->conn, &e)) == 0)
		info("removed the DDL capture");
	if (rc < 0)
		report(&e);
	return rc;
}

/* --create-publication: the publication of --publication, unless it
 * exists, for the tables given or all tables. */
static int create_publication(const struct options *o)
{
	struct err e;
	PGconn *c = conn_open(&o->conn, false, &e);
	int rc = c ? conn_create_publication(c, o->publication,
					     o->publication_tables, &e)
		   : -1;
	if (rc < 0)
		report(&e);
	PQfinish(c);
	return rc;
}

/* The default output, a sink of the delivery module like any other; the
 * server hears of nothing before it is written and, for a file, fsynced. */
static int open_output(const struct options *o, struct delivery *d)
{
	const char *path =
	    o->outfile && strcmp(o->outfile, "-") != 0 ? o->outfile : NULL;
	struct err e;
	struct sink *out =
	    sink_output_new(path, (int64_t)o->fsync_interval * 1000000, &e);
	if (!out) {
		fprintf(stderr,
			"walhook: could not open output file \"%s\": %s\n",
			o->outfile, e.msg);
		return -1;
	}
	delivery_set_output(d, out);
	return 0;
}

/* The stream's settings from the flags. */
static void configure_stream(struct session *s)
{
	const struct options *o = s->o;
	struct stream_settings set = {
		.stop_flag = &stop_requested,
		.endpos = o->endpos,
		.status_interval_us = (int64_t)o->status_interval * 1000000,
		.sync_interval_us = (int64_t)o->fsync_interval * 1000000,
		.server_timeout_us = (int64_t)o->server_timeout * 1000000,
		.stall_us = (int64_t)o->stall_warning * 1000000,
		.max_message = o->max_message_size,
		.verbose = o->verbose,
		.stats = &s->stats,
	};
	stream_setup(&s->stream, &set);
}

/* The end of a run: terminate, whose writes are delivered too, after what
 * was not durable of a failed run has been forgotten. */
static int finish_session(struct session *s, int rc)
{
	struct err e;
	if (rc != 0)
		delivery_lost(&s->d);
	if (lh_terminate(s->lh, rc == 0 ? "stop" : "error", &e) < 0) {
		report(&e);
		rc = 1;
	}
	if (delivery_stop(&s->d, &e) < 0) {
		report(&e);
		rc = 1;
	}
	char lsn[LSN_STRLEN];
	info("stopped; confirmed %s",
	     lsn_format(stream_confirmed(&s->stream), lsn));
	return rc;
}

/* Streams (or replays) with the script loaded; returns the exit status. */
static int run_session(const struct options *o)
{
	struct session s = { .o = o };
	struct metrics metrics = { 0 };
	struct heartbeat heartbeat = { 0 };
	struct err e;
	int rc = 1;
	delivery_init(&s.d, o->replay ? NULL : stream_confirm, &s.stream);
	delivery_set_stop(&s.d, &stop_requested);
	if (open_output(o, &s.d) < 0)
		goto out;
	/* Load the script before connecting: a script that cannot run must not
	 * touch the slot. */
	struct lh_config cfg = {
		.script = o->script,
		.vars = o->vars,
		.nvars = o->nvars,
		.slot = o->slot,
		.plugin = o->plugin,
		.publication = o->publication,
		.delivery = &s.d,
		.stats = &s.stats,
		.conn = o->replay ? NULL : &o->conn,
	};
	if (!(s.lh = lh_new(&cfg, &e))) {
		report(&e);
		goto out;
	}
	interruptible = s.lh;
	if (!o->replay && !(s.backfill = start_backfills(o, &s.stats, &e))) {
		report(&e);
		goto out;
	}
	configure_stream(&s);
	spool_set_limit(o->spool_limit);
	if (!o->replay && o->metrics_port &&
	    metrics_start(&metrics, o->metrics_port, &s.stats, o->slot, &e) <
		0) {
		report(&e);
		goto out;
	}
	if (!o->replay && o->heartbeat &&
	    heartbeat_start(&heartbeat, &o->conn, o->heartbeat, &e) < 0) {
		report(&e);
		goto out;
	}
	if (o->replay) {
		rc = replay_run(o->replay, s.lh, &s.d, &s.stats, o->endpos,
				&stop_requested, &e) < 0;
		if (rc)
			report(&e);
	} else {
		rc = run_stream(&s);
	}
	if (s.rec.f && recorder_close(&s.rec, &e) < 0) {
		report(&e);
		rc = 1;
	}
	rc = finish_session(&s, rc);
out:
	heartbeat_stop(&heartbeat);
	metrics_stop(&metrics);
	backfill_free(s.backfill);
	if (s.pipe_ready)
		pipeline_free(&s.pipe);
	interruptible = NULL;
	lh_free(s.lh);
	delivery_free(&s.d);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct err e;
	int rc = cli_parse(argc, argv, &o, &e);
	if (rc != CLI_OK) {
		if (rc < 0)
			report(&e);
		cli_free(&o);
		return rc < 0 ? 1 : 0;
	}
	verbose = o.verbose;
	install_signals();
	if (o.test) {
		rc = luatest_run(o.test, o.replay);
		cli_free(&o);
		return rc;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());

	if (o.print_ddl_capture_sql) {
		ddl_capture_print(stdout);
		cli_free(&o);
		return 0;
	}
	if (ddl_capture_action(&o) < 0) {
		cli_free(&o);
		return 1;
	}
	if (o.ddl_capture_only) {
		cli_free(&o);
		return 0;
	}
	if (o.create_publication && create_publication(&o) < 0) {
		cli_free(&o);
		return 1;
	}
	/* With --snapshot the slot is made where its snapshot is used. */
	if (o.drop_slot || (o.create_slot && !o.temporary && !o.snapshot)) {
		rc = slot_action(&o);
		if (rc != 0 || !o.start) {
			cli_free(&o);
			return rc;
		}
	}

	rc = run_session(&o);
	cli_free(&o);
	return rc;
}
