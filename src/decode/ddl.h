/* ddl — the schema change a walhook.ddl logical message reports: what
 * the event trigger that --install-ddl-capture creates wrote as JSON,
 * read into a struct. Pure: no I/O, no Lua.
 *
 * The message's content is one JSON object:
 *   {"tag": "ALTER TABLE", "object_type": "table",
 *    "identity": "public.t", "schema": "public" | null,
 *    "statement": "ALTER TABLE t ADD c int", "command": 1}
 * command is the command's place (1, 2, ...) among those one statement
 * text produced: a query string of several statements, or one statement
 * that makes several objects (a serial column's sequence), reports each
 * command with the same text. Members walhook does not know are
 * ignored. */
#ifndef WALHOOK_DDL_H
#define WALHOOK_DDL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "decode/change.h"

/* The prefix of the event trigger's messages. */
#define DDL_PREFIX "walhook.ddl"

struct ddl {
	const struct txn *txn; /* NULL for a message outside a transaction */
	uint64_t lsn;
	/* NUL-terminated, owned by text; schema NULL when the object has
	 * none (a publication, a schema itself). */
	const char *tag;
	const char *object_type;
	const char *identity;
	const char *schema;
	const char *statement;
	long long command;
	struct buf text;
};

void ddl_init(struct ddl *d);
void ddl_free(struct ddl *d);

/* Reads the n bytes of JSON at json into d (its strings copied into
 * d->text, replacing what an earlier call read; txn and lsn are left to
 * the caller). -1 with e saying what is wrong with the text. */
int ddl_decode(struct ddl *d, const char *json, size_t n, struct err *e);

#endif
