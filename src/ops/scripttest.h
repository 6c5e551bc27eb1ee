/* luatest — `walhook --test FILE`: unit tests for scripts, written in Lua
 * with the walhook.test module, run against inline events, fixtures or
 * recordings, with no server. */
#ifndef WALHOOK_LUATEST_H
#define WALHOOK_LUATEST_H

/* Runs the test file; replay is the --replay file that s:replay() reads
 * by default (or NULL). Returns the exit status: 0 when every test passed. */
int luatest_run(const char *test_file, const char *replay);

#endif
