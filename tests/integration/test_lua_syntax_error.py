#!/usr/bin/env python3
"""A script that does not compile: exit 1, stderr names script:line, and
the slot is not touched."""

import harness

# the syntax error is on line 3 (an expression cut short by `end`)
BAD = '''function handle_change(c)
  return c.new.id ==
end
'''


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_lua_syntax_error_slot"
    t.create_slot(slot)
    t.psql("INSERT INTO test_rep SELECT g, 'data' || g FROM generate_series(1, 10) g")
    before = t.confirmed(slot)

    bad = t.script("bad.lua", BAD)
    wh = t.run("-S", slot, "--start", "--publication", "pub", script=bad, timeout=10)
    t.expect_exit(wh, 1)
    t.check("bad.lua:3:" in wh.stderr, "stderr does not name bad.lua:3\n" + wh.describe())
    t.check(wh.stderr.startswith("walhook: "),
            "stderr does not start with 'walhook: '\n" + wh.describe())
    t.eq(wh.lines, [], "stdout")
    t.eq(harness.format_lsn(t.confirmed(slot)), harness.format_lsn(before),
         "confirmed_flush_lsn after the failed run")

    # nor does a missing script get anywhere
    missing = t.run("-S", slot, "--start", "--publication", "pub",
                    script=t.tmp + "/no-such-script.lua", timeout=10)
    t.expect_exit(missing, 1)
    t.check("no-such-script.lua" in missing.stderr,
            "stderr does not name the missing script\n" + missing.describe())
    t.eq(harness.format_lsn(t.confirmed(slot)), harness.format_lsn(before),
         "confirmed_flush_lsn after the run with a missing script")


harness.run("lua_syntax_error", main)
