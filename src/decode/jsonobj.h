/* jsonobj — what the readers of one small JSON object of known members
 * share (a walhook.ddl message, a walhook.signal): the object walked
 * member by member, a member found by its name, a string kept, and a
 * fault of the lexer as an error. Pure: no I/O. */
#ifndef WALHOOK_JSONOBJ_H
#define WALHOOK_JSONOBJ_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "decode/jsonlex.h"

/* The index of key among the n names; -1 when it is none of them. */
int jsonobj_member(const struct jsonlex_token *key, const char *const *names,
		   int n);
/* The string t unescaped onto the end of b with its NUL; its offset. */
size_t jsonobj_keep(struct buf *b, const struct jsonlex_token *t);
/* The lexer's fault as "not JSON at byte N: ..."; -1. */
int jsonobj_fault(const struct jsonlex *lx, struct err *e);
/* Reads the whole text of lx as one object, calling member for each
 * member with its name (its value is next: member reads it); text after
 * the object is an error. 0, or -1 with e filled. */
int jsonobj_read(struct jsonlex *lx,
		 int (*member)(void *ctx, struct jsonlex *lx,
			       const struct jsonlex_token *key, struct err *e),
		 void *ctx, struct err *e);

#endif
