/* Unit tests for pgoutput.h: every message type from byte vectors, every
 * truncation of every vector, and the protocol rules the decoder checks.
 *
 * Each vector is built field by field with a small byte builder, so a test
 * reads like the protocol table in PROTOCOL.md. Inputs are copied into
 * exactly-sized heap blocks before decoding, so a read one byte past the
 * end shows up under valgrind. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/pgoutput.h"
#include "check_run.h"

/* ---- a growable byte vector ---- */

struct bytes {
	uint8_t *p;
	size_t len;
	size_t cap;
};

static void b_raw(struct bytes *b, const void *p, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap - b->len < n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		ck_assert_ptr_nonnull(b->p);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void b_u8(struct bytes *b, uint8_t v)
{
	b_raw(b, &v, 1);
}

static void b_u16(struct bytes *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	b_raw(b, x, 2);
}

static void b_u32(struct bytes *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };
	b_raw(b, x, 4);
}

static void b_u64(struct bytes *b, uint64_t v)
{
	b_u32(b, (uint32_t)(v >> 32));
	b_u32(b, (uint32_t)v);
}

/* A String: the text and its NUL. */
static void b_str(struct bytes *b, const char *s)
{
	b_raw(b, s, strlen(s) + 1);
}

static void b_free(struct bytes *b)
{
	free(b->p);
	*b = (struct bytes){ 0 };
}

/* TupleData columns; the caller writes the Int16 count first. */
static void col_null(struct bytes *b)
{
	b_u8(b, 'n');
}

static void col_unchanged(struct bytes *b)
{
	b_u8(b, 'u');
}

static void col_text(struct bytes *b, const char *s)
{
	b_u8(b, 't');
	b_u32(b, (uint32_t)strlen(s));
	b_raw(b, s, strlen(s));
}

static void col_binary(struct bytes *b, const void *p, uint32_t n)
{
	b_u8(b, 'b');
	b_u32(b, n);
	b_raw(b, p, n);
}

/* ---- fixed field values ---- */

#define STREAM_XID UINT32_C(0x00012345) /* the xid in Stream Start */
#define SUB_XID	   UINT32_C(0x00012346) /* carried by streamed changes */
#define LSN_A	   UINT64_C(0x16B374D848)
#define LSN_B	   UINT64_C(0x16B374D900)
#define LSN_C	   UINT64_C(0xFFFFFFFF00000001)
#define TIME_A	   INT64_C(848982600123456) /* 2026-11-26 04:30:00.123456 */
#define TIME_B	   INT64_C(-86400000000)    /* 1999-12-31, negative */
#define RELID	   UINT32_C(16384)
#define XID	   UINT32_C(742)

/* The message's first byte, then the xid when inside a streamed block. */
static void b_head(struct bytes *b, char type, bool streamed)
{
	b_u8(b, (uint8_t)type);
	if (streamed)
		b_u32(b, SUB_XID);
}

static void assert_text(const struct datum *v, const char *s)
{
	ck_assert_int_eq(v->kind, DATUM_TEXT);
	ck_assert_uint_eq(v->len, strlen(s));
	ck_assert_ptr_nonnull(v->data);
	ck_assert_mem_eq(v->data, s, strlen(s));
}

static void assert_kind(const struct datum *v, char kind)
{
	ck_assert_int_eq(v->kind, kind);
	ck_assert_uint_eq(v->len, 0);
}

/* ---- the vectors: one builder and one checker per case ---- */

static void build_begin(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'B');
	b_u64(b, LSN_A);
	b_u64(b, (uint64_t)TIME_A);
	b_u32(b, XID);
}

static void check_begin(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->begin.final_lsn, LSN_A);
	ck_assert_int_eq(m->begin.commit_time, TIME_A);
	ck_assert_uint_eq(m->begin.xid, XID);
}

static void build_commit(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'C');
	b_u8(b, 0);
	b_u64(b, LSN_A);
	b_u64(b, LSN_B);
	b_u64(b, (uint64_t)TIME_B);
}

static void check_commit(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->commit.flags, 0);
	ck_assert_uint_eq(m->commit.commit_lsn, LSN_A);
	ck_assert_uint_eq(m->commit.end_lsn, LSN_B);
	ck_assert_int_eq(m->commit.commit_time, TIME_B);
}

static void build_origin(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'O');
	b_u64(b, LSN_C);
	b_str(b, "node_a");
}

static void check_origin(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->origin.commit_lsn, LSN_C);
	ck_assert_str_eq(m->origin.name, "node_a");
}

static void build_relation(struct bytes *b, bool s)
{
	b_head(b, 'R', s);
	b_u32(b, RELID);
	b_str(b, "public");
	b_str(b, "users");
	b_u8(b, 'd');
	b_u16(b, 3);
	b_u8(b, 1);
	b_str(b, "id");
	b_u32(b, 23);
	b_u32(b, UINT32_MAX); /* typmod -1 */
	b_u8(b, 0);
	b_str(b, "name");
	b_u32(b, 25);
	b_u32(b, UINT32_MAX);
	b_u8(b, 0);
	b_str(b, "note");
	b_u32(b, 1043);
	b_u32(b, 24); /* varchar(20) */
}

static void check_relation(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->relation.relid, RELID);
	ck_assert_str_eq(m->relation.nspname, "public");
	ck_assert_str_eq(m->relation.relname, "users");
	ck_assert_int_eq(m->relation.replident, 'd');
	ck_assert_uint_eq(m->relation.ncols, 3);
	const struct pgo_column *c = m->relation.cols;
	ck_assert_uint_eq(c[0].flags, PGO_COLUMN_KEY);
	ck_assert_str_eq(c[0].name, "id");
	ck_assert_uint_eq(c[0].typoid, 23);
	ck_assert_int_eq(c[0].typmod, -1);
	ck_assert_uint_eq(c[1].flags, 0);
	ck_assert_str_eq(c[1].name, "name");
	ck_assert_uint_eq(c[1].typoid, 25);
	ck_assert_int_eq(c[1].typmod, -1);
	ck_assert_uint_eq(c[2].flags, 0);
	ck_assert_str_eq(c[2].name, "note");
	ck_assert_uint_eq(c[2].typoid, 1043);
	ck_assert_int_eq(c[2].typmod, 24);
}

