#include "sinks/redis.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hiredis/hiredis.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "sinks/records.h"

struct redis {
	struct sink base;
	redisContext
	    *c; /* NULL after a discard: connected again at the next use */
	char *host;
	int port;
	char *password; /* or NULL */
	int db;
	char shown[160]; /* redis://host:port/db, never the password */
	long long maxlen;
	int replicas;
	double timeout_s;
	/* The open transaction's records: its commit gives them their IDs. */
	struct sink_records open;
	size_t unit_first; /* where the open transaction's records start */
	size_t pending; /* commands sent or queued whose replies are not read */
	uint64_t last_end;   /* the end LSN of the last transaction given IDs */
	size_t last_n;	     /* how many IDs it took */
	uint64_t duplicates; /* entries refused as already there */
};

/* redis://[[user]:password@]host[:port][/db] */
static int parse_url(struct redis *r, const char *url, struct err *e)
{
	if (strncasecmp(url, "redis://", 8))
		return err_set(e, "url must start with redis://");
	const char *p = url + 8;
	const char *at = strrchr(p, '@');
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon)
			r->password =
			    xstrndup(colon + 1, (size_t)(at - colon - 1));
		p = at + 1;
	}
	size_t hl = strcspn(p, ":/");
	r->host = xstrndup(p, hl);
	r->port = 6379;
	p += hl;
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);
		if (end == p + 1 || port < 1 || port > 65535 ||
		    (*end && *end != '/'))
			return err_set(e, "url: a bad port");
		r->port = (int)port;
		p = end;
	}
	if (*p == '/' && p[1]) {
		char *end;
		long db = strtol(p + 1, &end, 10);
		if (*end || db < 0 || db > 1000000)
			return err_set(e, "url: a bad database number");
		r->db = (int)db;
	}
	if (!*r->host)
		return err_set(e, "url has no host");
	snprintf(r->shown, sizeof r->shown, "redis://%s%s:%d/%d",
		 r->password ? "***@" : "", r->host, r->port, r->db);
	return 0;
}

static int io_error(struct redis *r, const char *doing, struct err *e)
{
	err_set(e, "%s %s: %s", doing, r->shown,
		r->c && r->c->errstr[0] ? r->c->errstr
					: "the connection was lost");
	e->transient = true;
	return -1;
}

static void drop_conn(struct redis *r)
{
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
	r->pending = 0;
}

/* A command outside the pipeline, while the connection still blocks. */
static int setup_command(struct redis *r, struct err *e, const char *doing,
			 int argc, const char **argv)
{
	redisReply *rep = redisCommandArgv(r->c, argc, argv, NULL);
	if (!rep)
		return io_error(r, doing, e);
	int rc = 0;
	if (rep->type == REDIS_REPLY_ERROR)
		rc = err_set(e, "%s %s: %s", doing, r->shown, rep->str);
	freeReplyObject(rep);
	return rc;
}

static int ensure_conn(struct redis *r, struct err *e)
{
	if (r->c)
		return 0;
	struct timeval tv = { (time_t)r->timeout_s,
			      (suseconds_t)((r->timeout_s -
					     (double)(time_t)r->timeout_s) *
					    1e6) };
	r->c = redisConnectWithTimeout(r->host, r->port, tv);
	if (!r->c || r->c->err) {
		io_error(r, "connecting to", e);
		drop_conn(r);
		return -1;
	}
	redisSetTimeout(r->c, tv);
	char db[16];
	snprintf(db, sizeof db, "%d", r->db);
	const char *auth[] = { "AUTH", r->password };
	const char *select[] = { "SELECT", db };
	const char *ping[] = { "PING" };
	if ((r->password &&
	     setup_command(r, e, "authenticating to", 2, auth) < 0) ||
	    (r->db &&
	     setup_command(r, e, "selecting the database of", 2, select) < 0) ||
	    setup_command(r, e, "pinging", 1, ping) < 0) {
		drop_conn(r);
		return -1;
	}
	/* From here on the pipeline: the fd polled by hand, so that a stop
	 * or the timeout can end any wait. */
	int fl = fcntl(r->c->fd, F_GETFL);
	fcntl(r->c->fd, F_SETFL, fl | O_NONBLOCK);
	r->c->flags &= ~REDIS_BLOCK;
	return 0;
}

