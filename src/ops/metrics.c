#define _GNU_SOURCE /* accept4 */
#include "ops/metrics.h"
#include "base/alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Clients served at once; one more makes room by closing the client
 * that has waited longest without finishing its request. */
#define MAX_CLIENTS	  32
/* A request's head (request line and headers) may be this long. */
#define MAX_REQUEST	  8192
/* From its connection to its answer, a client has this long. */
#define CLIENT_TIMEOUT_US (5 * INT64_C(1000000))
/* After an answer, what the client still sends is read and dropped for
 * up to this long, so that closing does not reset the connection before
 * the client has read the answer (a 431 to a request it is still
 * sending). */
#define LINGER_US	  (1 * INT64_C(1000000))

static void counter(struct buf *b, const char *name, const char *help,
		    const char *labels, uint64_t v, bool header)
{
	if (header)
		buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
			   strstr(name, "_total") ? "counter" : "gauge");
	buf_printf(b, "%s%s %llu\n", name, labels, (unsigned long long)v);
}

/* A label value as the exposition format writes it: \, " and newline
 * escaped. */
static void label_value(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 3 < cap; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			out[o++] = '\\';
			out[o++] = *s == '\n' ? 'n' : *s;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* Each backfill by its table, one family at a time as the format
 * wants: rows and chunks read so far, and its state as the label of a
 * gauge that is 1. */
static void backfills(struct buf *b, const struct stats *s, const char *slot)
{
	static const char *const names[] = { "walhook_backfill_rows",
					     "walhook_backfill_chunks",
					     "walhook_backfill_state" };
	static const char *const helps[] = {
		"Rows a backfill has read and handed on.",
		"Chunks a backfill has read and handed on.",
		"A backfill's state: running, paused, done or cancelled.",
	};
	char labels[512], table[160];
	size_t n = stats_backfills(s);
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < n; i++) {
			struct stats_backfill v = stats_get_backfill(s, i);
			label_value(table, sizeof table, v.table);
			int at = snprintf(labels, sizeof labels,
					  "{slot=\"%s\",table=\"%s\"", slot,
					  table);
			if (k == 2)
				snprintf(labels + at, sizeof labels - (size_t)at,
					 ",state=\"%s\"}", v.state);
			else
				snprintf(labels + at, sizeof labels - (size_t)at,
					 "}");
			counter(b, names[k], helps[k], labels,
				k == 0 ? v.rows : k == 1 ? v.chunks : 1, i == 0);
		}
	}
}

void metrics_render(struct buf *b, const struct stats *s, const char *slot)
{
	static const char *const ops[] = { "insert",   "update",  "delete",
					   "truncate", "message", "read" };
	char labels[256], value[160];
	label_value(value, sizeof value, slot ? slot : "");
	for (int i = 0; i < 6; i++) {
		snprintf(labels, sizeof labels, "{slot=\"%s\",op=\"%s\"}",
			 value, ops[i]);
		counter(b, "walhook_changes_total",
			"Row changes, truncates and messages handled, by op.",
			labels, stats_get(s, (enum stat_id)(STAT_INSERTS + i)),
			i == 0);
	}
	snprintf(labels, sizeof labels, "{slot=\"%s\"}", value);
	counter(b, "walhook_transactions_total",
		"Transactions handled and confirmed.", labels,
		stats_get(s, STAT_TRANSACTIONS), true);
	counter(b, "walhook_reconnects_total",
		"Connections lost and made again.", labels,
		stats_get(s, STAT_RECONNECTS), true);
	counter(b, "walhook_errors_total",
		"Errors walhook went on after (with a reconnect).", labels,
		stats_get(s, STAT_ERRORS), true);
	counter(
	    b, "walhook_sink_errors_total",
	    "Of those, sinks that failed for a while (target down, disk full).",
	    labels, stats_get(s, STAT_SINK_ERRORS), true);
	counter(b, "walhook_received_bytes_total",
		"Bytes of replication data received.", labels,
		stats_get(s, STAT_BYTES_RECEIVED), true);
	counter(b, "walhook_confirmed_lsn",
		"The slot position confirmed to the server, as a number.",
		labels, stats_get(s, STAT_CONFIRMED_LSN), true);
	counter(b, "walhook_server_wal_end_lsn",
		"The server's WAL end as last reported, as a number.", labels,
		stats_get(s, STAT_SERVER_END_LSN), true);
	uint64_t end = stats_get(s, STAT_SERVER_END_LSN);
	uint64_t confirmed = stats_get(s, STAT_CONFIRMED_LSN);
	counter(
	    b, "walhook_lag_bytes",
	    "Bytes of WAL between the server's end and the confirmed position.",
	    labels, end > confirmed ? end - confirmed : 0, true);
	backfills(b, s, value);
}

