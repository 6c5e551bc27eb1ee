/* The HTTP sink: records gather in a JSON array, and flush POSTs it with
 * libcurl. Transport errors, 5xx and 429 are retried with capped
 * exponential backoff and jitter; any other answer but a 2xx fails the
 * flush at once. The batch stays buffered until a 2xx takes it, so a
 * flush that failed and is called again sends the same records again.
 *
 * Credentials in the URL (https://user:password@host/...) reach curl, which
 * sends them as Basic authentication, but never a message: every text that
 * names the URL uses a copy with the user information masked. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/lsn.h"
#include "sinks/http.h"

#define BACKOFF_START_S 0.2
#define BACKOFF_CAP_S	10.0
#define REPLY_SHOWN	200 /* bytes of a response body quoted in a message */

struct http {
	struct sink base;
	/* One handle for every request: its connections are reused. */
	CURL *curl;
	struct curl_slist *headers;
	/* The URL as configured may hold credentials: it is never printed.
	 * Messages show shown_url, where user:password@ is ***@, and scrub
	 * the user information and the password from texts they quote. */
	char *url;
	char *shown_url;
	char *userinfo; /* or NULL */
	char *password; /* or NULL */
	double timeout_s;
	int max_retries;
	/* "[rec,rec,rec" as records come; flush adds the "]" for the request
	 * and takes it off again when the request fails. */
	struct buf body;
	/* The start of the last response's body, and whether there was more. */
	char reply[REPLY_SHOWN];
	size_t reply_len;
	bool reply_cut;
	char curl_msg[CURL_ERROR_SIZE];
	uint64_t rng; /* xorshift state for the jitter */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the URL as messages show it ---- */

/* Where the authority of an http(s) URL starts (after "://") and ends
 * (at the path, query or fragment). */
static void authority(const char *url, size_t *start, size_t *end)
{
	const char *p = strstr(url, "://");
	*start = p ? (size_t)(p - url) + 3 : 0;
	*end = *start + strcspn(url + *start, "/?#");
}

/* Appends s[0..n) for a message: bytes that are not printable ASCII as
 * %XX, so a URL cannot break the message's line or the terminal. */
static void put_shown(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c >= 0x7f)
			buf_printf(b, "%%%02X", c);
		else
			buf_putc(b, (char)c);
	}
}

/* Fills h->shown_url, the URL as every message shows it, and what scrub
 * takes out of texts that quote it (h->userinfo, h->password). Whatever
 * could be a password is masked, valid URL or not:
 * - everything from after "://" (or from the start, without one) to the
 *   last '@' anywhere, which covers a password holding '/', '?', '#' or
 *   '@' unescaped (all of "u:pa/ss" in http://u:pa/ss@host is masked);
 * - without any '@', what follows a ':' in the authority that is not a
 *   port number ("secret" in http://user:secret). */
static void mask_url(struct http *h)
{
	const char *url = h->url;
	size_t len = strlen(url);
	const char *sep = strstr(url, "://");
	size_t start = sep ? (size_t)(sep - url) + 3 : 0;
	const char *at = strrchr(url + start, '@');
	struct buf b = { 0 };
	put_shown(&b, url, start);
	if (at) {
		size_t ulen = (size_t)(at - url) - start;
		h->userinfo = xstrndup(url + start, ulen);
		const char *colon = memchr(h->userinfo, ':', ulen);
		if (colon && colon[1])
			h->password = xstrndup(colon + 1, strlen(colon + 1));
		buf_puts(&b, "***");
		put_shown(&b, at, len - (size_t)(at - url));
	} else {
		size_t end = start + strcspn(url + start, "/?#");
		size_t host = start;
		if (url[host] ==
		    '[') { /* an IPv6 address: its colons are its own */
			const char *close = memchr(url + host, ']', end - host);
			host = close ? (size_t)(close - url) + 1 : end;
		}
		const char *colon = memchr(url + host, ':', end - host);
		bool port = colon && strspn(colon + 1, "0123456789") ==
					 (size_t)(url + end - colon - 1);
		if (colon && !port) {
			size_t c = (size_t)(colon - url) + 1;
			h->password = xstrndup(url + c, end - c);
			put_shown(&b, url + start, c - start);
			buf_puts(&b, "***");
			put_shown(&b, url + end, len - end);
		} else {
			put_shown(&b, url + start, len - start);
		}
	}
	h->shown_url = xstrndup(b.data ? b.data : "", b.len);
	buf_free(&b);
}

