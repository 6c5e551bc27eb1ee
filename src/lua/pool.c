#include "lua/pool.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POOL_GRAIN	16
#define POOL_MAX_SMALL	512 /* larger blocks go to malloc */
#define POOL_CLASSES	(POOL_MAX_SMALL / POOL_GRAIN)
#define POOL_SLAB_BYTES (64 * 1024)

struct free_block {
	struct free_block *next;
};

struct slab {
	struct slab *next;
	/* the blocks follow, aligned as malloc aligns */
	max_align_t blocks[];
};

struct lua_pool {
	struct free_block *free[POOL_CLASSES];
	struct slab *slabs;
	char *carve; /* the unused rest of the newest slab */
	size_t carve_left;
};

struct lua_pool *lua_pool_new(void)
{
	return calloc(1, sizeof(struct lua_pool));
}

void lua_pool_free(struct lua_pool *p)
{
	if (!p)
		return;
	while (p->slabs) {
		struct slab *next = p->slabs->next;
		free(p->slabs);
		p->slabs = next;
	}
	free(p);
}

/* The class of a small size (1 .. POOL_MAX_SMALL). */
static size_t class_of(size_t n)
{
	return (n - 1) / POOL_GRAIN;
}

static void *take(struct lua_pool *p, size_t n)
{
	size_t c = class_of(n);
	struct free_block *b = p->free[c];
	if (b) {
		p->free[c] = b->next;
		return b;
	}
	size_t bytes = (c + 1) * POOL_GRAIN;
	if (p->carve_left < bytes) {
		/* What is left of the old slab is too small for this class;
		 * it stays unused until the pool is freed. */
		struct slab *s = malloc(POOL_SLAB_BYTES);
		if (!s)
			return NULL;
		s->next = p->slabs;
		p->slabs = s;
		p->carve = (char *)s->blocks;
		p->carve_left = POOL_SLAB_BYTES - offsetof(struct slab, blocks);
	}
	void *block = p->carve;
	p->carve += bytes;
	p->carve_left -= bytes;
	return block;
}

static void give_back(struct lua_pool *p, void *ptr, size_t n)
{
	struct free_block *b = ptr;
	size_t c = class_of(n);
	b->next = p->free[c];
	p->free[c] = b;
}

void *lua_pool_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lua_pool *p = ud;
	/* osize is the block's size only when ptr is one (else a type). */
	size_t old = ptr ? osize : 0;
	bool old_small = old && old <= POOL_MAX_SMALL;
	if (nsize == 0) {
		if (old_small)
			give_back(p, ptr, old);
		else
			free(ptr);
		return NULL;
	}
	bool new_small = nsize <= POOL_MAX_SMALL;
	if (old && !old_small && !new_small)
		return realloc(ptr, nsize);
	if (old_small && new_small && class_of(old) == class_of(nsize))
		return ptr;
	void *q = new_small ? take(p, nsize) : malloc(nsize);
	if (!q || !old)
		return q;
	memcpy(q, ptr, old < nsize ? old : nsize);
	if (old_small)
		give_back(p, ptr, old);
	else
		free(ptr);
	return q;
}
