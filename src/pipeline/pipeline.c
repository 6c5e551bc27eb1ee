#include "pipeline/pipeline.h"

#include "base/alloc.h"
#include "decode/binary.h"
#include "decode/typename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Held-back transactions beyond this go to a temporary file. */
#define SPOOL_MEMORY (4 * 1024 * 1024)

static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	if (n <= *cap)
		return arr;
	size_t c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	*cap = c;
	return xrealloc(arr, c * elem);
}

void pipeline_init(struct pipeline *p, const struct plugin_profile *profile,
		   struct lh *lh, struct delivery *d, struct stats *stats,
		   uint64_t endpos)
{
	*p = (struct pipeline){
		.decoder = profile->decoder,
		.live_streams = lh_wants_streams(lh),
		.live_prepares = lh_wants_two_phase(lh),
		.lh = lh,
		.d = d,
		.stats = stats,
		.endpos = endpos,
	};
	pgo_decoder_init(&p->dec);
	p->dec.abort_has_lsn = profile->abort_has_lsn;
	relcache_init(&p->rels);
	textplugin_init(&p->text_dec, p->decoder == PLUGIN_WAL2JSON_1
					  ? TEXTPLUGIN_WAL2JSON_1
				      : p->decoder == PLUGIN_WAL2JSON_2
					  ? TEXTPLUGIN_WAL2JSON_2
					  : TEXTPLUGIN_TEST_DECODING);
}

void pipeline_set_reopen(struct pipeline *p, volatile sig_atomic_t *flag)
{
	p->reopen_flag = flag;
}

/* ---- held-back transactions ---- */

static struct held_xact *held_find(struct pipeline *p, uint32_t xid)
{
	for (struct held_xact *x = p->held; x; x = x->next)
		if (x->xid == xid)
			return x;
	return NULL;
}

static struct held_xact *held_new(struct pipeline *p, uint32_t xid,
				  bool streamed, uint64_t first_lsn)
{
	struct held_xact *x = xcalloc(1, sizeof *x);
	x->xid = xid;
	x->streamed = streamed;
	x->first_lsn = first_lsn;
	spool_init(&x->spool, SPOOL_MEMORY, xid);
	relcache_init(&x->rels);
	x->next = p->held;
	p->held = x;
	return x;
}

static void held_drop(struct pipeline *p, struct held_xact *x)
{
	for (struct held_xact **pp = &p->held; *pp; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	}
	if (p->streaming == x)
		p->streaming = NULL;
	if (p->preparing == x)
		p->preparing = NULL;
	spool_free(&x->spool);
	relcache_free(&x->rels);
	free(x->aborted);
	free(x->gid);
	free(x);
}

static bool held_aborted(const struct held_xact *x, uint32_t subxid)
{
	for (size_t i = 0; i < x->naborted; i++)
		if (x->aborted[i] == subxid)
			return true;
	return false;
}

void pipeline_reset(struct pipeline *p)
{
	p->in_txn = false;
	while (p->held)
		held_drop(p, p->held);
	pgo_decoder_reset(&p->dec);
	textplugin_reset(&p->text_dec);
	relcache_clear(&p->rels);
}

void pipeline_lost(struct pipeline *p)
{
	delivery_lost(p->d);
	pipeline_reset(p);
}

void pipeline_free(struct pipeline *p)
{
	pipeline_reset(p);
	pgo_decoder_free(&p->dec);
	textplugin_free(&p->text_dec);
	relcache_free(&p->rels);
	free(p->colbuf);
	free(p->relbuf);
	free(p->textvals);
	free(p->textoffs);
	free(p->types);
	buf_free(&p->text);
}

/* ---- the stream's consumer ---- */

int pipeline_tick(void *ctx, struct err *e)
{
	struct pipeline *p = ctx;
	/* The request stays until the files are reopened: a full disk that
	 * fails the flush before the reopen fails this tick, and the next
	 * one after the reconnect tries again. */
	if (p->reopen_flag && *p->reopen_flag) {
		if (delivery_reopen(p->d, e) < 0)
			return -1;
		*p->reopen_flag = 0;
	}
	return delivery_tick(p->d, mono_now_us(), e);
}

int pipeline_sync(void *ctx, struct err *e)
{
	struct pipeline *p = ctx;
	return delivery_sync(p->d, e);
}

bool pipeline_idle(void *ctx)
{
	struct pipeline *p = ctx;
	return !p->in_txn && !p->preparing;
}

int pipeline_on_keepalive(void *ctx, uint64_t wal_end, int64_t send_time,
			  bool reply_requested, struct err *e)
{
	struct pipeline *p = ctx;
	/* The server has sent everything before wal_end: with nothing of ours
	 * in the middle, it is all handled, so a quiet slot moves on. */
	if (pipeline_idle(p))
		delivery_idle(p->d, wal_end);
	return lh_keepalive(p->lh, wal_end, send_time, reply_requested, e);
}

