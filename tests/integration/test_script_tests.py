#!/usr/bin/env python3
"""walhook --test: the example test file passes against its fixture; a
failing test file exits 1 naming the failed test and its line; a test file
that replays a live recording through a script sees what the live run saw."""

import os
import subprocess

import harness


def run_test_file(t, *args):
    res = subprocess.run([t.walhook_path, *args], capture_output=True, text=True,
                         timeout=60)
    return res.returncode, res.stdout, res.stderr


def main(t):
    examples = t.examples
    code, out, err = run_test_file(
        t, "--test", os.path.join(examples, "mask_columns_test.lua"),
        "--replay", os.path.join(examples, "users.jsonl"))
    t.eq((code, out.splitlines()[-1]), (0, "2 passed, 0 failed"),
         f"the example tests (stderr: {err})")
    t.check("ok 1 - email is masked by default" in out, out)

    failing = t.script("failing_test.lua", r'''
local t = walhook.test
t.test("passes", function() t.eq(1 + 1, 2) end)
t.test("fails", function()
  local s = t.load(os.getenv("MASK_SCRIPT"))
  local out = s:feed({ { op = "insert", schema = "s", table = "x", new = { email = "e" } } })
  t.eq(out[1].new.email, "e", "email")
end)
''')
    os.environ["MASK_SCRIPT"] = os.path.join(examples, "mask_columns.lua")
    code, out, err = run_test_file(t, "--test", failing)
    t.eq(code, 1, f"exit status of a failing test file\n{out}{err}")
    lines = out.splitlines()
    t.eq(lines[-1], "1 passed, 1 failed", "summary line")
    t.check("not ok 2 - fails" in lines, out)
    t.check(any("failing_test.lua:7: email: expected \"e\", got \"***\"" in l for l in lines), out)

    # A recording of a live stream, replayed inside a test file.
    t.psql(harness.TWO_TABLES)
    slot = "wh_script_tests_slot"
    t.create_slot(slot)
    t.psql("INSERT INTO test_rep SELECT g, 'row ' || g FROM generate_series(1, 5) g")
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'past the end')")
    rec = os.path.join(t.tmp, "capture.rec")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos, "--record", rec)
    t.expect_exit(wh, 0)
    live = wh.records()
    t.eq(len(live), 5, "live changes")
    replaying = t.script("replay_test.lua", r'''
local t = walhook.test
t.test("the recording replays", function()
  local s = t.load(os.getenv("MASK_SCRIPT"))
  local out = s:replay()
  t.eq(#out, 5, "changes")
  for i, c in ipairs(out) do t.eq(c.new, { id = i, name = "row " .. i }, "row " .. i) end
end)
''')
    code, out, err = run_test_file(t, "--test", replaying, "--replay", rec)
    t.eq((code, out.splitlines()[-1]), (0, "1 passed, 0 failed"), f"replay test\n{out}{err}")


harness.run("script_tests", main)
