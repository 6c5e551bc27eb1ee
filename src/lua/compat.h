/* compat — the few places where Lua 5.4 and LuaJIT (the 5.1 API) differ,
 * so the rest of walhook's Lua code is written once. */
#ifndef WALHOOK_COMPAT_H
#define WALHOOK_COMPAT_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <stdint.h>

/* An index that stays valid while the stack changes. */
#define lc_absindex(L, i)                                                      \
	((i) > 0 || (i) <= LUA_REGISTRYINDEX ? (i) : lua_gettop(L) + (i) + 1)

#if LUA_VERSION_NUM < 502
#define lc_rawlen(L, i) lua_objlen((L), (i))
/* LuaJIT numbers are doubles: an integer is a number with no fraction. */
static inline int lc_isinteger(lua_State *L, int i)
{
	if (lua_type(L, i) != LUA_TNUMBER)
		return 0;
	lua_Number n = lua_tonumber(L, i);
	return n >= -9007199254740992.0 && n <= 9007199254740992.0 &&
	       n == (lua_Number)(long long)n;
}
#define lc_tointeger(L, i)   ((long long)lua_tonumber((L), (i)))
#define LC_EXACT_INTEGER_MAX INT64_C(9007199254740992)
/* luaL_tolstring came with 5.2: tostring() does the same. Pushes the
 * string, as luaL_tolstring does. */
static inline const char *lc_tolstring(lua_State *L, int idx, size_t *len)
{
	idx = lc_absindex(L, idx);
	lua_getglobal(L, "tostring");
	lua_pushvalue(L, idx);
	lua_call(L, 1, 1);
	return lua_tolstring(L, -1, len);
}
#else
#define lc_rawlen(L, i)		lua_rawlen((L), (i))
#define lc_isinteger(L, i)	lua_isinteger((L), (i))
#define lc_tointeger(L, i)	((long long)lua_tointeger((L), (i)))
#define LC_EXACT_INTEGER_MAX	INT64_MAX
#define lc_tolstring(L, i, len) luaL_tolstring((L), (i), (len))
#endif

#endif
