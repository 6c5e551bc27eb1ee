/* json — JSON text out of walhook's values and changes: the default
 * output, one object a line, and the pieces the Lua encoder shares so both
 * spell every value the same way. */
#ifndef WALHOOK_JSON_H
#define WALHOOK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "decode/change.h"
#include "decode/ddl.h"

/* A JSON string; control characters escaped, other bytes as they are. */
void json_put_string(struct buf *b, const char *s, size_t n);
/* An LSN as a JSON string, "16/B374D848". */
void json_put_lsn(struct buf *b, uint64_t lsn);
/* r's replica identity columns, in column order, as a JSON array. */
void json_put_key_names(struct buf *b, const struct rel *r);
/* The shortest text that reads back as the same double; NaN and the
 * infinities, which JSON lacks, as the strings PostgreSQL prints. */
void json_put_double(struct buf *b, double d);
/* Bytes as bytea's hex text, "\\x0102" in JSON. */
void json_put_bytea(struct buf *b, const char *p, size_t n);
/* A column value by its type OID (values.h rules). */
void json_put_datum(struct buf *b, uint32_t typoid, const struct datum *v);

/* Each appends one line, newline included. */
void json_change_line(struct buf *b, const struct change *c);
void json_truncate_line(struct buf *b, const struct truncate *t);
void json_message_line(struct buf *b, const struct message *m);
void json_ddl_line(struct buf *b, const struct ddl *d);

#endif