int pipeline_finish(struct pipeline *p, struct err *e)
{
	return delivery_stop(p->d, e);
}

struct stream_consumer pipeline_consumer(struct pipeline *p)
{
	return (struct stream_consumer){
		.data = pipeline_on_data,
		.keepalive = pipeline_on_keepalive,
		.tick = pipeline_tick,
		.sync = pipeline_sync,
		.idle = pipeline_idle,
		.ctx = p,
	};
}

static int txn_open(struct pipeline *p, const struct txn *tx, struct err *e)
{
	if (p->in_txn)
		return err_set(e, "Begin of xid %u inside transaction %u",
			       tx->xid, p->txn.xid);
	p->txn = *tx;
	/* The GID points into a message buffer that the next message frees. */
	if (tx->gid) {
		snprintf(p->gid, sizeof p->gid, "%s", tx->gid);
		p->txn.gid = p->gid;
	}
	pgtime_format(p->txn.commit_time, p->txn.commit_time_text);
	p->txn.json_tail_len = 0;
	p->in_txn = true;
	return delivery_begin(p->d, &p->txn, e);
}

/* The transaction's hooks all returned: the delivery module takes it from
 * here. */
static int txn_done(struct pipeline *p, uint64_t end_lsn, struct err *e)
{
	p->txn.end_lsn = end_lsn;
	p->in_txn = false;
	if (delivery_end(p->d, &p->txn, e) < 0)
		return -1;
	stats_add(p->stats, STAT_TRANSACTIONS, 1);
	relcache_prune(&p->rels);
	return 0;
}

static int txn_commit(struct pipeline *p, uint64_t commit_lsn, uint64_t end_lsn,
		      int64_t commit_time, struct err *e)
{
	if (!p->in_txn)
		return err_set(e, "Commit outside a transaction");
	p->txn.commit_lsn = commit_lsn;
	p->txn.end_lsn = end_lsn;
	if (commit_time && commit_time != p->txn.commit_time) {
		p->txn.commit_time = commit_time;
		pgtime_format(commit_time, p->txn.commit_time_text);
		p->txn.json_tail_len = 0;
	}
	if (lh_commit(p->lh, &p->txn, e) < 0)
		return -1;
	return txn_done(p, end_lsn, e);
}

/* A Type message: a domain names its base type, which walhook may know. */
static void on_type(struct pipeline *p, const struct pgo_msg *m)
{
	const char *name = m->type.typname;
	uint32_t base = *m->type.nspname ? 0 : typename_oid(name, strlen(name));
	if (!base)
		return;
	for (size_t i = 0; i < p->ntypes; i++) {
		if (p->types[i].typoid == m->type.typoid) {
			p->types[i].base = base;
			return;
		}
	}
	p->types =
	    grow(p->types, &p->types_cap, p->ntypes + 1, sizeof *p->types);
	p->types[p->ntypes].typoid = m->type.typoid;
	p->types[p->ntypes++].base = base;
}

static uint32_t base_type(const struct pipeline *p, uint32_t typoid)
{
	for (size_t i = 0; i < p->ntypes; i++)
		if (p->types[i].typoid == typoid)
			return p->types[i].base;
	return typoid;
}

static int on_relation(struct pipeline *p, struct relcache *rels,
		       const struct pgo_msg *m)
{
	uint16_t n = m->relation.ncols;
	p->colbuf = grow(p->colbuf, &p->colbuf_cap, n, sizeof *p->colbuf);
	for (uint16_t i = 0; i < n; i++) {
		const struct pgo_column *c = &m->relation.cols[i];
		p->colbuf[i] = (struct rel_column){
			.name = c->name,
			.typoid = base_type(p, c->typoid),
			.typmod = c->typmod,
			.key = c->flags & PGO_COLUMN_KEY,
		};
	}
	relcache_put(rels, m->relation.relid, m->relation.nspname,
		     m->relation.relname, m->relation.replident, n, p->colbuf);
	return 0;
}

/* A relation by OID: a streamed block's own description first. */
static const struct rel *known_rel(struct pipeline *p,
				   const struct relcache *local, uint32_t relid,
				   uint64_t lsn, struct err *e)
{
	const struct rel *r = local ? relcache_get(local, relid) : NULL;
	if (!r)
		r = relcache_get(&p->rels, relid);
	if (!r) {
		char s[LSN_STRLEN];
		err_set(
		    e,
		    "change at %s for relation OID %u, which the server never described",
		    lsn_format(lsn, s), relid);
	}
	return r;
}