/* A pg_catalog relation (empty namespace), identity FULL, no columns. */
static void build_relation_catalog(struct bytes *b, bool s)
{
	b_head(b, 'R', s);
	b_u32(b, 1259);
	b_str(b, "");
	b_str(b, "pg_class");
	b_u8(b, 'f');
	b_u16(b, 0);
}

static void check_relation_catalog(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->relation.relid, 1259);
	ck_assert_str_eq(m->relation.nspname, "");
	ck_assert_str_eq(m->relation.relname, "pg_class");
	ck_assert_int_eq(m->relation.replident, 'f');
	ck_assert_uint_eq(m->relation.ncols, 0);
}

static void build_type(struct bytes *b, bool s)
{
	b_head(b, 'Y', s);
	b_u32(b, 16500);
	b_str(b, "public");
	b_str(b, "mood");
}

static void check_type(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->type.typoid, 16500);
	ck_assert_str_eq(m->type.nspname, "public");
	ck_assert_str_eq(m->type.typname, "mood");
}

static void build_insert(struct bytes *b, bool s)
{
	b_head(b, 'I', s);
	b_u32(b, RELID);
	b_u8(b, 'N');
	b_u16(b, 3);
	col_text(b, "1");
	col_null(b);
	col_text(b, "hello");
}

static void check_insert(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID);
	ck_assert_int_eq(m->change.old_kind, 0);
	ck_assert_uint_eq(m->change.old.ncols, 0);
	ck_assert_uint_eq(m->change.new.ncols, 3);
	assert_text(&m->change.new.cols[0], "1");
	assert_kind(&m->change.new.cols[1], DATUM_NULL);
	assert_text(&m->change.new.cols[2], "hello");
}

/* Every tuple kind, and values that are not C strings. */
static const uint8_t bin_value[] = { 0x00, 0xFF, 0x7F, 0x80, 0x00 };

static void build_insert_kinds(struct bytes *b, bool s)
{
	b_head(b, 'I', s);
	b_u32(b, RELID + 1);
	b_u8(b, 'N');
	b_u16(b, 6);
	col_null(b);
	col_unchanged(b);
	col_text(b, "x y");
	col_binary(b, bin_value, sizeof bin_value);
	col_text(b, "");
	col_binary(b, "", 0);
}

static void check_insert_kinds(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID + 1);
	ck_assert_uint_eq(m->change.new.ncols, 6);
	const struct datum *v = m->change.new.cols;
	assert_kind(&v[0], DATUM_NULL);
	assert_kind(&v[1], DATUM_UNCHANGED);
	assert_text(&v[2], "x y");
	ck_assert_int_eq(v[3].kind, DATUM_BINARY);
	ck_assert_uint_eq(v[3].len, sizeof bin_value);
	ck_assert_mem_eq(v[3].data, bin_value, sizeof bin_value);
	assert_text(&v[4], "");
	ck_assert_int_eq(v[5].kind, DATUM_BINARY);
	ck_assert_uint_eq(v[5].len, 0);
}

static void build_update(struct bytes *b, bool s)
{
	b_head(b, 'U', s);
	b_u32(b, RELID);
	b_u8(b, 'N');
	b_u16(b, 3);
	col_text(b, "1");
	col_text(b, "bob");
	col_unchanged(b);
}

static void check_update(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID);
	ck_assert_int_eq(m->change.old_kind, 0);
	ck_assert_uint_eq(m->change.old.ncols, 0);
	ck_assert_uint_eq(m->change.new.ncols, 3);
	assert_text(&m->change.new.cols[0], "1");
	assert_text(&m->change.new.cols[1], "bob");
	assert_kind(&m->change.new.cols[2], DATUM_UNCHANGED);
}

static void build_update_key(struct bytes *b, bool s)
{
	b_head(b, 'U', s);
	b_u32(b, RELID);
	b_u8(b, 'K');
	b_u16(b, 3);
	col_text(b, "1");
	col_null(b);
	col_null(b);
	b_u8(b, 'N');
	b_u16(b, 3);
	col_text(b, "2");
	col_text(b, "bob");
	col_text(b, "note");
}

static void check_update_key(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID);
	ck_assert_int_eq(m->change.old_kind, 'K');
	ck_assert_uint_eq(m->change.old.ncols, 3);
	assert_text(&m->change.old.cols[0], "1");
	assert_kind(&m->change.old.cols[1], DATUM_NULL);
	assert_kind(&m->change.old.cols[2], DATUM_NULL);
	ck_assert_uint_eq(m->change.new.ncols, 3);
	assert_text(&m->change.new.cols[0], "2");
	assert_text(&m->change.new.cols[1], "bob");
	assert_text(&m->change.new.cols[2], "note");
}

static void build_update_old(struct bytes *b, bool s)
{
	b_head(b, 'U', s);
	b_u32(b, RELID);
	b_u8(b, 'O');
	b_u16(b, 3);
	col_text(b, "1");
	col_text(b, "alice");
	col_text(b, "a long toasted value");
	b_u8(b, 'N');
	b_u16(b, 3);
	col_text(b, "1");
	col_text(b, "bob");
	col_unchanged(b);
}

