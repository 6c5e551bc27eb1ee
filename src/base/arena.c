#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

struct arena_block {
	struct arena_block *next;
	size_t cap;
	size_t used;
	char data[];
};

static struct arena_block *block_new(size_t cap, struct arena_block *next)
{
	struct arena_block *b = xmalloc(sizeof *b + cap);
	b->cap = cap;
	b->used = 0;
	b->next = next;
	return b;
}

char *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = b ? b->cap * 2 : 4096;
		while (cap < n)
			cap *= 2;
		b = a->head = block_new(cap, a->head);
	}
	char *p = b->data + b->used;
	b->used += n;
	return p;
}

const char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	if (!b->next) {
		b->used = 0;
		return;
	}
	size_t total = 0;
	while (b) {
		struct arena_block *next = b->next;
		total += b->cap;
		free(b);
		b = next;
	}
	a->head = block_new(total, NULL);
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