/* Queues the XADDs of the open records with IDs end-n, n from first. */
static int queue_open(struct redis *r, uint64_t end, size_t first,
		      struct err *e)
{
	if (!r->open.n)
		return 0;
	if (ensure_conn(r, e) < 0)
		return -1;
	char id[48], maxlen[24], lsn[LSN_STRLEN], xid[16], table[300];
	snprintf(maxlen, sizeof maxlen, "%lld", r->maxlen);
	for (size_t i = 0; i < r->open.n; i++) {
		struct sink_record rec;
		sink_records_get(&r->open, i, &rec);
		snprintf(id, sizeof id, "%" PRIu64 "-%zu", end, first + i);
		const char *argv[20];
		size_t lens[20];
		int n = 0;
#define ARG(s, l) (argv[n] = (s), lens[n] = (l), n++)
#define STR(s)	  ARG((s), strlen(s))
		STR("XADD");
		STR(rec.dest);
		if (r->maxlen) {
			STR("MAXLEN");
			STR("~");
			STR(maxlen);
		}
		STR(id);
		if (*rec.op) {
			STR("op");
			STR(rec.op);
		}
		if (*rec.table) {
			snprintf(table, sizeof table, "%s%s%s", rec.schema,
				 *rec.schema ? "." : "", rec.table);
			STR("table");
			STR(table);
		}
		if (rec.lsn) {
			STR("lsn");
			STR(lsn_format(rec.lsn, lsn));
		}
		if (rec.xid) {
			snprintf(xid, sizeof xid, "%" PRIu32, rec.xid);
			STR("xid");
			STR(xid);
		}
		if (rec.key) {
			STR("key");
			ARG(rec.key, rec.key_len);
		}
		STR("value");
		ARG(rec.json, rec.len);
#undef STR
#undef ARG
		if (redisAppendCommandArgv(r->c, n, argv, lens) != REDIS_OK)
			return io_error(r, "queueing for", e);
		r->pending++;
	}
	r->last_end = end;
	r->last_n = first + r->open.n;
	sink_records_clear(&r->open);
	return 0;
}

static int redis_write(struct sink *s, const struct sink_record *rec,
		       struct err *e)
{
	(void)e;
	struct redis *r = (struct redis *)s;
	sink_records_add(&r->open, rec);
	sink_wrote(s, rec->len + rec->key_len + strlen(rec->dest) + 64);
	return 0;
}

/* Units that end at one position (the tables of a --snapshot, at the
 * slot's consistent point) number their records on from each other. */
static int redis_commit(struct sink *s, const struct txn *tx, struct err *e)
{
	struct redis *r = (struct redis *)s;
	return queue_open(r, tx->end_lsn,
			  tx->end_lsn == r->last_end ? r->last_n : 0, e);
}

/* Errors that pass: a server loading its data, a replica without its
 * master, a full memory that may empty. */
static bool transient_reply(const char *msg)
{
	static const char *const codes[] = { "LOADING",	    "BUSY",
					     "MASTERDOWN",  "TRYAGAIN",
					     "CLUSTERDOWN", "READONLY",
					     "OOM",	    NULL };
	for (const char *const *c = codes; *c; c++)
		if (!strncmp(msg, *c, strlen(*c)))
			return true;
	return false;
}

/* Reads one reply, writing out what is queued and waiting for the server
 * at most the timeout (a stop ends the wait sooner). */
static int read_reply(struct redis *r, redisReply **out, struct err *e)
{
	int64_t deadline = mono_now_us() + (int64_t)(r->timeout_s * 1e6);
	for (;;) {
		void *reply = NULL;
		if (redisGetReplyFromReader(r->c, &reply) != REDIS_OK)
			return io_error(r, "reading from", e);
		if (reply) {
			*out = reply;
			return 0;
		}
		int done = 0;
		if (redisBufferWrite(r->c, &done) != REDIS_OK)
			return io_error(r, "writing to", e);
		struct pollfd pfd = { .fd = r->c->fd,
				      .events = POLLIN | (done ? 0 : POLLOUT) };
		int n = poll(&pfd, 1, 100);
		if (n < 0 && errno != EINTR)
			return io_error(r, "waiting on", e);
		if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    redisBufferRead(r->c) != REDIS_OK)
			return io_error(r, "reading from", e);
		int64_t now = mono_now_us();
		if (sink_give_up(&r->base, now))
			return err_set(
			    e, "stopped: %s did not answer %zu commands",
			    r->shown, r->pending);
		if (n > 0)
			deadline = now + (int64_t)(r->timeout_s * 1e6);
		else if (now > deadline) {
			err_set(e, "%s did not answer within %g s", r->shown,
				r->timeout_s);
			e->transient = true;
			return -1;
		}
	}
}