static void check_update_old(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID);
	ck_assert_int_eq(m->change.old_kind, 'O');
	ck_assert_uint_eq(m->change.old.ncols, 3);
	assert_text(&m->change.old.cols[0], "1");
	assert_text(&m->change.old.cols[1], "alice");
	assert_text(&m->change.old.cols[2], "a long toasted value");
	ck_assert_uint_eq(m->change.new.ncols, 3);
	assert_text(&m->change.new.cols[0], "1");
	assert_text(&m->change.new.cols[1], "bob");
	assert_kind(&m->change.new.cols[2], DATUM_UNCHANGED);
}

static void build_delete_key(struct bytes *b, bool s)
{
	b_head(b, 'D', s);
	b_u32(b, RELID);
	b_u8(b, 'K');
	b_u16(b, 3);
	col_text(b, "7");
	col_null(b);
	col_null(b);
}

static void check_delete_key(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID);
	ck_assert_int_eq(m->change.old_kind, 'K');
	ck_assert_uint_eq(m->change.old.ncols, 3);
	assert_text(&m->change.old.cols[0], "7");
	assert_kind(&m->change.old.cols[1], DATUM_NULL);
	assert_kind(&m->change.old.cols[2], DATUM_NULL);
	ck_assert_uint_eq(m->change.new.ncols, 0);
}

static void build_delete_old(struct bytes *b, bool s)
{
	b_head(b, 'D', s);
	b_u32(b, RELID);
	b_u8(b, 'O');
	b_u16(b, 3);
	col_text(b, "7");
	col_text(b, "carol");
	col_null(b);
}

static void check_delete_old(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->change.relid, RELID);
	ck_assert_int_eq(m->change.old_kind, 'O');
	ck_assert_uint_eq(m->change.old.ncols, 3);
	assert_text(&m->change.old.cols[0], "7");
	assert_text(&m->change.old.cols[1], "carol");
	assert_kind(&m->change.old.cols[2], DATUM_NULL);
	ck_assert_uint_eq(m->change.new.ncols, 0);
}

static void build_truncate(struct bytes *b, bool s)
{
	b_head(b, 'T', s);
	b_u32(b, 3);
	b_u8(b, PGO_TRUNCATE_CASCADE | PGO_TRUNCATE_RESTART_IDENTITY);
	b_u32(b, RELID);
	b_u32(b, RELID + 1);
	b_u32(b, UINT32_MAX);
}

static void check_truncate(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->truncate.options, 3);
	ck_assert_uint_eq(m->truncate.nrels, 3);
	ck_assert_uint_eq(m->truncate.relids[0], RELID);
	ck_assert_uint_eq(m->truncate.relids[1], RELID + 1);
	ck_assert_uint_eq(m->truncate.relids[2], UINT32_MAX);
}

static void build_message(struct bytes *b, bool s)
{
	b_head(b, 'M', s);
	b_u8(b, PGO_MESSAGE_TRANSACTIONAL);
	b_u64(b, LSN_A);
	b_str(b, "walhook");
	b_u32(b, 6);
	b_raw(b, "he\0l\"o", 6);
}

static void check_message(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->message.flags, PGO_MESSAGE_TRANSACTIONAL);
	ck_assert_uint_eq(m->message.lsn, LSN_A);
	ck_assert_str_eq(m->message.prefix, "walhook");
	ck_assert_uint_eq(m->message.len, 6);
	ck_assert_mem_eq(m->message.content, "he\0l\"o", 6);
}

/* Non-transactional, empty content. */
static void build_message_empty(struct bytes *b, bool s)
{
	b_head(b, 'M', s);
	b_u8(b, 0);
	b_u64(b, LSN_B);
	b_str(b, "");
	b_u32(b, 0);
}

static void check_message_empty(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->message.flags, 0);
	ck_assert_uint_eq(m->message.lsn, LSN_B);
	ck_assert_str_eq(m->message.prefix, "");
	ck_assert_uint_eq(m->message.len, 0);
}

static void build_stream_start(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'S');
	b_u32(b, STREAM_XID);
	b_u8(b, 1);
}

static void check_stream_start(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->stream_start.xid, STREAM_XID);
	ck_assert(m->stream_start.first_segment);
}

static void build_stream_start_later(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'S');
	b_u32(b, STREAM_XID + 10);
	b_u8(b, 0);
}

static void check_stream_start_later(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->stream_start.xid, STREAM_XID + 10);
	ck_assert(!m->stream_start.first_segment);
}

static void build_stream_stop(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'E');
}

static void check_nothing(const struct pgo_msg *m)
{
	(void)m;
}

static void build_stream_commit(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'c');
	b_u32(b, STREAM_XID);
	b_u8(b, 0);
	b_u64(b, LSN_A);
	b_u64(b, LSN_B);
	b_u64(b, (uint64_t)TIME_A);
}

static void check_stream_commit(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->stream_commit.xid, STREAM_XID);
	ck_assert_uint_eq(m->stream_commit.flags, 0);
	ck_assert_uint_eq(m->stream_commit.commit_lsn, LSN_A);
	ck_assert_uint_eq(m->stream_commit.end_lsn, LSN_B);
	ck_assert_int_eq(m->stream_commit.commit_time, TIME_A);
}

static void build_stream_abort(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'A');
	b_u32(b, STREAM_XID);
	b_u32(b, SUB_XID);
}

static void check_stream_abort(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->stream_abort.xid, STREAM_XID);
	ck_assert_uint_eq(m->stream_abort.subxid, SUB_XID);
	ck_assert(!m->stream_abort.has_abort_lsn);
	ck_assert_uint_eq(m->stream_abort.abort_lsn, 0);
	ck_assert_int_eq(m->stream_abort.abort_time, 0);
}

static void build_stream_abort_lsn(struct bytes *b, bool s)
{
	build_stream_abort(b, s);
	b_u64(b, LSN_C);
	b_u64(b, (uint64_t)TIME_A);
}

