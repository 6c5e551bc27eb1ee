#define _GNU_SOURCE /* pipe2 */
/* JSON-lines sinks: standard output, a file, a process's stdin. Records
 * are buffered until flush, which writes them out (and fsyncs a file). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "sink_lines.h"

struct lines {
	struct sink base;
	int fd;
	bool own_fd;
	bool sync;
	char *path;  /* file: reopened on SIGHUP */
	pid_t child; /* exec: the process, 0 when none */
	struct buf out;
};

static int write_out(struct lines *l, struct err *e);

/* Past this, a batch is written out before its flush (a transaction of
 * any size costs the same memory); it counts as taken only at the flush. */
#define LINES_HIGH_WATER (1024 * 1024)

static int lines_write(struct sink *s, const char *json, size_t len,
		       struct err *e)
{
	struct lines *l = (struct lines *)s;
	buf_put(&l->out, json, len);
	buf_putc(&l->out, '\n');
	sink_wrote(s, len + 1);
	return l->out.len >= LINES_HIGH_WATER ? write_out(l, e) : 0;
}

/* A process that has exited cannot take more: say how it ended. */
static int child_gone(struct lines *l, struct err *e)
{
	int status;
	if (!l->child || waitpid(l->child, &status, WNOHANG) != l->child)
		return 0;
	l->child = 0;
	if (WIFEXITED(status))
		return err_set(e, "the process exited with status %d",
			       WEXITSTATUS(status));
	return err_set(e, "the process was killed by signal %d", WTERMSIG(status));
}

/* A write cut short by a full disk leaves half a line: take the file back
 * to the last whole line written, and keep the rest for the retry. */
static void keep_whole_lines(struct lines *l, off_t start, size_t written)
{
	size_t keep = written;
	while (keep > 0 && l->out.data[keep - 1] != '\n')
		keep--;
	if (ftruncate(l->fd, start + (off_t)keep) < 0)
		return; /* the retry appends after the half line */
	memmove(l->out.data, l->out.data + keep, l->out.len - keep);
	l->out.len -= keep;
}

static int write_out(struct lines *l, struct err *e)
{
	if (child_gone(l, e) < 0)
		return -1;
	off_t start = l->path ? lseek(l->fd, 0, SEEK_END) : -1;
	size_t off = 0;
	while (off < l->out.len) {
		ssize_t n = write(l->fd, l->out.data + off, l->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int error = errno;
			/* Keep what was not written: a retry writes it again. */
			if (start >= 0) {
				keep_whole_lines(l, start, off);
			} else {
				memmove(l->out.data, l->out.data + off, l->out.len - off);
				l->out.len -= off;
			}
			if (error == EPIPE && child_gone(l, e) < 0)
				return -1;
			err_set(e, "writing: %s", strerror(error));
			/* A full disk may empty again: walhook retries. */
			e->transient = error == ENOSPC || error == EDQUOT;
			return -1;
		}
		off += (size_t)n;
	}
	buf_reset(&l->out);
	return 0;
}

/* A process has taken its lines once it has read them from the pipe:
 * wait for that, or for it to exit. */
static int wait_drained(struct lines *l, struct err *e)
{
	for (;;) {
		int unread = 0;
		if (ioctl(l->fd, FIONREAD, &unread) < 0 || unread == 0)
			return child_gone(l, e);
		if (child_gone(l, e) < 0)
			return -1;
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	}
}

static int lines_flush(struct sink *s, struct err *e)
{
	struct lines *l = (struct lines *)s;
	if (write_out(l, e) < 0)
		return -1;
	if (l->child && wait_drained(l, e) < 0)
		return -1;
	if (l->sync && fsync(l->fd) < 0) {
		int error = errno;
		err_set(e, "syncing: %s", strerror(error));
		e->transient = error == ENOSPC || error == EDQUOT;
		return -1;
	}
	return 0;
}

/* Lines not yet written come again after the reconnect. */
static void lines_discard(struct sink *s)
{
	buf_reset(&((struct lines *)s)->out);
}

static int lines_poll(struct sink *s, struct err *e)
{
	return child_gone((struct lines *)s, e);
}

static int open_file(struct lines *l, struct err *e)
{
	int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, "opening %s: %s", l->path, strerror(errno));
	l->fd = fd;
	l->own_fd = true;
	return 0;
}

/* Log rotation: what is buffered goes to the old file, the rest to a new
 * one at the same path. */
static int lines_reopen(struct sink *s, struct err *e)
{
	struct lines *l = (struct lines *)s;
	if (!l->path)
		return 0;
	if (lines_flush(s, e) < 0)
		return -1;
	close(l->fd);
	return open_file(l, e);
}

static void lines_free(struct sink *s)
{
	struct lines *l = (struct lines *)s;
	if (l->own_fd)
		close(l->fd);
	if (l->child)
		waitpid(l->child, NULL, 0);
	free(l->path);
	buf_free(&l->out);
	free(l);
}

static const struct sink_ops lines_ops = {
	.kind = "lines",
	.write_json = lines_write,
	.flush = lines_flush,
	.poll = lines_poll,
	.discard = lines_discard,
	.reopen = lines_reopen,
	.free = lines_free,
};

static struct lines *lines_new(const char *name)
{
	struct lines *l = calloc(1, sizeof *l);
	if (!l) {
		fputs("walhook: out of memory\n", stderr);
		abort();
	}
	l->base.ops = &lines_ops;
	snprintf(l->base.name, sizeof l->base.name, "%s", name);
	l->fd = -1;
	return l;
}

struct sink *sink_stdout_new(struct err *e)
{
	(void)e;
	struct lines *l = lines_new("stdout");
	l->fd = STDOUT_FILENO;
	return &l->base;
}

struct sink *sink_file_new(const char *path, struct err *e)
{
	char name[96];
	snprintf(name, sizeof name, "file %s", path);
	struct lines *l = lines_new(name);
	l->path = strdup(path);
	l->sync = true;
	if (open_file(l, e) < 0) {
		lines_free(&l->base);
		return NULL;
	}
	return &l->base;
}

struct sink *sink_exec_new(const char *command, struct err *e)
{
	char name[96];
	snprintf(name, sizeof name, "exec %s", command);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		err_set(e, "%s: %s", name, strerror(errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		err_set(e, "%s: %s", name, strerror(errno));
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		/* Its output goes to walhook's stderr, not into walhook's own
		 * standard output stream. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	struct lines *l = lines_new(name);
	l->fd = p[1];
	l->own_fd = true;
	l->child = pid;
	return &l->base;
}
