#include "sinks/kafka.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "sinks/records.h"

/* How long the brokers have to answer at start, and a transaction's
 * setup, commit and the offsets topic's reading at most. */
#define CONNECT_TIMEOUT_MS	5000
#define TXN_TIMEOUT_MS		10000
#define TXN_ABORT_TIMEOUT_MS	2000
/* A message not delivered by then fails the flush (the user's config may
 * say otherwise): librdkafka's own 300 s would hold walhook that long. */
#define DEFAULT_MESSAGE_TIMEOUT "30000"

struct kafka {
	struct sink base;
	rd_kafka_t *rk; /* NULL after a discard: made again at the next use */
	char *brokers;
	char **conf; /* name, value, ... */
	int nconf;
	char *txid;
	char *offsets_topic;
	/* Delivery reports of the messages produced since the producer was
	 * made (each message's opaque is the generation it was sent in, so
	 * the reports of a producer being torn down are not counted). */
	uintptr_t gen;
	size_t failed;
	char fail_msg[512];
	/* Transactional: */
	bool in_txn; /* a Kafka transaction is open */
	/* Transactions are set up (which fences any other producer of the
	 * id) only once the sink is used, not when it is made: a standby
	 * walhook waiting on the slot must not fence the active one. */
	bool in_use;
	uint64_t progress; /* the end LSN of the last batch Kafka has */
	uint64_t
	    batch_end; /* the end LSN of the last transaction of the batch */
	bool hold;     /* the open transaction may be a repeat: held */
	struct sink_records held;
};

static char *dup_s(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* ---- the producer ---- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
			void *opaque)
{
	(void)rk;
	struct kafka *k = opaque;
	if ((uintptr_t)m->_private != k->gen || !m->err)
		return;
	if (!k->failed++)
		snprintf(k->fail_msg, sizeof k->fail_msg,
			 "a message to %s was not delivered: %s",
			 m->rkt ? rd_kafka_topic_name(m->rkt) : "?",
			 rd_kafka_err2str(m->err));
}

/* librdkafka's own lines would repeat every failed connection; what
 * fails reaches walhook as a delivery report or an error, and is said
 * once there. Only what librdkafka calls critical is shown. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac,
		   const char *text)
{
	(void)rk;
	if (level <= 2)
		fprintf(stderr, "walhook: sink kafka: %s: %s\n", fac, text);
}

/* The configuration, ours first so that the user's may change it. */
static rd_kafka_conf_t *make_conf(struct kafka *k, bool producer, struct err *e)
{
	char msg[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const char *ours[] = {
		"bootstrap.servers",
		k->brokers,
		"client.id",
		"walhook",
		producer ? "enable.idempotence" : "isolation.level",
		producer ? "true" : "read_committed",
		producer ? "partitioner" : "enable.partition.eof",
		producer ? "murmur2_random" : "true",
		producer ? "message.timeout.ms" : "enable.auto.commit",
		producer ? DEFAULT_MESSAGE_TIMEOUT : "false",
	};
	/* The consumer reads one partition by assignment; librdkafka still
	 * wants a group for it, which is never joined or committed to. */
	if (!producer &&
	    rd_kafka_conf_set(conf, "group.id", "walhook-offsets", msg,
			      sizeof msg) != RD_KAFKA_CONF_OK) {
		rd_kafka_conf_destroy(conf);
		err_set(e, "group.id: %s", msg);
		return NULL;
	}
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i += 2) {
		if (rd_kafka_conf_set(conf, ours[i], ours[i + 1], msg,
				      sizeof msg) != RD_KAFKA_CONF_OK) {
			rd_kafka_conf_destroy(conf);
			err_set(e, "%s: %s", ours[i], msg);
			return NULL;
		}
	}
	for (int i = 0; i < k->nconf; i++) {
		const char *name = k->conf[2 * i], *value = k->conf[2 * i + 1];
		if (rd_kafka_conf_set(conf, name, value, msg, sizeof msg) !=
			RD_KAFKA_CONF_OK &&
		    producer) {
			rd_kafka_conf_destroy(conf);
			err_set(e, "config %s: %s", name, msg);
			return NULL;
		}
	}
	if (producer && k->txid &&
	    rd_kafka_conf_set(conf, "transactional.id", k->txid, msg,
			      sizeof msg) != RD_KAFKA_CONF_OK) {
		rd_kafka_conf_destroy(conf);
		err_set(e, "transactional.id: %s", msg);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, on_log);
	rd_kafka_conf_set_opaque(conf, k);
	if (producer)
		rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	return conf;
}

