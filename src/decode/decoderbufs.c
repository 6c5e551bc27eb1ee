#include "decode/decoderbufs.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "base/lsn.h"
#include "decode/binary.h"
#include "decode/protobuf.h"
#include "decode/textstate.h"
#include "decode/types.h"

/* The field numbers of pg_logicaldec.proto (see decoderbufs.h). */
enum {
	ROW_XID = 1,
	ROW_COMMIT_TIME = 2,
	ROW_TABLE = 3,
	ROW_OP = 4,
	ROW_NEW_TUPLE = 5,
	ROW_OLD_TUPLE = 6,
};

enum {
	COL_NAME = 1,
	COL_TYPE = 2,
	COL_INT32 = 3,
	COL_INT64 = 4,
	COL_FLOAT = 5,
	COL_DOUBLE = 6,
	COL_BOOL = 7,
	COL_STRING = 8,
	COL_BYTES = 9,
	COL_POINT = 10,
	COL_MISSING = 11,
};

enum { OP_INSERT, OP_UPDATE, OP_DELETE, OP_BEGIN, OP_COMMIT };

#define USECS_PER_DAY INT64_C(86400000000)
#define UNIX_TO_PG_DAYS 10957
#define UNIX_TO_PG_USECS ((uint64_t)PG_EPOCH_OFFSET_S * 1000000)

/* The payload being decoded. */
struct dbp {
	struct tp_state *st;
	struct err *e;
	const char *schema, *table; /* NULL until the table field is read */
};

static const char *at(const struct dbp *c, size_t offset)
{
	return c->st->buf + offset;
}

static int pb_fail(const struct dbp *c, const struct pb_reader *r)
{
	return tp_fail(c->st, at(c, pb_offset(r)), c->e, "%s", r->err);
}

/* Whether field f has the wire type its number needs. */
static int want_wire(const struct dbp *c, const struct pb_field *f,
		     enum pb_wire wire, const char *what)
{
	if (f->wire == wire)
		return 0;
	return tp_fail(c->st, at(c, f->offset), c->e,
		       "%s (field %" PRIu32 ") has wire type %d, not %d", what,
		       f->num, (int)f->wire, (int)wire);
}

/* ---- identifiers, as quote_identifier() wrote them ---- */

/* One identifier from *s (up to end or a '.' outside quotes) into the
 * arena, NUL-terminated; *s moves past it. NULL when the quotes do not
 * close. */
static const char *unquote_part(struct tp_state *st, const char **s,
				const char *end, size_t *len)
{
	const char *p = *s;
	if (p == end || *p != '"') {
		while (p < end && *p != '.')
			p++;
		*len = (size_t)(p - *s);
		const char *id = arena_strndup(&st->arena, *s, *len);
		*s = p;
		return id;
	}
	char *out = arena_alloc(&st->arena, (size_t)(end - p));
	size_t n = 0;
	for (p++; p < end; p++) {
		if (*p == '"' && (p + 1 == end || p[1] != '"')) {
			out[n] = '\0';
			*len = n;
			*s = p + 1;
			return out;
		}
		out[n++] = *p;
		p += *p == '"';
	}
	return NULL;
}

static int read_table(struct dbp *c, const struct pb_field *f)
{
	const char *s = (const char *)f->data, *end = s + f->len;
	size_t n;
	c->schema = unquote_part(c->st, &s, end, &n);
	if (c->schema && s < end && *s == '.') {
		s++;
		c->table = unquote_part(c->st, &s, end, &n);
		if (c->table && s == end)
			return 0;
	}
	c->schema = c->table = NULL;
	return tp_fail(c->st, at(c, f->offset), c->e,
		       "the table name `%.*s` is not schema.table",
		       (int)(f->len > 80 ? 80 : f->len),
		       (const char *)f->data);
}

/* ---- values, in PostgreSQL's text output ---- */

static void be(unsigned char *d, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		d[i] = (unsigned char)v;
}

/* The value of field f as the binary send form of typoid would hold it
 * (d, *n bytes), so that binary_to_text prints it as the server does;
 * false when the field is not one that type is sent as. */