/* ---- the server: one thread, poll over the listener and every client ---- */

enum client_state {
	READING,  /* the request's head, up to its blank line */
	WRITING,  /* the answer */
	DRAINING, /* answered, write side shut: reading what still comes */
};

struct client {
	int fd; /* -1: a free slot */
	enum client_state state;
	int64_t deadline_us;
	int64_t since_us; /* connected */
	char req[MAX_REQUEST];
	size_t req_len;
	struct buf out;
	size_t out_off;
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	buf_free(&c->out);
}

/* Queues an answer: status line, headers, body (none for HEAD). */
static void answer(struct client *c, const char *status, const char *extra,
		   const struct buf *body, bool head_only, int64_t now)
{
	buf_reset(&c->out);
	buf_printf(&c->out,
		   "HTTP/1.1 %s\r\n"
		   "Content-Type: text/plain; version=0.0.4\r\n"
		   "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		   status, body->len, extra ? extra : "");
	if (!head_only)
		buf_put(&c->out, body->data, body->len);
	c->out_off = 0;
	c->state = WRITING;
	/* The answer gets the time the request had left, at least a second. */
	if (c->deadline_us < now + 1000000)
		c->deadline_us = now + 1000000;
}

static void answer_error(struct client *c, const char *status,
			 const char *extra, int64_t now)
{
	struct buf body = { 0 };
	buf_printf(&body, "%s\n", status);
	answer(c, status, extra, &body, false, now);
	buf_free(&body);
}

/* Where the head of the request ends (after its blank line), or 0. */
static size_t head_end(const struct client *c)
{
	for (size_t i = 0; i < c->req_len; i++) {
		if (c->req[i] != '\n')
			continue;
		if (i + 1 < c->req_len && c->req[i + 1] == '\n')
			return i + 2;
		if (i + 2 < c->req_len && c->req[i + 1] == '\r' &&
		    c->req[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Answers a whole request head: GET or HEAD of any path gets the
 * metrics; another method 405; anything that is not an HTTP/1.x request
 * line 400. */
static void respond(struct metrics *m, struct client *c, int64_t now)
{
	size_t line = strcspn(c->req, "\r\n"); /* req holds no NUL: see read */
	char method[8] = "";
	size_t sp1 = 0, sp2 = 0;
	for (size_t i = 0; i < line; i++) {
		unsigned char ch = (unsigned char)c->req[i];
		if (ch < 0x21 && ch != ' ')
			return answer_error(c, "400 Bad Request", NULL, now);
		if (ch >= 0x7f)
			return answer_error(c, "400 Bad Request", NULL, now);
		if (ch == ' ' && !sp1)
			sp1 = i;
		else if (ch == ' ' && !sp2)
			sp2 = i;
		else if (ch == ' ')
			return answer_error(c, "400 Bad Request", NULL, now);
	}
	if (!sp1 || !sp2 || sp2 == sp1 + 1 || sp1 >= sizeof method ||
	    line - sp2 - 1 != 8 ||
	    strncmp(c->req + sp2 + 1, "HTTP/1.", 7) != 0 ||
	    c->req[sp2 + 8] < '0' || c->req[sp2 + 8] > '9')
		return answer_error(c, "400 Bad Request", NULL, now);
	memcpy(method, c->req, sp1);
	method[sp1] = '\0';
	bool head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0)
		return answer_error(c, "405 Method Not Allowed",
				    "Allow: GET, HEAD\r\n", now);
	struct buf body = { 0 };
	metrics_render(&body, m->stats, m->slot);
	answer(c, "200 OK", NULL, &body, head, now);
	buf_free(&body);
}

static void on_readable(struct metrics *m, struct client *c, int64_t now)
{
	if (c->state == DRAINING) {
		char sink[4096];
		ssize_t n = read(c->fd, sink, sizeof sink);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(c);
		return;
	}
	if (c->state != READING)
		return;
	ssize_t n =
	    read(c->fd, c->req + c->req_len, sizeof c->req - c->req_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* gone before its request was whole */
		client_close(c);
		return;
	}
	/* A NUL has no place in a request head: it would also hide the
	 * rest from the string functions above. */
	if (memchr(c->req + c->req_len, '\0', (size_t)n)) {
		c->req_len += (size_t)n;
		return answer_error(c, "400 Bad Request", NULL, now);
	}
	c->req_len += (size_t)n;
	if (head_end(c)) {
		c->req[c->req_len < sizeof c->req ? c->req_len
						  : sizeof c->req - 1] = '\0';
		respond(m, c, now);
	} else if (c->req_len == sizeof c->req) {
		answer_error(c, "431 Request Header Fields Too Large", NULL,
			     now);
	}
}

static void on_writable(struct client *c, int64_t now)
{
	while (c->out_off < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->out_off,
				  c->out.len - c->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = DRAINING;
	c->deadline_us = now + LINGER_US;
}

/* Takes every waiting connection. False when the process is out of file
 * descriptors (or memory): the listener then stays readable, and polling
 * it again at once would spin. */
static bool accept_clients(struct metrics *m, struct client *clients,
			   int64_t now)
{
	for (;;) {
		int fd =
		    accept4(m->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) /* EAGAIN, or a client already gone, or no room */
			return !(errno == EMFILE || errno == ENFILE ||
				 errno == ENOBUFS || errno == ENOMEM);
		struct client *slot = NULL, *oldest = NULL;
		for (int i = 0; i < MAX_CLIENTS && !slot; i++) {
			struct client *c = &clients[i];
			if (c->fd < 0)
				slot = c;
			else if (!oldest || c->since_us < oldest->since_us)
				oldest = c;
		}
		if (!slot) {
			/* Full: the client that has been there longest is
			 * the likeliest to be stuck. */
			client_close(oldest);
			slot = oldest;
		}
		*slot =
		    (struct client){ .fd = fd,
				     .state = READING,
				     .since_us = now,
				     .deadline_us = now + CLIENT_TIMEOUT_US };
	}
}

static void *metrics_main(void *arg)
{
	struct metrics *m = arg;
	struct client *clients = xcalloc(MAX_CLIENTS, sizeof *clients);
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	struct pollfd pfds[MAX_CLIENTS + 1];
	struct client *of[MAX_CLIENTS + 1];
	int64_t accept_after =
	    0; /* no descriptors left: wait before accepting */
	while (!__atomic_load_n(&m->quit, __ATOMIC_ACQUIRE)) {
		int64_t now = now_us();
		/* The stop flag is looked at five times a second. */
		int64_t wake = now + 200 * 1000;
		int n = 0;
		/* A negative fd is left out by poll. */
		pfds[n] =
		    (struct pollfd){ .fd = now >= accept_after ? m->fd : -1,
				     .events = POLLIN };
		of[n++] = NULL;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];
			if (c->fd < 0)
				continue;
			if (c->deadline_us <= now) {
				client_close(
				    c); /* too slow, or done lingering */
				continue;
			}
			if (c->deadline_us < wake)
				wake = c->deadline_us;
			pfds[n] = (struct pollfd){
				.fd = c->fd,
				.events =
				    c->state == WRITING ? POLLOUT : POLLIN,
			};
			of[n++] = c;
		}
		int timeout = (int)((wake - now + 999) / 1000);
		if (poll(pfds, (nfds_t)n, timeout < 1 ? 1 : timeout) <= 0)
			continue;
		now = now_us();
		for (int i = 1; i < n; i++) {
			struct client *c = of[i];
			if (c->fd < 0 || !pfds[i].revents)
				continue;
			if (c->state == WRITING)
				on_writable(c, now);
			else
				on_readable(m, c, now);
			/* An answer made by reading is written at once: most
			 * fit the socket's buffer. */
			if (c->fd >= 0 && c->state == WRITING)
				on_writable(c, now);
		}
		if ((pfds[0].revents & POLLIN) &&
		    !accept_clients(m, clients, now))
			accept_after = now + 100 * 1000;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	free(clients);
	return NULL;
}

int metrics_start(struct metrics *m, int port, const struct stats *stats,
		  const char *slot, struct err *e)
{
	*m = (struct metrics){ .stats = stats, .slot = slot, .fd = -1 };
	m->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->fd < 0)
		return err_set(e, "metrics endpoint: %s", strerror(errno));
	int one = 1;
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	if (bind(m->fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(m->fd, 64) < 0) {
		err_set(e, "metrics endpoint on 127.0.0.1:%d: %s", port,
			strerror(errno));
		close(m->fd);
		m->fd = -1;
		return -1;
	}
	if (pthread_create(&m->thread, NULL, metrics_main, m) != 0) {
		close(m->fd);
		m->fd = -1;
		return err_set(e, "metrics endpoint: cannot start its thread");
	}
	m->running = true;
	return 0;
}

void metrics_stop(struct metrics *m)
{
	if (!m->running)
		return;
	__atomic_store_n(&m->quit, 1, __ATOMIC_RELEASE);
	pthread_join(m->thread, NULL);
	close(m->fd);
	m->running = false;
}
