/* fuzz_record — record_reader_* over a whole recording file.
 *
 * The input is the file: it is written to an anonymous memory file (no
 * disk, nothing left behind) and opened by its /proc path, since the
 * reader takes a path. The header and every frame are read until the end
 * or the first damage; connect frames go through record_kv as replay
 * reads them, and the XLogData payloads of 'd' frames through the decoder
 * the header names (pgoutput, wal2json or test_decoding), in order, so a
 * recording also drives a decoder through a sequence of messages. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode/pgoutput.h"
#include "fuzz.h"
#include "fuzz_textplugin.h"
#include "protocol/record.h"

/* XLogData: 'w', start LSN, end LSN, send time, then the payload. */
#define XLOGDATA_HEADER 25

/* The decoders a recording's payloads go to. */
struct replay {
	bool pgoutput;
	struct pgo_decoder pgo;
	struct textplugin tp;
	struct fuzz_tp tp_events;
};

static void replay_init(struct replay *r, const char *header)
{
	char plugin[64], v[64];
	record_kv(header, "plugin", plugin, sizeof plugin);
	*r = (struct replay){ 0 };
	pgo_decoder_init(&r->pgo);
	r->pgoutput = plugin[0] == '\0' || strcmp(plugin, "pgoutput") == 0;
	enum textplugin_kind kind = TEXTPLUGIN_TEST_DECODING;
	if (strcmp(plugin, "wal2json") == 0) {
		record_kv(header, "option=format-version", v, sizeof v);
		kind = atoi(v) == 2 ? TEXTPLUGIN_WAL2JSON_2
				    : TEXTPLUGIN_WAL2JSON_1;
	}
	textplugin_init(&r->tp, kind);
	/* As replay: protocol 4's parallel streaming adds the abort LSN. */
	record_kv(header, "option=proto_version", v, sizeof v);
	bool v4 = atoi(v) >= 4;
	record_kv(header, "option=streaming", v, sizeof v);
	r->pgo.abort_has_lsn = v4 && strcmp(v, "parallel") == 0;
}

static void replay_free(struct replay *r)
{
	pgo_decoder_free(&r->pgo);
	textplugin_free(&r->tp);
}

static void replay_copydata(struct replay *r, const uint8_t *p, size_t n)
{
	if (n < XLOGDATA_HEADER || p[0] != 'w')
		return; /* a keepalive, or not XLogData */
	p += XLOGDATA_HEADER;
	n -= XLOGDATA_HEADER;
	if (r->pgoutput) {
		struct pgo_msg m;
		if (pgo_decode(&r->pgo, p, n, &m) < 0) {
			fuzz_check_err(r->pgo.err, sizeof r->pgo.err);
			pgo_decoder_reset(&r->pgo);
		}
		return;
	}
	struct err e = { 0 };
	if (textplugin_decode(&r->tp, p, n, 0x1000000, fuzz_tp_event,
			      &r->tp_events, &e) < 0) {
		fuzz_check_err(e.msg, sizeof e.msg);
		textplugin_reset(&r->tp);
	}
}

static void read_recording(const char *path)
{
	struct record_reader rd;
	struct buf header = { 0 };
	struct err e = { 0 };
	if (record_reader_open(&rd, path, &header, &e) < 0) {
		fuzz_check_err(e.msg, sizeof e.msg);
		record_reader_close(&rd);
		buf_free(&header);
		return;
	}
	FUZZ_CHECK(header.data != NULL);
	fuzz_touch(header.data, header.len + 1); /* NUL-ended */

	struct replay r;
	replay_init(&r, header.data);
	enum record_frame type;
	int rc;
	while ((rc = record_reader_next(&rd, &type, &e)) == 1) {
		FUZZ_CHECK(type == RECORD_COPYDATA || type == RECORD_CONNECT);
		fuzz_touch(rd.data, rd.len + 1); /* NUL-ended */
		if (type == RECORD_CONNECT) {
			char v[128];
			const char *info = rd.data;
			fuzz_touch_str(record_kv(info, "slot", v, sizeof v));
			fuzz_touch_str(
			    record_kv(info, "start_lsn", v, sizeof v));
			pgo_decoder_reset(&r.pgo);
			textplugin_reset(&r.tp);
		} else {
			replay_copydata(&r, (const uint8_t *)rd.data,
					rd.len);
		}
	}
	if (rc < 0)
		fuzz_check_err(e.msg, sizeof e.msg);
	replay_free(&r);
	record_reader_close(&rd);
	buf_free(&header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_record", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);
		FUZZ_CHECK(n > 0);
		done += (size_t)n;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	(void)record_is_recording(path);
	read_recording(path);
	close(fd);
	return 0;
}
