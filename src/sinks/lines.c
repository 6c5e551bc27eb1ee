#define _GNU_SOURCE /* pipe2 */
/* Sinks of lines: the default output (standard output or -f), standard
 * output, a file, a process's stdin, and the memory a script test reads
 * back. Lines are buffered until flush, which writes them out (and fsyncs
 * a file); the default output writes each transaction out at its end, so
 * a reader sees it at once, and fsyncs only when flushed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/lsn.h"
#include "sinks/lines.h"

struct lines {
	struct sink base;
	int fd; /* -1: memory, nothing leaves the buffer */
	bool own_fd;
	bool sync;   /* fsync at flush: a regular file */
	bool eager;  /* written out at each transaction's end */
	char *path;  /* file: reopened on SIGHUP */
	pid_t child; /* exec: the process, 0 when none */
	struct buf out;
	size_t kept;	   /* memory: the bytes written "out" so far */
	size_t unit_start; /* out.len when the open transaction began */
	bool unit_left;	   /* some of the open transaction was written out */
};

/* Past this, buffered lines are written out before their flush (a
 * transaction of any size costs the same memory); they count as taken
 * only at the flush. */
#define LINES_HIGH_WATER (256 * 1024)

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
	return err_set(e, "the process was killed by signal %d",
		       WTERMSIG(status));
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

/* Once a stop is asked for, a reader that does not read must not keep
 * walhook: writes go in pieces a pipe with room takes without blocking,
 * after a wait that gives up with the stop's grace. 1 to write now, 0 to
 * wait more, -1 to give up. */
static int ready_to_write(struct lines *l, struct err *e)
{
	if (!l->base.stop || !l->base.stop->flag || !*l->base.stop->flag)
		return 1;
	struct pollfd pfd = { .fd = l->fd, .events = POLLOUT };
	if (poll(&pfd, 1, 100) > 0)
		return 1;
	if (sink_give_up(&l->base, mono_now_us())) {
		err_set(e, "stopped: nothing read what was written for %d s",
			(int)(SINK_STOP_GRACE_US / 1000000));
		return -1;
	}
	return 0;
}

