#!/usr/bin/env python3
"""A server that falls silent without closing the connection (its
walsender frozen with SIGSTOP, as a dropped network link looks): walhook
asks for a reply at half of --server-timeout, takes the connection for
lost at the full timeout, reconnects (waiting while the frozen walsender
still holds the slot), and delivers every row committed meanwhile."""

import os
import signal

import harness


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_fault_silent_slot"
    t.create_slot(slot)
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "10",
                 "--server-timeout", "4")
    t.psql("INSERT INTO test_rep VALUES (1, 'before')")
    wh.wait_records(lambda recs: len(recs) >= 1, 20, "the first row")
    pid = harness.wait_for(lambda: t.slot(slot)["active"] and
                           int(t.scalar(f"SELECT active_pid FROM pg_replication_slots "
                                        f"WHERE slot_name = '{slot}'")), 10,
                           "the walsender's pid")
    os.kill(pid, signal.SIGSTOP)
    try:
        t.psql("INSERT INTO test_rep VALUES (2, 'while silent')")
        harness.wait_for(lambda: "sent nothing for" in wh.stderr, 20,
                         "walhook to take the silent connection for lost")
    finally:
        os.kill(pid, signal.SIGCONT)
    t.psql("INSERT INTO test_rep VALUES (3, 'after')")
    wh.wait_records(lambda recs: {r["new"]["id"] for r in recs} >= {1, 2, 3}, 60,
                    "every row after the reconnect")
    wh.stop()
    t.eq(wh.returncode, 0, "walhook's exit after SIGTERM\n" + wh.describe())
    t.check("reconnecting" in wh.stderr, "walhook said it reconnects\n" + wh.describe())


harness.run("fault_silent", main)
