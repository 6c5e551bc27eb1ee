#include "sinks/nats.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "sinks/records.h"

/* Publishes in flight at once before a publish waits for acks. */
#define MAX_PENDING 65536

struct nats {
	struct sink base;
	natsConnection *nc;
	jsCtx *js;
	char *url;
	char *slot;
	double timeout_s;
	/* The open transaction's records: its commit gives them their IDs. */
	struct sink_records open;
	size_t unit_first;
	uint64_t last_end;
	size_t last_n;
	/* Acks of the batch; libnats calls on_ack on a thread of its own. */
	pthread_mutex_t lock;
	size_t failed;
	bool no_stream;
	char fail_msg[512];
	uint64_t duplicates;
	/* Set at each (re)connection: the next message is published and
	 * acknowledged alone before the rest go asynchronously, so a stream
	 * not yet back (no responders) refuses one message, not the first of
	 * many whose later ones it then stores out of order. */
	bool fresh;
	/* js_PublishAsyncGetPendingList crashes on a context that never
	 * published asynchronously (libnats 3.4). */
	bool published_async;
};

/* Forgets the publishes not yet acknowledged (their acks, when they
 * come, are not counted). */
static void drop_pending(struct nats *n)
{
	natsMsgList pending;
	if (n->js && n->published_async &&
	    js_PublishAsyncGetPendingList(&pending, n->js) == NATS_OK)
		natsMsgList_Destroy(&pending);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
	(void)nc;
	struct nats *n = closure;
	pthread_mutex_lock(&n->lock);
	n->fresh = true;
	pthread_mutex_unlock(&n->lock);
}

/* Publishes msg and waits for its ack. */
static natsStatus publish_alone(struct nats *n, natsMsg *msg, jsPubOptions *po)
{
	jsPubAck *pa = NULL;
	jsErrCode code = 0;
	natsStatus st = js_PublishMsg(&pa, n->js, msg, po, &code);
	if (st == NATS_OK && pa && pa->Duplicate) {
		pthread_mutex_lock(&n->lock);
		n->duplicates++;
		pthread_mutex_unlock(&n->lock);
	}
	jsPubAck_Destroy(pa);
	return st;
}

static void no_stream_text(char *out, size_t size, const char *subject)
{
	snprintf(out, size,
		 "no JetStream stream takes subject \"%s\" "
		 "(create a stream whose subjects cover it)",
		 subject);
}

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
		   void *closure)
{
	(void)js;
	struct nats *n = closure;
	pthread_mutex_lock(&n->lock);
	if (pa && pa->Duplicate)
		n->duplicates++;
	if (pae && !n->failed++) {
		const char *subj = msg ? natsMsg_GetSubject(msg) : "?";
		n->no_stream = pae->Err == NATS_NO_RESPONDERS;
		if (n->no_stream)
			no_stream_text(n->fail_msg, sizeof n->fail_msg, subj);
		else
			snprintf(n->fail_msg, sizeof n->fail_msg,
				 "publishing to \"%s\": %s%s%s", subj,
				 natsStatus_GetText(pae->Err),
				 pae->ErrText ? ": " : "",
				 pae->ErrText ? pae->ErrText : "");
	} else if (pae) {
		n->no_stream |= pae->Err == NATS_NO_RESPONDERS;
	}
	pthread_mutex_unlock(&n->lock);
	natsMsg_Destroy(msg);
}

static int nats_fail(const char *doing, natsStatus st, struct err *e)
{
	const char *last = nats_GetLastError(NULL);
	err_set(e, "%s: %s%s%s", doing, natsStatus_GetText(st),
		last && *last ? ": " : "", last && *last ? last : "");
	e->transient = true;
	return -1;
}

