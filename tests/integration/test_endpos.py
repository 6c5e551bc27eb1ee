#!/usr/bin/env python3
"""-E/--endpos: walhook stops by itself (exit 0), delivers everything
before the end position and nothing at or after it, confirms what it
delivered, and the next run picks up exactly from there (nothing twice,
nothing lost)."""

import harness


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_endpos_slot"
    t.create_slot(slot)
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'data{i}');\n" for i in range(1, 11)))
    endpos = t.current_lsn()
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'data{i}');\n" for i in range(11, 21)))

    rec = t.script("record.lua", harness.RECORDER)
    wh = t.run("-S", slot, "--start", "--publication", "pub",
               "-E", harness.format_lsn(endpos), script=rec)
    t.expect_exit(wh, 0)
    txs = harness.transactions(wh.records())
    ids = [c["new"]["id"] for tx in txs for c in tx["changes"]]
    t.eq(ids, list(range(1, 11)), "ids delivered before the end position")
    t.check(all(tx["end_lsn"] is not None for tx in txs),
            "a transaction was delivered without its commit")
    for tx in txs:
        for c in tx["changes"]:
            t.check(harness.parse_lsn(c["lsn"]) < endpos,
                    f"change at {c['lsn']} delivered, at or past -E {harness.format_lsn(endpos)}")
        t.check(tx["end_lsn"] <= endpos,
                f"transaction ending at {harness.format_lsn(tx['end_lsn'])} delivered, "
                f"past -E {harness.format_lsn(endpos)}")
    last_end = txs[-1]["end_lsn"]
    confirmed = t.confirmed(slot)
    harness.check_confirmed(confirmed, last_end)

    # The rest comes in the next run, nothing twice, nothing lost.
    endpos2 = t.stop_mark("INSERT INTO test_rep VALUES (1000, 'after the end')")
    rest = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos2, script=rec)
    t.expect_exit(rest, 0)
    ids2 = [c["new"]["id"] for tx in harness.transactions(rest.records())
            for c in tx["changes"]]
    t.eq(ids2, list(range(11, 21)), "ids delivered by the second run")


harness.run("endpos", main)