/* Replaces every occurrence of secret in the C string s with "***" (never
 * longer, so s only shrinks). Secrets shorter than 3 bytes are left: they
 * would mask ordinary text, and cannot be told from it anyway. */
static void scrub(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < 3)
		return;
	char *p = s;
	while ((p = strstr(p, secret)) != NULL) {
		memmove(p + 3, p + n, strlen(p + n) + 1);
		memcpy(p, "***", 3);
		p += 3;
	}
}

static void scrub_secrets(const struct http *h, char *s)
{
	scrub(s, h->userinfo);
	scrub(s, h->password);
}

/* ---- one request ---- */

static size_t on_reply(char *data, size_t size, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = size * n;
	size_t room = sizeof h->reply - h->reply_len;
	size_t take = len < room ? len : room;
	memcpy(h->reply + h->reply_len, data, take);
	h->reply_len += take;
	if (take < len)
		h->reply_cut = true;
	return len; /* the rest is read and dropped */
}

/* The start of the last response's body as one line of text for a
 * message: control characters as spaces, cut at a character boundary,
 * secrets masked. */
static void reply_text(const struct http *h, char *out, size_t cap)
{
	size_t n = h->reply_len;
	if (h->reply_cut && n > 0) {
		/* Drop a last character the cut left incomplete. */
		size_t i = n - 1;
		while (i > 0 && n - i < 4 &&
		       ((unsigned char)h->reply[i] & 0xC0) == 0x80)
			i--;
		unsigned char lead = (unsigned char)h->reply[i];
		size_t want = lead >= 0xF0   ? 4
			      : lead >= 0xE0 ? 3
			      : lead >= 0xC0 ? 2
					     : 1;
		if (n - i < want)
			n = i;
	}
	size_t o = 0;
	for (size_t i = 0; i < n && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)h->reply[i];
		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	if (h->reply_cut && o + 4 < cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	scrub_secrets(h, out);
}

enum outcome {
	TAKEN,	 /* a 2xx */
	RETRY,	 /* a transport error, a 5xx or a 429: may pass next time */
	REFUSED, /* any other status: the same request would get the same */
	BROKEN,	 /* a transport error that retrying cannot mend */
};

/* Errors of the setup rather than of the network or the server. */
static bool permanent(CURLcode cc)
{
	switch (cc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR: return true;
	default: return false;
	}
}

/* One POST of the body; *what describes a failure for a message (status,
 * curl's error, the start of the response). */
static enum outcome post_once(struct http *h, long *status, char *what,
			      size_t cap)
{
	h->reply_len = 0;
	h->reply_cut = false;
	h->curl_msg[0] = '\0';
	*status = 0;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, h->body.data);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)h->body.len);
	CURLcode cc = curl_easy_perform(h->curl);
	if (cc != CURLE_OK) {
		snprintf(what, cap, "%s",
			 h->curl_msg[0] ? h->curl_msg : curl_easy_strerror(cc));
		scrub_secrets(h, what);
		return permanent(cc) ? BROKEN : RETRY;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, status);
	if (*status >= 200 && *status <= 299)
		return TAKEN;
	char text[REPLY_SHOWN + 8];
	reply_text(h, text, sizeof text);
	snprintf(what, cap, "HTTP %ld%s%s", *status,
		 text[0] ? ", response: " : ", empty response", text);
	return *status == 429 || (*status >= 500 && *status <= 599) ? RETRY
								    : REFUSED;
}

/* A random number in [0, 1). */
static double jitter(struct http *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return (double)(h->rng >> 11) / (double)(UINT64_C(1) << 53);
}

/* The wait before retry number n (from 0): 0.2 s doubled each time up to
 * 10 s, of which a random part up to half is taken off so that many
 * walhooks behind one failing server do not come back all at once. A
 * Retry-After of the last answer is waited at least (but no more than the
 * cap). */
