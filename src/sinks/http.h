/* sink_http — POSTs batches of JSON records to an HTTP endpoint with
 * libcurl: one request per flush, body a JSON array of the records;
 * retried with backoff on errors and 5xx; a batch counts as taken only on
 * a 2xx answer. */
#ifndef WALHOOK_SINK_HTTP_H
#define WALHOOK_SINK_HTTP_H

#include "core/sink.h"

struct sink_http_config {
	const char *url;
	const char *const *headers; /* "Name: value" lines */
	int nheaders;
	double timeout_s; /* per request */
	int max_retries;  /* before the flush fails (walhook stops) */
};

/* The configuration is copied. */
struct sink *sink_http_new(const struct sink_http_config *c, struct err *e);

#endif
