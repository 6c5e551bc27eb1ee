/* pool — the Lua 5.4 state's allocator: small blocks from free lists by
 * size class, carved from slabs that live as long as the state.
 *
 * A change handed to a script is a few small tables that die young; from
 * malloc they cost about 1,700 instructions a change, from the free lists
 * a tenth of that. Lua tells the old size of every block it frees or
 * resizes, so a block needs no header. Large blocks go to malloc. Not for
 * LuaJIT, whose 64-bit states allocate for themselves. */
#ifndef WALHOOK_POOL_H
#define WALHOOK_POOL_H

#include <stddef.h>

struct lua_pool;

/* NULL when out of memory. */
struct lua_pool *lua_pool_new(void);
/* Frees every slab: call it after lua_close. */
void lua_pool_free(struct lua_pool *p);
/* A lua_Alloc with the pool as ud: frees (nsize 0), allocates (ptr NULL)
 * or resizes; NULL when out of memory, as Lua expects. */
void *lua_pool_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