static double backoff(struct http *h, int n, long status)
{
	double d = BACKOFF_START_S;
	for (int i = 0; i < n && d < BACKOFF_CAP_S; i++)
		d *= 2;
	if (d > BACKOFF_CAP_S)
		d = BACKOFF_CAP_S;
	d = d / 2 + d / 2 * jitter(h);
	curl_off_t after = 0;
	if (status &&
	    curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &after) ==
		CURLE_OK &&
	    (double)after > d)
		d = (double)after < BACKOFF_CAP_S ? (double)after
						  : BACKOFF_CAP_S;
	return d;
}

/* Waits s seconds between retries; false when a stop gave up on it. */
static bool sleep_s(struct http *h, double s)
{
	int64_t until = mono_now_us() + (int64_t)(s * 1e6);
	for (int64_t now = mono_now_us(); now < until; now = mono_now_us()) {
		if (sink_give_up(&h->base, now))
			return false;
		int64_t left = until - now < 100000 ? until - now : 100000;
		nanosleep(&(struct timespec){ 0, (long)left * 1000 }, NULL);
	}
	return true;
}

/* libcurl asks while a request runs: a stop ends a request the endpoint
 * takes too long to answer. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	struct http *h = arg;
	return sink_give_up(&h->base, mono_now_us());
}

/* POSTs the body (a complete JSON array) until a 2xx takes it, the server
 * refuses it, or the retries are spent. */
static int post_batch(struct http *h, struct err *e)
{
	char what[1024];
	for (int n = 0;; n++) {
		long status;
		switch (post_once(h, &status, what, sizeof what)) {
		case TAKEN: return 0;
		case REFUSED:
			return err_set(e,
				       "POST %s: the server refused the batch "
				       "(not retried): %s",
				       h->shown_url, what);
		case BROKEN:
			return err_set(e, "POST %s: %s (not retried)",
				       h->shown_url, what);
		case RETRY: break;
		}
		if (sink_give_up(&h->base, mono_now_us()))
			return err_set(
			    e,
			    "POST %s: stopped before the endpoint took the batch: %s",
			    h->shown_url, what);
		if (n >= h->max_retries)
			return err_set(
			    e, "POST %s failed %d time%s, giving up: %s",
			    h->shown_url, n + 1, n ? "s" : "", what);
		double d = backoff(h, n, status);
		fprintf(stderr,
			"walhook: warning: sink %s: POST failed: %s; "
			"retry %d of %d in %.1f s\n",
			h->base.name, what, n + 1, h->max_retries, d);
		if (!sleep_s(h, d))
			return err_set(
			    e,
			    "POST %s: stopped before the endpoint took the batch: %s",
			    h->shown_url, what);
	}
}

/* ---- the sink ---- */

static int http_flush(struct sink *s, struct err *e);

/* Past this, a batch is POSTed before its flush (a transaction of any
 * size costs the same memory); it counts as taken only at the flush. */
#define HTTP_HIGH_WATER (4 * 1024 * 1024)

static int http_write(struct sink *s, const char *json, size_t len,
		      struct err *e)
{
	struct http *h = (struct http *)s;
	buf_putc(&h->body, h->body.len ? ',' : '[');
	buf_put(&h->body, json, len);
	sink_wrote(s, len + 1);
	return h->body.len >= HTTP_HIGH_WATER ? http_flush(s, e) : 0;
}

static int http_flush(struct sink *s, struct err *e)
{
	struct http *h = (struct http *)s;
	if (!h->body.len)
		return 0;
	buf_putc(&h->body, ']');
	if (post_batch(h, e) < 0) {
		h->body.len--; /* the "]": more records may follow */
		return -1;
	}
	buf_reset(&h->body);
	return 0;
}

static void http_free(struct sink *s)
{
	struct http *h = (struct http *)s;
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h->shown_url);
	free(h->userinfo);
	free(h->password);
	buf_free(&h->body);
	free(h);
}

static const struct sink_ops http_ops = {
	.kind = "http",
	.write_json = http_write,
	.flush = http_flush,
	.free = http_free,
};

/* Whether one of the configured header lines is named name. */
static bool has_header(const struct sink_http_config *c, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < c->nheaders; i++)
		if (strncasecmp(c->headers[i], name, n) == 0 &&
		    (c->headers[i][n] == ':' || c->headers[i][n] == ';'))
			return true;
	return false;
}

static int add_header(struct http *h, const char *line, struct err *e)
{
	struct curl_slist *l = curl_slist_append(h->headers, line);
	if (!l)
		return err_set(e, "out of memory");
	h->headers = l;
	return 0;
}

