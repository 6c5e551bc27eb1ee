#include "decode/wal2json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode/jsonlex.h"
#include "decode/textrow.h"
#include "decode/textstate.h"
#include "decode/wal2json_read.h"

/*
 * What wal2json prints, as this decoder reads it (seen on PostgreSQL 15
 * with wal2json 2.5; the unit tests hold real captures):
 *
 * Format 1: one JSON object per transaction, written at commit:
 *   {"xid":731,"nextlsn":"0/1554DC8","timestamp":"...","change":[...]}
 * each change {"kind":"insert|update|delete", "schema", "table",
 * "columnnames", "columntypes", "columntypeoids", "columnvalues",
 * "oldkeys":{"keynames","keytypes","keytypeoids","keyvalues"},
 * "pk":{"pknames","pktypes"}} or {"kind":"message", "transactional",
 * "prefix", "content"}. Format 1 has no truncates: 2.5 compiles its
 * truncate callback out, so a transaction that only truncated prints
 * {"xid":..,"change":[]} and becomes a Begin and a Commit with nothing
 * between. A non-transactional message comes alone in {"change":[...]}
 * with no xid, nextlsn or timestamp, and then 2.5 may print a stray comma
 * before it ("[,{") when the last transaction it decoded had changes.
 * The XLogData header of a format 1 payload carries the transaction's
 * first LSN in streaming (the end LSN only in the SQL functions), so only
 * "nextlsn" (include-lsn) gives a position that is safe to confirm.
 *
 * Format 2: one JSON object per record, {"action":"B|C|I|U|D|T|M", ...};
 * B and C carry "lsn" (the commit record's start) and "nextlsn" (its
 * end); a row carries "columns", "identity" and "pk" arrays of
 * {"name","type","typeoid","value"}. T names one table and no options.
 *
 * Both formats: numbers are bare JSON tokens of the type's text output
 * (NaN and infinities come out as null: a loss in 2.5), booleans are
 * true/false, bytea is the hex output without its "\x", an unchanged TOAST
 * column is left out of the row, and format_type()'s quoted type names
 * are copied verbatim, so "Odd Schema"."Odd Type" is not valid JSON (the
 * type-name reader accepts it). Old rows: format 2's "identity" of a
 * REPLICA IDENTITY FULL table lists every column, NULLs included; format
 * 1's "oldkeys" leaves NULL columns out.
 */

/* ---- both formats: the members of a change or record ---- */

struct rec {
	char action;	    /* B C I U D T M; 0 until told */
	const char *schema; /* NUL-terminated */
	const char *table;
	bool has_new, has_old, has_pk;
	/* format 1's parallel arrays: how many of each */
	size_t nnames, ntypes, noids, nvals;
	size_t knames, ktypes, koids, kvals;
	bool has_xid;
	uint32_t xid;
	bool has_time;
	int64_t time;
	bool has_lsn;
	uint64_t lsn;
	bool has_nextlsn;
	uint64_t nextlsn;
	bool has_transactional, transactional;
	const char *prefix; /* NUL-terminated */
	const char *content;
	size_t content_len;
};

#define KEY_IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)

/* Where a payload's events go. */
struct out {
	event_fn fn;
	void *ctx;
	struct err *e;
};

/* A member common to format 1 changes and format 2 records, or one
 * walhook has no use for, read whole. */
static int rec_member(struct wj *j, struct rec *r, const char *key, size_t klen)
{
	size_t n;
	bool isnull;
	if (KEY_IS("schema"))
		return wj_string(j, &r->schema, &n, true);
	if (KEY_IS("table"))
		return wj_string(j, &r->table, &n, true);
	if (KEY_IS("xid")) {
		if (wj_uint32(j, &r->xid, &isnull) < 0)
			return -1;
		r->has_xid = !isnull;
		return 0;
	}
	if (KEY_IS("timestamp")) {
		if (wj_time(j, &r->time, &isnull) < 0)
			return -1;
		r->has_time = !isnull;
		return 0;
	}
	if (KEY_IS("transactional")) {
		r->has_transactional = true;
		return wj_bool(j, &r->transactional);
	}
	if (KEY_IS("prefix"))
		return wj_string(j, &r->prefix, &n, true);
	if (KEY_IS("content"))
		return wj_string(j, &r->content, &r->content_len, false);
	return wj_skip(j);
}

