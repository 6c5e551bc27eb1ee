/* messages — pgoutput's messages of an ordinary transaction: Begin,
 * Commit, Origin, Relation and Type descriptions, binary values made the
 * server's text, and the row-level messages handed to the script. */
#include <stdio.h>
#include <string.h>

#include "decode/binary.h"
#include "decode/typename.h"
#include "pipeline/steps.h"

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
	    pl_grow(p->types, &p->types_cap, p->ntypes + 1, sizeof *p->types);
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

int pl_on_relation(struct pipeline *p, struct relcache *rels,
		   const struct pgo_msg *m)
{
	uint16_t n = m->relation.ncols;
	p->colbuf = pl_grow(p->colbuf, &p->colbuf_cap, n, sizeof *p->colbuf);
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
	p->textvals = pl_grow(p->textvals, &p->textvals_cap,
			      2 * (size_t)r->ncols, sizeof *p->textvals);
	p->textoffs = pl_grow(p->textoffs, &p->textoffs_cap,
			      2 * (size_t)r->ncols, sizeof *p->textoffs);
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
	pl_backfill_change(p, &c);
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
	p->relbuf = pl_grow(p->relbuf, &p->relbuf_cap, n, sizeof *p->relbuf);
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
	pl_backfill_truncate(p, &t);
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
	return pl_route_message(p, &msg, e);
}

/* A malformed walhook.ddl message (one emitted by hand) stops the stream:
 * passing it on as an ordinary message would hide a schema change. */
static int route_ddl(struct pipeline *p, const struct message *m, struct err *e)
{
	if (ddl_decode(&p->ddl, m->content, m->len, e) < 0) {
		char at[LSN_STRLEN];
		return err_prefix(e, "%s message at %s", DDL_PREFIX,
				  lsn_format(m->lsn, at));
	}
	p->ddl.txn = m->txn;
	p->ddl.lsn = m->lsn;
	return lh_ddl(p->lh, &p->ddl, e);
}

/* A signal is an operator's request, not data: one that cannot be met
 * is a line on stderr naming it, and the stream goes on. */
static int route_signal(struct pipeline *p, const struct message *m,
			struct err *e)
{
	struct backfill_request *r = &p->signal.req;
	int rc = signal_decode(&p->signal, m->content, m->len, e);
	if (rc < 0) {
		rc = BACKFILL_REFUSED;
	} else if (!p->backfills) {
		err_set(e, "no backfill can run here (a replay)");
		rc = BACKFILL_REFUSED;
	} else {
		r->lsn = m->lsn;
		r->commit_lsn = m->txn ? m->txn->final_lsn : m->lsn;
		rc = p->backfills(p->backfills_ctx, p->signal.action, r, e);
	}
	if (rc != BACKFILL_REFUSED)
		return rc;
	char at[LSN_STRLEN];
	fprintf(stderr, "walhook: %s message at %s refused: %s\n",
		SIGNAL_PREFIX, lsn_format(m->lsn, at), e->msg);
	return 0;
}

int pl_route_message(struct pipeline *p, const struct message *m, struct err *e)
{
	if (strcmp(m->prefix, HEARTBEAT_PREFIX) == 0)
		return 0;
	if (strcmp(m->prefix, DDL_PREFIX) == 0)
		return route_ddl(p, m, e);
	if (strcmp(m->prefix, BACKFILL_PREFIX) == 0)
		return pl_backfill_mark(p, m, e);
	if (strcmp(m->prefix, SIGNAL_PREFIX) == 0)
		return route_signal(p, m, e);
	stats_add(p->stats, STAT_MESSAGES, 1);
	return lh_message(p->lh, m, e);
}

/* Hands one decoded row-level message of the open transaction on. */
int pl_deliver(struct pipeline *p, const struct relcache *local,
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

static int on_begin(struct pipeline *p, const struct pgo_msg *m, struct err *e)
{
	/* Stop before any of a transaction past -E is handled. */
	if (pl_starts_past(p, m->begin.final_lsn))
		return STREAM_STOP;
	struct txn tx = {
		.xid = m->begin.xid,
		.final_lsn = m->begin.final_lsn,
		.commit_time = m->begin.commit_time,
	};
	if (pl_txn_open(p, &tx, e) < 0)
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
	/* A message outside a transaction is a unit of its own. */
	if (!p->in_txn && pl_starts_past(p, m->message.lsn))
		return STREAM_STOP;
	if (deliver_message(p, m, e) < 0)
		return -1;
	/* A message outside any transaction is a unit of its own. */
	return p->in_txn ? 0 : delivery_event(p->d, m->message.lsn, e);
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
			return pl_live_stream_message(p, x, m, lsn, e);
		return pl_hold_message(p, x, m, lsn, data, len, e);
	}
	switch (m->kind) {
	case PGO_RELATION: return pl_on_relation(p, &p->rels, m);
	case PGO_TYPE: on_type(p, m); return 0;
	case PGO_MESSAGE: return on_message(p, m, e);
	default:
		if (!p->in_txn) {
			char at[LSN_STRLEN];
			return err_set(e, "%s outside a transaction, at %s",
				       pgo_kind_name(m->kind),
				       lsn_format(lsn, at));
		}
		return pl_deliver(p, NULL, m, lsn, e);
	}
}

int pl_dispatch(struct pipeline *p, const struct pgo_msg *m, uint64_t lsn,
		const uint8_t *data, size_t len, struct err *e)
{
	switch (m->kind) {
	case PGO_BEGIN: return on_begin(p, m, e);
	case PGO_COMMIT:
		return pl_txn_commit(p, m->commit.commit_lsn, m->commit.end_lsn,
				     m->commit.commit_time, e);
	case PGO_ORIGIN:
		snprintf(p->origin, sizeof p->origin, "%s", m->origin.name);
		p->txn.origin = p->origin;
		return 0;
	case PGO_STREAM_START: return pl_on_stream_start(p, m, lsn, e);
	case PGO_STREAM_STOP: return pl_on_stream_stop(p, e);
	case PGO_STREAM_COMMIT: return pl_on_stream_commit(p, m, e);
	case PGO_STREAM_ABORT: return pl_on_stream_abort(p, m, e);
	case PGO_BEGIN_PREPARE: return pl_on_begin_prepare(p, m, lsn, e);
	case PGO_PREPARE:
	case PGO_STREAM_PREPARE: return pl_on_prepare(p, m, e);
	case PGO_COMMIT_PREPARED: return pl_on_commit_prepared(p, m, e);
	case PGO_ROLLBACK_PREPARED: return pl_on_rollback_prepared(p, m, e);
	default: return on_row_level(p, m, lsn, data, len, e);
	}
}
