#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void counter(struct buf *b, const char *name, const char *help,
		    const char *labels, uint64_t v, bool header)
{
	if (header)
		buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
			   strstr(name, "_total") ? "counter" : "gauge");
	buf_printf(b, "%s%s %llu\n", name, labels, (unsigned long long)v);
}

void metrics_render(struct buf *b, const struct stats *s, const char *slot)
{
	static const char *const ops[] = { "insert", "update", "delete",
					   "truncate", "message", "read" };
	char labels[256];
	for (int i = 0; i < 6; i++) {
		snprintf(labels, sizeof labels, "{slot=\"%s\",op=\"%s\"}", slot, ops[i]);
		counter(b, "walhook_changes_total",
			"Row changes, truncates and messages handled, by op.", labels,
			stats_get(s, (enum stat_id)(STAT_INSERTS + i)), i == 0);
	}
	snprintf(labels, sizeof labels, "{slot=\"%s\"}", slot);
	counter(b, "walhook_transactions_total",
		"Transactions handled and confirmed.", labels,
		stats_get(s, STAT_TRANSACTIONS), true);
	counter(b, "walhook_reconnects_total",
		"Connections lost and made again.", labels,
		stats_get(s, STAT_RECONNECTS), true);
	counter(b, "walhook_errors_total",
		"Errors walhook went on after (with a reconnect).", labels,
		stats_get(s, STAT_ERRORS), true);
	counter(b, "walhook_sink_errors_total",
		"Of those, sinks that failed for a while (target down, disk full).",
		labels, stats_get(s, STAT_SINK_ERRORS), true);
	counter(b, "walhook_received_bytes_total",
		"Bytes of replication data received.", labels,
		stats_get(s, STAT_BYTES_RECEIVED), true);
	counter(b, "walhook_confirmed_lsn",
		"The slot position confirmed to the server, as a number.", labels,
		stats_get(s, STAT_CONFIRMED_LSN), true);
	counter(b, "walhook_server_wal_end_lsn",
		"The server's WAL end as last reported, as a number.", labels,
		stats_get(s, STAT_SERVER_END_LSN), true);
	uint64_t end = stats_get(s, STAT_SERVER_END_LSN);
	uint64_t confirmed = stats_get(s, STAT_CONFIRMED_LSN);
	counter(b, "walhook_lag_bytes",
		"Bytes of WAL between the server's end and the confirmed position.",
		labels, end > confirmed ? end - confirmed : 0, true);
}

static void serve_one(struct metrics *m, int client)
{
	/* The request itself does not matter: every path gets the metrics. */
	char req[2048];
	struct pollfd pfd = { .fd = client, .events = POLLIN };
	if (poll(&pfd, 1, 1000) > 0)
		(void)!read(client, req, sizeof req);
	struct buf body = { 0 }, all = { 0 };
	metrics_render(&body, m->stats, m->slot);
	buf_printf(&all,
		   "HTTP/1.1 200 OK\r\n"
		   "Content-Type: text/plain; version=0.0.4\r\n"
		   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		   body.len);
	buf_put(&all, body.data, body.len);
	for (size_t off = 0; off < all.len;) {
		ssize_t n = write(client, all.data + off, all.len - off);
		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			off += (size_t)n;
	}
	buf_free(&body);
	buf_free(&all);
}

static void *metrics_main(void *arg)
{
	struct metrics *m = arg;
	while (!__atomic_load_n(&m->quit, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		int client = accept(m->fd, NULL, NULL);
		if (client < 0)
			continue;
		serve_one(m, client);
		close(client);
	}
	return NULL;
}

int metrics_start(struct metrics *m, int port, const struct stats *stats,
		  const char *slot, struct err *e)
{
	*m = (struct metrics){ .stats = stats, .slot = slot, .fd = -1 };
	m->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
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
	    listen(m->fd, 8) < 0) {
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
