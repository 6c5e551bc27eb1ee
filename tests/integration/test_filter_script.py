#!/usr/bin/env python3
"""A script's handle_change returning false drops the change: with a filter
on test_rep_other, only test_rep rows reach stdout (in the default format)."""

import harness

FILTER = '''-- drop everything from test_rep_other, keep the rest as it is
function handle_change(c)
  if c.table == "test_rep_other" then
    return false
  end
end
'''


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_filter_script_slot"
    t.create_slot(slot)
    t.psql("""
        BEGIN;
        INSERT INTO test_rep SELECT g, 'data' || g FROM generate_series(1, 10) g;
        INSERT INTO test_rep_other SELECT g, 'other' || g FROM generate_series(1, 10) g;
        COMMIT;
        INSERT INTO test_rep_other VALUES (11, 'other11');
        INSERT INTO test_rep VALUES (11, 'data11');
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")

    script = t.script("filter.lua", FILTER)
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos,
               script=script)
    t.expect_exit(wh, 0)
    recs = wh.records()
    t.eq([(r["op"], r["table"]) for r in recs], [("insert", "test_rep")] * 11,
         "op and table of every line")
    t.eq([r["new"] for r in recs],
         [{"id": i, "name": f"data{i}"} for i in range(1, 12)], "rows")


harness.run("filter_script", main)
