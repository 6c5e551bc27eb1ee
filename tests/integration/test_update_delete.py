#!/usr/bin/env python3
"""Updates and deletes: what `old` carries under the default replica
identity (nothing on a plain update, just the key on a key change or a
delete) and under REPLICA IDENTITY FULL (the whole old row)."""

import harness


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE TABLE full_rep (id int PRIMARY KEY, name text, n int);
        ALTER TABLE full_rep REPLICA IDENTITY FULL;
        CREATE PUBLICATION pub FOR TABLE test_rep, full_rep;
    """)
    slot = "wh_update_delete_slot"
    t.create_slot(slot)

    t.psql("""
        INSERT INTO test_rep VALUES (1, 'one'), (2, 'two'), (3, 'three');
        UPDATE test_rep SET name = 'uno' WHERE id = 1;
        UPDATE test_rep SET id = 20 WHERE id = 2;
        DELETE FROM test_rep WHERE id = 3;
        INSERT INTO full_rep VALUES (1, 'a', 10);
        UPDATE full_rep SET name = 'b' WHERE id = 1;
        UPDATE full_rep SET id = 2, n = NULL WHERE id = 1;
        DELETE FROM full_rep WHERE id = 2;
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")

    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos)
    t.expect_exit(wh, 0)
    got = [{k: r[k] for k in ("op", "table", "new", "old") if k in r}
           for r in wh.records()]

    expected = [
        {"op": "insert", "table": "test_rep", "new": {"id": 1, "name": "one"}},
        {"op": "insert", "table": "test_rep", "new": {"id": 2, "name": "two"}},
        {"op": "insert", "table": "test_rep", "new": {"id": 3, "name": "three"}},
        # non-key update: no old tuple is sent
        {"op": "update", "table": "test_rep", "new": {"id": 1, "name": "uno"}},
        # key change: old carries the old key, and only the key
        {"op": "update", "table": "test_rep", "new": {"id": 20, "name": "two"},
         "old": {"id": 2}},
        # delete: old carries the key only
        {"op": "delete", "table": "test_rep", "old": {"id": 3}},
        {"op": "insert", "table": "full_rep", "new": {"id": 1, "name": "a", "n": 10}},
        # REPLICA IDENTITY FULL: old is the whole row, every time
        {"op": "update", "table": "full_rep", "new": {"id": 1, "name": "b", "n": 10},
         "old": {"id": 1, "name": "a", "n": 10}},
        {"op": "update", "table": "full_rep", "new": {"id": 2, "name": "b", "n": None},
         "old": {"id": 1, "name": "b", "n": 10}},
        {"op": "delete", "table": "full_rep", "old": {"id": 2, "name": "b", "n": None}},
    ]
    t.eq(len(got), len(expected), "number of changes")
    for i, (g, e) in enumerate(zip(got, expected), 1):
        t.eq(g, e, f"change {i}")

    recs = wh.records()
    for r in recs:
        if r["table"] == "test_rep":
            t.eq(r["key"], ["id"], f"key of {r!r}")


harness.run("update_delete", main)
