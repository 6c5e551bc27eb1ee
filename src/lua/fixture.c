/* fixture — JSON lines in the default output's shape (a fixture written
 * by hand, --replay, s:feed) through the hooks as the tables they decode
 * to, grouped into transactions by xid. handle_change gets a view made
 * whole of its table: what a script can do with a live change, and only
 * that, it can do with a fixture's. */
#include <stdio.h>
#include <string.h>

#include "core/delivery.h"
#include "lua/compat.h"
#include "lua/hostdata.h"
#include "lua/json.h"

/* ---- fixtures: JSON lines through the hooks ---- */

static void copy_field(lua_State *L, int t, const char *k, char *out, size_t n)
{
	lua_getfield(L, t, k);
	const char *v =
	    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (v)
		snprintf(out, n, "%s", v);
	lua_pop(L, 1);
}

/* handle_begin or handle_commit of a fixture transaction. */
static int fixture_txn_hook(struct lh *h, enum hook k, struct err *e)
{
	if (!lh_push_hook(h, k))
		return 0;
	lua_State *L = h->L;
	lua_createtable(L, 0, 3);
	if (h->fx_xid) {
		lua_pushinteger(L, h->fx_xid);
		lua_setfield(L, -2, "xid");
	}
	if (*h->fx_time)
		lh_set_str(L, "commit_time", h->fx_time);
	if (*h->fx_lsn)
		lh_set_str(L, k == HOOK_BEGIN ? "final_lsn" : "end_lsn",
			   h->fx_lsn);
	return lh_pcall(
	    h, 1, 0, k == HOOK_BEGIN ? "in handle_begin" : "in handle_commit",
	    e);
}

/* The fixture's position as text, 0 when it has none. */
static uint64_t fixture_lsn(const char *text)
{
	uint64_t lsn = 0;
	return lsn_parse(text, &lsn) ? lsn : 0;
}

int lh_fixture_end(struct lh *h, struct err *e)
{
	if (!h->fx_open)
		return 0;
	h->fx_open = false;
	if (fixture_txn_hook(h, HOOK_COMMIT, e) < 0)
		return -1;
	struct txn tx = { .xid = (uint32_t)h->fx_xid,
			  .end_lsn = fixture_lsn(h->fx_lsn) };
	return delivery_end(h->d, &tx, e);
}

/* Writes the event table on top as a line, in the order it was written. */
static int fixture_write(struct lh *h, const char *doing, struct err *e)
{
	return lh_write_line(h, -1, false, doing, e);
}

/* Calls the hook for the event table on top (popping it), or writes it. */
static int fixture_event(struct lh *h, enum hook k, bool change,
			 const char *doing, struct err *e)
{
	lua_State *L = h->L;
	if (!lh_push_hook(h, k)) {
		int rc = change ? lh_write_line(h, -1, true, doing, e)
				: fixture_write(h, doing, e);
		lua_pop(L, 1);
		return rc;
	}
	if (change) {
		lh_push_whole_view(h, -2);
		lua_replace(L, -3); /* stack: view, hook */
	}
	lua_pushvalue(L, -2); /* stack: event, hook, event */
	if (lh_pcall(h, 1, change, doing, e) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	if (change) /* stack: event, verdict */
		return lh_keep_or_replace(h, "handle_change", doing, e);
	lua_pop(L, 1);
	return 0;
}

int lh_fixture_line(struct lh *h, const char *line, size_t n, const char *where,
		    struct err *e)
{
	lua_State *L = h->L;
	char msg[160];
	if (ljson_decode(L, line, n, msg, sizeof msg) < 0)
		return err_set(e, "%s: not JSON: %s", where, msg);
	char op[16] = "";
	if (lua_istable(L, -1))
		copy_field(L, -1, "op", op, sizeof op);
	enum change_op kind;
	bool change = change_op_parse(op, &kind);
	enum hook k = change			? HOOK_CHANGE
		      : !strcmp(op, "truncate") ? HOOK_TRUNCATE
		      : !strcmp(op, "message")	? HOOK_MESSAGE
		      : !strcmp(op, "ddl")	? HOOK_DDL
						: NHOOKS;
	if (k == NHOOKS) {
		lua_pop(L, 1);
		return err_set(
		    e,
		    "%s: a change needs \"op\": insert, update, delete, truncate, message or ddl",
		    where);
	}
	lua_getfield(L, -1, "xid");
	/* An xid is a transaction id: a whole number that fits 32 bits (a
	 * cast of anything else would be undefined). */
	lua_Number xn = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : 0;
	if (!(xn >= 0 && xn <= 4294967295.0 &&
	      xn == (lua_Number)(lua_Integer)xn)) {
		lua_pop(L, 2);
		return err_set(
		    e,
		    "%s: \"xid\" must be a whole number from 0 to 4294967295",
		    where);
	}
	lua_Integer xid = (lua_Integer)xn;
	lua_getfield(L, -2, "transactional");
	bool outside =
	    k == HOOK_MESSAGE && lua_isboolean(L, -1) && !lua_toboolean(L, -1);
	lua_pop(L, 2);
	/* A new xid, or none, ends the open transaction. */
	if (h->fx_open && (!xid || xid != h->fx_xid) &&
	    lh_fixture_end(h, e) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	if (!outside && !h->fx_open) {
		h->fx_open = true;
		h->fx_xid = xid;
		*h->fx_lsn = *h->fx_time = '\0';
		copy_field(L, -1, "lsn", h->fx_lsn, sizeof h->fx_lsn);
		copy_field(L, -1, "commit_time", h->fx_time, sizeof h->fx_time);
		struct txn tx = { .xid = (uint32_t)xid,
				  .final_lsn = fixture_lsn(h->fx_lsn) };
		if (delivery_begin(h->d, &tx, e) < 0 ||
		    fixture_txn_hook(h, HOOK_BEGIN, e) < 0) {
			lua_pop(L, 1);
			return -1;
		}
	}
	copy_field(L, -1, "lsn", h->fx_lsn, sizeof h->fx_lsn);
	char doing[300];
	snprintf(doing, sizeof doing, "in %s (%s)", lh_hook_names[k], where);
	if (fixture_event(h, k, change, doing, e) < 0)
		return -1;
	if (outside)
		return delivery_event(h->d, fixture_lsn(h->fx_lsn), e);
	return xid ? 0 : lh_fixture_end(h, e);
}