/* Where the last run ended: the greatest LSN recorded under our
 * transactional id in the offsets topic, committed records only. */
static int read_progress(struct kafka *k, struct err *e)
{
	char msg[512];
	rd_kafka_conf_t *conf = make_conf(k, false, e);
	if (!conf)
		return -1;
	rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
	if (!c)
		return err_set(e, "reading %s: %s", k->offsets_topic, msg);
	int rc = 0;
	int64_t lo = 0, hi = 0;
	rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
	    c, k->offsets_topic, 0, &lo, &hi, TXN_TIMEOUT_MS);
	if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
	    (!err && hi <= lo))
		goto done; /* nothing recorded yet */
	if (err) {
		rc = err_set(e, "reading %s: %s", k->offsets_topic,
			     rd_kafka_err2str(err));
		e->transient = true;
		goto done;
	}
	rd_kafka_topic_partition_list_t *parts =
	    rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(parts, k->offsets_topic, 0)->offset =
	    RD_KAFKA_OFFSET_BEGINNING;
	err = rd_kafka_assign(c, parts);
	rd_kafka_topic_partition_list_destroy(parts);
	int64_t deadline = mono_now_us() + TXN_TIMEOUT_MS * INT64_C(1000);
	size_t keylen = strlen(k->txid);
	while (!err) {
		if (mono_now_us() > deadline) {
			rc = err_set(
			    e, "reading %s: its end did not come within %d s",
			    k->offsets_topic, TXN_TIMEOUT_MS / 1000);
			e->transient = true;
			break;
		}
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
		if (!m)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			rd_kafka_message_destroy(m);
			break;
		}
		if (m->err) {
			rc = err_set(e, "reading %s: %s", k->offsets_topic,
				     rd_kafka_message_errstr(m));
			e->transient = true;
			rd_kafka_message_destroy(m);
			break;
		}
		char text[LSN_STRLEN] = "";
		uint64_t lsn;
		if (m->key_len == keylen && !memcmp(m->key, k->txid, keylen) &&
		    m->len < sizeof text) {
			memcpy(text, m->payload, m->len);
			text[m->len] = '\0';
			if (lsn_parse(text, &lsn) && lsn > k->progress)
				k->progress = lsn;
		}
		rd_kafka_message_destroy(m);
	}
	if (err)
		rc = err_set(e, "reading %s: %s", k->offsets_topic,
			     rd_kafka_err2str(err));
done:
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return rc;
}

/* A compacted topic of one partition for the offsets. A broker that does
 * not take CreateTopics (or a topic that exists) is no error: the topic is
 * then made, or was made, some other way. */
static void create_offsets_topic(struct kafka *k)
{
	char msg[256];
	rd_kafka_NewTopic_t *nt =
	    rd_kafka_NewTopic_new(k->offsets_topic, 1, -1, msg, sizeof msg);
	if (!nt)
		return;
	rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
	rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
	rd_kafka_AdminOptions_t *opt =
	    rd_kafka_AdminOptions_new(k->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_request_timeout(opt, CONNECT_TIMEOUT_MS, msg,
						  sizeof msg);
	rd_kafka_CreateTopics(k->rk, &nt, 1, opt, q);
	rd_kafka_event_t *ev =
	    rd_kafka_queue_poll(q, CONNECT_TIMEOUT_MS + 1000);
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opt);
	rd_kafka_queue_destroy(q);
	rd_kafka_NewTopic_destroy(nt);
}

