#!/usr/bin/env python3
"""The seed tutorial: 100 rows into each of two published tables come out
as exactly 200 insert lines in walhook's default JSON format."""

import harness

KEYS = ["op", "schema", "table", "relid", "key", "lsn", "xid", "commit_time", "new"]


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_seed_slot"

    created = t.run("-S", slot, "--create-slot")
    t.expect_exit(created, 0)
    t.eq(t.require_slot(slot, created)["plugin"], "pgoutput", "plugin of the slot --create-slot made")

    t.psql("""
        INSERT INTO test_rep SELECT g, 'data' || g FROM generate_series(1, 50) g;
        INSERT INTO test_rep SELECT g, 'data' || g FROM generate_series(51, 100) g;
        INSERT INTO test_rep_other SELECT g, 'data' || g FROM generate_series(1, 100) g;
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (101, 'after the end')")

    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos)
    t.expect_exit(wh, 0)
    recs = wh.records()

    t.eq(len(recs), 200, "number of lines on stdout")
    relids = {"test_rep": t.oid("test_rep"), "test_rep_other": t.oid("test_rep_other")}
    seen = {"test_rep": [], "test_rep_other": []}
    for r in recs:
        t.eq(list(r.keys()), KEYS, f"keys (in order) of {r!r}")
        t.eq(r["op"], "insert", f"op of {r!r}")
        t.eq(r["schema"], "public", f"schema of {r!r}")
        t.check(r["table"] in seen, f"unexpected table in {r!r}")
        t.eq(r["relid"], relids[r["table"]], f"relid of {r!r}")
        t.eq(r["key"], ["id"], f"key of {r!r}")
        t.check(isinstance(r["xid"], int), f"xid is not an integer in {r!r}")
        t.check(harness.parse_lsn(r["lsn"]) < harness.parse_lsn(endpos),
                f"lsn of {r!r} is not before the end position {endpos}")
        new = r["new"]
        t.eq(sorted(new), ["id", "name"], f"columns of {r!r}")
        t.check(type(new["id"]) is int, f"id is not a JSON integer in {r!r}")
        t.check(isinstance(new["name"], str), f"name is not a JSON string in {r!r}")
        t.eq(new["name"], f"data{new['id']}", f"name of {r!r}")
        seen[r["table"]].append(new["id"])

    t.eq(seen["test_rep"], list(range(1, 101)), "test_rep ids, in order")
    t.eq(seen["test_rep_other"], list(range(1, 101)), "test_rep_other ids, in order")
    t.eq([r["table"] for r in recs[:100]], ["test_rep"] * 100, "commit order")
    # three transactions: 50 + 50 + 100 rows, each with its own xid
    xids = [r["xid"] for r in recs]
    t.eq([len(set(xids[a:b])) for a, b in ((0, 50), (50, 100), (100, 200))],
         [1, 1, 1], "one xid per transaction")
    t.eq(len(set(xids)), 3, "number of distinct xids")
    for r in recs:
        t.check(isinstance(r["commit_time"], str) and r["commit_time"][:2] == "20",
                f"commit_time is not a timestamp string in {r!r}")


harness.run("seed", main)
