#include "protocol/record.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/crc32c.h"
#include "base/wire.h"

static const char magic[8] = "WALHOOK\x01";

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int write_fail(struct recorder *r, struct err *e)
{
	return err_set(e, "writing the recording %s: %s", r->path,
		       strerror(errno));
}

int recorder_open(struct recorder *r, const char *path, const char *header_text,
		  struct err *e)
{
	r->path = path;
	/* A recording holds every row streamed: only its owner may read
	 * it, as pg_recvlogical makes its output file. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	r->f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!r->f) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		return err_set(e, "creating the recording %s: %s", path,
			       strerror(saved));
	}
	uint32_t n = (uint32_t)strlen(header_text);
	uint8_t h[8];
	put_u32(h, RECORD_VERSION);
	put_u32(h + 4, n);
	uint8_t crc[4];
	put_u32(crc, crc32c(0, header_text, n));
	if (fwrite(magic, 1, 8, r->f) != 8 || fwrite(h, 1, 8, r->f) != 8 ||
	    fwrite(header_text, 1, n, r->f) != n ||
	    fwrite(crc, 1, 4, r->f) != 4)
		return write_fail(r, e);
	return 0;
}

int recorder_frame(struct recorder *r, enum record_frame type, const void *data,
		   uint32_t len, struct err *e)
{
	uint8_t h[5];
	h[0] = (uint8_t)type;
	put_u32(h + 1, len);
	uint8_t crc[4];
	put_u32(crc, crc32c(crc32c(0, h, 5), data, len));
	if (fwrite(h, 1, 5, r->f) != 5 || fwrite(data, 1, len, r->f) != len ||
	    fwrite(crc, 1, 4, r->f) != 4)
		return write_fail(r, e);
	return 0;
}

int recorder_flush(struct recorder *r, bool durable, struct err *e)
{
	if (fflush(r->f) != 0 || (durable && fsync(fileno(r->f)) != 0))
		return write_fail(r, e);
	return 0;
}

int recorder_close(struct recorder *r, struct err *e)
{
	if (!r->f)
		return 0;
	int rc = recorder_flush(r, true, e);
	fclose(r->f);
	r->f = NULL;
	return rc;
}

static uint32_t get_u32(const uint8_t *p)
{
	struct wire w = wire_init(p, 4);
	return wire_u32(&w);
}

/* Reads exactly n bytes; what failed goes into e. */
static int read_exact(struct record_reader *r, void *p, size_t n,
		      const char *what, struct err *e)
{
	size_t got = fread(p, 1, n, r->f);
	if (got == n)
		return 0;
	if (ferror(r->f))
		return err_set(e, "%s: reading %s at byte %ld: %s", r->path,
			       what, r->offset, strerror(errno));
	return err_set(
	    e,
	    "%s: frame %llu at byte %ld is cut short (%s); the recording ends mid-frame",
	    r->path, (unsigned long long)r->frames + 1, r->offset, what);
}

/* Header JSON of any plausible size; frames up to the 1 GB limit of a
 * PostgreSQL message. */
#define MAX_HEADER (1u << 20)
#define MAX_FRAME  (1u << 30)

int record_reader_open(struct record_reader *r, const char *path,
		       struct buf *header, struct err *e)
{
	*r = (struct record_reader){ .path = path };
	r->f = fopen(path, "rb");
	if (!r->f)
		return err_set(e, "opening the recording %s: %s", path,
			       strerror(errno));
	uint8_t h[16];
	size_t got = fread(h, 1, 16, r->f);
	if (got < 7 || memcmp(h, magic, 7) != 0)
		return err_set(e, "%s is not a walhook recording", path);
	if (got < 16)
		return err_set(e, "%s: the header is cut short at byte %zu",
			       path, got);
	/* The eighth magic byte and the version word both name the format. */
	unsigned version = h[7] != (uint8_t)magic[7] ? h[7] : get_u32(h + 8);
	if (h[7] != (uint8_t)magic[7] || version != RECORD_VERSION)
		return err_set(
		    e,
		    "%s is a walhook recording of format %u; this walhook reads format %d",
		    path, version, RECORD_VERSION);
	uint32_t n = get_u32(h + 12);
	if (n > MAX_HEADER)
		return err_set(e, "%s: damaged header (length %u)", path, n);
	buf_reset(header);
	buf_reserve(header, n + 1);
	uint8_t crc[4];
	r->offset = 16;
	if (fread(header->data, 1, n, r->f) != n || fread(crc, 1, 4, r->f) != 4)
		return err_set(
		    e,
		    "%s: the header is cut short (it should have %u bytes of text)",
		    path, n);
	header->len = n;
	buf_cstr(header);
	if (crc32c(0, header->data, n) != get_u32(crc))
		return err_set(
		    e, "%s: the header is damaged (checksum mismatch)", path);
	r->offset = 16 + (long)n + 4;
	return 0;
}

int record_reader_next(struct record_reader *r, enum record_frame *type,
		       struct err *e)
{
	uint8_t h[5];
	size_t got = fread(h, 1, 5, r->f);
	if (got == 0 && feof(r->f))
		return 0;
	if (got != 5)
		return read_exact(r, h + got, 5 - got, "its header", e);
	uint32_t n = get_u32(h + 1);
	if ((h[0] != RECORD_COPYDATA && h[0] != RECORD_CONNECT) ||
	    n > MAX_FRAME)
		return err_set(
		    e,
		    "%s: frame %llu at byte %ld is damaged (type 0x%02x, length %u)",
		    r->path, (unsigned long long)r->frames + 1, r->offset, h[0],
		    n);
	/* A damaged length must not make walhook ask for a gigabyte: no
	 * frame is longer than what is left of the file. */
	struct stat st;
	if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode) &&
	    (off_t)n > st.st_size - (r->offset + 5))
		return err_set(
		    e,
		    "%s: frame %llu at byte %ld is cut short (its data: %u bytes, the file ends before); the recording ends mid-frame",
		    r->path, (unsigned long long)r->frames + 1, r->offset, n);
	buf_reset(&r->frame);
	buf_reserve(&r->frame, n);
	uint8_t crc[4];
	if (read_exact(r, r->frame.data, n, "its data", e) < 0 ||
	    read_exact(r, crc, 4, "its checksum", e) < 0)
		return -1;
	r->frame.len = n;
	if (crc32c(crc32c(0, h, 5), r->frame.data, n) != get_u32(crc))
		return err_set(
		    e,
		    "%s: frame %llu at byte %ld is damaged (checksum mismatch)",
		    r->path, (unsigned long long)r->frames + 1, r->offset);
	*type = (enum record_frame)h[0];
	r->frames++;
	r->frame_offset = r->offset;
	r->offset += 5 + (long)n + 4;
	return 1;
}

void record_reader_close(struct record_reader *r)
{
	if (r->f)
		fclose(r->f);
	buf_free(&r->frame);
	r->f = NULL;
}

bool record_is_recording(const char *path)
{
	FILE *f = fopen(path, "rb");
	char h[7];
	bool yes = f && fread(h, 1, 7, f) == 7 && memcmp(h, magic, 7) == 0;
	if (f)
		fclose(f);
	return yes;
}

const char *record_kv(const char *text, const char *key, char *out,
		      size_t outlen)
{
	size_t klen = strlen(key);
	*out = '\0';
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n > klen && memcmp(line, key, klen) == 0 &&
		    line[klen] == '=') {
			snprintf(out, outlen, "%.*s", (int)(n - klen - 1),
				 line + klen + 1);
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	return out;
}
