#!/usr/bin/env python3
"""lua/examples/backfill.lua asks from handle_connect for two tables at
once with one WHERE: each backfill reads exactly the rows its WHERE
selects (a row the stream inserts meanwhile that it does not select comes
as an insert only), a table without a primary key is refused with the
reason logged, walhook.stats() reports both as done at the end, and a
restart asks for neither again."""

import os

import harness

ROWS = 2000
WHERE = "id % 3 = 0"


def reads(proc, table):
    return sorted(r["new"]["id"] for r in proc.records()
                  if r.get("op") == "read" and r.get("table") == table)


def done(path):
    try:
        with open(path) as f:
            return f.read().count("\tdone\t") == 2
    except FileNotFoundError:
        return False


def main(t):
    slot = "wh_backfill_script"
    for name in ("a", "b"):
        t.psql(f"CREATE TABLE {name} (id int PRIMARY KEY, v text);"
               f"INSERT INTO {name} SELECT g, 'r' || g FROM generate_series(1, {ROWS}) g")
    t.psql("CREATE TABLE nokey (id int, v text);"
           "CREATE PUBLICATION pub FOR TABLE a, b, nokey")
    t.create_slot(slot)
    state = os.path.join(t.tmp, "bf.state")
    script = os.path.join(t.examples, "backfill.lua")
    args = ("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
            "--backfill-state", state, "--set", "tables=public.a,public.b,public.nokey",
            "--set", f"where={WHERE}", "--set", "chunk=100")
    first = t.start(*args, script=script)
    t.psql("INSERT INTO a VALUES (3001, 'not selected')")
    harness.wait_for(lambda: done(state), 30, "both backfills to finish\n" + first.describe())
    end = t.current_lsn()
    harness.wait_slot_confirmed(t, slot, end, 20, first)
    first.wait_records(lambda recs: any(r.get("op") == "insert" for r in recs), 20,
                       "the insert")
    first.stop()
    t.eq(first.returncode, 0, "exit\n" + first.describe())
    selected = [i for i in range(1, ROWS + 1) if i % 3 == 0]
    t.eq(reads(first, "a"), selected, "rows of a read")
    t.eq(reads(first, "b"), selected, "rows of b read")
    err = first.stderr
    t.check("not backfilled: backfill of public.nokey: the table has no primary key" in err,
            "the refusal of nokey\n" + first.describe())
    for name in ("a", "b"):
        t.check(f"public.{name}: done, {len(selected)} rows in 7 chunks" in err,
                f"stats of {name}\n" + first.describe())

    second = t.start(*args, script=script)
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 20, "the restart to stream")
    t.psql("INSERT INTO b VALUES (3003, 'after')")
    second.wait_records(lambda recs: any(r.get("op") == "insert" for r in recs), 20,
                        "the insert after the restart")
    second.stop()
    t.eq(reads(second, "a") + reads(second, "b"), [], "rows read again after the restart")
    t.check("public.a: done" in second.stderr, "stats after the restart\n" + second.describe())


harness.run("backfill_script", main)
