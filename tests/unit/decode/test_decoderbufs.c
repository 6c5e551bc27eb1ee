/* Unit tests for decoderbufs.h (through textplugin.h): real payloads of
 * Debian's postgresql-15-decoderbufs, every field of the events they
 * decode to; every truncation of each; malformed input of each kind the
 * decoder rejects.
 *
 * The vectors were captured with pg_logical_slot_peek_binary_changes()
 * (its lsn column is the XLogData header LSN) after:
 *
 *   CREATE TABLE ut (id int PRIMARY KEY, "Q x" text, ts timestamptz,
 *     d date, tm timetz, f4 float4, f8 float8, mo money, p point,
 *     by bytea, n numeric, b bool, i2 int2, i8 int8, tt time,
 *     tsp timestamp, dinf date, o oid, ia int[]);
 *   CREATE TABLE uf (a int, b text);            -- REPLICA IDENTITY FULL
 *   CREATE TABLE "My S" (x int);                -- no replica identity
 *   CREATE TABLE utoast (id int PRIMARY KEY, big text);
 *                                    -- big with STORAGE EXTERNAL
 *   INSERT INTO ut (id) VALUES (2);  -- and the row of the first vector
 *   UPDATE ut SET id = 3 WHERE id = 2; DELETE FROM ut WHERE id = 3;
 *   BEGIN; INSERT INTO uf VALUES (1, 'one'), (2, NULL);
 *     UPDATE uf SET b = 'uno' WHERE a = 1; DELETE FROM uf WHERE a = 2;
 *     COMMIT;
 *   INSERT INTO utoast VALUES (1, repeat('x', 3000));
 *   UPDATE utoast SET id = 2;
 *   INSERT INTO "My S" VALUES (7); UPDATE "My S" SET x = 8;
 *   DELETE FROM "My S";
 *
 * Payloads are copied into exactly-sized heap blocks before decoding, so
 * a read past the end shows up under valgrind. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/lsn.h"
#include "check_run.h"
#include "decode/textplugin.h"

struct vec {
	const char *lsn;
	const char *hex;
};

static const struct vec vecs[] = {
#include "decoderbufs_vectors.inc"
};
#define NVECS (sizeof vecs / sizeof vecs[0])

/* The events, one line each. */
static struct buf seen;

static void put_row(const struct rel *r, const struct datum *v)
{
	for (uint16_t i = 0; i < r->ncols; i++) {
		buf_printf(&seen, " %s%s:%u=", r->cols[i].key ? "*" : "",
			   r->cols[i].name, r->cols[i].typoid);
		if (v[i].kind == DATUM_TEXT)
			buf_printf(&seen, "'%.*s'", (int)v[i].len, v[i].data);
		else
			buf_putc(&seen, v[i].kind);
	}
}

static int record(void *ctx, const struct event *ev, struct err *e)
{
	(void)ctx;
	(void)e;
	char l[LSN_STRLEN], t[PGTIME_STRLEN];
	switch (ev->kind) {
	case EVENT_BEGIN:
		buf_printf(&seen, "BEGIN %u %s at %s\n", ev->begin.xid,
			   pgtime_format(ev->begin.commit_time, t),
			   lsn_format(ev->lsn, l));
		break;
	case EVENT_COMMIT:
		buf_printf(&seen, "COMMIT %u %s end %s\n", ev->commit.xid,
			   pgtime_format(ev->commit.commit_time, t),
			   lsn_format(ev->commit.end_lsn, l));
		break;
	case EVENT_CHANGE: {
		const struct change *c = &ev->change;
		buf_printf(&seen, "%s %s.%s at %s",
			   change_op_name(c->op), c->rel->nspname,
			   c->rel->relname, lsn_format(ev->lsn, l));
		if (c->newv) {
			buf_puts(&seen, " new");
			put_row(c->rel, c->newv);
		}
		if (c->oldv) {
			buf_printf(&seen, " old %c", c->old_kind);
			put_row(c->rel, c->oldv);
		}
		buf_putc(&seen, '\n');
		break;
	}
	default: buf_printf(&seen, "?%c\n", ev->kind);
	}
	return 0;
}

static uint8_t *unhex(const char *hex, size_t *n)
{
	*n = strlen(hex) / 2;
	uint8_t *b = malloc(*n ? *n : 1);
	for (size_t i = 0; i < *n; i++)
		sscanf(hex + 2 * i, "%2hhx", &b[i]);
	return b;
}

static int decode(struct textplugin *d, const uint8_t *b, size_t n,
		  const char *lsn, struct err *e)
{
	uint64_t at;
	ck_assert(lsn_parse(lsn, &at));
	return textplugin_decode(d, b, n, at, record, NULL, e);
}

static int decode_hex(struct textplugin *d, const char *hex, const char *lsn,
		      struct err *e)
{
	size_t n;
	uint8_t *b = unhex(hex, &n);
	int rc = decode(d, b, n, lsn, e);
	free(b);
	return rc;
}

static const char *const want[] = {
#include "decoderbufs_expected.inc"
};