static bool tuple_fits(const struct rel *r, const struct pgo_tuple *t,
		       uint64_t lsn, struct err *e)
{
	if (t->ncols == r->ncols)
		return true;
	char s[LSN_STRLEN];
	err_set(e, "change at %s for %s.%s has %u columns; the relation has %u",
		lsn_format(lsn, s), r->nspname, r->relname, t->ncols, r->ncols);
	return false;
}

/* Converts the binary values (pgoutput's binary = true) of one tuple into
 * the text the server would have sent, appending to p->text; *out points
 * to the converted copy (at slot `at` of p->textvals, which the caller has
 * grown), or stays vals when nothing was binary. Values of types walhook
 * does not know stay binary (raw bytes). */
static int textify(struct pipeline *p, const struct rel *r,
		   const struct datum *vals, size_t at,
		   const struct datum **out, uint64_t lsn, struct err *e)
{
	*out = vals;
	uint16_t n = r->ncols, i;
	for (i = 0; i < n && vals[i].kind != DATUM_BINARY; i++)
		;
	if (i == n)
		return 0;
	struct datum *t = p->textvals + at;
	for (i = 0; i < n; i++) {
		t[i] = vals[i];
		p->textoffs[at + i] = SIZE_MAX;
		if (vals[i].kind != DATUM_BINARY)
			continue;
		char err[160] = "";
		size_t off = p->text.len;
		if (binary_to_text(r->cols[i].typoid, vals[i].data, vals[i].len,
				   &p->text, err, sizeof err)) {
			t[i].kind = DATUM_TEXT;
			t[i].len = (uint32_t)(p->text.len - off);
			p->textoffs[at + i] = off;
		} else if (*err) {
			char s[LSN_STRLEN];
			return err_set(e,
				       "change at %s for %s.%s: column %s: %s",
				       lsn_format(lsn, s), r->nspname,
				       r->relname, r->cols[i].name, err);
		}
	}
	*out = t;
	return 0;
}

/* Points the converted values at their text, once p->text has stopped
 * growing for this change. */
static void textify_done(struct pipeline *p, const struct datum *vals,
			 const struct datum *converted, size_t at, size_t n)
{
	if (!converted || converted == vals)
		return;
	for (size_t i = at; i < at + n; i++)
		if (p->textoffs[i] != SIZE_MAX)
			p->textvals[i].data = p->text.data + p->textoffs[i];
}

static int deliver_change(struct pipeline *p, const struct relcache *local,
			  const struct pgo_msg *m, uint64_t lsn, struct err *e)
{
	const struct rel *r = known_rel(p, local, m->change.relid, lsn, e);
	if (!r)
		return -1;
	struct change c = {
		.op = m->kind == PGO_INSERT   ? CHANGE_INSERT
		      : m->kind == PGO_UPDATE ? CHANGE_UPDATE
					      : CHANGE_DELETE,
		.rel = r,
		.lsn = lsn,
		.txn = &p->txn,
		.old_kind = m->change.old_kind,
	};
	/* Room for both tuples before either is converted: the new tuple's
	 * converted copy must not move while the old one is made. */
	buf_reset(&p->text);
	p->textvals = grow(p->textvals, &p->textvals_cap, 2 * (size_t)r->ncols,
			   sizeof *p->textvals);
	p->textoffs = grow(p->textoffs, &p->textoffs_cap, 2 * (size_t)r->ncols,
			   sizeof *p->textoffs);
	if (m->kind != PGO_DELETE &&
	    (!tuple_fits(r, &m->change.new, lsn, e) ||
	     textify(p, r, m->change.new.cols, 0, &c.newv, lsn, e) < 0))
		return -1;
	if (m->change.old_kind &&
	    (!tuple_fits(r, &m->change.old, lsn, e) ||
	     textify(p, r, m->change.old.cols, r->ncols, &c.oldv, lsn, e) < 0))
		return -1;
	textify_done(p, m->change.new.cols, c.newv, 0, r->ncols);
	textify_done(p, m->change.old.cols, c.oldv, r->ncols, r->ncols);
	stats_add(p->stats,
		  m->kind == PGO_INSERT	  ? STAT_INSERTS
		  : m->kind == PGO_UPDATE ? STAT_UPDATES
					  : STAT_DELETES,
		  1);
	return lh_change(p->lh, &c, e);
}

static int deliver_truncate(struct pipeline *p, const struct relcache *local,
			    const struct pgo_msg *m, uint64_t lsn,
			    struct err *e)
{
	uint32_t n = m->truncate.nrels;
	p->relbuf = grow(p->relbuf, &p->relbuf_cap, n, sizeof *p->relbuf);
	for (uint32_t i = 0; i < n; i++)
		if (!(p->relbuf[i] =
			  known_rel(p, local, m->truncate.relids[i], lsn, e)))
			return -1;
	struct truncate t = {
		.txn = &p->txn,
		.lsn = lsn,
		.nrels = n,
		.rels = p->relbuf,
		.cascade = m->truncate.options & PGO_TRUNCATE_CASCADE,
		.restart_identity =
		    m->truncate.options & PGO_TRUNCATE_RESTART_IDENTITY,
	};
	stats_add(p->stats, STAT_TRUNCATES, 1);
	return lh_truncate(p->lh, &t, e);
}