static void check_stream_abort_lsn(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->stream_abort.xid, STREAM_XID);
	ck_assert_uint_eq(m->stream_abort.subxid, SUB_XID);
	ck_assert(m->stream_abort.has_abort_lsn);
	ck_assert_uint_eq(m->stream_abort.abort_lsn, LSN_C);
	ck_assert_int_eq(m->stream_abort.abort_time, TIME_A);
}

static void build_begin_prepare(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'b');
	b_u64(b, LSN_A);
	b_u64(b, LSN_B);
	b_u64(b, (uint64_t)TIME_A);
	b_u32(b, XID);
	b_str(b, "gid-1");
}

static void check_prepare_fields(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->prepare.flags, 0);
	ck_assert_uint_eq(m->prepare.lsn, LSN_A);
	ck_assert_uint_eq(m->prepare.end_lsn, LSN_B);
	ck_assert_int_eq(m->prepare.time, TIME_A);
	ck_assert_uint_eq(m->prepare.xid, XID);
	ck_assert_str_eq(m->prepare.gid, "gid-1");
}

/* Prepare, Commit Prepared and Stream Prepare: a flags byte, then as
 * Begin Prepare. */
static void build_flagged_prepare(struct bytes *b, char type)
{
	b_u8(b, (uint8_t)type);
	b_u8(b, 0);
	b_u64(b, LSN_A);
	b_u64(b, LSN_B);
	b_u64(b, (uint64_t)TIME_A);
	b_u32(b, XID);
	b_str(b, "gid-1");
}

static void build_prepare(struct bytes *b, bool s)
{
	(void)s;
	build_flagged_prepare(b, 'P');
}

static void build_commit_prepared(struct bytes *b, bool s)
{
	(void)s;
	build_flagged_prepare(b, 'K');
}

static void build_stream_prepare(struct bytes *b, bool s)
{
	(void)s;
	build_flagged_prepare(b, 'p');
}

static void build_rollback_prepared(struct bytes *b, bool s)
{
	(void)s;
	b_u8(b, 'r');
	b_u8(b, 0);
	b_u64(b, LSN_A);
	b_u64(b, LSN_B);
	b_u64(b, (uint64_t)TIME_A);
	b_u64(b, (uint64_t)TIME_B);
	b_u32(b, XID);
	b_str(b, "");
}

static void check_rollback_prepared(const struct pgo_msg *m)
{
	ck_assert_uint_eq(m->rollback_prepared.flags, 0);
	ck_assert_uint_eq(m->rollback_prepared.prepare_end_lsn, LSN_A);
	ck_assert_uint_eq(m->rollback_prepared.rollback_end_lsn, LSN_B);
	ck_assert_int_eq(m->rollback_prepared.prepare_time, TIME_A);
	ck_assert_int_eq(m->rollback_prepared.rollback_time, TIME_B);
	ck_assert_uint_eq(m->rollback_prepared.xid, XID);
	ck_assert_str_eq(m->rollback_prepared.gid, "");
}

struct vec {
	const char *name;
	char type;
	bool streamed;	    /* decoded inside a streamed block */
	bool abort_has_lsn; /* decoder setting */
	void (*build)(struct bytes *b, bool streamed);
	void (*check)(const struct pgo_msg *m);
};

#define PLAIN(n, t, f)                                                         \
	{                                                                      \
#f, t, false, false, build_##f, check_##n                      \
	}
#define STREAMED(n, t, f)                                                      \
	{                                                                      \
#f " (streamed)", t, true, false, build_##f, check_##n         \
	}
/* Messages that may appear in and out of a streamed block. */
#define BOTH(t, f) PLAIN(f, t, f), STREAMED(f, t, f)

static const struct vec vecs[] = {
	PLAIN(begin, 'B', begin),
	PLAIN(commit, 'C', commit),
	PLAIN(origin, 'O', origin),
	BOTH('R', relation),
	BOTH('R', relation_catalog),
	BOTH('Y', type),
	BOTH('I', insert),
	BOTH('I', insert_kinds),
	BOTH('U', update),
	BOTH('U', update_key),
	BOTH('U', update_old),
	BOTH('D', delete_key),
	BOTH('D', delete_old),
	BOTH('T', truncate),
	BOTH('M', message),
	BOTH('M', message_empty),
	PLAIN(stream_start, 'S', stream_start),
	PLAIN(stream_start_later, 'S', stream_start_later),
	STREAMED(nothing, 'E', stream_stop),
	PLAIN(stream_commit, 'c', stream_commit),
	PLAIN(stream_abort, 'A', stream_abort),
	{ "stream_abort (parallel)", 'A', false, true, build_stream_abort_lsn,
	  check_stream_abort_lsn },
	PLAIN(prepare_fields, 'b', begin_prepare),
	PLAIN(prepare_fields, 'P', prepare),
	PLAIN(prepare_fields, 'K', commit_prepared),
	PLAIN(rollback_prepared, 'r', rollback_prepared),
	PLAIN(prepare_fields, 'p', stream_prepare),
};

#define NVECS ((int)(sizeof vecs / sizeof vecs[0]))

/* A fresh decoder set up as vector v expects: inside a streamed block
 * (entered through a real Stream Start) when v is a streamed case. */
static void setup_decoder(struct pgo_decoder *d, const struct vec *v)
{
	pgo_decoder_init(d);
	d->abort_has_lsn = v->abort_has_lsn;
	if (v->streamed) {
		struct bytes b = { 0 };
		struct pgo_msg m;
		build_stream_start(&b, false);
		ck_assert_int_eq(pgo_decode(d, b.p, b.len, &m), 0);
		ck_assert(d->in_stream);
		b_free(&b);
	}
}

/* Decodes a heap copy of exactly n bytes, so an overread is visible to
 * valgrind, and frees it. The message's views point into the copy, so
 * callers that look at them keep the copy: see decode_keep. */
static uint8_t *heap_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

static int decode_copy(struct pgo_decoder *d, const uint8_t *p, size_t n,
		       struct pgo_msg *m)
{
	uint8_t *c = heap_copy(p, n);
	int rc = pgo_decode(d, c, n, m);
	free(c);
	return rc;
}