/* Are the members a row change, truncate or message needs there? */
static int rec_check(struct wj *j, const struct rec *r, const char *open)
{
	struct tp_state *st = j->st;
	const char *missing = NULL;
	bool v2 = st->kind == TEXTPLUGIN_WAL2JSON_2;
	if (r->action == 'M') {
		if (!r->has_transactional)
			missing = "transactional";
		else if (!r->prefix)
			missing = "prefix";
		else if (!r->content)
			missing = "content";
		else if (r->content_len > UINT32_MAX)
			return tp_fail(st, open, j->e, "a message too long");
	} else if (!r->table) {
		missing = "table";
	} else if ((r->action == 'I' || r->action == 'U') && !r->has_new) {
		missing = v2 ? "columns" : "columnvalues";
	} else if (r->action == 'D' && !r->has_old) {
		missing = v2 ? "identity" : "oldkeys";
	}
	if (missing)
		return tp_fail(st, open, j->e, "%s without \"%s\"",
			       r->action == 'M' ? "a message" : "a change",
			       missing);
	return 0;
}

/* A checked row change, truncate or message of either format as an
 * event. */
static int rec_event(struct wj *j, struct rec *r, const char *open,
		     uint64_t lsn, struct event *ev)
{
	struct tp_state *st = j->st;
	const char *schema = r->schema ? r->schema : "";
	if (r->action == 'M') {
		ev->kind = EVENT_MESSAGE;
		ev->lsn = lsn;
		ev->message.prefix = r->prefix;
		ev->message.content = r->content;
		ev->message.len = (uint32_t)r->content_len;
		ev->message.transactional = r->transactional;
		return 0;
	}
	if (r->action == 'T') {
		textrow_truncate_rel(&st->row, 0, schema, r->table);
		textrow_truncate(&st->row, ev, 1, false, false, lsn);
		return 0;
	}
	struct textrow_in in = {
		.op = r->action,
		.schema = schema,
		.table = r->table,
		.newc = r->action != 'D' ? &st->newc : NULL,
		.oldc = r->has_old ? &st->oldc : NULL,
		.pkc = r->has_pk ? &st->pkc : NULL,
		.lsn = lsn,
	};
	char why[512];
	if (textrow_change(&st->row, &in, ev, why, sizeof why) < 0)
		return tp_fail(st, open, j->e, "%s", why);
	return 0;
}

/* ---- format 1 ---- */

enum field {
	F_NAME,
	F_TYPE,
	F_OID,
	F_VALUE
};

/* A format 1 array of names, types, type OIDs or values into l; *count
 * gets its length. */
static int w1_array(struct wj *j, struct tcols *l, enum field f, size_t *count,
		    const char *what)
{
	bool first = true;
	int rc;
	size_t i = 0;
	/* A key given twice would leave columns of the longer array without
	 * their name or value. */
	if (*count)
		return wj_fail(j, "an array given twice in one change (%s)",
			       what);
	if (wj_open(j, JSONLEX_ARRAY, what) < 0)
		return -1;
	while ((rc = wj_element(j, &first)) > 0) {
		struct tcol *c = tcols_at(l, i++);
		switch (f) {
		case F_NAME:
			rc = wj_string(j, &c->name, &c->name_len, true);
			break;
		case F_TYPE: rc = wj_typename(j, &c->type, &c->type_len); break;
		case F_OID:
			rc = wj_uint32(j, &c->typoid, NULL);
			c->has_oid = true;
			break;
		case F_VALUE:
			rc = wj_datum(j, &c->val);
			c->has_val = true;
			break;
		}
		if (rc < 0)
			return -1;
	}
	*count = i;
	return rc;
}

