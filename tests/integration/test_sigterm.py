#!/usr/bin/env python3
"""SIGTERM while streaming: walhook exits 0 promptly and confirms what it
printed (its final status update): the slot is confirmed at least to the
end of the last transaction printed, and a new run goes on from exactly
the next transaction: nothing printed comes twice, nothing is lost."""

import signal

import harness

MAX_ROWS = 5000  # the workload's bound


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_sigterm_slot"
    t.create_slot(slot)
    rec = t.script("record.lua", harness.RECORDER)

    wh = t.start("-S", slot, "--start", "--publication", "pub", script=rec)
    work = harness.PipedWorkload(
        t.db, lambda i: f"INSERT INTO test_rep VALUES ({i}, 'data{i}');", limit=MAX_ROWS)
    work.start()
    try:
        wh.wait_records(lambda r: sum(x["op"] == "commit" for x in r) >= 100, 20,
                        "100 transactions to be printed")
        rc = wh.stop(signal.SIGTERM, timeout=10)
    finally:
        work.finish()
    t.eq(rc, 0, "exit status after SIGTERM\n" + wh.describe())

    txs = harness.transactions(wh.records())
    done = [tx for tx in txs if tx["end_lsn"] is not None]
    ids1 = [c["new"]["id"] for tx in done for c in tx["changes"]]
    t.eq(ids1, list(range(1, len(ids1) + 1)), "ids of the transactions printed")
    last_end = done[-1]["end_lsn"]
    confirmed = t.confirmed(slot)
    harness.check_confirmed(confirmed, last_end)

    total = int(t.scalar("SELECT count(*) FROM test_rep"))
    print(f"{len(ids1)} of {total} transactions printed before SIGTERM")
    endpos = t.stop_mark(f"INSERT INTO test_rep VALUES ({MAX_ROWS + 1}, 'after the end')")
    again = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos, script=rec)
    t.expect_exit(again, 0)
    ids2 = [c["new"]["id"] for tx in harness.transactions(again.records())
            for c in tx["changes"]]
    t.eq(ids2, list(range(len(ids1) + 1, total + 1)), "ids delivered by the next run")


harness.run("sigterm", main)
