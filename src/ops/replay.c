#include "ops/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "protocol/record.h"
#include "protocol/stream.h"

struct replay {
	struct lh *lh;
	struct pipeline pipe;
	unsigned connects;
};

/* A recorded (re)connection: what the live run did at connect. */
static int on_connect(void *ctx, const char *info, struct err *e)
{
	struct replay *r = ctx;
	struct sysinfo sys = { 0 };
	char v[128], slot[128], plugin[64];
	snprintf(sys.systemid, sizeof sys.systemid, "%s",
		 record_kv(info, "system_id", v, sizeof v));
	sys.timeline = (uint32_t)strtoul(
	    record_kv(info, "timeline", v, sizeof v), NULL, 10);
	lsn_parse(record_kv(info, "xlogpos", v, sizeof v), &sys.xlogpos);
	snprintf(sys.dbname, sizeof sys.dbname, "%s",
		 record_kv(info, "dbname", v, sizeof v));
	sys.server_version =
	    atoi(record_kv(info, "server_version", v, sizeof v));
	uint64_t start = 0;
	lsn_parse(record_kv(info, "start_lsn", v, sizeof v), &start);
	struct lh_connect_info ci = {
		&sys, record_kv(info, "slot", slot, sizeof slot),
		record_kv(info, "plugin", plugin, sizeof plugin), start
	};
	/* A reconnect, as live: what was not durable when the connection
	 * was lost is forgotten, and the server sends it again. */
	if (r->connects++)
		pipeline_lost(&r->pipe);
	return lh_connect(r->lh, &ci, e);
}

/* The plugin options a recording's header lists (option=NAME=VALUE lines),
 * as the live run sent them. */
#define RECORDED_OPTIONS 72
struct recorded_options {
	struct plugin_option opts[RECORDED_OPTIONS];
	char text[RECORDED_OPTIONS][256];
	int n;
};

static void recorded_options(const char *header, struct recorded_options *ro)
{
	ro->n = 0;
	for (const char *line = header;
	     line && *line && ro->n < RECORDED_OPTIONS;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > 7 && strncmp(line, "option=", 7) == 0 &&
		    len - 7 < 256) {
			char *t = ro->text[ro->n];
			memcpy(t, line + 7, len - 7);
			t[len - 7] = '\0';
			char *eq = strchr(t, '=');
			if (eq)
				*eq = '\0';
			ro->opts[ro->n++] =
			    (struct plugin_option){ t, eq ? eq + 1 : NULL };
		}
		line = end ? end + 1 : NULL;
	}
}

static int replay_recording(const char *path, struct lh *lh, struct delivery *d,
			    struct stats *stats, uint64_t endpos,
			    volatile sig_atomic_t *stop, struct err *e)
{
	struct record_reader rd;
	struct buf header = { 0 };
	struct replay r = { .lh = lh };
	struct stream st;
	stream_setup(&st, &(struct stream_settings){ .stop_flag = stop,
						     .endpos = endpos,
						     .stats = stats });
	struct stream *s = &st;
	int rc = -1;
	if (record_reader_open(&rd, path, &header, e) < 0)
		goto out;
	char plugin[64];
	record_kv(header.data, "plugin", plugin, sizeof plugin);
	struct recorded_options ro;
	recorded_options(header.data, &ro);
	struct plugin_profile profile = plugin_profile(plugin, ro.opts, ro.n);
	pipeline_init(&r.pipe, &profile, lh, d, stats, endpos);
	stream_set_consumer(s, pipeline_consumer(&r.pipe));
	/* What an unfinished transaction wrote is not kept, as live. */
	if (stream_replay(s, &rd, on_connect, &r, e) != STREAM_ENDED_FAILED)
		rc = pipeline_finish(&r.pipe, e);
	pipeline_free(&r.pipe);
out:
	record_reader_close(&rd);
	buf_free(&header);
	return rc;
}

static int replay_fixture(const char *path, struct lh *lh, struct delivery *d,
			  volatile sig_atomic_t *stop, struct err *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return err_set(e, "opening %s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	for (long lineno = 1;
	     rc == 0 && !*stop && (n = getline(&line, &cap, f)) >= 0;
	     lineno++) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (memchr(line, '\0', (size_t)n)) {
			rc = err_set(
			    e,
			    "%s:%ld: not JSON (a NUL byte): neither a walhook recording nor JSON lines",
			    path, lineno);
			break;
		}
		/* Blank lines and # comments make a fixture readable. */
		size_t lead = strspn(line, " \t");
		if (line[lead] == '\0' || line[lead] == '#')
			continue;
		char where[600];
		snprintf(where, sizeof where, "%s:%ld", path, lineno);
		rc = lh_fixture_line(lh, line, (size_t)n, where, e);
	}
	if (rc == 0 && ferror(f))
		rc = err_set(e, "reading %s: %s", path, strerror(errno));
	if (rc == 0 && ftell(f) == 0)
		rc = err_set(
		    e, "%s is empty: neither a recording nor JSON lines", path);
	if (rc == 0)
		rc = lh_fixture_end(lh, e);
	if (rc == 0)
		rc = delivery_stop(d, e);
	free(line);
	fclose(f);
	return rc;
}

int replay_run(const char *path, struct lh *lh, struct delivery *d,
	       struct stats *stats, uint64_t endpos,
	       volatile sig_atomic_t *stop, struct err *e)
{
	if (!record_is_recording(path))
		return replay_fixture(path, lh, d, stop, e);
	return replay_recording(path, lh, d, stats, endpos, stop, e);
}
