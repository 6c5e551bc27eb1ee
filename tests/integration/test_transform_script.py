#!/usr/bin/env python3
"""A script's handle_change returning a table replaces the change: a renamed
and masked change, and a table of the script's own making, are printed as
JSON. Also checks --set (walhook.vars)."""

import harness

TRANSFORM = '''local walhook = require "walhook"

function handle_change(c)
  if c.table == "test_rep" then
    -- rename the table and mask a column, keep the rest
    c.table = "renamed"
    c.new.name = walhook.vars.mask
    return c
  end
  -- anything else becomes a small record of our own
  return { kind = "other", id = c.new.id, upper = string.upper(c.new.name) }
end
'''


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_transform_script_slot"
    t.create_slot(slot)
    t.psql("""
        INSERT INTO test_rep SELECT g, 'data' || g FROM generate_series(1, 5) g;
        INSERT INTO test_rep_other SELECT g, 'other' || g FROM generate_series(1, 5) g;
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")

    script = t.script("transform.lua", TRANSFORM)
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos,
               "--set", "mask=XXX", script=script)
    t.expect_exit(wh, 0)
    recs = wh.records()
    t.eq(len(recs), 10, "number of lines")

    for i, r in enumerate(recs[:5], 1):
        t.eq({k: r.get(k) for k in ("op", "schema", "table", "new")},
             {"op": "insert", "schema": "public", "table": "renamed",
              "new": {"id": i, "name": "XXX"}}, f"transformed change {i}")
        t.check(isinstance(r.get("lsn"), str), f"lsn kept in {r!r}")
    for i, r in enumerate(recs[5:], 1):
        t.eq(r, {"kind": "other", "id": i, "upper": f"OTHER{i}"},
             f"replacement record {i}")


harness.run("transform_script", main)