START_TEST(test_real_payloads)
{
	struct textplugin d;
	struct err e = { 0 };
	textplugin_init(&d, TEXTPLUGIN_DECODERBUFS);
	ck_assert_uint_eq(NVECS, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < NVECS; i++) {
		buf_reset(&seen);
		int rc = decode_hex(&d, vecs[i].hex, vecs[i].lsn, &e);
		ck_assert_msg(rc == 0, "vector %zu: %s", i, e.msg);
		ck_assert_str_eq(buf_cstr(&seen), want[i]);
	}
	textplugin_free(&d);
	buf_free(&seen);
}
END_TEST

/* Each cut either still reads as a (shorter) message or fails naming the
 * plugin, the LSN and the offset; nothing is read past the cut. */
START_TEST(test_every_truncation)
{
	struct err e;
	for (size_t i = 0; i < NVECS; i++) {
		size_t n;
		uint8_t *full = unhex(vecs[i].hex, &n);
		for (size_t k = 0; k < n; k++) {
			struct textplugin d;
			textplugin_init(&d, TEXTPLUGIN_DECODERBUFS);
			uint8_t *b = malloc(k ? k : 1);
			memcpy(b, full, k);
			e = (struct err){ 0 };
			if (decode(&d, b, k, vecs[i].lsn, &e) < 0) {
				char head[64];
				snprintf(head, sizeof head,
					 "decoderbufs payload at %s",
					 vecs[i].lsn);
				ck_assert_msg(strncmp(e.msg, head,
						      strlen(head)) == 0,
					      "%s", e.msg);
			}
			free(b);
			textplugin_free(&d);
		}
		free(full);
	}
	buf_free(&seen);
}
END_TEST

static void bad(const char *hex, const char *why)
{
	struct textplugin d;
	struct err e = { 0 };
	textplugin_init(&d, TEXTPLUGIN_DECODERBUFS);
	ck_assert_int_eq(decode_hex(&d, hex, "1/2A", &e), -1);
	ck_assert_msg(strstr(e.msg, why), "%s: not %s", e.msg, why);
	ck_assert_msg(strncmp(e.msg, "decoderbufs payload at 1/2A", 27) == 0,
		      "%s", e.msg);
	textplugin_free(&d);
	buf_free(&seen);
}

START_TEST(test_malformed)
{
	bad("0801", "without an op");
	bad("2009", "unknown op 9");
	bad("08012080", "at its end (4 bytes): it is cut short: a varint");
	bad("0801220101", "at byte 2 of 5");
	bad("0d01000000", "transaction_id (field 1) has wire type 5, not 0");
	bad("1a0178", "the table name `x` is not schema.table");
	bad("1a04222e2e782000", "the table name `\"..x` is not schema.table");
	bad("2000", "a row change without a table");
	bad("1a03612e622000", "insert into a.b without a new tuple");
	/* a column: no name; a name that is two; an OID above 2^32 */
	bad("1a03612e6220002a021017", "a column without a name");
	bad("1a03612e6220002a050a03612e62", "not one identifier");
	bad("1a03612e6220002a090a0161108080808010",
	    "a column type OID above 2^32");
	/* a float8 whose value comes as a varint */
	bad("1a03612e6220002a080a016110bd053001",
	    "a column's value (field 6) has wire type 0, not 1");
	/* a point with x only, and one whose y is a varint */
	bad("1a03612e6220002a110a016110d804520909000000000000f03f",
	    "a point without both x and y");
	bad("1a03612e6220002a0a0a016110d80452021002",
	    "a point's coordinate (field 2) has wire type 0");
	/* a timestamptz out of the server's range */
	bad("1a03612e6220002a110a016110a009208080808080808080c001",
	    "column \"a\" of a.b: timestamptz: out of range");
	bad("2004", "COMMIT 0 outside a transaction");
}
END_TEST

START_TEST(test_transaction_order)
{
	struct textplugin d;
	struct err e = { 0 };
	textplugin_init(&d, TEXTPLUGIN_DECODERBUFS);
	ck_assert_int_eq(decode_hex(&d, "08052003", "0/10", &e), 0);
	ck_assert_int_eq(decode_hex(&d, "08062003", "0/20", &e), -1);
	ck_assert_str_eq(e.msg, "decoderbufs payload at 0/20: BEGIN 6 inside "
				"transaction 5");
	ck_assert_int_eq(decode_hex(&d, "08062004", "0/30", &e), -1);
	ck_assert_str_eq(e.msg, "decoderbufs payload at 0/30: COMMIT 6 inside "
				"transaction 5");
	/* a reconnect forgets the open transaction */
	textplugin_reset(&d);
	ck_assert_int_eq(decode_hex(&d, "08062003", "0/40", &e), 0);
	/* fields walhook does not know are skipped */
	ck_assert_int_eq(decode_hex(&d, "0806f80601fd0601020304200484", "0/50",
				    &e),
			 -1);
	buf_reset(&seen);
	ck_assert_int_eq(decode_hex(&d, "0806f806012004", "0/50", &e), 0);
	ck_assert_str_eq(buf_cstr(&seen),
			 "COMMIT 6 2000-01-01 00:00:00.000000+00 end 0/50\n");
	textplugin_free(&d);
	buf_free(&seen);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decoderbufs");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_real_payloads);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_transaction_order);
	suite_add_tcase(s, tc);
	return check_run(s);
}
