#!/usr/bin/env python3
"""--temporary --start: the slot exists (temporary, active) while walhook
streams, changes made meanwhile arrive, and the slot is gone after SIGTERM."""

import signal

import harness


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_temporary_slot_slot"

    wh = t.start("-S", slot, "--temporary", "--start", "--publication", "pub")
    info = t.wait_slot_ready(slot, wh)
    t.eq((info["temporary"], info["active"], info["plugin"], info["slot_type"],
          info["database"]),
         (True, True, "pgoutput", "logical", t.db), "the slot while walhook runs")

    t.psql("INSERT INTO test_rep VALUES (1, 'data1')")
    recs = wh.wait_records(lambda r: len(r) >= 1, 10, "the insert to arrive")
    t.eq([(r["op"], r["table"], r["new"]) for r in recs],
         [("insert", "test_rep", {"id": 1, "name": "data1"})], "what arrived")

    rc = wh.stop(signal.SIGTERM, timeout=10)
    t.eq(rc, 0, "exit status after SIGTERM\n" + wh.describe())
    harness.wait_for(lambda: t.slot(slot) is None, 10, f"slot {slot} to be gone")


harness.run("temporary_slot", main)
