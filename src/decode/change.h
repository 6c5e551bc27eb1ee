/* change — the one shape of a transaction, row change, truncate and
 * logical message that every consumer (Lua hooks, JSON lines) sees, whatever
 * plugin fed it. Everything here is a view: rels belong to the relcache,
 * values to the message buffer or the transaction's spool. */
#ifndef WALHOOK_CHANGE_H
#define WALHOOK_CHANGE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/lsn.h"
#include "decode/relcache.h"
#include "decode/values.h"

/* Text a consumer makes of a transaction once and keeps with it (the JSON
 * lines' "xid" and "commit_time"). It names the xid and commit time it was
 * made of: a txn built or copied anew, or one whose commit time became
 * known, is not served text of another. */
#define TXN_MEMO_MAX 96
struct txn_memo {
	uint32_t xid;
	int64_t commit_time;
	size_t len; /* 0: nothing kept */
	char text[TXN_MEMO_MAX];
};

struct txn {
	uint32_t xid;
	uint64_t final_lsn;  /* the commit record's start, as Begin announces */
	uint64_t commit_lsn; /* known once the commit arrives */
	uint64_t end_lsn;    /* the position to confirm once handled */
	int64_t commit_time; /* 0 while unknown (an in-progress stream) */
	char commit_time_text[PGTIME_STRLEN]; /* formatted once a transaction */
	const char *origin; /* replication origin name, NULL when local */
	const char *gid;    /* a prepared transaction's global id, or NULL */
	struct txn_memo memo; /* read and kept with txn_memo, txn_set_memo */
};

/* The text kept with tx if it was made of tx as it is now, else NULL. */
static inline const char *txn_memo(const struct txn *tx, size_t *len)
{
	const struct txn_memo *m = &tx->memo;
	if (!m->len || m->xid != tx->xid || m->commit_time != tx->commit_time)
		return NULL;
	*len = m->len;
	return m->text;
}

/* Keeps n bytes of text with tx; text longer than the memo is not kept.
 * const, as rel_set_memo: a memo is no change of the transaction. */
static inline void txn_set_memo(const struct txn *tx, const char *text,
				size_t n)
{
	struct txn_memo *m = (struct txn_memo *)&tx->memo;
	if (n == 0 || n > sizeof m->text)
		return;
	m->xid = tx->xid;
	m->commit_time = tx->commit_time;
	m->len = n;
	memcpy(m->text, text, n);
}

/* What a row change does, from the decoder to the sinks. */
enum change_op {
	CHANGE_INSERT,
	CHANGE_UPDATE,
	CHANGE_DELETE,
	CHANGE_READ, /* a row of the initial snapshot or of a backfill */
};

struct change {
	enum change_op op;
	const struct rel *rel;
	uint64_t lsn;
	const struct txn *txn;
	/* rel->ncols values each, or NULL when not sent. */
	const struct datum *newv;
	const struct datum *oldv;
	char old_kind; /* 'K': key columns only, 'O': the whole old row */
	/* A backfill's read row: the table the backfill reads, as named;
	 * NULL for every other change. */
	const char *backfill;
};

struct truncate {
	const struct txn *txn;
	uint64_t lsn;
	uint32_t nrels;
	const struct rel *const *rels;
	bool cascade;
	bool restart_identity;
};

struct message {
	const struct txn *txn; /* NULL unless transactional */
	uint64_t lsn;
	const char *prefix;
	const char *content;
	uint32_t len;
	bool transactional;
};

/* "insert", "update", "delete" or "read": the op's name in change tables,
 * JSON lines and fixtures. */
static inline const char *change_op_name(enum change_op op)
{
	switch (op) {
	case CHANGE_INSERT: return "insert";
	case CHANGE_UPDATE: return "update";
	case CHANGE_DELETE: return "delete";
	case CHANGE_READ: return "read";
	}
	return "?";
}

/* The op a name stands for; false when it names none. */
static inline bool change_op_parse(const char *name, enum change_op *op)
{
	for (int i = CHANGE_INSERT; i <= CHANGE_READ; i++) {
		if (strcmp(name, change_op_name((enum change_op)i)) == 0) {
			*op = (enum change_op)i;
			return true;
		}
	}
	return false;
}

#endif