static int deliver_message(struct pipeline *p, const struct pgo_msg *m,
			   struct err *e)
{
	bool transactional = m->message.flags & PGO_MESSAGE_TRANSACTIONAL;
	struct message msg = {
		.txn = transactional ? &p->txn : NULL,
		.lsn = m->message.lsn,
		.prefix = m->message.prefix,
		.content = m->message.content,
		.len = m->message.len,
		.transactional = transactional,
	};
	stats_add(p->stats, STAT_MESSAGES, 1);
	return lh_message(p->lh, &msg, e);
}

/* Hands one decoded row-level message of the open transaction on. */
static int deliver(struct pipeline *p, const struct relcache *local,
		   const struct pgo_msg *m, uint64_t lsn, struct err *e)
{
	switch (m->kind) {
	case PGO_INSERT:
	case PGO_UPDATE:
	case PGO_DELETE: return deliver_change(p, local, m, lsn, e);
	case PGO_TRUNCATE: return deliver_truncate(p, local, m, lsn, e);
	case PGO_MESSAGE: return deliver_message(p, m, e);
	default:
		return err_set(e, "%s inside a transaction's changes",
			       pgo_kind_name(m->kind));
	}
}

/* Opens tx and delivers a held-back transaction's changes into it; the
 * caller ends it (commit, or prepare for a live two-phase script). */
static int replay_held(struct pipeline *p, struct held_xact *x,
		       const struct txn *tx, struct err *e)
{
	if (txn_open(p, tx, e) < 0 || lh_begin(p->lh, &p->txn, e) < 0)
		return -1;
	struct pgo_decoder dec;
	struct spool_reader rd;
	struct spool_entry ent;
	int rc;
	pgo_decoder_init(&dec);
	dec.in_stream = x->streamed;
	spool_read_begin(&x->spool, &rd);
	while ((rc = spool_next(&rd, &ent, e)) > 0) {
		struct pgo_msg m;
		char s[LSN_STRLEN];
		if (pgo_decode(&dec, ent.data, ent.len, &m) < 0) {
			rc = err_set(e, "decoding spooled message at %s: %s",
				     lsn_format(ent.lsn, s), dec.err);
			break;
		}
		if (m.kind == PGO_RELATION)
			rc = on_relation(p, &x->rels, &m);
		else if (m.kind == PGO_TYPE || held_aborted(x, ent.subxid))
			rc = 0;
		else
			rc = deliver(p, &x->rels, &m, ent.lsn, e);
		if (rc < 0)
			break;
	}
	spool_read_end(&rd);
	pgo_decoder_free(&dec);
	return rc < 0 ? -1 : 0;
}

static int replay_committed(struct pipeline *p, struct held_xact *x,
			    const struct txn *tx, struct err *e)
{
	if (replay_held(p, x, tx, e) < 0)
		return -1;
	return txn_commit(p, tx->commit_lsn, tx->end_lsn, tx->commit_time, e);
}

/* ---- pgoutput ---- */

static int on_begin(struct pipeline *p, const struct pgo_msg *m, struct err *e)
{
	/* -E: a transaction that commits at or past the end position is the
	 * first record past it; stop before any of it is handled. */
	if (p->endpos && m->begin.final_lsn >= p->endpos)
		return STREAM_STOP;
	struct txn tx = {
		.xid = m->begin.xid,
		.final_lsn = m->begin.final_lsn,
		.commit_time = m->begin.commit_time,
	};
	if (txn_open(p, &tx, e) < 0)
		return -1;
	return lh_begin(p->lh, &p->txn, e);
}

static int on_message(struct pipeline *p, const struct pgo_msg *m,
		      struct err *e)
{
	bool transactional = m->message.flags & PGO_MESSAGE_TRANSACTIONAL;
	if (transactional && !p->in_txn)
		return err_set(e,
			       "transactional Message outside a transaction");
	/* -E: a message outside a transaction is a record of its own. */
	if (!p->in_txn && p->endpos && m->message.lsn >= p->endpos)
		return STREAM_STOP;
	/* walhook's own heartbeats only make WAL flow. */
	bool heartbeat = strcmp(m->message.prefix, HEARTBEAT_PREFIX) == 0;
	if (!heartbeat && deliver_message(p, m, e) < 0)
		return -1;
	/* A message outside any transaction is a unit of its own. */
	return p->in_txn ? 0 : delivery_event(p->d, m->message.lsn, e);
}