static void drop_producer(struct kafka *k)
{
	if (!k->rk)
		return;
	/* An open transaction is aborted now rather than when the next
	 * producer of the id starts (or it times out): until then it holds
	 * read_committed consumers back. */
	if (k->in_txn) {
		rd_kafka_error_t *error =
		    rd_kafka_abort_transaction(k->rk, TXN_ABORT_TIMEOUT_MS);
		if (error)
			rd_kafka_error_destroy(error);
	}
	k->gen++; /* reports of what is purged now are not counted */
	rd_kafka_purge(k->rk,
		       RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	rd_kafka_poll(k->rk, 0);
	rd_kafka_destroy(k->rk);
	k->rk = NULL;
	k->in_txn = false;
	k->failed = 0;
}

static int txn_error(struct kafka *k, rd_kafka_error_t *error,
		     const char *doing, struct err *e)
{
	err_set(e, "%s: %s", doing, rd_kafka_error_string(error));
	e->transient = !rd_kafka_error_is_fatal(error) ||
		       rd_kafka_error_code(error) != RD_KAFKA_RESP_ERR__FENCED;
	rd_kafka_error_destroy(error);
	drop_producer(k);
	return -1;
}

/* Makes the producer (again, after a discard): the brokers must answer;
 * a transactional one fences any older producer of its id and reads where
 * Kafka is, since a commit whose answer was lost may have happened. */
static int ensure_producer(struct kafka *k, struct err *e)
{
	if (k->rk)
		return 0;
	char msg[512];
	rd_kafka_conf_t *conf = make_conf(k, true, e);
	if (!conf)
		return -1;
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
	if (!k->rk)
		return err_set(e, "%s", msg);
	k->gen++;
	k->failed = 0;
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err =
	    rd_kafka_metadata(k->rk, 0, NULL, &md, CONNECT_TIMEOUT_MS);
	if (err) {
		err_set(e, "no broker of %s answered within %d s: %s",
			k->brokers, CONNECT_TIMEOUT_MS / 1000,
			rd_kafka_err2str(err));
		e->transient = true;
		drop_producer(k);
		return -1;
	}
	rd_kafka_metadata_destroy(md);
	if (!k->txid || !k->in_use)
		return 0;
	rd_kafka_error_t *error =
	    rd_kafka_init_transactions(k->rk, TXN_TIMEOUT_MS);
	if (error)
		return txn_error(k, error,
				 "starting the transactional producer", e);
	create_offsets_topic(k);
	if (read_progress(k, e) < 0) {
		drop_producer(k);
		return -1;
	}
	return 0;
}

/* ---- records ---- */

static int produce(struct kafka *k, const struct sink_record *r, struct err *e)
{
	if (k->txid && !k->in_use) {
		drop_producer(k); /* made only to check the brokers */
		k->in_use = true;
	}
	if (ensure_producer(k, e) < 0)
		return -1;
	if (k->txid && !k->in_txn) {
		rd_kafka_error_t *error = rd_kafka_begin_transaction(k->rk);
		if (error)
			return txn_error(k, error, "beginning a transaction",
					 e);
		k->in_txn = true;
	}
	char lsn[LSN_STRLEN], xid[16], table[300];
	lsn_format(r->lsn, lsn);
	snprintf(xid, sizeof xid, "%" PRIu32, r->xid);
	snprintf(table, sizeof table, "%s%s%s", r->schema,
		 *r->schema ? "." : "", r->table);
	rd_kafka_headers_t *h = rd_kafka_headers_new(4);
	if (r->lsn)
		rd_kafka_header_add(h, "walhook.lsn", -1, lsn, -1);
	if (r->xid)
		rd_kafka_header_add(h, "walhook.xid", -1, xid, -1);
	if (*r->op)
		rd_kafka_header_add(h, "walhook.op", -1, r->op, -1);
	if (*r->table)
		rd_kafka_header_add(h, "walhook.table", -1, table, -1);
	for (;;) {
		rd_kafka_resp_err_t err = rd_kafka_producev(
		    k->rk, RD_KAFKA_V_TOPIC(r->dest),
		    RD_KAFKA_V_VALUE((void *)r->json, r->len),
		    RD_KAFKA_V_KEY((void *)r->key, r->key ? r->key_len : 0),
		    RD_KAFKA_V_HEADERS(h),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_OPAQUE((void *)k->gen), RD_KAFKA_V_END);
		if (!err)
			return 0; /* the message owns the headers now */
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			rd_kafka_headers_destroy(h);
			return err_set(e, "producing to %s: %s", r->dest,
				       rd_kafka_err2str(err));
		}
		/* Back-pressure: let deliveries make room. */
		rd_kafka_poll(k->rk, 100);
		if (sink_give_up(&k->base, mono_now_us())) {
			rd_kafka_headers_destroy(h);
			return err_set(
			    e, "stopped: the producer's queue stayed full");
		}
	}
}

