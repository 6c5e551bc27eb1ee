#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code[0] = '\0';
	e->transient = false;
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	size_t p = strlen(prefix) + 2, old = strlen(e->msg);
	/* A message too long for the buffer keeps its beginning. */
	if (old > sizeof e->msg - 1 - p)
		old = sizeof e->msg - 1 - p;
	memmove(e->msg + p, e->msg, old);
	memcpy(e->msg, prefix, p - 2);
	memcpy(e->msg + p - 2, ": ", 2);
	e->msg[p + old] = '\0';
	return -1;
}
