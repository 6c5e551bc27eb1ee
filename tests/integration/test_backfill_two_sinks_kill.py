#!/usr/bin/env python3
"""A backfill into a file sink and a postgres sink at once, walhook killed
with -9 in the middle while the target's record runs ahead: the postgres
sink commits each chunk's rows with its record at once, the file sink
writes and syncs its rows only every two seconds (and loses the rest to
the kill), and the state file follows the file sink. The restart goes on
from the least advanced, the state file's chunk, not the target's, so the
file gets again the rows it lost: in the end every row of the table has a
read line in the file, and the target equals the source."""

import json
import os

import harness

# More chunks than a backfill reads ahead of what every sink holds (32):
# the target runs ahead while the file sink waits for its next sync.
ROWS = 20000
CHUNK = 100

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target,
                                      batch_transactions = 1 }
local file = walhook.sink.file{ path = walhook.vars.file, batch_seconds = 2,
                                batch_transactions = 1000000 }
function handle_change(c) target:write(c) file:write(c) return false end
'''


def digest(t, db=None):
    sql = ("SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ','"
           " ORDER BY id)), '') FROM t")
    return t.psql(sql, db=db) if db else t.scalar(sql)


def fields(text):
    """state, chunks, last key of a backfill's line (or record)."""
    f = text.split("\t")
    return f[3], int(f[6]), int(f[10]) if len(f) > 10 else 0


def file_state(path):
    try:
        with open(path) as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return None
    return fields(lines[1]) if len(lines) > 1 and lines[1] else None


def read_ids(path, skip=0):
    ids = []
    with open(path, "rb") as f:
        f.seek(skip)
        for line in f.read().decode().splitlines():
            c = json.loads(line)
            if c.get("op") == "read":
                ids.append(c["new"]["id"])
    return ids


def main(t):
    slot = "wh_bf_two_sinks"

    def body(t, target):
        harness.backfill_table(t, target, ROWS)
        state = os.path.join(t.tmp, "bf.state")
        out = os.path.join(t.tmp, "out.jsonl")
        script = t.script("two.lua", SCRIPT)
        args = ("-S", slot, "--create-slot", "--if-not-exists", "--start",
                "--publication", "pub", "--backfill", "t", "--backfill-chunk", str(CHUNK),
                "--backfill-state", state, "-v", "--set", f"target=dbname={target}",
                "--set", f"file={out}")
        record_sql = ("SELECT coalesce((SELECT value FROM walhook.state"
                      f" WHERE name = 'walhook_{slot}/public.t'), '')")

        def target_record():
            if t.scalar_in(target, "SELECT to_regclass('walhook.state') IS NOT NULL") != "t":
                return None
            value = t.scalar_in(target, record_sql)
            return fields(value) if value else None

        first = t.start(*args, script=script)

        def ahead():
            if first.proc.poll() is not None:
                harness.fail("walhook exited\n" + first.describe())
            f, r = file_state(state), target_record()
            return f and r and f[1] >= 1 and r[1] >= f[1] + 3 and r[0] == "running"

        harness.wait_for(ahead, 60, "the target's record ahead of the state file\n"
                         + first.describe())
        first.kill()
        f, r = file_state(state), target_record()
        t.check(f[0] == "running" and r[1] > f[1],
                f"at the kill, the target ({r}) was ahead of the state file ({f})")
        harness.wait_for(lambda: not harness.slot_active_pid(t, slot), 20,
                         "the killed run's walsender to go")
        kept = os.path.getsize(out)
        second = t.start(*args, script=script)
        harness.wait_for(lambda: file_state(state)[0] == "done", 60,
                         "the backfill to finish\n" + second.describe())
        end = t.current_lsn()
        harness.wait_slot_confirmed(t, slot, end, 30, second)
        second.stop()
        t.eq(second.returncode, 0, "second exit\n" + second.describe())
        t.check("the target holds chunk" not in second.stderr,
                "the state file was the least advanced\n" + second.describe())
        again = read_ids(out, kept)
        t.check(again and min(again) == f[2] + 1,
                f"the restart read from the state file's key {f[2]}, first read row "
                f"{min(again) if again else None}, the target's key was {r[2]}")
        t.eq(sorted(set(read_ids(out))), list(range(1, ROWS + 1)),
             "every row has a read line in the file")
        t.eq(digest(t, db=target), digest(t), "target = source")

    harness.with_target(t, slot, body)


harness.run("backfill_two_sinks_kill", main)