static bool as_send_form(uint32_t typoid, const struct pb_field *f,
			 unsigned char d[16], uint32_t *n)
{
	int64_t v = pb_int64(f);
	switch (f->num) {
	case COL_INT32:
		if (typoid == OID_DATE) /* days from 1970, wrapping at the
					   infinities as the plugin does */
			v = (int32_t)((uint32_t)pb_int32(f) - UNIX_TO_PG_DAYS);
		else if (typoid != OID_INT2 && typoid != OID_INT4)
			return false;
		*n = typoid == OID_INT2 ? 2 : 4;
		be(d, (uint64_t)v, (int)*n);
		return true;
	case COL_INT64:
		if (typoid == OID_TIMESTAMP || typoid == OID_TIMESTAMPTZ) {
			/* wrapping: a value out of range stays out of it */
			if (v != INT64_MIN && v != INT64_MAX)
				v = (int64_t)((uint64_t)v - UNIX_TO_PG_USECS);
		} else if (typoid == OID_OID) {
			*n = 4;
			be(d, (uint64_t)v, 4);
			return true;
		} else if (typoid != OID_INT8 && typoid != OID_MONEY &&
			   typoid != OID_TIME) {
			return false;
		}
		*n = 8;
		be(d, (uint64_t)v, 8);
		return true;
	case COL_FLOAT:
		*n = 4;
		be(d, f->u, 4);
		return typoid == OID_FLOAT4;
	case COL_DOUBLE:
		if (typoid == OID_TIMETZ) {
			double t = pb_double(f);
			if (!(fabs(t) < 1e18))
				return false;
			int64_t us = (int64_t)llround(t);
			if (us < 0 || us > USECS_PER_DAY)
				us = (us % USECS_PER_DAY + USECS_PER_DAY) %
				     USECS_PER_DAY;
			be(d, (uint64_t)us, 8);
			be(d + 8, 0, 4);
			*n = 12;
			return true;
		}
		*n = 8;
		be(d, f->u, 8);
		return typoid == OID_FLOAT8;
	}
	return false;
}

/* The text of a value sent as a number when its type is not one the
 * plugin sends that way: the number itself. */
static void number_text(const struct pb_field *f, struct buf *out)
{
	switch (f->num) {
	case COL_INT32: buf_printf(out, "%" PRId32, pb_int32(f)); break;
	case COL_INT64: buf_printf(out, "%" PRId64, pb_int64(f)); break;
	case COL_FLOAT: buf_printf(out, "%.9g", (double)pb_float(f)); break;
	default: buf_printf(out, "%.17g", pb_double(f)); break;
	}
}

/* A Point message as point's send form: x, y. */
static int point_send_form(struct dbp *c, const struct pb_reader *outer,
			   const struct pb_field *pf, unsigned char d[16])
{
	struct pb_reader r;
	struct pb_field f;
	int rc, seen = 0;
	pb_reader_sub(&r, outer, pf);
	while ((rc = pb_next(&r, &f)) > 0) {
		if (f.num != 1 && f.num != 2)
			continue;
		if (want_wire(c, &f, PB_FIXED64, "a point's coordinate") < 0)
			return -1;
		be(d + 8 * (f.num - 1), f.u, 8);
		seen |= (int)f.num;
	}
	if (rc < 0)
		return pb_fail(c, &r);
	if (seen != 3)
		return tp_fail(c->st, at(c, pf->offset), c->e,
			       "a point without both x and y");
	return 0;
}

/* Sets col->val from the value field f (of the datum message in outer),
 * converted to the text PostgreSQL prints for col's type. */
static int set_value(struct dbp *c, const struct pb_reader *outer,
		     const struct pb_field *f, struct tcol *col)
{
	struct buf *out = &c->st->conv;
	unsigned char d[16];
	uint32_t n = 0;
	buf_reset(out);
	if (f->num == COL_MISSING) {
		col->val = (struct datum){ .kind = DATUM_UNCHANGED };
		return 0;
	}
	if (f->num == COL_STRING ||
	    (f->num == COL_BYTES && col->typoid != OID_BYTEA)) {
		col->val = (struct datum){ .kind = DATUM_TEXT,
					   .len = (uint32_t)f->len,
					   .data = (const char *)f->data };
		return 0;
	}
	if (f->num == COL_BOOL) {
		col->val = (struct datum){ .kind = DATUM_TEXT,
					   .len = 1,
					   .data = f->u ? "t" : "f" };
		return 0;
	}
	const char *data = (const char *)d;
	uint32_t typoid = col->typoid;
	if (f->num == COL_BYTES) {
		data = (const char *)f->data;
		n = (uint32_t)f->len;
	} else if (f->num == COL_POINT) {
		if (point_send_form(c, outer, f, d) < 0)
			return -1;
		n = 16;
		typoid = OID_POINT;
	} else if (!as_send_form(typoid, f, d, &n)) {
		number_text(f, out);
		typoid = 0;
	}
	char why[200];
	if (typoid && !binary_to_text(typoid, data, n, out, why, sizeof why))
		return tp_fail(c->st, at(c, f->offset), c->e,
			       "column \"%s\" of %s.%s: %s", col->name,
			       c->schema ? c->schema : "?",
			       c->table ? c->table : "?", why);
	char *text = arena_alloc(&c->st->arena, out->len + 1);
	memcpy(text, out->data, out->len);
	col->val = (struct datum){ .kind = DATUM_TEXT,
				   .len = (uint32_t)out->len,
				   .data = text };
	return 0;
}

