/* textrow — columns as a text plugin prints them (wal2json,
 * test_decoding), and the row change and truncate events made of them, in
 * the one shape pgoutput's changes take.
 *
 * A textrow owns the arrays its events point into (the change's rel and
 * rows, a truncate's rels) and reuses them: an event stays valid until the
 * next one is built in the same textrow. The strings it points to stay
 * the parser's (views of the payload, or the parser's arena). */
#ifndef WALHOOK_TEXTROW_H
#define WALHOOK_TEXTROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "decode/event.h"
#include "decode/relcache.h"

/* One column as the plugin printed it. */
struct tcol {
	const char *name; /* NUL-terminated */
	size_t name_len;
	const char *type; /* the type's name as printed, or NULL */
	size_t type_len;
	uint32_t typoid;
	bool has_oid;
	bool has_val;
	struct datum val;
};

/* The columns of one printed row; owns v. */
struct tcols {
	struct tcol *v;
	size_t n; /* entries in use */
	size_t cap;
};

/* Entry i, zeroed if it was not in use; n grows to cover it. */
struct tcol *tcols_at(struct tcols *l, size_t i);
void tcols_free(struct tcols *l);

/* A row change as the plugin printed it. */
struct textrow_in {
	char op;		    /* 'I', 'U' or 'D' */
	const char *schema, *table; /* NUL-terminated */
	const struct tcols *newc;   /* NULL when no new row was printed */
	const struct tcols *oldc;   /* NULL when no old row was */
	const struct tcols *pkc;    /* primary key names, for the key flags when
				       there is no old row; may be NULL */
	uint64_t lsn;
};

struct textrow {
	/* Where a bytea value's "\x" is put back, for plugins that leave it
	 * out (bare_bytea: wal2json). */
	struct arena *arena;
	bool bare_bytea;
	struct rel rel;
	struct rel_column *cols;
	size_t cols_cap;
	struct datum *newv, *oldv;
	size_t newv_cap, oldv_cap;
	size_t *where; /* final position of each new column */
	size_t where_cap;
	struct rel *trels; /* a truncate's tables */
	size_t trels_cap;
	const struct rel **trelp;
	size_t trelp_cap;
};

void textrow_init(struct textrow *r, struct arena *arena, bool bare_bytea);
void textrow_free(struct textrow *r);

/*
 * Fills ev with the row change in.
 *
 * The rel lists the new row's columns in their order, with any column that
 * only the old row names (wal2json leaves an unchanged TOAST value out of
 * the new row but not out of a FULL identity) merged in at its place and
 * marked unchanged in the new row. The old row's columns are the key
 * columns; old_kind is 'O' when the old row names every column, else 'K'
 * (the plugins do not say the replica identity, and leave NULLs out of
 * some old rows). Type OIDs are the printed ones, else typename_oid() of
 * the printed name. -1 with why filled (what is wrong, without where) when
 * the columns make no row walhook can hold.
 */
int textrow_change(struct textrow *r, const struct textrow_in *in,
		   struct event *ev, char *why, size_t whylen);

/* Sets table i of a truncate (a rel with no columns). */
void textrow_truncate_rel(struct textrow *r, size_t i, const char *schema,
			  const char *table);
/* Fills ev with a truncate of the tables 0 .. nrels-1 set before. */
void textrow_truncate(struct textrow *r, struct event *ev, uint32_t nrels,
		      bool cascade, bool restart, uint64_t lsn);

#endif