/* A message of a transaction held back (streamed or being prepared). */
static int hold_message(struct pipeline *p, struct held_xact *x,
			const struct pgo_msg *m, uint64_t lsn,
			const uint8_t *data, size_t len, struct err *e)
{
	/* Outside a streamed block a description counts for every later
	 * transaction too: the server will not send it again. Inside one it
	 * counts once the transaction commits or is prepared. */
	if (m->kind == PGO_RELATION)
		on_relation(p, x->streamed ? &x->rels : &p->rels, m);
	return spool_add(&x->spool, lsn, m->has_xid ? m->xid : x->xid, data,
			 (uint32_t)len, e);
}

/* A row-level message inside a streamed block, for a script that sees
 * streamed changes as they come. */
static int live_stream_message(struct pipeline *p, struct held_xact *x,
			       const struct pgo_msg *m, uint64_t lsn,
			       struct err *e)
{
	if (m->kind == PGO_RELATION)
		return on_relation(p, &x->rels, m);
	if (m->kind == PGO_TYPE)
		return 0;
	struct txn saved = p->txn;
	bool was_open = p->in_txn;
	p->txn = (struct txn){ .xid = x->xid };
	int rc = deliver(p, &x->rels, m, lsn, e);
	p->txn = saved;
	p->in_txn = was_open;
	return rc;
}

static int on_stream_start(struct pipeline *p, const struct pgo_msg *m,
			   uint64_t lsn, struct err *e)
{
	uint32_t xid = m->stream_start.xid;
	struct held_xact *x = held_find(p, xid);
	if (!x)
		x = held_new(p, xid, true, lsn);
	p->streaming = x;
	return p->live_streams
		   ? lh_stream_start(p->lh, xid, m->stream_start.first_segment,
				     e)
		   : 0;
}

static int on_stream_stop(struct pipeline *p, struct err *e)
{
	p->streaming = NULL;
	return p->live_streams ? lh_stream_stop(p->lh, e) : 0;
}

static int on_stream_commit(struct pipeline *p, const struct pgo_msg *m,
			    struct err *e)
{
	struct held_xact *x = held_find(p, m->stream_commit.xid);
	if (!x)
		return err_set(e,
			       "Stream Commit of xid %u, which never streamed",
			       m->stream_commit.xid);
	if (p->endpos && m->stream_commit.commit_lsn >= p->endpos)
		return STREAM_STOP;
	struct txn tx = {
		.xid = x->xid,
		.final_lsn = m->stream_commit.commit_lsn,
		.commit_lsn = m->stream_commit.commit_lsn,
		.end_lsn = m->stream_commit.end_lsn,
		.commit_time = m->stream_commit.commit_time,
	};
	int rc;
	if (p->live_streams) {
		pgtime_format(tx.commit_time, tx.commit_time_text);
		rc = lh_stream_commit(p->lh, &tx, e) < 0
			 ? -1
			 : delivery_end(p->d, &tx, e);
	} else {
		rc = replay_committed(p, x, &tx, e);
	}
	/* Once the transaction commits, the server counts the descriptions
	 * it sent inside the stream as sent for every later transaction. */
	relcache_adopt(&p->rels, &x->rels);
	held_drop(p, x);
	return rc;
}

static int on_stream_abort(struct pipeline *p, const struct pgo_msg *m,
			   struct err *e)
{
	uint32_t xid = m->stream_abort.xid, subxid = m->stream_abort.subxid;
	struct held_xact *x = held_find(p, xid);
	if (p->live_streams && lh_stream_abort(p->lh, xid, subxid, e) < 0)
		return -1;
	if (!x)
		return 0;
	if (subxid == xid) {
		held_drop(p, x);
		return 0;
	}
	x->aborted = grow(x->aborted, &x->aborted_cap, x->naborted + 1,
			  sizeof *x->aborted);
	x->aborted[x->naborted++] = subxid;
	return 0;
}

static struct txn prepare_txn(const struct pgo_msg *m)
{
	return (struct txn){
		.xid = m->prepare.xid,
		.final_lsn = m->prepare.lsn,
		.commit_lsn = m->prepare.lsn,
		.end_lsn = m->prepare.end_lsn,
		.commit_time = m->prepare.time,
		.gid = m->prepare.gid,
	};
}

static int on_begin_prepare(struct pipeline *p, const struct pgo_msg *m,
			    uint64_t lsn, struct err *e)
{
	if (p->live_prepares) {
		struct txn tx = prepare_txn(m);
		tx.commit_lsn = tx.end_lsn = 0;
		if (txn_open(p, &tx, e) < 0)
			return -1;
		return lh_begin(p->lh, &p->txn, e);
	}
	struct held_xact *x = held_new(p, m->prepare.xid, false, lsn);
	x->gid = xstrdup(m->prepare.gid);
	p->preparing = x;
	return 0;
}

