#!/usr/bin/env python3
"""TRUNCATE of published tables: one op "truncate" line per statement,
listing the relations, with the cascade and restart_identity flags."""

import harness


def main(t):
    t.psql(harness.TWO_TABLES + """
        CREATE TABLE child_rep (id int PRIMARY KEY, parent int REFERENCES test_rep);
        ALTER PUBLICATION pub ADD TABLE child_rep;
    """)
    slot = "wh_truncate_slot"
    t.create_slot(slot)
    t.psql("""
        TRUNCATE test_rep_other;
        TRUNCATE test_rep_other, child_rep RESTART IDENTITY;
        TRUNCATE test_rep CASCADE;
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")

    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos)
    t.expect_exit(wh, 0)
    recs = wh.records()
    t.eq([r["op"] for r in recs], ["truncate"] * 3, "ops")

    def rel(name):
        return {"schema": "public", "table": name, "relid": t.oid(name)}

    expected = [
        ([rel("test_rep_other")], False, False),
        ([rel("child_rep"), rel("test_rep_other")], False, True),
        ([rel("child_rep"), rel("test_rep")], True, False),
    ]
    xids = set()
    for i, (r, (rels, cascade, restart)) in enumerate(zip(recs, expected), 1):
        got = sorted(r["relations"], key=lambda x: x["table"])
        t.eq(got, rels, f"relations of truncate {i}")
        t.eq((r["cascade"], r["restart_identity"]), (cascade, restart),
             f"cascade, restart_identity of truncate {i}")
        t.check(isinstance(r.get("xid"), int), f"no integer xid in {r!r}")
        harness.parse_lsn(r["lsn"])
        xids.add(r["xid"])
    t.eq(len(xids), 3, "distinct xids of the three truncates")
    # the documented keys, in order (walhook may add commit_time at the end,
    # as on change lines)
    keys = list(recs[0].keys())
    if keys[-1:] == ["commit_time"]:
        keys.pop()
    t.eq(keys, ["op", "relations", "cascade", "restart_identity", "lsn", "xid"],
         "keys (in order) of a truncate line")


harness.run("truncate", main)
