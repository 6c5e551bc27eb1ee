#!/usr/bin/env python3
"""A target emptied while walhook is stopped, after a backfill into it was
done: the state file still says done, but the target holds no record of
the backfill any more, so the restart backfills the table again from its
first key and the target ends equal to the source. The table is emptied
with TRUNCATE and its record deleted from walhook.state; walhook.progress
is left, so the stream itself goes on where it was."""

import os

import harness

ROWS = 500
CHUNK = 50

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target }
function handle_change(c) target:write(c) return false end
'''


def digest(t, db=None):
    sql = ("SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ','"
           " ORDER BY id)), '') FROM t")
    return t.psql(sql, db=db) if db else t.scalar(sql)


def record(t, target, slot):
    return t.scalar_in(target, "SELECT value FROM walhook.state"
                       f" WHERE name = 'walhook_{slot}/public.t'")


def main(t):
    slot = "wh_bf_target_wiped"

    def body(t, target):
        harness.backfill_table(t, target, ROWS)
        state = os.path.join(t.tmp, "bf.state")
        script = t.script("target.lua", SCRIPT)
        args = ("-S", slot, "--create-slot", "--if-not-exists", "--start",
                "--publication", "pub", "--backfill", "t", "--backfill-chunk", str(CHUNK),
                "--backfill-state", state, "-v", "--set", f"target=dbname={target}")
        first = t.start(*args, script=script)
        harness.wait_for(lambda: "\tdone\t" in open(state).read() if os.path.exists(state)
                         else False, 60, "the first backfill to finish\n" + first.describe())
        first.stop()
        t.eq(first.returncode, 0, "first exit\n" + first.describe())
        t.eq(digest(t, db=target), digest(t), "target = source after the first run")
        t.check("\tdone\t" in record(t, target, slot), "the target's record says done")

        t.psql("TRUNCATE t; DELETE FROM walhook.state", db=target)
        t.psql("UPDATE t SET v = 'changed' WHERE id = 7")
        second = t.start(*args, script=script)
        harness.wait_for(lambda: "\tdone\t" in record(t, target, slot), 60,
                         "the second backfill to finish\n" + second.describe())
        end = t.current_lsn()
        harness.wait_slot_confirmed(t, slot, end, 30, second)
        second.stop()
        t.eq(second.returncode, 0, "second exit\n" + second.describe())
        err = second.stderr
        t.check("holds no record of the backfill of public.t, the state file chunk "
                f"{ROWS // CHUNK + 1}: starting it again" in err,
                "the restart said why it starts again\n" + second.describe())
        t.check(f"public.t: done, {ROWS} rows in {ROWS // CHUNK + 1} chunks" in err,
                "the second run read every row\n" + second.describe())
        t.eq(digest(t, db=target), digest(t), "target = source after the restart")

    harness.with_target(t, slot, body)


harness.run("backfill_target_wiped", main)