static int redis_flush(struct sink *s, struct err *e)
{
	struct redis *r = (struct redis *)s;
	/* Written outside any transaction (terminate, say): the IDs after
	 * the last transaction's. */
	if (r->open.n) {
		if (!r->last_end) {
			sink_records_clear(&r->open);
			return err_set(
			    e,
			    "a write outside any transaction, before the first: "
			    "its entry ID has no position to come from");
		}
		if (queue_open(r, r->last_end, r->last_n, e) < 0)
			return -1;
	}
	if (!r->pending)
		return 0;
	if (r->replicas) {
		char n[16], ms[24];
		snprintf(n, sizeof n, "%d", r->replicas);
		snprintf(ms, sizeof ms, "%lld",
			 (long long)(r->timeout_s * 1000));
		const char *argv[] = { "WAIT", n, ms };
		if (redisAppendCommandArgv(r->c, 3, argv, NULL) != REDIS_OK)
			return io_error(r, "queueing for", e);
		r->pending++;
	}
	while (r->pending) {
		redisReply *rep = NULL;
		if (read_reply(r, &rep, e) < 0)
			return -1;
		r->pending--;
		int rc = 0;
		if (rep->type == REDIS_REPLY_ERROR) {
			if (strstr(rep->str, "equal or smaller")) {
				r->duplicates++; /* it is there already */
			} else {
				rc = err_set(e, "XADD to %s: %s", r->shown,
					     rep->str);
				e->transient = transient_reply(rep->str);
			}
		} else if (rep->type == REDIS_REPLY_INTEGER && r->replicas &&
			   !r->pending && rep->integer < r->replicas) {
			rc = err_set(
			    e,
			    "WAIT: %lld of %d replicas took the batch within %g s",
			    rep->integer, r->replicas, r->timeout_s);
			e->transient = true;
		}
		freeReplyObject(rep);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int redis_begin(struct sink *s, const struct txn *tx, struct err *e)
{
	(void)tx;
	(void)e;
	struct redis *r = (struct redis *)s;
	r->unit_first = r->open.n;
	return 0;
}

/* Nothing of the open transaction has left: its IDs come at its commit. */
static int redis_abort(struct sink *s)
{
	struct redis *r = (struct redis *)s;
	if (r->unit_first <= r->open.n)
		r->open.n = r->unit_first;
	return 0;
}

/* What is queued or unanswered goes with the connection; sent again, it
 * is refused where it arrived. */
static void redis_discard(struct sink *s)
{
	struct redis *r = (struct redis *)s;
	sink_records_clear(&r->open);
	r->unit_first = 0;
	/* What comes again is numbered as it was the first time. */
	r->last_end = 0;
	r->last_n = 0;
	drop_conn(r);
}

static void redis_free(struct sink *s)
{
	struct redis *r = (struct redis *)s;
	drop_conn(r);
	free(r->host);
	free(r->password);
	sink_records_free(&r->open);
	free(r);
}

static const struct sink_ops redis_ops = {
	.kind = "redis",
	.write_record = redis_write,
	.begin = redis_begin,
	.commit = redis_commit,
	.flush = redis_flush,
	.abort = redis_abort,
	.discard = redis_discard,
	.free = redis_free,
};

struct sink *sink_redis_new(const struct sink_redis_config *c, struct err *e)
{
	struct redis *r = xcalloc(1, sizeof *r);
	r->base.ops = &redis_ops;
	r->maxlen = c->maxlen;
	r->replicas = c->replicas;
	r->timeout_s = c->timeout_s;
	if (parse_url(r, c->url, e) < 0 || ensure_conn(r, e) < 0) {
		redis_free(&r->base);
		return NULL;
	}
	snprintf(r->base.name, sizeof r->base.name, "redis %s:%d", r->host,
		 r->port);
	return &r->base;
}
