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

/* Header text of any plausible size; frames up to the 1 GB limit of a
 * PostgreSQL message. */
#define MAX_HEADER (1u << 20)
#define MAX_FRAME  (1u << 30)
/* What one read(2) asks for: a frame of a usual stream is a few hundred
 * bytes, so one call serves thousands of them. */
#define READ_CHUNK (1u << 20)

/* Makes at least want bytes available from r->pos, unless the file ends
 * first: moves what is left to the front and grows the buffer for a frame
 * larger than it. Returns the bytes available, or -1 on a read error
 * (errno set). Moves r->in.data: views of an earlier frame end here. */
static ssize_t fill(struct record_reader *r, size_t want)
{
	size_t avail = r->in.len - r->pos;
	if (avail >= want)
		return (ssize_t)avail;
	if (avail)
		memmove(r->in.data, r->in.data + r->pos, avail);
	r->in.len = avail;
	r->pos = 0;
	buf_reserve(&r->in, want > READ_CHUNK ? want : READ_CHUNK);
	while (r->in.len < want) {
		/* Leave the byte buf keeps for a NUL. */
		ssize_t got = read(r->fd, r->in.data + r->in.len,
				   r->in.cap - r->in.len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		r->in.len += (size_t)got;
	}
	return (ssize_t)r->in.len;
}

/* The part of a frame that ends at byte avail of it. */
static const char *part_at(size_t avail, uint32_t n)
{
	if (avail < 5)
		return "its header";
	return avail < 5 + (size_t)n ? "its data" : "its checksum";
}

/* A frame that fill could not make whole: got is what it returned. */
static int frame_short(struct record_reader *r, ssize_t got, uint32_t n,
		       struct err *e)
{
	if (got < 0)
		return err_set(e, "%s: reading %s at byte %ld: %s", r->path,
			       part_at(r->in.len - r->pos, n), r->offset,
			       strerror(errno));
	return err_set(
	    e,
	    "%s: frame %llu at byte %ld is cut short (%s); the recording ends mid-frame",
	    r->path, (unsigned long long)r->frames + 1, r->offset,
	    part_at((size_t)got, n));
}

static long long file_size(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)st.st_size;
}

/* Checks the 16 bytes that open a recording and returns its header text's
 * length, or -1. */
static long header_length(const struct record_reader *r, const uint8_t *h,
			  ssize_t got, struct err *e)
{
	if (got < 7 || memcmp(h, magic, 7) != 0)
		return err_set(e, "%s is not a walhook recording", r->path);
	if (got < 16)
		return err_set(e, "%s: the header is cut short at byte %zd",
			       r->path, got);
	/* The eighth magic byte and the version word both name the format. */
	unsigned version = h[7] != (uint8_t)magic[7] ? h[7] : get_u32(h + 8);
	if (h[7] != (uint8_t)magic[7] || version != RECORD_VERSION)
		return err_set(
		    e,
		    "%s is a walhook recording of format %u; this walhook reads format %d",
		    r->path, version, RECORD_VERSION);
	uint32_t n = get_u32(h + 12);
	if (n > MAX_HEADER)
		return err_set(e, "%s: damaged header (length %u)", r->path,
			       n);
	return (long)n;
}

int record_reader_open(struct record_reader *r, const char *path,
		       struct buf *header, struct err *e)
{
	*r = (struct record_reader){ .fd = -1, .path = path };
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return err_set(e, "opening the recording %s: %s", path,
			       strerror(errno));
	r->size = file_size(r->fd);
	/* A read error this early reads as an empty file, as before. */
	ssize_t got = fill(r, 16);
	long n = header_length(r, (const uint8_t *)r->in.data,
			       got < 0 ? 0 : (got < 16 ? got : 16), e);
	if (n < 0)
		return -1;
	got = fill(r, 16 + (size_t)n + 4);
	if (got < 16 + n + 4)
		return err_set(
		    e,
		    "%s: the header is cut short (it should have %ld bytes of text)",
		    path, n);
	const uint8_t *p = (const uint8_t *)r->in.data;
	buf_reset(header);
	buf_put(header, p + 16, (size_t)n);
	buf_cstr(header);
	if (crc32c(0, p + 16, (size_t)n) != get_u32(p + 16 + n))
		return err_set(
		    e, "%s: the header is damaged (checksum mismatch)", path);
	r->pos = 16 + (size_t)n + 4;
	r->offset = (long)r->pos;
	return 0;
}

/* A damaged length must not make walhook ask for a gigabyte: no frame is
 * longer than what is left of the file. The size learned at open answers
 * for the frames it holds; a frame that claims more asks the file again,
 * as a recording may still be growing. */
static bool fits_file(struct record_reader *r, uint32_t n)
{
	if (r->size < 0 || (long long)n <= r->size - (r->offset + 5))
		return true;
	r->size = file_size(r->fd);
	return r->size < 0 || (long long)n <= r->size - (r->offset + 5);
}

int record_reader_next(struct record_reader *r, enum record_frame *type,
		       struct err *e)
{
	ssize_t got = fill(r, 5);
	if (got == 0)
		return 0;
	if (got < 5)
		return frame_short(r, got, 0, e);
	const uint8_t *h = (const uint8_t *)r->in.data + r->pos;
	uint32_t n = get_u32(h + 1);
	if ((h[0] != RECORD_COPYDATA && h[0] != RECORD_CONNECT) ||
	    n > MAX_FRAME)
		return err_set(
		    e,
		    "%s: frame %llu at byte %ld is damaged (type 0x%02x, length %u)",
		    r->path, (unsigned long long)r->frames + 1, r->offset, h[0],
		    n);
	if (!fits_file(r, n))
		return err_set(
		    e,
		    "%s: frame %llu at byte %ld is cut short (its data: %u bytes, the file ends before); the recording ends mid-frame",
		    r->path, (unsigned long long)r->frames + 1, r->offset, n);
	size_t whole = 5 + (size_t)n + 4;
	got = fill(r, whole);
	if (got < (ssize_t)whole)
		return frame_short(r, got, n, e);
	uint8_t *f = (uint8_t *)r->in.data + r->pos;
	if (crc32c(0, f, 5 + (size_t)n) != get_u32(f + 5 + n))
		return err_set(
		    e,
		    "%s: frame %llu at byte %ld is damaged (checksum mismatch)",
		    r->path, (unsigned long long)r->frames + 1, r->offset);
	*type = (enum record_frame)f[0];
	r->data = (char *)f + 5;
	r->len = n;
	r->data[n] = '\0';
	r->pos += whole;
	r->frames++;
	r->frame_offset = r->offset;
	r->offset += (long)whole;
	return 1;
}

void record_reader_close(struct record_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	buf_free(&r->in);
	r->fd = -1;
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
