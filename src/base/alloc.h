/* alloc — the allocation policy: walhook cannot do anything useful
 * without memory, and a caller with a path that goes on would lose data,
 * so every allocation that fails ends the process with one line. */
#ifndef WALHOOK_ALLOC_H
#define WALHOOK_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* Grows (or shrinks) p to n bytes; p may be NULL. */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