static int write_out(struct lines *l, struct err *e)
{
	if (l->out.len > l->unit_start)
		l->unit_left = true; /* lines of the open transaction leave */
	if (l->fd < 0) {
		l->kept = l->out.len;
		return 0;
	}
	l->unit_start = 0;
	if (child_gone(l, e) < 0)
		return -1;
	off_t start = l->path ? lseek(l->fd, 0, SEEK_END) : -1;
	size_t off = 0;
	while (off < l->out.len) {
		size_t chunk = l->out.len - off;
		int ready = start >= 0 ? 1 : ready_to_write(l, e);
		if (ready < 0)
			return -1;
		if (!ready)
			continue;
		if (l->base.stop && l->base.stop->flag && *l->base.stop->flag &&
		    chunk > PIPE_BUF)
			chunk = PIPE_BUF;
		ssize_t n = write(l->fd, l->out.data + off, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int error = errno;
			/* Keep what was not written: a retry writes it again.
			 */
			if (start >= 0) {
				keep_whole_lines(l, start, off);
			} else {
				memmove(l->out.data, l->out.data + off,
					l->out.len - off);
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

static struct buf *lines_buf(struct sink *s)
{
	return &((struct lines *)s)->out;
}

static int lines_wrote(struct sink *s, struct err *e)
{
	struct lines *l = (struct lines *)s;
	return l->out.len - l->kept >= LINES_HIGH_WATER ? write_out(l, e) : 0;
}

static int lines_write(struct sink *s, const char *json, size_t len,
		       struct err *e)
{
	struct lines *l = (struct lines *)s;
	buf_put(&l->out, json, len);
	buf_putc(&l->out, '\n');
	sink_wrote(s, len + 1);
	return lines_wrote(s, e);
}

static int lines_begin(struct sink *s, const struct txn *tx, struct err *e)
{
	struct lines *l = (struct lines *)s;
	(void)tx;
	(void)e;
	l->unit_start = l->out.len;
	l->unit_left = false;
	return 0;
}

static int lines_commit(struct sink *s, const struct txn *tx, struct err *e)
{
	struct lines *l = (struct lines *)s;
	(void)tx;
	return l->eager ? write_out(l, e) : 0;
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
		if (sink_give_up(&l->base, mono_now_us()))
			return err_set(
			    e,
			    "stopped: the process left %d bytes unread for %d s",
			    unread, (int)(SINK_STOP_GRACE_US / 1000000));
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

/* The open transaction's lines go, unless some already left. */
static int lines_abort(struct sink *s)
{
	struct lines *l = (struct lines *)s;
	if (l->unit_left || l->unit_start > l->out.len ||
	    l->unit_start < l->kept)
		return -1;
	l->out.len = l->unit_start;
	return 0;
}

/* Lines not yet written come again after the reconnect. */
static void lines_discard(struct sink *s)
{
	struct lines *l = (struct lines *)s;
	l->out.len = l->kept;
	l->unit_start = l->out.len;
}

static int lines_poll(struct sink *s, struct err *e)
{
	return child_gone((struct lines *)s, e);
}

static bool regular_file(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* A line cut short when walhook was killed mid-write was never confirmed:
 * it goes, so that the next line does not run on from it. */
static int drop_partial_line(struct lines *l, struct err *e)
{
	int rd = open(l->path, O_RDONLY | O_CLOEXEC);
	if (rd < 0)
		return err_set(e, "opening %s: %s", l->path, strerror(errno));
	off_t end = lseek(rd, 0, SEEK_END);
	off_t at = end;
	char c[512];
	while (at > 0) {
		size_t n = at < (off_t)sizeof c ? (size_t)at : sizeof c;
		ssize_t got = pread(rd, c, n, at - (off_t)n);
		if (got != (ssize_t)n) {
			close(rd);
			return err_set(e, "reading %s: %s", l->path,
				       strerror(errno));
		}
		size_t i = n;
		while (i > 0 && c[i - 1] != '\n')
			i--;
		if (i > 0) {
			at -= (off_t)(n - i);
			break;
		}
		at -= (off_t)n;
	}
	close(rd);
	if (at < end && ftruncate(l->fd, at) < 0)
		return err_set(e, "truncating a cut line in %s: %s", l->path,
			       strerror(errno));
	return 0;
}

static int open_file(struct lines *l, struct err *e)
{
	int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, "opening %s: %s", l->path, strerror(errno));
	l->fd = fd;
	l->own_fd = true;
	return regular_file(fd) ? drop_partial_line(l, e) : 0;
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
	l->fd = -1;
	return open_file(l, e);
}

/* The process has its input closed: it exits once it has read it all,
 * or, when a stop was asked for and it does not within the grace, is sent
 * SIGTERM. */
static void end_child(struct lines *l)
{
	while (waitpid(l->child, NULL, WNOHANG) == 0) {
		if (sink_give_up(&l->base, mono_now_us())) {
			/* The whole group: sh may have forked the command. */
			kill(-l->child, SIGTERM);
			waitpid(l->child, NULL, 0);
			break;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	l->child = 0;
}

static void lines_free(struct sink *s)
{
	struct lines *l = (struct lines *)s;
	if (l->own_fd && l->fd >= 0)
		close(l->fd);
	if (l->child)
		end_child(l);
	free(l->path);
	buf_free(&l->out);
	free(l);
}

static const struct sink_ops lines_ops = {
	.kind = "lines",
	.write_json = lines_write,
	.lines = lines_buf,
	.wrote = lines_wrote,
	.begin = lines_begin,
	.commit = lines_commit,
	.flush = lines_flush,
	.poll = lines_poll,
	.abort = lines_abort,
	.discard = lines_discard,
	.reopen = lines_reopen,
	.free = lines_free,
};

static struct lines *lines_new(const char *name)
{
	struct lines *l = xcalloc(1, sizeof *l);
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
	l->path = xstrdup(path);
	if (open_file(l, e) < 0) {
		lines_free(&l->base);
		return NULL;
	}
	/* A device or a FIFO (/dev/null, say) keeps nothing to make durable,
	 * and fsync refuses one. */
	l->sync = regular_file(l->fd);
	return &l->base;
}

struct sink *sink_output_new(const char *path, int64_t fsync_every_us,
			     struct err *e)
{
	struct lines *l;
	if (path) {
		struct sink *s = sink_file_new(path, e);
		if (!s)
			return NULL;
		l = (struct lines *)s;
		snprintf(l->base.name, sizeof l->base.name, "%s", path);
	} else {
		l = lines_new("standard output");
		l->fd = STDOUT_FILENO;
	}
	l->sync = fsync_every_us > 0 && regular_file(l->fd);
	if (l->sync) {
		/* Written at each transaction's end, fsynced once for all the
		 * transactions a status update reports, or every -F. */
		l->eager = true;
		l->base.flush_at_status = true;
		l->base.max_wait_us = fsync_every_us;
	} else {
		l->base.max_txns = 1;
	}
	return &l->base;
}

struct sink *sink_memory_new(void)
{
	struct lines *l = lines_new("the script's output");
	l->base.max_txns = 1;
	return &l->base;
}

void sink_memory_take(struct sink *s, struct buf *into)
{
	struct lines *l = (struct lines *)s;
	buf_put(into, l->out.data ? l->out.data : "", l->out.len);
	buf_reset(&l->out);
	l->kept = l->unit_start = 0;
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
		/* A group of its own, which a stop can end whole: a Ctrl-C at a
		 * terminal reaches walhook alone, which closes the process's
		 * input, lets it finish, and ends it only after the grace. */
		setpgid(0, 0);
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
