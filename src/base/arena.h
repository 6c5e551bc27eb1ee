/* arena — scratch memory for the text one unit of work makes (the
 * unescaped strings and names of one decoded payload): bytes handed out
 * from blocks that never move, so each stays where it is until
 * arena_reset forgets them all at once. Everything it hands out is the
 * arena's: nothing is freed on its own. Allocation failure aborts, as
 * everywhere (alloc.h). */
#ifndef WALHOOK_ARENA_H
#define WALHOOK_ARENA_H

#include <stddef.h>

struct arena_block;

/* A zeroed arena is empty and ready. */
struct arena {
	struct arena_block *head;
};

/* n bytes for text (no alignment is promised), the arena's until the next
 * arena_reset. */
char *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of the n bytes at s, the arena's. */
const char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Forgets everything handed out. Several blocks become one as large as
 * all of them, so a steady stream of work allocates nothing. */
void arena_reset(struct arena *a);
/* Frees the blocks; the arena is empty again. */
void arena_free(struct arena *a);

#endif