static int kafka_write(struct sink *s, const struct sink_record *r,
		       struct err *e)
{
	struct kafka *k = (struct kafka *)s;
	sink_wrote(s, r->len + r->key_len);
	if (k->hold) {
		sink_records_add(&k->held, r);
		return 0;
	}
	return produce(k, r, e);
}

static int kafka_begin(struct sink *s, const struct txn *tx, struct err *e)
{
	struct kafka *k = (struct kafka *)s;
	k->hold = false;
	if (!k->txid)
		return 0;
	if (!k->in_use) {
		drop_producer(k); /* made only to check the brokers */
		k->in_use = true;
	}
	if (ensure_producer(k, e) < 0)
		return -1;
	if (!k->progress)
		return 0;
	if (tx->final_lsn)
		sink_skip(s, tx->final_lsn < k->progress);
	else
		k->hold =
		    true; /* a text plugin: its end tells, at the commit */
	return 0;
}

static int kafka_commit(struct sink *s, const struct txn *tx, struct err *e)
{
	struct kafka *k = (struct kafka *)s;
	if (k->hold) {
		k->hold = false;
		bool repeat = tx->end_lsn <= k->progress;
		for (size_t i = 0; i < k->held.n && !repeat; i++) {
			struct sink_record r;
			sink_records_get(&k->held, i, &r);
			if (produce(k, &r, e) < 0) {
				sink_records_clear(&k->held);
				return -1;
			}
		}
		sink_records_clear(&k->held);
	}
	if (tx->end_lsn > k->batch_end)
		k->batch_end = tx->end_lsn;
	return 0;
}

/* Waits until every message produced has its delivery report. */
static int wait_delivered(struct kafka *k, struct err *e)
{
	while (rd_kafka_outq_len(k->rk) > 0) {
		rd_kafka_poll(k->rk, 100);
		if (k->failed)
			break;
		if (sink_give_up(&k->base, mono_now_us()))
			return err_set(
			    e, "stopped: %d messages were not acknowledged",
			    rd_kafka_outq_len(k->rk));
	}
	rd_kafka_poll(k->rk, 0);
	if (k->failed) {
		err_set(e, "%s%s", k->fail_msg,
			k->failed > 1 ? " (and more)" : "");
		e->transient = true;
		return -1;
	}
	return 0;
}