static int publish_open(struct nats *n, uint64_t end, size_t first,
			struct err *e)
{
	char id[256], lsn[LSN_STRLEN], end_text[LSN_STRLEN], xid[16],
	    table[300];
	lsn_format(end, end_text);
	for (size_t i = 0; i < n->open.n; i++) {
		struct sink_record r;
		sink_records_get(&n->open, i, &r);
		natsMsg *msg = NULL;
		natsStatus st =
		    natsMsg_Create(&msg, r.dest, NULL, r.json, (int)r.len);
		if (st == NATS_OK && r.lsn)
			st = natsMsgHeader_Set(msg, "walhook.lsn",
					       lsn_format(r.lsn, lsn));
		if (st == NATS_OK && r.xid) {
			snprintf(xid, sizeof xid, "%" PRIu32, r.xid);
			st = natsMsgHeader_Set(msg, "walhook.xid", xid);
		}
		if (st == NATS_OK && *r.op)
			st = natsMsgHeader_Set(msg, "walhook.op", r.op);
		if (st == NATS_OK && *r.table) {
			snprintf(table, sizeof table, "%s%s%s", r.schema,
				 *r.schema ? "." : "", r.table);
			st = natsMsgHeader_Set(msg, "walhook.table", table);
		}
		if (st == NATS_OK && r.key)
			st = natsMsgHeader_Set(msg, "walhook.key", r.key);
		jsPubOptions po;
		jsPubOptions_Init(&po);
		po.MaxWait = (int64_t)(n->timeout_s * 1000);
		if (end) {
			snprintf(id, sizeof id, "%s:%s:%zu", n->slot, end_text,
				 first + i);
			po.MsgId = id;
		}
		pthread_mutex_lock(&n->lock);
		bool alone = n->fresh;
		pthread_mutex_unlock(&n->lock);
		if (st == NATS_OK && alone) {
			st = publish_alone(n, msg, &po);
			if (st == NATS_OK) {
				pthread_mutex_lock(&n->lock);
				n->fresh = false;
				pthread_mutex_unlock(&n->lock);
			}
		}
		while (st == NATS_OK && !alone) {
			n->published_async = true;
			st = js_PublishMsgAsync(n->js, &msg, &po);
			if (st != NATS_TIMEOUT) /* too many in flight: wait and
						   retry */
				break;
			if (sink_give_up(&n->base, mono_now_us())) {
				natsMsg_Destroy(msg);
				return err_set(
				    e,
				    "stopped: the server did not take more messages");
			}
			st = NATS_OK;
		}
		natsMsg_Destroy(msg); /* no effect once libnats took it */
		if (st == NATS_NO_RESPONDERS) { /* no retry can help */
			char why[512];
			no_stream_text(why, sizeof why, r.dest);
			return err_set(e, "%s", why);
		}
		if (st != NATS_OK) {
			char doing[300];
			snprintf(doing, sizeof doing, "publishing to \"%s\"",
				 r.dest);
			return nats_fail(doing, st, e);
		}
	}
	if (end) {
		n->last_end = end;
		n->last_n = first + n->open.n;
	}
	sink_records_clear(&n->open);
	return 0;
}

static int nats_write(struct sink *s, const struct sink_record *r,
		      struct err *e)
{
	(void)e;
	struct nats *n = (struct nats *)s;
	sink_records_add(&n->open, r);
	sink_wrote(s, r->len + r->key_len + strlen(r->dest) + 64);
	return 0;
}

static int nats_begin(struct sink *s, const struct txn *tx, struct err *e)
{
	(void)tx;
	(void)e;
	struct nats *n = (struct nats *)s;
	n->unit_first = n->open.n;
	return 0;
}

static int nats_commit(struct sink *s, const struct txn *tx, struct err *e)
{
	/* Units that end at one position (the tables of a --snapshot)
	 * number their records on from each other. */
	struct nats *n = (struct nats *)s;
	return publish_open(n, tx->end_lsn,
			    tx->end_lsn == n->last_end ? n->last_n : 0, e);
}

