#include "output.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_HIGH_WATER (256 * 1024)

void output_init(struct output *o, int fd, const char *name)
{
	struct stat st;
	*o = (struct output){ .fd = fd, .name = name };
	o->sync = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* An output without a descriptor (fd -1) keeps everything in memory, for
 * script tests to read back. */
static int write_all(struct output *o, struct err *e)
{
	if (o->fd < 0) {
		o->kept = o->b.len;
		return 0;
	}
	size_t off = 0;
	while (off < o->b.len) {
		ssize_t n = write(o->fd, o->b.data + off, o->b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, "writing to %s: %s", o->name,
				       strerror(errno));
		off += (size_t)n;
		o->dirty = true;
	}
	buf_reset(&o->b);
	return 0;
}

int output_written(struct output *o, struct err *e)
{
	return o->b.len >= OUTPUT_HIGH_WATER ? write_all(o, e) : 0;
}

int output_flush(struct output *o, struct err *e)
{
	return write_all(o, e);
}

int output_sync(struct output *o, struct err *e)
{
	if (write_all(o, e) < 0)
		return -1;
	if (!o->sync || !o->dirty)
		return 0;
	if (fsync(o->fd) < 0)
		return err_set(e, "syncing %s: %s", o->name, strerror(errno));
	o->dirty = false;
	return 0;
}

void output_discard(struct output *o)
{
	o->b.len = o->fd < 0 ? o->kept : 0;
}

void output_take(struct output *o)
{
	buf_reset(&o->b);
	o->kept = 0;
}

void output_free(struct output *o)
{
	buf_free(&o->b);
}
