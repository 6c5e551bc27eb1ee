/* luasink — the Lua face of the sinks: walhook.sink.stdout{}, .file{},
 * .exec{}, .http{}, .postgres{}, .kafka{}, .nats{}, .redis{}, each
 * returning an object with :write(t) and :flush(); and
 * walhook.format.debezium(c). */
#ifndef WALHOOK_LUASINK_H
#define WALHOOK_LUASINK_H

#include "core/delivery.h"
#include "decode/relcache.h"
#include "lua/compat.h"

struct luasink_ctx {
	struct delivery *d; /* takes every sink made */
	const char *slot;   /* names the postgres sink's progress */
	/* The streamed database, for format = "debezium"'s source.db; ""
	 * until the first connect. */
	char dbname[128];
};

/* Adds walhook.sink to the walhook table on top of the stack. ctx must
 * outlive the state. */
void luasink_open(lua_State *L, struct luasink_ctx *ctx);
/* At each connect: the database the changes come from. */
void luasink_set_database(struct luasink_ctx *ctx, const char *dbname);

#endif
