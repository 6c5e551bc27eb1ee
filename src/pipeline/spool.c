#define _GNU_SOURCE /* O_TMPFILE */
#include "pipeline/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/lsn.h"
#include "base/size.h"
#include "base/wire.h"

#define HEADER 16 /* lsn, subxid, len */

/* What every spool of the process holds together, against --spool-limit
 * (0: no limit). Spools live on the thread that runs the pipeline. */
static uint64_t total_limit;
static uint64_t total_held;

void spool_set_limit(uint64_t bytes)
{
	total_limit = bytes;
}

void spool_init(struct spool *s, size_t mem_limit, uint32_t xid)
{
	*s = (struct spool){ .mem_limit = mem_limit, .xid = xid };
}

/* The directory for temporary files: $TMPDIR, as every Unix tool takes
 * it, else /tmp. */
static const char *temp_dir(void)
{
	const char *d = getenv("TMPDIR");
	return d && *d ? d : "/tmp";
}

/* An unlinked file in dir, open for reading and writing: O_TMPFILE where
 * the file system has it (never a name in the directory), else a name
 * made by mkstemp and unlinked at once. */
static FILE *temp_file(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 &&
	    (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		size_t n = strlen(dir) + sizeof "/walhook-spool-XXXXXX";
		char *path = xmalloc(n);
		snprintf(path, n, "%s/walhook-spool-XXXXXX", dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
		free(path);
	}
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w+b");
	if (!f) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return f;
}

static void put_header(uint8_t h[HEADER], uint64_t lsn, uint32_t subxid,
		       uint32_t len)
{
	wire_put_u64(h, lsn);
	wire_put_u64(h + 8, (uint64_t)subxid << 32 | len);
}

static int write_fail(struct spool *s, struct err *e)
{
	return err_set(e,
		       "spooling transaction %u to a temporary file in %s: %s",
		       s->xid, temp_dir(), strerror(errno));
}

static int spill(struct spool *s, struct err *e)
{
	s->file = temp_file(temp_dir());
	if (!s->file)
		return err_set(
		    e,
		    "spooling transaction %u: cannot create a temporary file in %s%s: %s",
		    s->xid, temp_dir(), getenv("TMPDIR") ? " (TMPDIR)" : "",
		    strerror(errno));
	if (fwrite(s->mem.data, 1, s->mem.len, s->file) != s->mem.len)
		return write_fail(s, e);
	buf_free(&s->mem);
	return 0;
}

int spool_add(struct spool *s, uint64_t lsn, uint32_t subxid,
	      const uint8_t *data, uint32_t len, struct err *e)
{
	uint8_t h[HEADER];
	put_header(h, lsn, subxid, len);
	uint64_t more = HEADER + (uint64_t)len;
	if (total_limit && total_held + more > total_limit) {
		char limit[SIZE_STRLEN], mine[SIZE_STRLEN], all[SIZE_STRLEN];
		char at[LSN_STRLEN];
		return err_set(
		    e,
		    "transaction %u is past --spool-limit %s at %s: it would hold %s, "
		    "and all transactions held back %s; raise --spool-limit "
		    "(0: no limit)",
		    s->xid, size_format(total_limit, limit),
		    lsn_format(lsn, at), size_format(s->bytes + more, mine),
		    size_format(total_held + more, all));
	}
	s->entries++;
	s->bytes += more;
	total_held += more;
	if (!s->file && s->mem.len + HEADER + len > s->mem_limit &&
	    spill(s, e) < 0)
		return -1;
	if (s->file) {
		if (fwrite(h, 1, HEADER, s->file) != HEADER ||
		    fwrite(data, 1, len, s->file) != len)
			return write_fail(s, e);
		return 0;
	}
	buf_put(&s->mem, h, HEADER);
	buf_put(&s->mem, data, len);
	return 0;
}

void spool_read_begin(struct spool *s, struct spool_reader *r)
{
	*r = (struct spool_reader){ .s = s, .in_file = s->file != NULL };
	if (s->file)
		rewind(s->file);
}

static void read_header(const uint8_t *h, struct spool_entry *out)
{
	struct wire w = wire_init(h, HEADER);
	out->lsn = wire_u64(&w);
	out->subxid = wire_u32(&w);
	out->len = wire_u32(&w);
}

int spool_next(struct spool_reader *r, struct spool_entry *out, struct err *e)
{
	if (!r->in_file) {
		struct buf *m = &r->s->mem;
		if (r->mem_off >= m->len)
			return 0;
		read_header((const uint8_t *)m->data + r->mem_off, out);
		out->data = (const uint8_t *)m->data + r->mem_off + HEADER;
		r->mem_off += HEADER + out->len;
		return 1;
	}
	uint8_t h[HEADER];
	size_t n = fread(h, 1, HEADER, r->s->file);
	if (n == 0 && feof(r->s->file))
		return 0;
	if (n != HEADER)
		return err_set(e, "reading the spool back: %s",
			       ferror(r->s->file) ? strerror(errno)
						  : "truncated");
	read_header(h, out);
	buf_reset(&r->scratch);
	buf_reserve(&r->scratch, out->len);
	if (fread(r->scratch.data, 1, out->len, r->s->file) != out->len)
		return err_set(e, "reading the spool back: truncated entry");
	out->data = (const uint8_t *)r->scratch.data;
	return 1;
}

void spool_read_end(struct spool_reader *r)
{
	buf_free(&r->scratch);
	if (r->in_file)
		fseek(r->s->file, 0, SEEK_END);
}

void spool_free(struct spool *s)
{
	buf_free(&s->mem);
	if (s->file)
		fclose(s->file);
	total_held -= s->bytes < total_held ? s->bytes : total_held;
	*s = (struct spool){ .mem_limit = s->mem_limit, .xid = s->xid };
}