static int commit_txn(struct kafka *k, struct err *e)
{
	if (k->batch_end > k->progress) {
		char lsn[LSN_STRLEN];
		lsn_format(k->batch_end, lsn);
		rd_kafka_resp_err_t err = rd_kafka_producev(
		    k->rk, RD_KAFKA_V_TOPIC(k->offsets_topic),
		    RD_KAFKA_V_PARTITION(0),
		    RD_KAFKA_V_KEY(k->txid, strlen(k->txid)),
		    RD_KAFKA_V_VALUE(lsn, strlen(lsn)),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_OPAQUE((void *)k->gen), RD_KAFKA_V_END);
		if (err) {
			err_set(e, "recording the position in %s: %s",
				k->offsets_topic, rd_kafka_err2str(err));
			e->transient = true;
			return -1;
		}
	}
	if (wait_delivered(k, e) < 0)
		return -1;
	for (;;) {
		rd_kafka_error_t *error =
		    rd_kafka_commit_transaction(k->rk, 500);
		if (!error)
			break;
		if (!rd_kafka_error_is_retriable(error) ||
		    sink_give_up(&k->base, mono_now_us()))
			return txn_error(k, error, "committing the transaction",
					 e);
		rd_kafka_error_destroy(error);
	}
	k->in_txn = false;
	if (k->batch_end > k->progress)
		k->progress = k->batch_end;
	return 0;
}

static int kafka_flush(struct sink *s, struct err *e)
{
	struct kafka *k = (struct kafka *)s;
	if (!k->rk)
		return 0;
	int rc = k->in_txn ? commit_txn(k, e) : wait_delivered(k, e);
	if (rc == 0)
		k->batch_end = 0;
	return rc;
}

/* What is produced cannot be taken back one transaction at a time. */
static int kafka_abort(struct sink *s)
{
	struct kafka *k = (struct kafka *)s;
	if (k->hold) {
		sink_records_clear(&k->held);
		k->hold = false;
		return 0;
	}
	return -1;
}

/* Everything not acknowledged goes (it comes again): the producer is
 * made anew at the next use, which also aborts an open transaction. */
static void kafka_discard(struct sink *s)
{
	struct kafka *k = (struct kafka *)s;
	drop_producer(k);
	sink_records_clear(&k->held);
	k->hold = false;
	k->batch_end = 0;
}

static int kafka_poll(struct sink *s, struct err *e)
{
	(void)e;
	struct kafka *k = (struct kafka *)s;
	if (k->rk)
		rd_kafka_poll(k->rk, 0);
	return 0;
}

static void kafka_free(struct sink *s)
{
	struct kafka *k = (struct kafka *)s;
	drop_producer(k);
	for (int i = 0; i < 2 * k->nconf; i++)
		free(k->conf[i]);
	free(k->conf);
	free(k->brokers);
	free(k->txid);
	free(k->offsets_topic);
	sink_records_free(&k->held);
	free(k);
}

static const struct sink_ops kafka_ops = {
	.kind = "kafka",
	.write_record = kafka_write,
	.begin = kafka_begin,
	.commit = kafka_commit,
	.flush = kafka_flush,
	.poll = kafka_poll,
	.abort = kafka_abort,
	.discard = kafka_discard,
	.free = kafka_free,
};

struct sink *sink_kafka_new(const struct sink_kafka_config *c, struct err *e)
{
	if (!c->brokers || !*c->brokers) {
		err_set(e, "no brokers");
		return NULL;
	}
	struct kafka *k = xcalloc(1, sizeof *k);
	k->base.ops = &kafka_ops;
	snprintf(k->base.name, sizeof k->base.name, "kafka %s", c->brokers);
	k->brokers = xstrdup(c->brokers);
	k->txid = dup_s(c->transactional_id);
	k->offsets_topic =
	    xstrdup(c->offsets_topic ? c->offsets_topic : "walhook_offsets");
	k->nconf = c->nconfig;
	k->conf = xcalloc((size_t)(2 * c->nconfig + 1), sizeof *k->conf);
	for (int i = 0; i < 2 * c->nconfig; i++)
		k->conf[i] = xstrdup(c->config[i]);
	if (ensure_producer(k, e) < 0) {
		kafka_free(&k->base);
		return NULL;
	}
	return &k->base;
}