static bool carries_xid(char type)
{
	return strchr("RYIUDTM", type) != NULL;
}

START_TEST(test_vector_decodes)
{
	const struct vec *v = &vecs[_i];
	struct pgo_decoder d;
	struct bytes b = { 0 };
	struct pgo_msg m;
	setup_decoder(&d, v);
	v->build(&b, v->streamed);
	uint8_t *copy = heap_copy(b.p, b.len);
	int rc = pgo_decode(&d, copy, b.len, &m);
	ck_assert_msg(rc == 0, "%s: pgo_decode failed: %s", v->name, d.err);
	ck_assert_int_eq(m.kind, v->type);
	bool xid = v->streamed && carries_xid(v->type);
	ck_assert_int_eq(m.has_xid, xid);
	ck_assert_uint_eq(m.xid, xid ? SUB_XID : 0);
	v->check(&m);
	/* Stream Start enters a block, Stream Stop leaves it, others keep it.
	 */
	bool want_stream = v->type == 'S'   ? true
			   : v->type == 'E' ? false
					    : v->streamed;
	ck_assert_int_eq(d.in_stream, want_stream);
	free(copy);
	b_free(&b);
	pgo_decoder_free(&d);
}
END_TEST

/* Every proper prefix of every vector is an error, never a crash. */
START_TEST(test_vector_truncations)
{
	const struct vec *v = &vecs[_i];
	struct bytes b = { 0 };
	v->build(&b, v->streamed);
	for (size_t n = 0; n < b.len; n++) {
		struct pgo_decoder d;
		struct pgo_msg m;
		setup_decoder(&d, v);
		int rc = decode_copy(&d, b.p, n, &m);
		ck_assert_msg(rc == -1,
			      "%s: prefix of %zu of %zu bytes decoded", v->name,
			      n, b.len);
		ck_assert_msg(d.err[0] != '\0', "%s: prefix %zu: empty error",
			      v->name, n);
		ck_assert_msg(memchr(d.err, '\0', sizeof d.err) != NULL,
			      "%s: error not terminated", v->name);
		/* A failed message leaves the block state alone. */
		ck_assert_int_eq(d.in_stream, v->streamed);
		pgo_decoder_free(&d);
	}
	b_free(&b);
}
END_TEST

START_TEST(test_vector_trailing_byte)
{
	const struct vec *v = &vecs[_i];
	struct bytes b = { 0 };
	struct pgo_decoder d;
	struct pgo_msg m;
	v->build(&b, v->streamed);
	b_u8(&b, 0);
	setup_decoder(&d, v);
	ck_assert_msg(decode_copy(&d, b.p, b.len, &m) == -1,
		      "%s with a trailing byte decoded", v->name);
	ck_assert_msg(d.err[0] != '\0', "%s: empty error", v->name);
	ck_assert_int_eq(d.in_stream, v->streamed);
	pgo_decoder_free(&d);
	b_free(&b);
}
END_TEST

/* One decoder through a whole session: scratch reuse must not leak state
 * from one message into the next. */
START_TEST(test_one_decoder_all_vectors)
{
	struct pgo_decoder d;
	pgo_decoder_init(&d);
	for (int round = 0; round < 2; round++) {
		/* Plain cases first, then the streamed ones inside a block. */
		for (int pass = 0; pass < 2; pass++) {
			bool streamed = pass == 1;
			struct bytes b = { 0 };
			struct pgo_msg m;
			if (streamed) {
				build_stream_start(&b, false);
				ck_assert_int_eq(pgo_decode(&d, b.p, b.len, &m),
						 0);
				b_free(&b);
			}
			for (int i = 0; i < NVECS; i++) {
				const struct vec *v = &vecs[i];
				if (v->streamed != streamed || v->type == 'E' ||
				    v->type == 'S')
					continue;
				d.abort_has_lsn = v->abort_has_lsn;
				v->build(&b, streamed);
				ck_assert_msg(pgo_decode(&d, b.p, b.len, &m) ==
						  0,
					      "%s: %s", v->name, d.err);
				ck_assert_int_eq(m.kind, v->type);
				v->check(&m);
				b_free(&b);
			}
			if (streamed) {
				build_stream_stop(&b, false);
				ck_assert_int_eq(pgo_decode(&d, b.p, b.len, &m),
						 0);
				b_free(&b);
			}
			ck_assert(!d.in_stream);
		}
	}
	pgo_decoder_free(&d);
}
END_TEST

/* ---- the streamed block ---- */

static int decode_built(struct pgo_decoder *d,
			void (*build)(struct bytes *, bool), bool streamed,
			struct pgo_msg *m)
{
	struct bytes b = { 0 };
	build(&b, streamed);
	int rc = decode_copy(d, b.p, b.len, m);
	b_free(&b);
	return rc;
}