static int set_headers(struct http *h, const struct sink_http_config *c,
		       struct err *e)
{
	for (int i = 0; i < c->nheaders; i++) {
		const char *line = c->headers[i];
		size_t name = strcspn(line, ":");
		/* The value may be a secret: messages show the name only. */
		if (name == 0 || !line[name])
			return err_set(e, "header %d is not \"Name: value\"",
				       i + 1);
		if (strpbrk(line, "\r\n"))
			return err_set(e, "header %.*s has a line break in it",
				       (int)(name > 64 ? 64 : name), line);
	}
	if (!has_header(c, "Content-Type") &&
	    add_header(h, "Content-Type: application/json", e) < 0)
		return -1;
	/* No "Expect: 100-continue" round trip before large bodies. */
	if (!has_header(c, "Expect") && add_header(h, "Expect:", e) < 0)
		return -1;
	for (int i = 0; i < c->nheaders; i++)
		if (add_header(h, c->headers[i], e) < 0)
			return -1;
	return 0;
}

static int check_url(const struct http *h, struct err *e)
{
	if (strncasecmp(h->url, "http://", 7) &&
	    strncasecmp(h->url, "https://", 8))
		return err_set(e, "url %s: expected http:// or https://",
			       h->shown_url);
	CURLU *u = curl_url();
	if (!u)
		return err_set(e, "out of memory");
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, h->url, 0);
	curl_url_cleanup(u);
	if (rc != CURLUE_OK)
		return err_set(e, "url %s: %s", h->shown_url,
			       curl_url_strerror(rc));
	return 0;
}

static int setup_curl(struct http *h, struct err *e)
{
	h->curl = curl_easy_init();
	if (!h->curl)
		return err_set(e, "could not set up libcurl");
	CURL *c = h->curl;
	double ms = h->timeout_s * 1000;
	long timeout_ms = ms > 2147483647.0 ? 2147483647L : (long)ms;
	if (timeout_ms < 1)
		timeout_ms = 1;
	CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                          \
	if (rc == CURLE_OK)                                                    \
	rc = curl_easy_setopt(c, opt, val)
	SET(CURLOPT_URL, h->url);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 */
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_HTTPHEADER, h->headers);
	SET(CURLOPT_USERAGENT, "walhook/" WALHOOK_VERSION);
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	/* No SIGALRM for name lookups: walhook has other threads. */
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_reply);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_ERRORBUFFER, h->curl_msg);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, h);
#undef SET
	if (rc != CURLE_OK)
		return err_set(e, "setting up libcurl: %s",
			       curl_easy_strerror(rc));
	return 0;
}

struct sink *sink_http_new(const struct sink_http_config *c, struct err *e)
{
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		err_set(e, "could not initialise libcurl: %s",
			curl_easy_strerror(global_rc));
		return NULL;
	}
	if (!c->url || !c->url[0]) {
		err_set(e, "no url");
		return NULL;
	}
	struct http *h = xcalloc(1, sizeof *h);
	h->base.ops = &http_ops;
	h->url = xstrndup(c->url, strlen(c->url));
	mask_url(h);
	h->timeout_s = c->timeout_s;
	h->max_retries = c->max_retries;
	h->rng = (uint64_t)mono_now_us() ^ ((uint64_t)getpid() << 32) ^
		 (uint64_t)(uintptr_t)h;
	if (!h->rng)
		h->rng = 1;

	/* Named by host: messages about a request give the whole URL. */
	size_t start, end;
	authority(h->shown_url, &start, &end);
	const char *host = h->shown_url + start;
	if (strncmp(host, "***@", 4) == 0) {
		host += 4;
		start += 4;
	}
	snprintf(h->base.name, sizeof h->base.name, "http %.*s",
		 (int)(end - start), host);

	if (!(c->timeout_s > 0)) { /* NaN too */
		err_set(e, "timeout must be more than 0 seconds");
		goto fail;
	}
	if (c->max_retries < 0) {
		err_set(e, "retries must be 0 or more");
		goto fail;
	}
	if (check_url(h, e) < 0 || set_headers(h, c, e) < 0 ||
	    setup_curl(h, e) < 0)
		goto fail;
	return &h->base;
fail:
	http_free(&h->base);
	return NULL;
}