static int nats_flush(struct sink *s, struct err *e)
{
	struct nats *n = (struct nats *)s;
	/* Written outside any transaction: the IDs after the last
	 * transaction's, or none before the first. */
	if (n->open.n && publish_open(n, n->last_end, n->last_n, e) < 0)
		return -1;
	jsPubOptions po;
	jsPubOptions_Init(&po);
	po.MaxWait = 100;
	int64_t deadline = mono_now_us() + (int64_t)((n->timeout_s + 1) * 1e6);
	for (;;) {
		natsStatus st = js_PublishAsyncComplete(n->js, &po);
		pthread_mutex_lock(&n->lock);
		size_t failed = n->failed;
		pthread_mutex_unlock(&n->lock);
		if (st == NATS_OK || failed)
			break;
		int64_t now = mono_now_us();
		if (st != NATS_TIMEOUT)
			return nats_fail("waiting for acks", st, e);
		if (sink_give_up(&n->base, now))
			return err_set(
			    e,
			    "stopped: the server did not acknowledge every message");
		if (now > deadline) {
			err_set(e, "no ack from %s within %g s", n->url,
				n->timeout_s);
			e->transient = true;
			return -1;
		}
	}
	pthread_mutex_lock(&n->lock);
	int rc = 0;
	if (n->failed) {
		rc = err_set(e, "%s%s", n->fail_msg,
			     n->failed > 1 ? " (and more)" : "");
		e->transient = !n->no_stream;
	}
	pthread_mutex_unlock(&n->lock);
	return rc;
}

static int nats_abort(struct sink *s)
{
	struct nats *n = (struct nats *)s;
	if (n->unit_first <= n->open.n)
		n->open.n = n->unit_first;
	return 0;
}

/* Publishes not acknowledged are dropped (their acks, when they come, are
 * not counted); sent again, the stream drops the duplicates. */
static void nats_discard(struct sink *s)
{
	struct nats *n = (struct nats *)s;
	drop_pending(n);
	pthread_mutex_lock(&n->lock);
	n->failed = 0;
	n->no_stream = false;
	pthread_mutex_unlock(&n->lock);
	sink_records_clear(&n->open);
	n->unit_first = 0;
	/* What comes again is numbered as it was the first time. */
	n->last_end = 0;
	n->last_n = 0;
}

static void nats_free(struct sink *s)
{
	struct nats *n = (struct nats *)s;
	drop_pending(n);
	if (n->js)
		jsCtx_Destroy(n->js);
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
	}
	pthread_mutex_destroy(&n->lock);
	sink_records_free(&n->open);
	free(n->url);
	free(n->slot);
	free(n);
}

static const struct sink_ops nats_ops = {
	.kind = "nats",
	.write_record = nats_write,
	.begin = nats_begin,
	.commit = nats_commit,
	.flush = nats_flush,
	.abort = nats_abort,
	.discard = nats_discard,
	.free = nats_free,
};

struct sink *sink_nats_new(const struct sink_nats_config *c, struct err *e)
{
	struct nats *n = xcalloc(1, sizeof *n);
	n->base.ops = &nats_ops;
	pthread_mutex_init(&n->lock, NULL);
	n->url = xstrdup(c->url);
	n->slot = xstrdup(c->slot);
	n->timeout_s = c->timeout_s;
	snprintf(n->base.name, sizeof n->base.name, "nats %s", c->url);
	natsOptions *opts = NULL;
	natsStatus st = natsOptions_Create(&opts);
	if (st == NATS_OK)
		st = natsOptions_SetURL(opts, c->url);
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(opts,
					    (int64_t)(c->timeout_s * 1000));
	/* A server that goes away is waited for: the flush fails meanwhile
	 * and walhook sends again. */
	if (st == NATS_OK)
		st = natsOptions_SetMaxReconnect(opts, -1);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectWait(opts, 500);
	/* Nothing is kept to be sent once the connection is back: a message
	 * sent then would land after one that was lost at the break. The
	 * publish fails instead, and walhook sends the batch again. */
	if (st == NATS_OK)
		st = natsOptions_SetReconnectBufSize(opts, 1);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectedCB(opts, on_reconnected, n);
	n->fresh = true;
	if (st == NATS_OK)
		st = natsConnection_Connect(&n->nc, opts);
	natsOptions_Destroy(opts);
	if (st != NATS_OK) {
		char doing[200];
		snprintf(doing, sizeof doing, "connecting to %s", c->url);
		nats_fail(doing, st, e);
		nats_free(&n->base);
		return NULL;
	}
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = MAX_PENDING;
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = n;
	jo.PublishAsync.StallWait = 100;
	st = natsConnection_JetStream(&n->js, n->nc, &jo);
	if (st != NATS_OK) {
		nats_fail("setting up JetStream", st, e);
		nats_free(&n->base);
		return NULL;
	}
	return &n->base;
}
