/* fuzz_json — walhook.json.decode (ljson_decode) and, on what it accepts, the
 * encoders, in a Lua state of the input's own.
 *
 * Promises checked: decode pushes exactly one value or nothing (with a
 * message); what it decoded encodes, as a value and as a change table;
 * encoding is stable (decode then encode of the encoder's output gives
 * the same text); the state closes cleanly (a broken Lua stack shows at
 * lua_close). */
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "fuzz.h"
#include "lua/compat.h"
#include "lua/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* encode(decode(text)) into out; false when decode refuses it. */
static bool round_trip(lua_State *L, const char *text, size_t n,
		       struct buf *out)
{
	char msg[128];
	int top = lua_gettop(L);
	msg[0] = '\0';
	if (ljson_decode(L, text, n, msg, sizeof msg) < 0) {
		FUZZ_CHECK(lua_gettop(L) == top);
		fuzz_check_err(msg, sizeof msg);
		return false;
	}
	FUZZ_CHECK(lua_gettop(L) == top + 1);
	int rc = ljson_encode(L, -1, out);
	FUZZ_CHECK(rc == 0); /* whatever decode made encodes */
	FUZZ_CHECK(lua_gettop(L) == top + 1);
	struct buf change = { 0 };
	if (lua_istable(L, -1)) {
		rc = ljson_encode_change(L, -1, &change);
		FUZZ_CHECK(lua_gettop(L) == top + 1 + (rc < 0));
		if (rc < 0)
			fuzz_touch_str(lua_tostring(L, -1));
	}
	buf_free(&change);
	lua_settop(L, top);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lua_State *L = luaL_newstate();
	FUZZ_CHECK(L != NULL);
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct buf once = { 0 }, twice = { 0 };
	if (round_trip(L, text, size, &once)) {
		FUZZ_CHECK(round_trip(L, once.data ? once.data : "", once.len,
				      &twice));
		FUZZ_CHECK(once.len == twice.len &&
			   memcmp(once.data, twice.data, once.len) == 0);
	}
	buf_free(&once);
	buf_free(&twice);
	free(text);
	lua_close(L);
	return 0;
}