/* Prepare, and Stream Prepare of a streamed transaction. */
static int on_prepare(struct pipeline *p, const struct pgo_msg *m,
		      struct err *e)
{
	struct txn tx = prepare_txn(m);
	if (p->live_prepares) {
		/* A streamed transaction the script did not see live is
		 * delivered now, as any prepared one. */
		struct held_xact *x =
		    m->kind == PGO_STREAM_PREPARE ? held_find(p, tx.xid) : NULL;
		if (x && !p->live_streams && replay_held(p, x, &tx, e) < 0)
			return -1;
		if (x) {
			relcache_adopt(&p->rels, &x->rels);
			held_drop(p, x);
		}
		if (!p->in_txn && txn_open(p, &tx, e) < 0)
			return -1;
		p->txn.commit_lsn = tx.commit_lsn;
		p->txn.end_lsn = tx.end_lsn;
		if (lh_prepare(p->lh, &p->txn, e) < 0)
			return -1;
		return txn_done(p, tx.end_lsn, e);
	}
	struct held_xact *x =
	    m->kind == PGO_PREPARE ? p->preparing : held_find(p, tx.xid);
	if (!x || x->xid != tx.xid)
		return err_set(e, "%s of xid %u, which was not begun",
			       pgo_kind_name(m->kind), tx.xid);
	if (!x->gid)
		x->gid = xstrdup(tx.gid);
	relcache_adopt(&p->rels, &x->rels);
	x->prepared = true;
	p->preparing = NULL;
	/* The server skips on a restart a PREPARE that starts before the
	 * confirmed position: nothing from it on is confirmed until the
	 * transaction has been delivered at its COMMIT PREPARED. */
	delivery_hold(p->d, x->xid, tx.commit_lsn);
	return delivery_event(p->d, tx.end_lsn, e);
}

static int on_commit_prepared(struct pipeline *p, const struct pgo_msg *m,
			      struct err *e)
{
	struct txn tx = prepare_txn(m);
	if (p->endpos && tx.commit_lsn >= p->endpos)
		return STREAM_STOP;
	if (p->live_prepares) {
		pgtime_format(tx.commit_time, tx.commit_time_text);
		if (lh_commit_prepared(p->lh, &tx, e) < 0)
			return -1;
		return delivery_end(p->d, &tx, e);
	}
	struct held_xact *x = held_find(p, tx.xid);
	if (!x || !x->prepared) {
		/* Prepared before the position this connection resumed from,
		 * so delivered before (or before this slot decoded two-phase,
		 * or handled at its PREPARE by a live script): the server sends
		 * no PREPARE, and whatever it streamed of it again is not for
		 * delivery. */
		if (x)
			held_drop(p, x);
		return delivery_event(p->d, tx.end_lsn, e);
	}
	tx.final_lsn = tx.commit_lsn;
	int rc = replay_committed(p, x, &tx, e);
	/* Delivered: its hold goes, with whatever the sinks still hold of it
	 * marked below the hold. */
	if (rc == 0)
		delivery_release(p->d, x->xid);
	held_drop(p, x);
	return rc;
}

static int on_rollback_prepared(struct pipeline *p, const struct pgo_msg *m,
				struct err *e)
{
	struct txn tx = {
		.xid = m->rollback_prepared.xid,
		.end_lsn = m->rollback_prepared.rollback_end_lsn,
		.commit_time = m->rollback_prepared.rollback_time,
		.gid = m->rollback_prepared.gid,
	};
	if (p->live_prepares) {
		pgtime_format(tx.commit_time, tx.commit_time_text);
		if (lh_rollback_prepared(p->lh, &tx, e) < 0)
			return -1;
		return delivery_end(p->d, &tx, e);
	}
	struct held_xact *x = held_find(p, tx.xid);
	if (x) {
		delivery_release(p->d, x->xid);
		held_drop(p, x);
	}
	return delivery_event(p->d, tx.end_lsn, e);
}

/* A Relation, Type or row-level message: where it goes depends on the
 * block it came in. */
static int on_row_level(struct pipeline *p, const struct pgo_msg *m,
			uint64_t lsn, const uint8_t *data, size_t len,
			struct err *e)
{
	struct held_xact *x = m->has_xid ? p->streaming : p->preparing;
	if (m->has_xid && !x)
		return err_set(e, "%s with an xid outside a streamed block",
			       pgo_kind_name(m->kind));
	bool transactional = m->kind != PGO_MESSAGE ||
			     (m->message.flags & PGO_MESSAGE_TRANSACTIONAL);
	if (x && transactional) {
		if (m->has_xid && p->live_streams)
			return live_stream_message(p, x, m, lsn, e);
		return hold_message(p, x, m, lsn, data, len, e);
	}
	switch (m->kind) {
	case PGO_RELATION: return on_relation(p, &p->rels, m);
	case PGO_TYPE: on_type(p, m); return 0;
	case PGO_MESSAGE: return on_message(p, m, e);
	default:
		if (!p->in_txn) {
			char at[LSN_STRLEN];
			return err_set(e, "%s outside a transaction, at %s",
				       pgo_kind_name(m->kind),
				       lsn_format(lsn, at));
		}
		return deliver(p, NULL, m, lsn, e);
	}
}

