/* describe — a published table's columns as pgoutput would describe
 * them (no generated columns, keys from the replica identity), read from
 * the catalog, for the rows walhook reads itself: --snapshot and
 * backfills. */
#ifndef WALHOOK_DESCRIBE_H
#define WALHOOK_DESCRIBE_H

#include <libpq-fe.h>

#include "base/err.h"
#include "decode/relcache.h"

/* The description, put in cache (which owns it); NULL with e filled. A
 * table that does not exist has no columns. */
struct rel *describe_table(PGconn *c, const char *schema, const char *table,
			   struct relcache *cache, struct err *e);

#endif
