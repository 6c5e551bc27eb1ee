#include "spool.h"

#include <errno.h>
#include <string.h>

#include "wire.h"

#define HEADER 16 /* lsn, subxid, len */

void spool_init(struct spool *s, size_t mem_limit)
{
	*s = (struct spool){ .mem_limit = mem_limit };
}

static void put_header(uint8_t h[HEADER], uint64_t lsn, uint32_t subxid,
		       uint32_t len)
{
	wire_put_u64(h, lsn);
	wire_put_u64(h + 8, (uint64_t)subxid << 32 | len);
}

static int spill(struct spool *s, struct err *e)
{
	s->file = tmpfile();
	if (!s->file)
		return err_set(e, "spooling a large transaction to a temporary file: %s",
			       strerror(errno));
	if (fwrite(s->mem.data, 1, s->mem.len, s->file) != s->mem.len)
		return err_set(e, "spooling to a temporary file: %s", strerror(errno));
	buf_free(&s->mem);
	return 0;
}

int spool_add(struct spool *s, uint64_t lsn, uint32_t subxid,
	      const uint8_t *data, uint32_t len, struct err *e)
{
	uint8_t h[HEADER];
	put_header(h, lsn, subxid, len);
	s->entries++;
	s->bytes += HEADER + len;
	if (!s->file && s->mem.len + HEADER + len > s->mem_limit &&
	    spill(s, e) < 0)
		return -1;
	if (s->file) {
		if (fwrite(h, 1, HEADER, s->file) != HEADER ||
		    fwrite(data, 1, len, s->file) != len)
			return err_set(e, "spooling to a temporary file: %s",
				       strerror(errno));
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
			       ferror(r->s->file) ? strerror(errno) : "truncated");
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
	*s = (struct spool){ .mem_limit = s->mem_limit };
}