START_TEST(test_stream_block_xid)
{
	static void (*const in_block[])(struct bytes *, bool) = {
		build_relation,	  build_type,	    build_insert,
		build_update_key, build_delete_key, build_truncate,
		build_message,
	};
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);

	/* Before any block: no xid. */
	ck_assert_int_eq(decode_built(&d, build_insert, false, &m), 0);
	ck_assert(!m.has_xid);

	ck_assert_int_eq(decode_built(&d, build_stream_start, false, &m), 0);
	ck_assert(d.in_stream);
	for (size_t i = 0; i < sizeof in_block / sizeof in_block[0]; i++) {
		ck_assert_msg(decode_built(&d, in_block[i], true, &m) == 0,
			      "message %zu in block: %s", i, d.err);
		ck_assert(m.has_xid);
		ck_assert_uint_eq(m.xid, SUB_XID);
	}
	ck_assert_int_eq(decode_built(&d, build_stream_stop, false, &m), 0);
	ck_assert(!m.has_xid);
	ck_assert(!d.in_stream);

	for (size_t i = 0; i < sizeof in_block / sizeof in_block[0]; i++) {
		ck_assert_msg(decode_built(&d, in_block[i], false, &m) == 0,
			      "message %zu after block: %s", i, d.err);
		ck_assert(!m.has_xid);
		ck_assert_uint_eq(m.xid, 0);
	}

	/* Stream Commit comes outside any block. */
	ck_assert_int_eq(decode_built(&d, build_stream_commit, false, &m), 0);
	ck_assert(!d.in_stream);
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_stream_stop_outside_block)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	ck_assert_int_eq(decode_built(&d, build_stream_stop, false, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert(!d.in_stream);
	/* And a second Stop after a block closed. */
	ck_assert_int_eq(decode_built(&d, build_stream_start, false, &m), 0);
	ck_assert_int_eq(decode_built(&d, build_stream_stop, false, &m), 0);
	ck_assert_int_eq(decode_built(&d, build_stream_stop, false, &m), -1);
	ck_assert_str_ne(d.err, "");
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_stream_start_inside_block)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	ck_assert_int_eq(decode_built(&d, build_stream_start, false, &m), 0);
	ck_assert_int_eq(decode_built(&d, build_stream_start, false, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert(d.in_stream);
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_decoder_reset)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	ck_assert_int_eq(decode_built(&d, build_stream_start, false, &m), 0);
	pgo_decoder_reset(&d);
	ck_assert(!d.in_stream);
	ck_assert_int_eq(decode_built(&d, build_insert, false, &m), 0);
	ck_assert(!m.has_xid);
	ck_assert_int_eq(decode_built(&d, build_stream_stop, false, &m), -1);
	pgo_decoder_free(&d);
	pgo_decoder_free(&d); /* a freed decoder is a fresh one */
}
END_TEST

/* ---- Stream Abort and the parallel-streaming setting ---- */

START_TEST(test_stream_abort_setting)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	/* Setting off: the 25-byte form has 16 bytes too many. */
	ck_assert_int_eq(decode_built(&d, build_stream_abort_lsn, false, &m),
			 -1);
	ck_assert_int_eq(decode_built(&d, build_stream_abort, false, &m), 0);
	check_stream_abort(&m);
	/* Setting on: the 9-byte form is truncated. */
	d.abort_has_lsn = true;
	ck_assert_int_eq(decode_built(&d, build_stream_abort, false, &m), -1);
	ck_assert_int_eq(decode_built(&d, build_stream_abort_lsn, false, &m),
			 0);
	check_stream_abort_lsn(&m);
	pgo_decoder_free(&d);
}
END_TEST

/* ---- protocol rules ---- */

START_TEST(test_unknown_type)
{
	static const uint8_t types[] = { 0, 'Z', 'w', 'k', 'a', 'N', 0xFF };
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t msg[9] = { types[i], 0, 0, 0, 0, 0, 0, 0, 0 };
		for (size_t n = 1; n <= sizeof msg; n += 8) {
			d.err[0] = '\0';
			ck_assert_int_eq(decode_copy(&d, msg, n, &m), -1);
			ck_assert_msg(strstr(d.err, "unknown") != NULL,
				      "type 0x%02x: error \"%s\"", types[i],
				      d.err);
		}
	}
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_empty_message)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	static const uint8_t one[1] = { 'B' };
	ck_assert_int_eq(pgo_decode(&d, one, 0, &m), -1);
	ck_assert_str_ne(d.err, "");
	pgo_decoder_free(&d);
}
END_TEST

/* Commit, Stream Commit, Prepare, Commit Prepared, Rollback Prepared and
 * Stream Prepare carry a flags byte right after the type: it must be 0. */
START_TEST(test_nonzero_flags)
{
	static void (*const builders[])(struct bytes *, bool) = {
		build_commit,	       build_prepare,
		build_commit_prepared, build_rollback_prepared,
		build_stream_prepare,
	};
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++) {
		for (int flags = 1; flags <= 0x80; flags <<= 1) {
			struct bytes b = { 0 };
			builders[i](&b, false);
			b.p[1] = (uint8_t)flags;
			ck_assert_msg(decode_copy(&d, b.p, b.len, &m) == -1,
				      "type %c with flags 0x%02x decoded",
				      b.p[0], flags);
			ck_assert_str_ne(d.err, "");
			b_free(&b);
		}
	}
	/* Stream Commit's flags follow its xid. */
	struct bytes b = { 0 };
	build_stream_commit(&b, false);
	b.p[5] = 1;
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	b_free(&b);
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_unknown_tuple_kind)
{
	static const uint8_t kinds[] = { 0, 'x', 'N', 'T', 'B', 0xFF };
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	for (size_t i = 0; i < sizeof kinds; i++) {
		/* In the new tuple of an insert. */
		struct bytes b = { 0 };
		b_u8(&b, 'I');
		b_u32(&b, RELID);
		b_u8(&b, 'N');
		b_u16(&b, 2);
		col_text(&b, "1");
		b_u8(&b, kinds[i]);
		b_u32(&b, 0);
		ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
		ck_assert_str_ne(d.err, "");
		b_free(&b);

		/* In the old tuple of an update. */
		b_u8(&b, 'U');
		b_u32(&b, RELID);
		b_u8(&b, 'O');
		b_u16(&b, 1);
		b_u8(&b, kinds[i]);
		b_u8(&b, 'N');
		b_u16(&b, 1);
		col_null(&b);
		ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
		ck_assert_str_ne(d.err, "");
		b_free(&b);
	}
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_bad_tuple_tags)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	struct bytes b = { 0 };
	pgo_decoder_init(&d);

	/* Insert with K or O instead of N. */
	for (const char *t = "KOX"; *t; t++) {
		b_u8(&b, 'I');
		b_u32(&b, RELID);
		b_u8(&b, (uint8_t)*t);
		b_u16(&b, 1);
		col_null(&b);
		ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
		ck_assert_str_ne(d.err, "");
		b_free(&b);
	}
	/* Delete with N or anything else instead of K/O. */
	for (const char *t = "NX"; *t; t++) {
		b_u8(&b, 'D');
		b_u32(&b, RELID);
		b_u8(&b, (uint8_t)*t);
		b_u16(&b, 1);
		col_null(&b);
		ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
		ck_assert_str_ne(d.err, "");
		b_free(&b);
	}
	/* Update: old tuple then something other than N; and two old tuples. */
	b_u8(&b, 'U');
	b_u32(&b, RELID);
	b_u8(&b, 'K');
	b_u16(&b, 1);
	col_null(&b);
	b_u8(&b, 'O');
	b_u16(&b, 1);
	col_null(&b);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	b_free(&b);
	pgo_decoder_free(&d);
}
END_TEST

