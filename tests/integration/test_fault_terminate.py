#!/usr/bin/env python3
"""The walsender is terminated (pg_terminate_backend) twice while walhook
streams a workload of many transactions into a file (-f): each loss is
logged once, walhook reconnects by itself, no walsender is left behind
(exactly one for our database, a new pid each time), and in the end every
committed row has arrived, each transaction whole, and the slot is
confirmed to the end of the last transaction."""

import collections
import signal

import harness

ROWS_PER_TX = 3


def insert_tx(i):
    """Transaction i: rows 3i-2 .. 3i in one BEGIN ... COMMIT."""
    ids = range(ROWS_PER_TX * (i - 1) + 1, ROWS_PER_TX * i + 1)
    values = ", ".join(f"({n}, 'data{n}')" for n in ids)
    return f"BEGIN; INSERT INTO test_rep VALUES {values}; COMMIT;"


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_fault_terminate_slot"
    t.create_slot(slot)
    rec = t.script("record.lua", harness.RECORDER)
    out = f"{t.tmp}/out.jsonl"

    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1",
                 "-f", out, script=rec)

    def committed_txs():
        return [tx for tx in harness.transactions(harness.records_of(wh, out))
                if tx["end_lsn"] is not None]

    def wait_txs(n, what):
        def enough():
            done = committed_txs()
            return done if len(done) >= n else None
        try:
            return harness.wait_for(enough, 15, what)
        except harness.TestFailure as e:
            harness.fail(f"{e}\n{wh.describe()}")

    def one_walsender(not_pid, what):
        """Exactly one walsender on our database, not `not_pid`, holding the
        slot; returns its pid."""
        def ready():
            if wh.proc.poll() is not None:
                harness.fail(f"walhook exited\n{wh.describe()}")
            pids = harness.walsenders(t)
            active = harness.slot_active_pid(t, slot)
            if len(pids) == 1 and pids[0] != not_pid and active == pids[0]:
                return pids[0]
            return None
        try:
            return harness.wait_for(ready, 15, what, 0.05)
        except harness.TestFailure as e:
            harness.fail(f"{e}; walsenders now {harness.walsenders(t)}\n{wh.describe()}")

    first = one_walsender(None, "walhook's first walsender")
    work = harness.PipedWorkload(t.db, insert_tx, limit=20000, pace=0.001)
    work.start()
    pids = [first]
    try:
        for round_ in (1, 2):
            before = len(wait_txs(len(committed_txs()) + 100,
                                  f"100 more transactions before termination {round_}"))
            t.check(work.is_alive(), "the workload ended before the termination")
            killed = t.scalar("SELECT pg_terminate_backend(active_pid)"
                              f" FROM pg_replication_slots WHERE slot_name = '{slot}'")
            t.eq(killed, "t", f"pg_terminate_backend of the walsender (round {round_})")
            pids.append(one_walsender(pids[-1], f"a new walsender after termination {round_}"))
            wait_txs(before + 100, f"100 more transactions after reconnect {round_}")
    finally:
        work.finish()

    # Everything committed must arrive; then the slot must get to its end.
    table_ids = sorted(int(r[0]) for r in t.rows("SELECT id FROM test_rep"))
    t.eq(len(table_ids), work.sent * ROWS_PER_TX, "rows committed by the workload")

    def all_delivered():
        txs = committed_txs()
        got = {c["new"]["id"] for tx in txs for c in tx["changes"]}
        return txs if got >= set(table_ids) else None
    try:
        txs = harness.wait_for(all_delivered, 15, "every committed row to arrive")
    except harness.TestFailure as e:
        got = {c["new"]["id"] for tx in committed_txs() for c in tx["changes"]}
        missing = sorted(set(table_ids) - got)
        harness.fail(f"{e}: {len(missing)} missing, first {missing[:10]}\n{wh.describe()}")
    last_end = max(tx["end_lsn"] for tx in txs)
    harness.wait_slot_confirmed(t, slot, last_end, 15, wh)
    t.eq(harness.walsenders(t), [pids[-1]], "walsenders of the database at the end")
    rc = wh.stop(signal.SIGTERM)
    t.eq(rc, 0, "exit status after SIGTERM\n" + wh.describe())

    # The output: whole transactions of 3 consecutive rows, every committed
    # row at least once, nothing that did not commit.
    txs = harness.transactions(harness.records_of(wh, out))
    t.check(all(tx["end_lsn"] is not None for tx in txs),
            "a transaction without its commit in the output")
    for tx in txs:
        ids = [c["new"]["id"] for c in tx["changes"]]
        first_id = ids[0] if ids else 0
        t.eq(ids, list(range(first_id, first_id + ROWS_PER_TX)),
             f"rows of transaction xid {tx['xid']}")
    seen = collections.Counter(c["new"]["id"] for tx in txs for c in tx["changes"])
    t.eq(sorted(seen), table_ids, "distinct rows delivered")
    again = sorted(i for i, n in seen.items() if n > 1)
    print(f"{len(table_ids)} rows in {len(table_ids) // ROWS_PER_TX} transactions; "
          f"{len(again)} rows delivered more than once; walsenders {pids}")

    harness.check_confirmed(t.confirmed(slot), last_end)

    # stderr: each loss said once, with the server's reason, and a reconnect.
    err = wh.stderr
    losses = [l for l in err.splitlines() if "terminating connection due to administrator command" in l]
    t.eq(len(losses), 2, "stderr lines reporting the terminated walsender\n" + wh.describe())
    t.check(all("reconnecting in" in l for l in losses),
            "a loss line does not say it reconnects\n" + wh.describe())
    reconnects = [l for l in err.splitlines() if "reconnecting" in l]
    t.eq(len(reconnects), 2, "stderr lines saying reconnecting\n" + wh.describe())

    # --no-loop: the same loss ends walhook with exit 1 instead.
    once = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1", "--no-loop",
                   "-f", out, script=rec)
    pid = harness.wait_for(lambda: harness.slot_active_pid(t, slot), 10,
                           "walhook --no-loop to stream")
    t.eq(t.scalar(f"SELECT pg_terminate_backend({pid})"), "t",
         "pg_terminate_backend of the --no-loop walsender")
    once.wait(10)
    t.expect_exit(once, 1)
    t.check(once.stderr.startswith("walhook: ")
            and "terminating connection due to administrator command" in once.stderr
            and "reconnecting" not in once.stderr,
            "--no-loop: not one clear message about the lost connection\n" + once.describe())
    harness.wait_for(lambda: not harness.walsenders(t), 10,
                     "no walsender left on the database after --no-loop exited")


harness.run("fault_terminate", main)
