#!/usr/bin/env python3
"""The server restarts under walhook while a workload runs: first
`pg_ctl restart -m fast`, then `-m immediate` (a crash: acks the server had
not saved may be lost). walhook reconnects by itself each time and in the
end every committed row has arrived — at least once: after the immediate
restart some may come twice, none may be missing — and the slot is
confirmed to the end of the last transaction. Runs on a server of its own."""

import collections
import re
import signal

import harness


def main(t, sb):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_fault_restart_slot"
    t.create_slot(slot)
    rec = t.script("record.lua", harness.RECORDER)
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1", "-v",
                 script=rec)

    def committed_txs():
        return [tx for tx in harness.transactions(wh.records())
                if tx["end_lsn"] is not None]

    def wait_txs(n, what, timeout=15):
        def enough():
            if wh.proc.poll() is not None:
                harness.fail(f"walhook exited\n{wh.describe()}")
            d = committed_txs()
            return d if len(d) >= n else None
        try:
            return harness.wait_for(enough, timeout, what, 0.05)
        except harness.TestFailure as e:
            harness.fail(f"{e}\n{wh.describe()}\nserver log:\n{sb.log_tail()}")

    def streaming_again(old_pid, what):
        """A walsender for our database that is not `old_pid` holds the slot."""
        def ready():
            if wh.proc.poll() is not None:
                harness.fail(f"walhook exited\n{wh.describe()}")
            try:
                pid = harness.slot_active_pid(t, slot)
            except harness.TestFailure:
                return None  # the server is not up yet
            return pid if pid and pid != old_pid else None
        try:
            return harness.wait_for(ready, 20, what, 0.1)
        except harness.TestFailure as e:
            harness.fail(f"{e}\n{wh.describe()}\nserver log:\n{sb.log_tail()}")

    pid = streaming_again(None, "walhook to start streaming")
    statements = [f"INSERT INTO test_rep VALUES ({i}, 'data{i}') ON CONFLICT DO NOTHING"
                  for i in range(1, 50001)]
    work = harness.RetryingWorkload(t.db, statements, batch=25, timeout=60)
    work.start()
    records_before_crash = 0
    try:
        for mode in ("fast", "immediate"):
            before = len(wait_txs(len(committed_txs()) + 100,
                                  f"100 more transactions before the {mode} restart"))
            t.check(work.is_alive(), f"the workload ended before the {mode} restart")
            if mode == "immediate":
                records_before_crash = len(wh.records())
            sb.restart(mode)
            pid = streaming_again(pid, f"walhook to stream again after the {mode} restart")
            wait_txs(before + 100, f"100 more transactions after the {mode} restart")
    finally:
        work.halt.set()
        work.finish()

    table_ids = sorted(int(r[0]) for r in t.rows("SELECT id FROM test_rep"))
    t.check(len(table_ids) > 300, f"only {len(table_ids)} rows committed")

    def all_delivered():
        txs = committed_txs()
        got = {c["new"]["id"] for tx in txs for c in tx["changes"]}
        return txs if got >= set(table_ids) else None
    try:
        txs = harness.wait_for(all_delivered, 20, "every committed row to arrive", 0.05)
    except harness.TestFailure as e:
        got = {c["new"]["id"] for tx in committed_txs() for c in tx["changes"]}
        missing = sorted(set(table_ids) - got)
        harness.fail(f"{e}: {len(missing)} missing, first {missing[:10]}\n{wh.describe()}")
    last_end = max(tx["end_lsn"] for tx in txs)
    harness.wait_slot_confirmed(t, slot, last_end, 15, wh)
    rc = wh.stop(signal.SIGTERM)
    t.eq(rc, 0, "exit status after SIGTERM\n" + wh.describe())

    txs = harness.transactions(wh.records())
    t.check(all(tx["end_lsn"] is not None for tx in txs),
            "a transaction without its commit in the output")
    t.check(all(len(tx["changes"]) == 1 for tx in txs), "one row per transaction")
    seen = collections.Counter(c["new"]["id"] for tx in txs for c in tx["changes"])
    t.eq(sorted(seen), table_ids, "distinct rows delivered")
    twice = sorted(i for i, n in seen.items() if n > 1)
    print(f"{len(table_ids)} rows committed; {len(twice)} delivered more than once "
          f"{twice[:5]}{'...' if len(twice) > 5 else ''}")
    # Redelivery is for the crash only: walhook resumes from the position it
    # confirmed, so up to the immediate restart nothing comes twice.
    early = collections.Counter(
        c["new"]["id"] for tx in harness.transactions(wh.records()[:records_before_crash])
        for c in tx["changes"])
    t.eq(sorted(i for i, n in early.items() if n > 1), [],
         "rows delivered twice before the immediate restart (after the fast one)")
    harness.check_confirmed(t.confirmed(slot), last_end)
    # Each loss is reported once, with the reason: one message (possibly of
    # several lines, as libpq's are) from "walhook: streaming at LSN: " to
    # "; reconnecting in N s", whose reason is not empty.
    losses = re.findall(r"^walhook: streaming at [0-9A-F]+/[0-9A-F]+: (.*?);"
                        r" reconnecting in \d+ s$", wh.stderr, re.M | re.S)
    for reason in losses:
        print(f"loss reported: {reason.strip()!r}")
    t.check(len(losses) >= 2,
            "stderr does not report both losses with a reconnect\n" + wh.describe())
    t.check(all(reason.strip() for reason in losses),
            "a lost connection is reported without a reason (\"streaming at LSN: ;"
            " reconnecting\")\n" + wh.describe())


harness.run_sandboxed("fault_restart", main)
