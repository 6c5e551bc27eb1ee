/* Unit tests for the recording reader: frames of every size read back as
 * written, one larger than the reader's buffer among them, and a cut or
 * damaged file stops at the right frame and byte. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/record.h"
#include "check_run.h"

#define BIG ((3u << 20) + 5) /* more than one read of the reader's */

static char path[64];
static const uint32_t sizes[] = { 1, 0, 300, BIG, 7 };

static char byte_of(uint32_t frame, uint32_t i)
{
	return (char)('a' + (frame * 7 + i) % 26);
}

/* A recording of a connect frame, then the sizes as copydata frames. */
static void write_recording(void)
{
	strcpy(path, "/tmp/test_record.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct recorder w;
	struct err e = { 0 };
	ck_assert_int_eq(recorder_open(&w, path, "plugin=pgoutput\n", &e), 0);
	ck_assert_int_eq(recorder_frame(&w, RECORD_CONNECT, "slot=s\n", 7, &e),
			 0);
	char *data = malloc(BIG);
	for (uint32_t f = 0; f < sizeof sizes / sizeof *sizes; f++) {
		for (uint32_t i = 0; i < sizes[f]; i++)
			data[i] = byte_of(f, i);
		ck_assert_int_eq(
		    recorder_frame(&w, RECORD_COPYDATA, data, sizes[f], &e), 0);
	}
	free(data);
	ck_assert_int_eq(recorder_close(&w, &e), 0);
}

/* Reads path to its end: the number of frames read whole, and rc. */
static int read_all(struct err *e, uint64_t *frames)
{
	struct record_reader r;
	struct buf header = { 0 };
	int rc = record_reader_open(&r, path, &header, e);
	enum record_frame type;
	while (rc == 0 && (rc = record_reader_next(&r, &type, e)) == 1)
		rc = 0;
	*frames = r.frames;
	record_reader_close(&r);
	buf_free(&header);
	return rc;
}

START_TEST(test_frames_read_back)
{
	write_recording();
	struct record_reader r;
	struct buf header = { 0 };
	struct err e = { 0 };
	ck_assert_int_eq(record_reader_open(&r, path, &header, &e), 0);
	ck_assert_str_eq(header.data, "plugin=pgoutput\n");
	enum record_frame type;
	ck_assert_int_eq(record_reader_next(&r, &type, &e), 1);
	ck_assert_int_eq(type, RECORD_CONNECT);
	ck_assert_str_eq(r.data, "slot=s\n"); /* NUL-ended */
	long at = r.offset;
	for (uint32_t f = 0; f < sizeof sizes / sizeof *sizes; f++) {
		ck_assert_int_eq(record_reader_next(&r, &type, &e), 1);
		ck_assert_int_eq(type, RECORD_COPYDATA);
		ck_assert_uint_eq(r.len, sizes[f]);
		ck_assert_int_eq(r.frame_offset, at);
		/* One check of the first byte that differs: a check of
		 * each of the big frame's bytes takes seconds. */
		uint32_t i = 0;
		while (i < sizes[f] && r.data[i] == byte_of(f, i))
			i++;
		ck_assert_uint_eq(i, sizes[f]);
		ck_assert_int_eq(r.data[r.len], '\0');
		at += 5 + (long)sizes[f] + 4;
	}
	ck_assert_int_eq(record_reader_next(&r, &type, &e), 0);
	ck_assert_uint_eq(r.frames, 6);
	record_reader_close(&r);
	buf_free(&header);
	unlink(path);
}
END_TEST

/* The file cut inside the big frame's data, then inside its checksum. */
START_TEST(test_cut_short)
{
	write_recording();
	struct err e = { 0 };
	uint64_t frames;
	long big_at = 16 + 16 + 4 + (5 + 7 + 4) + (5 + 1 + 4) + (5 + 0 + 4) +
		      (5 + 300 + 4);
	ck_assert_int_eq(truncate(path, big_at + 5 + 1000), 0);
	ck_assert_int_eq(read_all(&e, &frames), -1);
	ck_assert_uint_eq(frames, 4);
	char want[256];
	snprintf(want, sizeof want,
		 "%s: frame 5 at byte %ld is cut short (its data: %u bytes, the file ends before); the recording ends mid-frame",
		 path, big_at, BIG);
	ck_assert_str_eq(e.msg, want);
	unlink(path);

	write_recording();
	ck_assert_int_eq(truncate(path, big_at + 5 + BIG + 2), 0);
	/* The file is long enough for the data: the checksum is what is
	 * missing. */
	ck_assert_int_eq(read_all(&e, &frames), -1);
	snprintf(want, sizeof want,
		 "%s: frame 5 at byte %ld is cut short (its checksum); the recording ends mid-frame",
		 path, big_at);
	ck_assert_str_eq(e.msg, want);
	unlink(path);
}
END_TEST

START_TEST(test_damaged_checksum)
{
	write_recording();
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	long second = 16 + 16 + 4 + (5 + 7 + 4);
	fseek(f, second + 5, SEEK_SET);
	fputc('!', f);
	fclose(f);
	struct err e = { 0 };
	uint64_t frames;
	ck_assert_int_eq(read_all(&e, &frames), -1);
	ck_assert_uint_eq(frames, 1);
	char want[256];
	snprintf(want, sizeof want,
		 "%s: frame 2 at byte %ld is damaged (checksum mismatch)", path,
		 second);
	ck_assert_str_eq(e.msg, want);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("reader");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_frames_read_back);
	tcase_add_test(tc, test_cut_short);
	tcase_add_test(tc, test_damaged_checksum);
	suite_add_tcase(s, tc);
	return check_run(s);
}