/* ---- messages ---- */

static bool is_value_field(uint32_t num)
{
	return num >= COL_INT32 && num <= COL_MISSING;
}

static int value_wire(const struct dbp *c, const struct pb_field *f)
{
	enum pb_wire w = f->num == COL_FLOAT	? PB_FIXED32
			 : f->num == COL_DOUBLE ? PB_FIXED64
			 : f->num == COL_STRING || f->num == COL_BYTES ||
				 f->num == COL_POINT
			     ? PB_LEN
			     : PB_VARINT;
	return want_wire(c, f, w, "a column's value");
}

/* One DatumMessage (field f of the row message in outer) into col. */
static int read_column(struct dbp *c, const struct pb_reader *outer,
		       const struct pb_field *df, struct tcol *col)
{
	struct pb_reader r;
	struct pb_field f, value = { 0 };
	int rc;
	pb_reader_sub(&r, outer, df);
	*col = (struct tcol){ .has_val = true,
			      .val = { .kind = DATUM_NULL } };
	while ((rc = pb_next(&r, &f)) > 0) {
		if (f.num == COL_NAME) {
			if (want_wire(c, &f, PB_LEN, "column_name") < 0)
				return -1;
			const char *s = (const char *)f.data;
			col->name = unquote_part(c->st, &s, s + f.len,
						 &col->name_len);
			if (!col->name || s != (const char *)f.data + f.len)
				return tp_fail(c->st, at(c, f.offset), c->e,
					       "a column name that is not "
					       "one identifier");
		} else if (f.num == COL_TYPE) {
			if (want_wire(c, &f, PB_VARINT, "column_type") < 0)
				return -1;
			if (f.u > UINT32_MAX)
				return tp_fail(c->st, at(c, f.offset), c->e,
					       "a column type OID above 2^32");
			col->typoid = (uint32_t)f.u;
			col->has_oid = true;
		} else if (is_value_field(f.num)) {
			if (value_wire(c, &f) < 0)
				return -1;
			value = f; /* oneof: the last one wins */
		}
	}
	if (rc < 0)
		return pb_fail(c, &r);
	if (!col->name)
		return tp_fail(c->st, at(c, df->offset), c->e,
			       "a column without a name");
	return value.num ? set_value(c, &r, &value, col) : 0;
}

/* The fields of a RowMessage, its tuples read into the state's columns. */
struct row {
	bool has_op, has_xid;
	int64_t op;
	uint32_t xid;
	uint64_t commit_time;
	bool has_new, has_old;
};

static int read_tuple_column(struct dbp *c, const struct pb_reader *r,
			     const struct pb_field *f, struct row *row)
{
	if (want_wire(c, f, PB_LEN, "a tuple's column") < 0)
		return -1;
	bool new = f->num == ROW_NEW_TUPLE;
	struct tcols *l = new ? &c->st->newc : &c->st->oldc;
	struct tcol col;
	if (read_column(c, r, f, &col) < 0)
		return -1;
	*(new ? &row->has_new : &row->has_old) = true;
	/* An old key tuple sets the key's columns only: the others, NULL,
	 * are not part of it. */
	if (!new && col.val.kind == DATUM_NULL)
		return 0;
	*tcols_at(l, l->n) = col;
	return 0;
}

static int read_row_field(struct dbp *c, const struct pb_reader *r,
			  const struct pb_field *f, struct row *row)
{
	switch (f->num) {
	case ROW_XID:
		if (want_wire(c, f, PB_VARINT, "transaction_id") < 0)
			return -1;
		row->xid = (uint32_t)f->u;
		row->has_xid = true;
		return 0;
	case ROW_COMMIT_TIME:
		if (want_wire(c, f, PB_VARINT, "commit_time") < 0)
			return -1;
		row->commit_time = f->u;
		return 0;
	case ROW_TABLE:
		if (want_wire(c, f, PB_LEN, "table") < 0)
			return -1;
		return read_table(c, f);
	case ROW_OP:
		if (want_wire(c, f, PB_VARINT, "op") < 0)
			return -1;
		row->op = pb_int64(f);
		row->has_op = true;
		return 0;
	case ROW_NEW_TUPLE:
	case ROW_OLD_TUPLE: return read_tuple_column(c, r, f, row);
	}
	return 0; /* new_typeinfo, and fields newer than walhook */
}

