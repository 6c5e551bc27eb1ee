/* ddl_capture — what --install-ddl-capture creates in the source
 * database, and --uninstall-ddl-capture removes: an event trigger on
 * ddl_command_end and sql_drop whose function reports every schema change
 * as a transactional walhook.ddl logical message (decode/ddl.h says what
 * it holds), so the change travels in its own transaction, between that
 * transaction's rows. The SQL lives here only: --print-ddl-capture-sql
 * shows it, and the README shows that output. */
#ifndef WALHOOK_DDL_CAPTURE_H
#define WALHOOK_DDL_CAPTURE_H

#include <stdio.h>

#include "base/err.h"
#include "protocol/conn.h"

/* Installing twice replaces the function and the triggers. */
int ddl_capture_install(const struct conn_params *p, struct err *e);
/* Removes all that install created; nothing to remove is no error. */
int ddl_capture_uninstall(const struct conn_params *p, struct err *e);
/* Both scripts, as --print-ddl-capture-sql writes them. */
void ddl_capture_print(FILE *out);

#endif
