#!/usr/bin/env python3
"""A runtime error in a hook stops walhook with exit 1, the script's
file:line and a traceback on stderr, and does not confirm the transaction
it failed in: a rerun with a fixed script gets that transaction again."""

import harness

# error("boom") is on line 4
BOOM = '''-- fails on the row with id 50
function handle_change(c)
  if c.new and c.new.id == 50 then
    error("boom")
  end
end
'''


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_lua_error_slot"
    t.create_slot(slot)
    # one transaction per row
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'data{i}');\n"
                   for i in range(1, 101)))
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (1000, 'after the end')")

    boom = t.script("boom.lua", BOOM)
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos,
               script=boom)
    t.expect_exit(wh, 1)
    t.check("boom.lua:4: boom" in wh.stderr,
            "stderr does not name boom.lua:4: boom\n" + wh.describe())
    t.check("stack traceback" in wh.stderr,
            "stderr has no stack traceback\n" + wh.describe())
    t.check(wh.stderr.startswith("walhook: "),
            "stderr does not start with 'walhook: '\n" + wh.describe())
    printed = [r["new"]["id"] for r in wh.records()]
    t.eq(printed, list(range(1, 50)), "ids printed before the error")
    confirmed = t.confirmed(slot)

    # The same slot with a script that does not fail: id 50's transaction
    # (and everything after it) comes again.
    rec = t.script("record.lua", harness.RECORDER)
    again = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos,
                  script=rec)
    t.expect_exit(again, 0)
    txs = harness.transactions(again.records())
    ids = [c["new"]["id"] for tx in txs for c in tx["changes"]]
    t.check(50 in ids, f"the failed transaction (id 50) was not delivered again: {ids}")
    t.eq(ids, list(range(ids[0], 101)), "ids delivered by the rerun")
    failed = next(tx for tx in txs if tx["changes"][0]["new"]["id"] == 50)
    t.check(confirmed < failed["end_lsn"],
            f"the slot was confirmed to {harness.format_lsn(confirmed)}, "
            f"past the failed transaction's end {harness.format_lsn(failed['end_lsn'])}")
    t.check(all(len(tx["changes"]) == 1 for tx in txs), "one change per transaction")


harness.run("lua_error", main)
