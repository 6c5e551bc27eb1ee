#include "sinks/records.h"

#include <stdlib.h>

#include "base/alloc.h"

static size_t keep(struct buf *b, const char *s, size_t n)
{
	size_t off = b->len;
	buf_put(b, s ? s : "", n);
	buf_putc(b, '\0');
	return off;
}

void sink_records_add(struct sink_records *rs, const struct sink_record *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 64;
		rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
	}
	struct held_record *h = &rs->v[rs->n++];
	h->json = keep(&rs->text, r->json, r->len);
	h->len = r->len;
	h->has_key = r->key != NULL;
	h->key = keep(&rs->text, r->key, r->key ? r->key_len : 0);
	h->key_len = r->key ? r->key_len : 0;
	h->dest = keep(&rs->text, r->dest, strlen(r->dest));
	h->op = keep(&rs->text, r->op, r->op ? strlen(r->op) : 0);
	h->schema =
	    keep(&rs->text, r->schema, r->schema ? strlen(r->schema) : 0);
	h->table = keep(&rs->text, r->table, r->table ? strlen(r->table) : 0);
	h->lsn = r->lsn;
	h->xid = r->xid;
}

void sink_records_get(const struct sink_records *rs, size_t i,
		      struct sink_record *out)
{
	const struct held_record *h = &rs->v[i];
	const char *t = rs->text.data;
	*out = (struct sink_record){
		.json = t + h->json,
		.len = h->len,
		.key = h->has_key ? t + h->key : NULL,
		.key_len = h->key_len,
		.dest = t + h->dest,
		.lsn = h->lsn,
		.xid = h->xid,
		.op = t + h->op,
		.schema = t + h->schema,
		.table = t + h->table,
	};
}

void sink_records_clear(struct sink_records *rs)
{
	rs->n = 0;
	buf_reset(&rs->text);
}

void sink_records_free(struct sink_records *rs)
{
	free(rs->v);
	buf_free(&rs->text);
	*rs = (struct sink_records){ 0 };
}
