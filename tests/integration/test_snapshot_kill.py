#!/usr/bin/env python3
"""kill -9 during --snapshot: no slot is left behind, the same command line
starts over, and in the end the target equals the source, although the
first run had already applied one table and the source changed that table
before the second run copied it again.

Tables are copied in name order: `a` (small, applied and committed at once
with batch_transactions = 1) then `b` (large). walhook is killed while it
copies `b`."""

import harness

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target,
                                      batch_transactions = 1 }
function handle_change(c) target:write(c) return false end
function handle_truncate(t) target:write(t) end
'''

SCHEMA = """
CREATE TABLE a (id int PRIMARY KEY, v text);
CREATE TABLE b (id int PRIMARY KEY, v text);
"""

ROWS_B = 200000


def digest(t, table, db=None):
    return t.scalar(f"SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ','"
                    f" ORDER BY id)), '') FROM {table}") if db is None else \
        t.psql(f"SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ','"
               f" ORDER BY id)), '') FROM {table}", db=db)


def main(t):
    slot = "wh_snapshot_kill"

    def body(t, target):
        t.psql(SCHEMA)
        t.psql(SCHEMA, db=target)
        t.psql("INSERT INTO a SELECT g, 'a' || g FROM generate_series(1, 100) g;"
               f"INSERT INTO b SELECT g, repeat('b', 50) FROM generate_series(1, {ROWS_B}) g;"
               "CREATE PUBLICATION pub FOR TABLE a, b;")
        script = t.script("replicate.lua", SCRIPT)
        args = ("-S", slot, "--create-slot", "--if-not-exists", "--snapshot", "--start",
                "--publication", "pub", "-s", "1", "--set", f"target=dbname={target}")
        first = t.start(*args, script=script)
        # a is applied; b is being copied.
        harness.wait_for(lambda: t.psql("SELECT count(*) FROM a", db=target) == "100",
                         60, "table a on the target\n" + first.describe())
        first.kill()
        t.check(first.returncode == -9, "walhook was killed\n" + first.describe())
        b_rows = int(t.psql("SELECT count(*) FROM b", db=target))
        t.check(b_rows < ROWS_B, f"b was copied whole ({b_rows} rows) before the kill:"
                " nothing was tested")
        harness.wait_for(lambda: not harness.slot_active_pid(t, slot) and
                         t.scalar("SELECT count(*) FROM pg_replication_slots WHERE"
                                  " temporary") == "0", 20,
                         "the killed run's slots to go")
        t.eq(t.slot(slot), None, "a slot left by a snapshot that was not delivered")
        # The source moves on before the next run copies a again.
        t.psql("UPDATE a SET v = v || '!' WHERE id <= 10; DELETE FROM a WHERE id > 90;"
               "INSERT INTO a VALUES (1000, 'new')")
        second = t.start(*args, script=script)
        t.wait_slot_ready(slot, second, timeout=60)
        harness.wait_for(lambda: t.slot(slot) and t.slot(slot)["active"], 120,
                         "the second run to stream\n" + second.describe())
        mark = t.current_lsn()
        t.psql("UPDATE b SET v = 'changed' WHERE id % 1000 = 0; DELETE FROM a WHERE id = 5")
        end = t.current_lsn()
        harness.wait_slot_confirmed(t, slot, end, 120, second)
        second.stop()
        t.eq(second.returncode, 0, "second run's exit\n" + second.describe())
        t.check(end > mark, "the workload wrote WAL")
        for table in ("a", "b"):
            t.eq(digest(t, table, db=target), digest(t, table), f"table {table}: target = source")

    harness.with_target(t, slot, body)


harness.run("snapshot_kill", main)