/* A count far beyond what the bytes could hold fails before allocating. */
START_TEST(test_huge_counts)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	struct bytes b = { 0 };
	pgo_decoder_init(&d);

	b_u8(&b, 'I');
	b_u32(&b, RELID);
	b_u8(&b, 'N');
	b_u16(&b, 65535);
	col_null(&b);
	col_null(&b);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert_uint_lt(d.vals_cap, 1024);
	b_free(&b);

	/* In an update's new tuple, after an old one. */
	b_u8(&b, 'U');
	b_u32(&b, RELID);
	b_u8(&b, 'K');
	b_u16(&b, 1);
	col_text(&b, "1");
	b_u8(&b, 'N');
	b_u16(&b, 65535);
	col_null(&b);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert_uint_lt(d.vals_cap, 1024);
	b_free(&b);

	b_u8(&b, 'R');
	b_u32(&b, RELID);
	b_str(&b, "public");
	b_str(&b, "t");
	b_u8(&b, 'd');
	b_u16(&b, 65535);
	b_u8(&b, 0);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert_uint_lt(d.cols_cap, 1024);
	b_free(&b);

	b_u8(&b, 'T');
	b_u32(&b, UINT32_MAX);
	b_u8(&b, 0);
	b_u32(&b, RELID);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert_uint_lt(d.relids_cap, 1024);
	b_free(&b);

	/* A value length beyond the buffer. */
	b_u8(&b, 'I');
	b_u32(&b, RELID);
	b_u8(&b, 'N');
	b_u16(&b, 1);
	b_u8(&b, 't');
	b_u32(&b, UINT32_MAX);
	b_raw(&b, "abc", 3);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	b_free(&b);

	/* A message length beyond the buffer. */
	b_u8(&b, 'M');
	b_u8(&b, 0);
	b_u64(&b, LSN_A);
	b_str(&b, "p");
	b_u32(&b, UINT32_MAX);
	b_raw(&b, "abc", 3);
	ck_assert_int_eq(decode_copy(&d, b.p, b.len, &m), -1);
	ck_assert_str_ne(d.err, "");
	b_free(&b);
	pgo_decoder_free(&d);
}
END_TEST

/* The largest tuple the format allows really decodes. */
START_TEST(test_max_columns)
{
	struct pgo_decoder d;
	struct pgo_msg m;
	struct bytes b = { 0 };
	pgo_decoder_init(&d);
	b_u8(&b, 'I');
	b_u32(&b, RELID);
	b_u8(&b, 'N');
	b_u16(&b, 65535);
	for (int i = 0; i < 65534; i++)
		col_null(&b);
	col_text(&b, "last");
	ck_assert_msg(decode_copy(&d, b.p, b.len, &m) == 0, "%s", d.err);
	ck_assert_uint_eq(m.change.new.ncols, 65535);
	assert_kind(&m.change.new.cols[0], DATUM_NULL);
	assert_kind(&m.change.new.cols[65533], DATUM_NULL);
	ck_assert_int_eq(m.change.new.cols[65534].kind, DATUM_TEXT);
	ck_assert_uint_eq(m.change.new.cols[65534].len, 4);
	b_free(&b);
	pgo_decoder_free(&d);
}
END_TEST

/* The old and new tuples share the value scratch: with 40 columns each the
 * scratch grows (and may move) while the new tuple is read, after the old
 * one was placed. Both must still read right. */
static void build_wide_update(struct bytes *b, char old_kind, int ncols)
{
	char s[32];
	b_u8(b, 'U');
	b_u32(b, RELID);
	b_u8(b, (uint8_t)old_kind);
	b_u16(b, (uint16_t)ncols);
	for (int i = 0; i < ncols; i++) {
		snprintf(s, sizeof s, "old-%d", i);
		col_text(b, s);
	}
	b_u8(b, 'N');
	b_u16(b, (uint16_t)ncols);
	for (int i = 0; i < ncols; i++) {
		snprintf(s, sizeof s, "new-%d", i);
		col_text(b, s);
	}
}

static void check_wide_update(const struct pgo_msg *m, char old_kind, int ncols)
{
	char s[32];
	ck_assert_int_eq(m->change.old_kind, old_kind);
	ck_assert_uint_eq(m->change.old.ncols, ncols);
	ck_assert_uint_eq(m->change.new.ncols, ncols);
	for (int i = 0; i < ncols; i++) {
		snprintf(s, sizeof s, "old-%d", i);
		assert_text(&m->change.old.cols[i], s);
		snprintf(s, sizeof s, "new-%d", i);
		assert_text(&m->change.new.cols[i], s);
	}
}

