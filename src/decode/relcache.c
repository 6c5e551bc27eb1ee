#include "decode/relcache.h"
#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void relcache_init(struct relcache *c)
{
	*c = (struct relcache){ 0 };
}

static void rel_free_chain(struct rel *r)
{
	while (r) {
		struct rel *next = r->replaced;
		if (r->memo_free)
			r->memo_free(r->memo);
		free(r);
		r = next;
	}
}

bool rel_set_memo(const struct rel *r, void *memo, void (*memo_free)(void *))
{
	if (!r->gen)
		return false;
	struct rel *kept = (struct rel *)r;
	kept->memo = memo;
	kept->memo_free = memo_free;
	return true;
}

static size_t slot_of(const struct relcache *c, uint32_t relid)
{
	/* OIDs come in runs and strides: mix all bits into the low ones. */
	uint32_t h = relid;
	h ^= h >> 16;
	h *= UINT32_C(0x85ebca6b);
	h ^= h >> 13;
	h *= UINT32_C(0xc2b2ae35);
	h ^= h >> 16;
	size_t i = h & (c->cap - 1);
	while (c->slots[i] && c->slots[i]->relid != relid)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static void grow(struct relcache *c)
{
	struct rel **old = c->slots;
	size_t oldcap = c->cap;
	c->cap = oldcap ? oldcap * 2 : 64;
	c->slots = xcalloc(c->cap, sizeof *c->slots);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			c->slots[slot_of(c, old[i]->relid)] = old[i];
	free(old);
}

static size_t rel_bytes(const char *nspname, const char *relname,
			uint16_t ncols, const struct rel_column *cols)
{
	size_t strbytes = strlen(nspname) + 1 + strlen(relname) + 1;
	for (uint16_t i = 0; i < ncols; i++)
		strbytes += strlen(cols[i].name) + 1;
	return sizeof(struct rel) + ncols * sizeof(struct rel_column) +
	       strbytes;
}

/* Lays the rel, its columns and every string out in mem, zeroed and of
 * rel_bytes: one block, so that one free (or a Lua userdata) holds all. */
static struct rel *rel_fill(void *mem, uint32_t relid, const char *nspname,
			    const char *relname, char replident,
			    uint16_t ncols, const struct rel_column *cols)
{
	struct rel *r = mem;
	r->cols = (struct rel_column *)(r + 1);
	char *s = (char *)(r->cols + ncols);
#define COPY(dst, src)                                                         \
	do {                                                                   \
		size_t n_ = strlen(src) + 1;                                   \
		memcpy(s, src, n_);                                            \
		dst = s;                                                       \
		s += n_;                                                       \
	} while (0)
	COPY(r->nspname, nspname);
	COPY(r->relname, relname);
	for (uint16_t i = 0; i < ncols; i++) {
		r->cols[i] = cols[i];
		COPY(r->cols[i].name, cols[i].name);
		r->cols[i].name_len = strlen(cols[i].name);
		r->nkeys += cols[i].key;
	}
#undef COPY
	r->relid = relid;
	r->replident = replident;
	r->ncols = ncols;
	return r;
}

static struct rel *rel_new(uint32_t relid, const char *nspname,
			   const char *relname, char replident, uint16_t ncols,
			   const struct rel_column *cols)
{
	if (!*nspname)
		nspname = "pg_catalog";
	void *mem = xcalloc(1, rel_bytes(nspname, relname, ncols, cols));
	return rel_fill(mem, relid, nspname, relname, replident, ncols, cols);
}

size_t rel_copy_size(const struct rel *r)
{
	return rel_bytes(r->nspname, r->relname, r->ncols, r->cols);
}

struct rel *rel_copy_into(void *mem, const struct rel *r)
{
	memset(mem, 0, rel_copy_size(r));
	return rel_fill(mem, r->relid, r->nspname, r->relname, r->replident,
			r->ncols, r->cols);
}

struct rel *relcache_put(struct relcache *c, uint32_t relid,
			 const char *nspname, const char *relname,
			 char replident, uint16_t ncols,
			 const struct rel_column *cols)
{
	if ((c->count + 1) * 2 > c->cap)
		grow(c);
	static uint64_t generations;
	struct rel *r =
	    rel_new(relid, nspname, relname, replident, ncols, cols);
	r->gen = ++generations;
	size_t i = slot_of(c, relid);
	r->replaced = c->slots[i];
	if (r->replaced)
		c->nreplaced++;
	else
		c->count++;
	c->slots[i] = r;
	return r;
}

struct rel *relcache_get(const struct relcache *c, uint32_t relid)
{
	if (!c->cap)
		return NULL;
	return c->slots[slot_of(c, relid)];
}

void relcache_adopt(struct relcache *dst, const struct relcache *src)
{
	for (size_t i = 0; i < src->cap; i++) {
		const struct rel *r = src->slots[i];
		if (r)
			relcache_put(dst, r->relid, r->nspname, r->relname,
				     r->replident, r->ncols, r->cols);
	}
}

void relcache_prune(struct relcache *c)
{
	if (!c->nreplaced)
		return;
	c->nreplaced = 0;
	for (size_t i = 0; i < c->cap; i++) {
		if (c->slots[i]) {
			rel_free_chain(c->slots[i]->replaced);
			c->slots[i]->replaced = NULL;
		}
	}
}

void relcache_clear(struct relcache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		rel_free_chain(c->slots[i]);
		c->slots[i] = NULL;
	}
	c->count = c->nreplaced = 0;
}

void relcache_free(struct relcache *c)
{
	relcache_clear(c);
	free(c->slots);
	relcache_init(c);
}
