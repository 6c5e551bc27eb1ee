#!/usr/bin/env python3
"""Deeply nested jsonb through a real table. A script decodes each row's
jsonb with walhook.json.decode and returns the change with the decoded
value: 60 and 500 levels (walhook's bound) come out whole; 501 levels is a
clear error from decode naming the byte and where (no crash, exit 1). A
script that builds a table nested past the bound (or one that holds
itself) gets an error naming the path from the change (new.doc.a.a...)
with the hook, the relation and the LSN."""

import json

import harness

DECODE = r'''
function handle_change(c)
  c.new.doc = walhook.json.decode(c.new.doc)
  return c
end
'''

# The decode error caught: the row is kept with its text.
GUARDED = r'''
function handle_change(c)
  local ok, v = pcall(walhook.json.decode, c.new.doc)
  if ok then c.new.doc = v else c.new.err = v; c.new.doc = #c.new.doc end
  return c
end
'''

BUILD = r'''
function handle_change(c)
  local n = tonumber(walhook.vars.depth)
  local root = {}
  local cur = root
  for i = 2, n do cur.a = {} cur = cur.a end
  if walhook.vars.cycle then cur.a = root end
  c.new.doc = root
  return c
end
'''


def nested(n, kind):
    """SQL text of a jsonb value n containers deep."""
    if kind == "array":
        return "'" + "[" * n + "1" + "]" * n + "'"
    return "'" + '{"a":' * (n - 1) + "[1]" + "}" * (n - 1) + "'"


def main(t):
    t.psql("""
        CREATE TABLE docs (id int PRIMARY KEY, doc jsonb);
        CREATE PUBLICATION pub FOR TABLE docs;
    """)
    slot = "wh_deep_json_slot"
    t.create_slot(slot)
    rows = [(1, 60, "array"), (2, 60, "object"), (3, 500, "array"), (4, 500, "object"),
            (5, 501, "array")]
    for i, n, kind in rows:
        t.psql(f"INSERT INTO docs VALUES ({i}, {nested(n, kind)})")
    end = t.stop_mark("INSERT INTO docs VALUES (99, '1')")
    t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', '{slot}_g')")
    t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', '{slot}_b')")
    bad_lsn = None

    # Decoding: the first four come whole, the fifth stops walhook.
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", end, "--no-loop",
               script=t.script("decode.lua", DECODE))
    t.expect_exit(wh, 1)
    recs = wh.records()
    t.eq([r["new"]["id"] for r in recs], [1, 2, 3, 4], "rows written before the deep one")
    for r, (i, n, kind) in zip(recs, rows):
        want = json.loads(nested(n, kind)[1:-1])
        t.eq(r["new"]["doc"], want, f"row {i}: the decoded document, {n} {kind}s deep")
    err = wh.stderr
    t.check(err.startswith("walhook: in handle_change (public.docs, xid ")
            and "walhook.json.decode: nested more than 500 deep at byte 501, in [1][1]" in err,
            "no clear decode error:\n" + wh.describe())
    t.check("AddressSanitizer" not in err and "runtime error" not in err, wh.describe())
    print("decode: 60 and 500 levels whole; 501:", err.splitlines()[0][:160])

    # The error caught in the script: walhook goes on.
    wh = t.run("-S", f"{slot}_g", "--start", "--publication", "pub", "-E", end,
               script=t.script("guarded.lua", GUARDED))
    t.expect_exit(wh, 0)
    last = [r["new"] for r in wh.records() if r["new"]["id"] == 5][0]
    t.check(last["err"].startswith("walhook.json.decode: nested more than 500 deep"),
            f"the caught error: {last}")

    # Building: past the bound, and a table that holds itself.
    for depth, cycle, want in [(501, False, "cannot encode tables nested more than 500 deep"),
                               (3, True, "(a table that holds itself?) at new.doc.a.a.a.")]:
        args = ["-S", f"{slot}_b", "--start", "--publication", "pub", "-E", end,
                "--no-loop", "--set", f"depth={depth}"]
        if cycle:
            args += ["--set", "cycle=1"]
        wh = t.run(*args, script=t.script("build.lua", BUILD))
        t.expect_exit(wh, 1)
        err = wh.stderr
        t.check(err.startswith("walhook: in handle_change (public.docs, xid ")
                and "cannot write the returned table: " in err and want in err
                and " at new.doc.a.a." in err,
                f"no clear encode error ({want}):\n" + wh.describe())
        t.check("AddressSanitizer" not in err and "runtime error" not in err, wh.describe())
        t.eq(wh.records(), [], "output of a failed encode")
        print("encode:", err.splitlines()[0][:160])


harness.run("deep_json", main)