static int dispatch(struct pipeline *p, const struct pgo_msg *m, uint64_t lsn,
		    const uint8_t *data, size_t len, struct err *e)
{
	switch (m->kind) {
	case PGO_BEGIN: return on_begin(p, m, e);
	case PGO_COMMIT:
		return txn_commit(p, m->commit.commit_lsn, m->commit.end_lsn,
				  m->commit.commit_time, e);
	case PGO_ORIGIN:
		snprintf(p->origin, sizeof p->origin, "%s", m->origin.name);
		p->txn.origin = p->origin;
		return 0;
	case PGO_STREAM_START: return on_stream_start(p, m, lsn, e);
	case PGO_STREAM_STOP: return on_stream_stop(p, e);
	case PGO_STREAM_COMMIT: return on_stream_commit(p, m, e);
	case PGO_STREAM_ABORT: return on_stream_abort(p, m, e);
	case PGO_BEGIN_PREPARE: return on_begin_prepare(p, m, lsn, e);
	case PGO_PREPARE:
	case PGO_STREAM_PREPARE: return on_prepare(p, m, e);
	case PGO_COMMIT_PREPARED: return on_commit_prepared(p, m, e);
	case PGO_ROLLBACK_PREPARED: return on_rollback_prepared(p, m, e);
	default: return on_row_level(p, m, lsn, data, len, e);
	}
}

/* ---- wal2json and test_decoding ---- */

/* handle_begin, late: a text plugin's empty transactions (DDL, skipped
 * rows) reach no hook, as pgoutput does not send them at all. */
static int text_begun(struct pipeline *p, uint64_t lsn, struct err *e)
{
	if (p->txn_begun)
		return 0;
	/* test_decoding's BEGIN carries no LSN: the first change tells. */
	if (p->endpos && lsn >= p->endpos) {
		p->endpos_hit = true;
		return err_set(e, "end position reached");
	}
	p->txn_begun = true;
	return lh_begin(p->lh, &p->txn, e);
}

static int text_message(struct pipeline *p, const struct event *ev,
			struct err *e)
{
	/* test_decoding may send a transactional message with no BEGIN
	 * around it: then it stands alone, as a non-transactional one. */
	bool inside = ev->message.transactional && p->in_txn;
	if (inside && text_begun(p, ev->lsn, e) < 0)
		return -1;
	if (!inside && p->endpos && ev->lsn >= p->endpos) {
		p->endpos_hit = true;
		return err_set(e, "end position reached");
	}
	struct message msg = {
		.txn = inside ? &p->txn : NULL,
		.lsn = ev->lsn,
		.prefix = ev->message.prefix,
		.content = ev->message.content,
		.len = ev->message.len,
		.transactional = ev->message.transactional,
	};
	if (strcmp(msg.prefix, HEARTBEAT_PREFIX) != 0) {
		stats_add(p->stats, STAT_MESSAGES, 1);
		if (lh_message(p->lh, &msg, e) < 0)
			return -1;
	}
	return inside ? 0 : delivery_event(p->d, ev->lsn, e);
}

/* Whether an update left its key columns as they were. */
static bool same_key(const struct rel *r, const struct datum *old,
		     const struct datum *new)
{
	for (uint16_t i = 0; i < r->ncols; i++) {
		if (!r->cols[i].key)
			continue;
		if (old[i].kind != new[i].kind || old[i].len != new[i].len ||
		    (old[i].len &&
		     memcmp(old[i].data, new[i].data, old[i].len)))
			return false;
	}
	return true;
}

