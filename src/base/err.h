/* err — an error message with context, filled by the layer that failed and
 * prefixed by each caller that knows more ("starting replication: ..."). */
#ifndef WALHOOK_ERR_H
#define WALHOOK_ERR_H

#include <stdbool.h>

struct err {
	char msg[2048];
	char code[6]; /* the server's SQLSTATE when it refused, else "" */
	/* A failure that may pass (a sink's target down, a disk full):
	 * walhook reconnects and retries rather than stopping. */
	bool transient;
};

/* Both return -1 so a failing function can `return err_set(e, ...)`. */
int err_set(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prepends "context: " to the message already in e. */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