START_TEST(test_update_scratch_growth)
{
	static const int widths[] = { 40, 8, 100, 40, 1000 };
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		for (const char *k = "OK"; *k; k++) {
			struct bytes b = { 0 };
			build_wide_update(&b, *k, widths[w]);
			uint8_t *copy = heap_copy(b.p, b.len);
			ck_assert_msg(pgo_decode(&d, copy, b.len, &m) == 0,
				      "%s", d.err);
			check_wide_update(&m, *k, widths[w]);
			free(copy);
			b_free(&b);
		}
	}
	pgo_decoder_free(&d);

	/* Straight from a fresh decoder, the case the brief names. */
	pgo_decoder_init(&d);
	struct bytes b = { 0 };
	build_wide_update(&b, 'O', 40);
	ck_assert_msg(pgo_decode(&d, b.p, b.len, &m) == 0, "%s", d.err);
	check_wide_update(&m, 'O', 40);
	b_free(&b);
	pgo_decoder_free(&d);
}
END_TEST

START_TEST(test_error_resets)
{
	/* A success after a failure leaves no stale error text. */
	struct pgo_decoder d;
	struct pgo_msg m;
	pgo_decoder_init(&d);
	ck_assert_int_eq(decode_built(&d, build_stream_stop, false, &m), -1);
	ck_assert_str_ne(d.err, "");
	ck_assert_int_eq(decode_built(&d, build_begin, false, &m), 0);
	ck_assert_str_eq(d.err, "");
	pgo_decoder_free(&d);
}
END_TEST

/* ---- names ---- */

START_TEST(test_kind_names)
{
	static const struct {
		int kind;
		const char *name;
	} names[] = {
		{ PGO_BEGIN, "Begin" },
		{ PGO_COMMIT, "Commit" },
		{ PGO_ORIGIN, "Origin" },
		{ PGO_RELATION, "Relation" },
		{ PGO_TYPE, "Type" },
		{ PGO_INSERT, "Insert" },
		{ PGO_UPDATE, "Update" },
		{ PGO_DELETE, "Delete" },
		{ PGO_TRUNCATE, "Truncate" },
		{ PGO_MESSAGE, "Message" },
		{ PGO_STREAM_START, "Stream Start" },
		{ PGO_STREAM_STOP, "Stream Stop" },
		{ PGO_STREAM_COMMIT, "Stream Commit" },
		{ PGO_STREAM_ABORT, "Stream Abort" },
		{ PGO_BEGIN_PREPARE, "Begin Prepare" },
		{ PGO_PREPARE, "Prepare" },
		{ PGO_COMMIT_PREPARED, "Commit Prepared" },
		{ PGO_ROLLBACK_PREPARED, "Rollback Prepared" },
		{ PGO_STREAM_PREPARE, "Stream Prepare" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		ck_assert_str_eq(pgo_kind_name(names[i].kind), names[i].name);
	ck_assert_str_eq(pgo_kind_name(0), "unknown");
	ck_assert_str_eq(pgo_kind_name('Z'), "unknown");
	ck_assert_str_eq(pgo_kind_name('w'), "unknown");
	ck_assert_str_eq(pgo_kind_name(0xFF), "unknown");
	ck_assert_str_eq(pgo_kind_name(-1), "unknown");
	ck_assert_str_eq(pgo_kind_name(256 + 'B'), "unknown");
}
END_TEST

START_TEST(test_kind_wire_bytes)
{
	/* The enum values are the wire bytes themselves. */
	ck_assert_int_eq(PGO_BEGIN, 'B');
	ck_assert_int_eq(PGO_COMMIT, 'C');
	ck_assert_int_eq(PGO_ORIGIN, 'O');
	ck_assert_int_eq(PGO_RELATION, 'R');
	ck_assert_int_eq(PGO_TYPE, 'Y');
	ck_assert_int_eq(PGO_INSERT, 'I');
	ck_assert_int_eq(PGO_UPDATE, 'U');
	ck_assert_int_eq(PGO_DELETE, 'D');
	ck_assert_int_eq(PGO_TRUNCATE, 'T');
	ck_assert_int_eq(PGO_MESSAGE, 'M');
	ck_assert_int_eq(PGO_STREAM_START, 'S');
	ck_assert_int_eq(PGO_STREAM_STOP, 'E');
	ck_assert_int_eq(PGO_STREAM_COMMIT, 'c');
	ck_assert_int_eq(PGO_STREAM_ABORT, 'A');
	ck_assert_int_eq(PGO_BEGIN_PREPARE, 'b');
	ck_assert_int_eq(PGO_PREPARE, 'P');
	ck_assert_int_eq(PGO_COMMIT_PREPARED, 'K');
	ck_assert_int_eq(PGO_ROLLBACK_PREPARED, 'r');
	ck_assert_int_eq(PGO_STREAM_PREPARE, 'p');
}
END_TEST

static Suite *pgoutput_suite(void)
{
	Suite *s = suite_create("pgoutput");
	TCase *tc = tcase_create("vectors");
	tcase_add_loop_test(tc, test_vector_decodes, 0, NVECS);
	tcase_add_loop_test(tc, test_vector_truncations, 0, NVECS);
	tcase_add_loop_test(tc, test_vector_trailing_byte, 0, NVECS);
	tcase_add_test(tc, test_one_decoder_all_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_add_test(tc, test_stream_block_xid);
	tcase_add_test(tc, test_stream_stop_outside_block);
	tcase_add_test(tc, test_stream_start_inside_block);
	tcase_add_test(tc, test_decoder_reset);
	tcase_add_test(tc, test_stream_abort_setting);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_set_timeout(tc, 60); /* 65535-column tuples under valgrind */
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_empty_message);
	tcase_add_test(tc, test_nonzero_flags);
	tcase_add_test(tc, test_unknown_tuple_kind);
	tcase_add_test(tc, test_bad_tuple_tags);
	tcase_add_test(tc, test_huge_counts);
	tcase_add_test(tc, test_max_columns);
	tcase_add_test(tc, test_update_scratch_growth);
	tcase_add_test(tc, test_error_resets);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_kind_wire_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(pgoutput_suite());
}