/* Format 1's "oldkeys" or "pk" object. */
static int w1_keys(struct wj *j, struct rec *r, bool pk)
{
	const char *key;
	size_t klen, npk = 0;
	bool first = true;
	int rc;
	if (wj_open(j, JSONLEX_OBJECT,
		    pk ? "'{' opening \"pk\"" : "'{' opening \"oldkeys\"") < 0)
		return -1;
	struct tcols *l = pk ? &j->st->pkc : &j->st->oldc;
	while ((rc = wj_member(j, &first, &key, &klen)) > 0) {
		if (pk && KEY_IS("pknames"))
			rc = w1_array(j, l, F_NAME, &npk,
				      "'[' opening \"pknames\"");
		else if (!pk && KEY_IS("keynames"))
			rc = w1_array(j, l, F_NAME, &r->knames,
				      "'[' opening \"keynames\"");
		else if (!pk && KEY_IS("keytypes"))
			rc = w1_array(j, l, F_TYPE, &r->ktypes,
				      "'[' opening \"keytypes\"");
		else if (!pk && KEY_IS("keytypeoids"))
			rc = w1_array(j, l, F_OID, &r->koids,
				      "'[' opening \"keytypeoids\"");
		else if (!pk && KEY_IS("keyvalues"))
			rc = w1_array(j, l, F_VALUE, &r->kvals,
				      "'[' opening \"keyvalues\"");
		else
			rc = wj_skip(j); /* pktypes: the OIDs say more */
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* "kind" of a change. */
static int w1_kind(struct wj *j, struct rec *r)
{
	const char *s, *at = wj_here(j);
	size_t n;
	if (wj_string(j, &s, &n, false) < 0)
		return -1;
	r->action = n == 6 && !memcmp(s, "insert", 6)	  ? 'I'
		    : n == 6 && !memcmp(s, "update", 6)	  ? 'U'
		    : n == 6 && !memcmp(s, "delete", 6)	  ? 'D'
		    : n == 7 && !memcmp(s, "message", 7)  ? 'M'
		    : n == 8 && !memcmp(s, "truncate", 8) ? 'T'
							  : 0;
	if (!r->action)
		return wj_fail_at(j, at, "unknown change kind \"%.*s\"",
				  (int)(n > 40 ? 40 : n), s);
	return 0;
}

/* A member of a change other than "kind": its arrays of names, types,
 * OIDs and values, "oldkeys", "pk", or one of rec_member's. */
static int w1_member(struct wj *j, struct rec *r, const char *key, size_t klen)
{
	struct tp_state *st = j->st;
	if (KEY_IS("columnnames")) {
		r->has_new = true;
		return w1_array(j, &st->newc, F_NAME, &r->nnames,
				"'[' opening \"columnnames\"");
	}
	if (KEY_IS("columntypes"))
		return w1_array(j, &st->newc, F_TYPE, &r->ntypes,
				"'[' opening \"columntypes\"");
	if (KEY_IS("columntypeoids"))
		return w1_array(j, &st->newc, F_OID, &r->noids,
				"'[' opening \"columntypeoids\"");
	if (KEY_IS("columnvalues")) {
		r->has_new = true;
		return w1_array(j, &st->newc, F_VALUE, &r->nvals,
				"'[' opening \"columnvalues\"");
	}
	if (KEY_IS("oldkeys")) {
		r->has_old = true;
		return w1_keys(j, r, false);
	}
	if (KEY_IS("pk")) {
		r->has_pk = true;
		return w1_keys(j, r, true);
	}
	return rec_member(j, r, key, klen);
}

/* What is wrong with a change whose members were all read: no kind, or
 * parallel arrays that do not agree; NULL when nothing is. */
static const char *w1_mismatch(const struct rec *r)
{
	if (!r->action)
		return "a change without \"kind\"";
	if (r->has_new && r->nnames != r->nvals)
		return "\"columnnames\" and \"columnvalues\" differ in length";
	if (r->has_new && ((r->ntypes && r->ntypes != r->nnames) ||
			   (r->noids && r->noids != r->nnames)))
		return "\"columntypes\" or \"columntypeoids\" differ in length from \"columnnames\"";
	if (r->has_old && r->knames != r->kvals)
		return "\"keynames\" and \"keyvalues\" differ in length";
	if (r->has_old && ((r->ktypes && r->ktypes != r->knames) ||
			   (r->koids && r->koids != r->knames)))
		return "\"keytypes\" or \"keytypeoids\" differ in length from \"keynames\"";
	return NULL;
}

/* One element of the "change" array. */
static int w1_change(struct wj *j, struct rec *r)
{
	struct tp_state *st = j->st;
	const char *key, *open;
	size_t klen;
	bool first = true;
	int rc;
	*r = (struct rec){ 0 };
	st->newc.n = st->oldc.n = st->pkc.n = 0;
	open = wj_here(j);
	if (wj_open(j, JSONLEX_OBJECT, "'{' opening a change") < 0)
		return -1;
	while ((rc = wj_member(j, &first, &key, &klen)) > 0) {
		if (KEY_IS("kind"))
			rc = w1_kind(j, r);
		else
			rc = w1_member(j, r, key, klen);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	const char *why = w1_mismatch(r);
	return why ? wj_fail_at(j, open, "%s", why) : 0;
}

/* Where a format 1 payload is in its walk: the transaction's own members
 * (doc), and what was delivered. */
struct w1_txn {
	struct rec doc;
	bool seen_change, begun;
	bool alone; /* a non-transactional message's document */
	struct out o;
};

static int w1_begin(struct wj *j, struct w1_txn *t)
{
	struct event ev = { .kind = EVENT_BEGIN, .lsn = j->st->lsn };
	ev.begin.xid = t->doc.xid;
	ev.begin.commit_time = t->doc.time;
	ev.begin.end_lsn = t->doc.has_nextlsn ? t->doc.nextlsn : 0;
	t->begun = true;
	return t->o.fn(t->o.ctx, &ev, t->o.e);
}

/* Reads one change and delivers it, after the Begin when it is the
 * first of a transaction. */
static int w1_deliver(struct wj *j, struct w1_txn *t)
{
	struct rec r;
	struct event ev;
	const char *open = j->lx.p;
	if (w1_change(j, &r) < 0 || rec_check(j, &r, open) < 0)
		return -1;
	bool lone = r.action == 'M' && !r.transactional;
	if (!t->begun && !t->alone) {
		/* A non-transactional message comes in a document of its
		 * own, without xid, nextlsn or timestamp. */
		t->alone = lone && !t->doc.has_xid && !t->doc.has_nextlsn &&
			   !t->doc.has_time;
		if (!t->alone && w1_begin(j, t) < 0)
			return -1;
	}
	if (t->alone != lone)
		return tp_fail(
		    j->st, open, t->o.e,
		    t->alone
			? "a row change or transactional message among non-transactional messages"
			: "a non-transactional message inside a transaction");
	if (rec_event(j, &r, open, j->st->lsn, &ev) < 0 ||
	    t->o.fn(t->o.ctx, &ev, t->o.e) < 0)
		return -1;
	arena_reset(&j->st->arena);
	return 0;
}

/* The "change" array, each change delivered as it is read. */
static int w1_changes(struct wj *j, struct w1_txn *t)
{
	bool first = true;
	int rc;
	if (t->seen_change)
		return wj_fail(j, "a second \"change\" array");
	t->seen_change = true;
	if (wj_open(j, JSONLEX_ARRAY, "'[' opening \"change\"") < 0)
		return -1;
	/* 2.5's stray comma before a lone message: see the top. */
	if (jsonlex_take(&j->lx, ',') && jsonlex_peek(&j->lx) != JSONLEX_OBJECT)
		return wj_fail(j, "expected a change after the leading ','");
	while ((rc = wj_element(j, &first)) > 0)
		if (w1_deliver(j, t) < 0)
			return -1;
	return rc;
}

int wal2json_decode_1(struct textplugin *d, event_fn fn, void *ctx,
		      struct err *e)
{
	struct tp_state *st = d->scratch;
	struct w1_txn t = { .o = { fn, ctx, e } };
	struct wj j;
	const char *key;
	size_t klen;
	bool first = true;
	int rc;
	wj_init(&j, st, e);
	if (wj_open(&j, JSONLEX_OBJECT, "'{' opening the transaction") < 0)
		return -1;
	while ((rc = wj_member(&j, &first, &key, &klen)) > 0) {
		if (KEY_IS("nextlsn")) {
			rc = wj_lsn(&j, &t.doc.nextlsn);
			t.doc.has_nextlsn = true;
		} else if (KEY_IS("change")) {
			rc = w1_changes(&j, &t);
		} else {
			rc = rec_member(&j, &t.doc, key, klen);
		}
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (!t.seen_change)
		return tp_fail(st, NULL, e, "no \"change\" array");
	if (!jsonlex_at_end(&j.lx))
		return wj_fail(&j, "text after the end of the transaction");
	if (t.alone)
		return 0;
	if (!t.begun && w1_begin(&j, &t) < 0)
		return -1;
	struct event ev = { .kind = EVENT_COMMIT, .lsn = st->lsn };
	ev.commit.xid = t.doc.xid;
	ev.commit.end_lsn = t.doc.has_nextlsn ? t.doc.nextlsn : st->lsn;
	ev.commit.commit_time = t.doc.time;
	return fn(ctx, &ev, e);
}

/* ---- format 2 ---- */

/* Format 2's "columns", "identity" or "pk": [{"name", "type", "typeoid",
 * "value"}, ...]; values are required except in pk. */
static int w2_columns(struct wj *j, struct tcols *l, bool values,
		      const char *what)
{
	bool first = true;
	int rc;
	size_t i = 0;
	if (wj_open(j, JSONLEX_ARRAY, what) < 0)
		return -1;
	while ((rc = wj_element(j, &first)) > 0) {
		const char *key, *open = j->lx.p;
		size_t klen;
		bool mfirst = true;
		struct tcol *c = tcols_at(l, i++);
		if (wj_open(j, JSONLEX_OBJECT, "'{' opening a column") < 0)
			return -1;
		while ((rc = wj_member(j, &mfirst, &key, &klen)) > 0) {
			if (KEY_IS("name")) {
				rc = wj_string(j, &c->name, &c->name_len, true);
			} else if (KEY_IS("type")) {
				rc = wj_typename(j, &c->type, &c->type_len);
			} else if (KEY_IS("typeoid")) {
				rc = wj_uint32(j, &c->typoid, NULL);
				c->has_oid = true;
			} else if (KEY_IS("value")) {
				rc = wj_datum(j, &c->val);
				c->has_val = true;
			} else {
				rc = wj_skip(j);
			}
			if (rc < 0)
				return -1;
		}
		if (rc < 0)
			return -1;
		if (!c->name || (values && !c->has_val))
			return wj_fail_at(j, open, "a column without \"%s\"",
					  c->name ? "value" : "name");
	}
	return rc;
}

/* Delivers the truncate held from wal2json format 2's T records. */
static int flush_held_truncate(struct tp_state *st, event_fn fn, void *ctx,
			       struct err *e)
{
	if (!st->held_n)
		return 0;
	const char *p = st->held_names.data;
	for (uint32_t i = 0; i < st->held_n; i++) {
		const char *schema = p;
		const char *table = schema + strlen(schema) + 1;
		textrow_truncate_rel(&st->row, i, schema, table);
		p = table + strlen(table) + 1;
	}
	struct event ev;
	textrow_truncate(&st->row, &ev, st->held_n, false, false, st->held_lsn);
	st->held_n = 0;
	int rc = fn(ctx, &ev, e);
	buf_reset(&st->held_names);
	return rc;
}

static void hold_truncate(struct tp_state *st, const char *schema,
			  const char *table, uint64_t lsn)
{
	if (!st->held_n)
		buf_reset(&st->held_names);
	buf_put(&st->held_names, schema, strlen(schema) + 1);
	buf_put(&st->held_names, table, strlen(table) + 1);
	st->held_n++;
	st->held_lsn = lsn;
}

/* "action" of a record. */
static int w2_action(struct wj *j, struct rec *r)
{
	const char *s, *at = wj_here(j);
	size_t n;
	if (wj_string(j, &s, &n, false) < 0)
		return -1;
	if (n != 1 || !strchr("BCIUDTM", s[0]))
		return wj_fail_at(j, at, "unknown action \"%.*s\"",
				  (int)(n > 40 ? 40 : n), s);
	r->action = s[0];
	return 0;
}

/* A record's members into r, its columns into st's. */
static int w2_record(struct wj *j, struct rec *r)
{
	struct tp_state *st = j->st;
	const char *key;
	size_t klen;
	bool first = true;
	int rc;
	*r = (struct rec){ 0 };
	st->newc.n = st->oldc.n = st->pkc.n = 0;
	if (wj_open(j, JSONLEX_OBJECT, "'{' opening a record") < 0)
		return -1;
	while ((rc = wj_member(j, &first, &key, &klen)) > 0) {
		if (KEY_IS("action")) {
			rc = w2_action(j, r);
		} else if (KEY_IS("lsn")) {
			rc = wj_lsn(j, &r->lsn);
			r->has_lsn = true;
		} else if (KEY_IS("nextlsn")) {
			rc = wj_lsn(j, &r->nextlsn);
			r->has_nextlsn = true;
		} else if (KEY_IS("columns")) {
			rc = w2_columns(j, &st->newc, true,
					"'[' opening \"columns\"");
			r->has_new = true;
		} else if (KEY_IS("identity")) {
			rc = w2_columns(j, &st->oldc, true,
					"'[' opening \"identity\"");
			r->has_old = true;
		} else if (KEY_IS("pk")) {
			rc = w2_columns(j, &st->pkc, false,
					"'[' opening \"pk\"");
			r->has_pk = true;
		} else {
			rc = rec_member(j, r, key, klen);
		}
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* A B or C record: where a transaction begins or commits. */
static int w2_boundary(struct textplugin *d, struct tp_state *st,
		       const struct rec *r, const char *open,
		       const struct out *o)
{
	struct event ev;
	if (r->action == 'B') {
		if (st->in_txn)
			return tp_fail(
			    st, open, o->e,
			    "B (begin) of xid %u inside transaction %u", r->xid,
			    d->xid);
		st->in_txn = true;
		d->xid = r->xid;
		ev = (struct event){ .kind = EVENT_BEGIN, .lsn = st->lsn };
		ev.begin.xid = r->xid;
		ev.begin.commit_time = r->time;
		ev.begin.end_lsn = r->has_nextlsn ? r->nextlsn : 0;
		return o->fn(o->ctx, &ev, o->e);
	}
	if (!st->in_txn)
		return tp_fail(st, open, o->e,
			       "C (commit) of xid %u outside a transaction",
			       r->xid);
	if (r->has_xid && r->xid != d->xid)
		return tp_fail(st, open, o->e,
			       "C (commit) of xid %u inside transaction %u",
			       r->xid, d->xid);
	uint64_t at_lsn = r->has_lsn ? r->lsn : st->lsn;
	st->in_txn = false;
	ev = (struct event){ .kind = EVENT_COMMIT, .lsn = at_lsn };
	ev.commit.xid = d->xid;
	ev.commit.commit_lsn = r->has_lsn ? r->lsn : 0;
	ev.commit.end_lsn = r->has_nextlsn ? r->nextlsn : at_lsn;
	ev.commit.commit_time = r->time;
	d->xid = 0;
	return o->fn(o->ctx, &ev, o->e);
}

int wal2json_decode_2(struct textplugin *d, event_fn fn, void *ctx,
		      struct err *e)
{
	struct tp_state *st = d->scratch;
	struct out o = { fn, ctx, e };
	struct wj j;
	struct rec r;
	struct event ev;
	wj_init(&j, st, e);
	const char *open = wj_here(&j);
	if (w2_record(&j, &r) < 0)
		return -1;
	if (!jsonlex_at_end(&j.lx))
		return wj_fail(&j, "text after the end of the record");
	if (!r.action)
		return tp_fail(st, open, e, "a record without \"action\"");

	uint64_t at_lsn = r.has_lsn ? r.lsn : st->lsn;
	if (r.action != 'B' && r.action != 'C' && rec_check(&j, &r, open) < 0)
		return -1;
	/* A T record of the truncate held joins it; anything else comes
	 * after it. */
	bool joins = r.action == 'T' && st->in_txn &&
		     (!st->held_n || st->held_lsn == at_lsn);
	if (!joins && flush_held_truncate(st, fn, ctx, e) < 0)
		return -1;
	if (r.action == 'T' && st->in_txn) {
		hold_truncate(st, r.schema ? r.schema : "", r.table, at_lsn);
		return 0;
	}
	if (r.action == 'B' || r.action == 'C')
		return w2_boundary(d, st, &r, open, &o);
	if (r.action == 'M' && r.has_transactional && r.transactional &&
	    !st->in_txn)
		return tp_fail(st, open, e,
			       "a transactional message outside a transaction");
	if (r.action != 'M' && !st->in_txn)
		return tp_fail(
		    st, open, e,
		    "%c record outside a transaction (walhook needs include-transaction on)",
		    r.action);
	if (rec_event(&j, &r, open, at_lsn, &ev) < 0)
		return -1;
	return fn(ctx, &ev, e);
}