static int on_event(void *ctx, const struct event *ev, struct err *e)
{
	struct pipeline *p = ctx;
	switch (ev->kind) {
	case EVENT_BEGIN: {
		uint64_t end = ev->begin.end_lsn;
		if (p->endpos && ((end && end > p->endpos) ||
				  (!end && ev->lsn && ev->lsn >= p->endpos))) {
			p->endpos_hit = true;
			return err_set(e, "end position reached");
		}
		struct txn tx = { .xid = ev->begin.xid,
				  .commit_time = ev->begin.commit_time };
		p->txn_begun = false;
		return txn_open(p, &tx, e);
	}
	case EVENT_CHANGE: {
		if (!p->in_txn)
			return err_set(e, "a change outside a transaction");
		if (text_begun(p, ev->lsn, e) < 0)
			return -1;
		struct change c = ev->change;
		c.txn = &p->txn;
		/* wal2json names the key on every update; pgoutput sends an old
		 * key only when the update changed it. Say it as pgoutput does.
		 */
		if (c.op == CHANGE_UPDATE && c.old_kind == 'K' && c.oldv &&
		    same_key(c.rel, c.oldv, c.newv))
			c.oldv = NULL;
		stats_add(p->stats,
			  c.op == CHANGE_INSERT	  ? STAT_INSERTS
			  : c.op == CHANGE_UPDATE ? STAT_UPDATES
						  : STAT_DELETES,
			  1);
		return lh_change(p->lh, &c, e);
	}
	case EVENT_TRUNCATE: {
		if (!p->in_txn)
			return err_set(e, "a truncate outside a transaction");
		if (text_begun(p, ev->lsn, e) < 0)
			return -1;
		struct truncate t = {
			.txn = &p->txn,
			.lsn = ev->lsn,
			.nrels = ev->truncate.nrels,
			.rels = ev->truncate.rels,
			.cascade = ev->truncate.cascade,
			.restart_identity = ev->truncate.restart_identity,
		};
		stats_add(p->stats, STAT_TRUNCATES, 1);
		return lh_truncate(p->lh, &t, e);
	}
	case EVENT_MESSAGE: return text_message(p, ev, e);
	case EVENT_COMMIT:
		if (!p->in_txn)
			return err_set(e, "a commit outside a transaction");
		if (!p->txn_begun) {
			/* Nothing in it reached a hook: just move on. */
			p->in_txn = false;
			p->txn.end_lsn = ev->commit.end_lsn;
			return delivery_end(p->d, &p->txn, e);
		}
		return txn_commit(p, ev->commit.commit_lsn, ev->commit.end_lsn,
				  ev->commit.commit_time, e);
	}
	return err_set(e, "unknown event 0x%02x", (unsigned)ev->kind);
}

/* Payloads of plugins walhook does not decode: each one is a unit of its
 * own. Confirming a position inside a transaction is safe: the server
 * resends any transaction whose commit lies past the confirmed position. */
static int on_raw(struct pipeline *p, uint64_t lsn, const uint8_t *data,
		  size_t len, struct err *e)
{
	if (p->endpos && lsn > p->endpos)
		return STREAM_STOP;
	if (lh_data(p->lh, data, len, lsn, e) < 0)
		return -1;
	return delivery_event(p->d, lsn, e);
}

int pipeline_on_data(void *ctx, uint64_t lsn, uint64_t wal_end,
		     int64_t send_time, const uint8_t *data, size_t len,
		     struct err *e)
{
	struct pipeline *p = ctx;
	(void)wal_end;
	(void)send_time;
	if (p->decoder == PLUGIN_RAW)
		return on_raw(p, lsn, data, len, e);
	if (p->decoder != PLUGIN_PGOUTPUT) {
		if (textplugin_decode(&p->text_dec, data, len, lsn, on_event, p,
				      e) == 0)
			return 0;
		return p->endpos_hit ? STREAM_STOP : -1;
	}
	struct pgo_msg m;
	char s[LSN_STRLEN];
	if (pgo_decode(&p->dec, data, len, &m) < 0)
		return err_set(e, "decoding pgoutput message at %s: %s",
			       lsn_format(lsn, s), p->dec.err);
	int rc = dispatch(p, &m, lsn, data, len, e);
	if (rc < 0 && m.kind != PGO_INSERT && m.kind != PGO_UPDATE &&
	    m.kind != PGO_DELETE)
		err_prefix(e, "handling %s at %s", pgo_kind_name(m.kind),
			   lsn_format(lsn, s));
	return rc;
}

/* ---- the initial snapshot ---- */

int pipeline_snapshot_begin(struct pipeline *p, uint64_t consistent_point,
			    struct err *e)
{
	struct txn tx = { .final_lsn = consistent_point,
			  .commit_time = pgtime_now() };
	if (txn_open(p, &tx, e) < 0)
		return -1;
	return lh_begin(p->lh, &p->txn, e);
}

int pipeline_read_row(struct pipeline *p, const struct rel *r,
		      const struct datum *vals, struct err *e)
{
	struct change c = {
		.op = CHANGE_READ,
		.rel = r,
		.lsn = p->txn.final_lsn,
		.txn = &p->txn,
		.newv = vals,
	};
	stats_add(p->stats, STAT_READS, 1);
	return lh_change(p->lh, &c, e);
}

int pipeline_snapshot_end(struct pipeline *p, uint64_t consistent_point,
			  struct err *e)
{
	return txn_commit(p, consistent_point, consistent_point, 0, e);
}
