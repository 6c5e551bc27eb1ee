#!/usr/bin/env python3
"""High availability: a standby walhook with --retry-active on the same
slot as the active one takes over when the active one dies.

The active walhook writes to one file sink, the standby (waiting on the
slot in use) to another. During a workload the active one is killed
with -9: the standby streams within seconds, and in the end the two
files together hold every committed row at least once (first sightings
per key in commit order), nothing else; the standby started from what
the active one had confirmed, not from the start; and the slot is
confirmed to the end."""

import json
import os
import signal

import brokers
import harness

SCRIPT = r'''
local out = walhook.sink.file{ path = walhook.vars.path, batch_seconds = 0.2 }
function handle_change(c) out:write(c) return false end
'''


def rows(path):
    out = []
    for r in harness.records_of(None, path):
        n = r["new"]
        out.append((n["id"], n["k"], n["seq"]))
    return out


def main(t):
    t.psql(brokers.EVENTS_SQL)
    slot = "wh_standby"
    t.create_slot(slot)
    script = t.script("standby.lua", SCRIPT)
    a_path, b_path = os.path.join(t.tmp, "a.jsonl"), os.path.join(t.tmp, "b.jsonl")

    def walhook(path):
        return t.start("-S", slot, "--start", "--publication", "pub", "--retry-active", "-s", "1",
                       "--set", f"path={path}", script=script)

    initial = t.slot(slot)["confirmed_flush_lsn"]
    active = walhook(a_path)
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 15, "the active walhook to stream")
    first_pid = harness.slot_active_pid(t, slot)
    standby = walhook(b_path)
    brokers.wait_stderr(standby, "is active for PID", 15,
                        "the standby to find the slot in use")

    work = harness.PipedWorkload(t.db, brokers.insert, limit=300, pace=0.01)
    work.start()
    harness.wait_for(lambda: len(harness.records_of(None, a_path)) > 50, 30,
                     "50 rows through the active walhook")
    harness.wait_for(lambda: t.slot(slot)["confirmed_flush_lsn"] > initial, 15,
                     "the active walhook to confirm something")
    active.proc.send_signal(signal.SIGKILL)
    active.wait()
    harness.wait_for(lambda: (harness.slot_active_pid(t, slot) or first_pid) != first_pid,
                     15, "the standby to take the slot")
    harness.wait_for(lambda: os.path.exists(b_path) and os.path.getsize(b_path) > 0, 15,
                     "the standby to write")
    work.finish()
    brokers.wait_caught_up(t, slot, standby)
    t.eq(standby.stop(), 0, "the standby's exit after SIGTERM")
    a, b = rows(a_path), rows(b_path)
    print(f"active wrote {len(a)} rows, the standby {len(b)}")
    t.check(a and b, "one of the two wrote nothing")
    dups = brokers.check_rows(t, a + b, "the two files")
    t.check(dups < len(a), f"the standby sent again all {len(a)} rows of the active one: "
                           "it did not start from the confirmed position")


harness.run("brokers_standby", main)
