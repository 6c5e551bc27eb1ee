#!/usr/bin/env python3
"""A backfill into the postgres sink keeps its progress on the target too:
walhook.state has a row for it, named for the sink's progress name and
the table, whose value (the state file's line for the backfill) advances
with the chunks, and is committed with them: in every snapshot of the
target, the rows up to the record's last key are exactly the rows it
counts. At the end the record says done, as the state file does."""

import os

import harness

ROWS = 1000
CHUNK = 10

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target,
                                      batch_transactions = 1 }
function handle_change(c) target:write(c) return false end
'''


def record_of(value):
    """The fields of a record that matter here: state, rows, chunks, key."""
    f = value.split("\t")
    return f[3], int(f[5]), int(f[6]), int(f[10]) if len(f) > 10 else 0


def main(t):
    slot = "wh_bf_target_state"

    def body(t, target):
        harness.backfill_table(t, target, ROWS)
        state = os.path.join(t.tmp, "bf.state")
        script = t.script("target.lua", SCRIPT)
        proc = t.start("-S", slot, "--create-slot", "--if-not-exists", "--start",
                       "--publication", "pub", "--backfill", "t",
                       "--backfill-chunk", str(CHUNK), "--backfill-state", state,
                       "-v", "--set", f"target=dbname={target}", script=script)
        # One query a look, so the record and the rows are of one snapshot.
        look = ("SELECT s.value || '|' || (SELECT count(*) FROM t WHERE id <= "
                " coalesce(nullif(split_part(s.value, E'\\t', 11), ''), '0')::int)"
                " FROM walhook.state s WHERE s.name = 'walhook_" + slot + "/public.t'")
        seen = []

        def finished():
            if proc.proc.poll() is not None:
                harness.fail("walhook exited\n" + proc.describe())
            if t.scalar_in(target, "SELECT to_regclass('walhook.state') IS NOT NULL") != "t":
                return False
            out = t.scalar_in(target, look)
            if not out:
                return False
            value, below = out.rsplit("|", 1)
            st, rows, chunks, key = record_of(value)
            seen.append((chunks, rows, key, int(below), st))
            return st == "done"

        harness.wait_for(finished, 60, "the target's record to say done\n" + proc.describe())
        harness.wait_for(lambda: "\tdone\t" in open(state).read(), 30,
                         "the state file to say done\n" + proc.describe())
        proc.stop()
        t.eq(proc.returncode, 0, "exit\n" + proc.describe())
        for chunks, rows, key, below, st in seen:
            t.eq(below, rows, f"rows on the target up to key {key} at chunk {chunks}")
        chunk_counts = [s[0] for s in seen]
        t.eq(chunk_counts, sorted(chunk_counts), "the record only advances")
        t.check(len(set(chunk_counts)) >= 3,
                f"the record seen at several chunks: {sorted(set(chunk_counts))}")
        last = seen[-1]
        t.eq((last[0], last[1], last[4]), (ROWS // CHUNK + 1, ROWS, "done"),
             "the final record: chunks, rows, state")
        with open(state) as f:
            line = f.read().split("\n")[1]
        t.eq(record_of(line)[:3], ("done", ROWS, ROWS // CHUNK + 1),
             "the state file agrees")
        t.eq(t.scalar_in(target, "SELECT count(*) FROM t"), str(ROWS), "target rows")

    harness.with_target(t, slot, body)


harness.run("backfill_target_state", main)
