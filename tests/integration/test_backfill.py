#!/usr/bin/env python3
"""--backfill of a 200k-row table into the postgres sink while a workload
inserts, updates and deletes rows of that same table, with walhook killed
(-9) in the middle: the restart goes on from its state file, and in the
end the target equals the source. The table's rows all predate the slot
and the target starts empty, so only the backfill can bring them over."""

import os
import threading

import harness

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target }
function handle_change(c) target:write(c) return false end
function handle_truncate(t) target:write(t) end
'''

ROWS = 200000


def digest(t, db=None):
    sql = ("SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ','"
           " ORDER BY id)), '') FROM t")
    return t.psql(sql, db=db) if db else t.scalar(sql)


def state_of(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def workload(t, stop):
    n = 0
    while not stop.is_set():
        n += 1
        k = (n * 7919) % ROWS + 1
        t.psql(f"UPDATE t SET v = 'u{n}' WHERE id = {k};"
               f"DELETE FROM t WHERE id = {(k * 31) % ROWS + 1};"
               f"INSERT INTO t VALUES ({ROWS + n}, 'i{n}');"
               f"UPDATE t SET id = {ROWS * 2 + n} WHERE id = {(k * 17) % ROWS + 1}")


def main(t):
    slot = "wh_backfill"

    def body(t, target):
        harness.backfill_table(t, target, ROWS)
        state = os.path.join(t.tmp, "bf.state")
        script = t.script("replicate.lua", SCRIPT)
        args = ("-S", slot, "--create-slot", "--if-not-exists", "--start",
                "--publication", "pub", "-s", "1", "--backfill", "t",
                "--backfill-state", state, "-v", "--set", f"target=dbname={target}")
        stop = threading.Event()
        writer = threading.Thread(target=workload, args=(t, stop))
        first = t.start(*args, script=script)
        writer.start()
        try:
            harness.wait_for(lambda: "\trunning\t" in state_of(state) and
                             int(state_of(state).split("\t")[5]) >= 20000, 90,
                             "a durable part of the backfill\n" + first.describe())
            first.kill()
            t.check("\tdone\t" not in state_of(state), "the backfill was done before the kill")
            harness.wait_for(lambda: not harness.slot_active_pid(t, slot), 20,
                             "the killed run's walsender to go")
            second = t.start(*args, script=script)
            harness.wait_for(lambda: "\tdone\t" in state_of(state), 100,
                             "the backfill to finish\n" + second.describe())
            t.check("going on after the last durable chunk" in second.stderr,
                    "the second run resumed\n" + second.describe())
        finally:
            stop.set()
            writer.join()
        end = t.current_lsn()
        harness.wait_slot_confirmed(t, slot, end, 60, second)
        second.stop()
        t.eq(second.returncode, 0, "second run's exit\n" + second.describe())
        t.eq(digest(t, db=target), digest(t), "target = source")

    harness.with_target(t, slot, body)


harness.run("backfill", main)