static int read_row(struct dbp *c, struct row *row)
{
	struct pb_reader r;
	struct pb_field f;
	int rc;
	pb_reader_init(&r, (const uint8_t *)c->st->buf, c->st->len);
	c->st->newc.n = c->st->oldc.n = 0;
	while ((rc = pb_next(&r, &f)) > 0)
		if (read_row_field(c, &r, &f, row) < 0)
			return -1;
	if (rc < 0)
		return pb_fail(c, &r);
	if (!row->has_op)
		return tp_fail(c->st, NULL, c->e, "a row message without an op");
	return 0;
}

/* Microseconds since 1970 as walhook keeps times: since 2000. */
static int64_t pg_time(uint64_t unix_us)
{
	return (int64_t)(unix_us - UNIX_TO_PG_USECS);
}

static int on_begin(struct textplugin *d, struct dbp *c, const struct row *row,
		    event_fn fn, void *ctx)
{
	struct tp_state *st = c->st;
	if (st->in_txn)
		return tp_fail(st, NULL, c->e, "BEGIN %" PRIu32
			       " inside transaction %" PRIu32, row->xid, d->xid);
	st->in_txn = true;
	d->xid = row->xid;
	struct event ev = { .kind = EVENT_BEGIN, .lsn = st->lsn };
	ev.begin.xid = row->xid;
	ev.begin.commit_time = row->commit_time ? pg_time(row->commit_time) : 0;
	return fn(ctx, &ev, c->e);
}

static int on_commit(struct textplugin *d, struct dbp *c,
		     const struct row *row, event_fn fn, void *ctx)
{
	struct tp_state *st = c->st;
	if (!st->in_txn)
		return tp_fail(st, NULL, c->e,
			       "COMMIT %" PRIu32 " outside a transaction",
			       row->xid);
	if (row->has_xid && row->xid != d->xid)
		return tp_fail(st, NULL, c->e, "COMMIT %" PRIu32
			       " inside transaction %" PRIu32, row->xid, d->xid);
	st->in_txn = false;
	/* The plugin writes its COMMIT at the transaction's end. */
	struct event ev = { .kind = EVENT_COMMIT, .lsn = st->lsn };
	ev.commit.xid = d->xid;
	ev.commit.end_lsn = st->lsn;
	ev.commit.commit_time = row->commit_time ? pg_time(row->commit_time)
						 : 0;
	d->xid = 0;
	return fn(ctx, &ev, c->e);
}

static int on_change(struct dbp *c, const struct row *row, event_fn fn,
		     void *ctx)
{
	struct tp_state *st = c->st;
	if (!c->table)
		return tp_fail(st, NULL, c->e, "a row change without a table");
	/* An update of a table without replica identity comes with no
	 * tuple at all: an empty new row, not a missing one. */
	bool new = row->has_new || row->op == OP_UPDATE;
	struct textrow_in in = {
		.op = row->op == OP_INSERT ? 'I' : row->op == OP_UPDATE ? 'U'
									: 'D',
		.schema = c->schema,
		.table = c->table,
		.newc = new ? &st->newc : NULL,
		.oldc = row->has_old ? &st->oldc : NULL,
		.lsn = st->lsn,
	};
	if (row->op == OP_INSERT && !row->has_new)
		return tp_fail(st, NULL, c->e, "an insert into %s.%s without "
			       "a new tuple", c->schema, c->table);
	char why[256];
	struct event ev;
	if (textrow_change(&st->row, &in, &ev, why, sizeof why) < 0)
		return tp_fail(st, NULL, c->e, "%s", why);
	return fn(ctx, &ev, c->e);
}

int decoderbufs_decode(struct textplugin *d, event_fn fn, void *ctx,
		       struct err *e)
{
	struct dbp c = { .st = d->scratch, .e = e };
	struct row row = { 0 };
	if (read_row(&c, &row) < 0)
		return -1;
	switch (row.op) {
	case OP_BEGIN: return on_begin(d, &c, &row, fn, ctx);
	case OP_COMMIT: return on_commit(d, &c, &row, fn, ctx);
	case OP_INSERT:
	case OP_UPDATE:
	case OP_DELETE: return on_change(&c, &row, fn, ctx);
	}
	return tp_fail(c.st, NULL, e, "unknown op %" PRId64, row.op);
}
