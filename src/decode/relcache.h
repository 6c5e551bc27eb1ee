/* relcache — what walhook knows of each relation and type, from the
 * plugin's own descriptions (pgoutput's Relation and Type messages).
 *
 * The cache owns every rel and its strings. A new description of a relid
 * replaces the old one; pointers to the old rel stay valid until the cache
 * is pruned, cleared or freed, because a change held back until its
 * transaction commits may still point at one. */
#ifndef WALHOOK_RELCACHE_H
#define WALHOOK_RELCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rel_column {
	const char *name;
	size_t name_len;
	uint32_t typoid;
	int32_t typmod;
	bool key; /* part of the replica identity */
};

struct rel {
	uint32_t relid;
	const char *nspname; /* "pg_catalog" where the wire said "" */
	const char *relname;
	char replident;
	uint16_t ncols;
	uint16_t nkeys;
	struct rel_column *cols;
	struct rel *replaced; /* the description this one replaced */
	/* Unique to this description in the process: what a consumer that
	 * keeps something of its own per description (the Lua host) checks
	 * to know it still has the current one. */
	uint64_t gen;
	/* What a consumer derives from this description and keeps with it
	 * (the JSON lines' text of the relation): a cache, not part of the
	 * description, set with rel_set_memo and freed with the rel. */
	void *memo;
	void (*memo_free)(void *memo);
};

/* Keeps memo with r, a description in a relcache (gen != 0), and
 * returns true; false for a rel made for one change, which keeps
 * nothing. const: a memo is no change of the description. */
bool rel_set_memo(const struct rel *r, void *memo, void (*memo_free)(void *));

/* A copy of r that lives as long as the caller's block of
 * rel_copy_size(r) bytes, not as long as the cache: gen 0 and no memo, as
 * a rel made for one change. */
size_t rel_copy_size(const struct rel *r);
struct rel *rel_copy_into(void *mem, const struct rel *r);

struct relcache {
	struct rel **slots;
	size_t cap;
	size_t count;
	size_t nreplaced; /* rels with a replaced description to prune */
};

void relcache_init(struct relcache *c);
/* Copies everything it is given; returns the cache's rel. */
struct rel *relcache_put(struct relcache *c, uint32_t relid,
			 const char *nspname, const char *relname,
			 char replident, uint16_t ncols,
			 const struct rel_column *cols);
/* NULL when the relation was never described. */
struct rel *relcache_get(const struct relcache *c, uint32_t relid);
/* Copies every description of src into dst, replacing dst's. */
void relcache_adopt(struct relcache *dst, const struct relcache *src);
/* Frees the descriptions that newer ones replaced: call it where no
 * decoded change still points at one (between transactions). */
void relcache_prune(struct relcache *c);
/* Forgets everything, as after a reconnect: the server describes every
 * relation again on a new stream. */
void relcache_clear(struct relcache *c);
void relcache_free(struct relcache *c);

#endif
