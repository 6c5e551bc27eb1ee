#!/usr/bin/env python3
"""A hook that takes 5 s on one row, with wal_sender_timeout at 2 s for
walhook's connection: the server does not time the walsender out (the same
walsender pid all along, walhook never reconnects), and the slow
transaction, like every other, is delivered exactly once. A control shows
the timeout is in force: a walhook stopped by SIGSTOP is timed out."""

import signal
import subprocess
import threading

import harness

SLOW = r'''
local enc = walhook.json.encode
local slow_id = tonumber(walhook.vars.slow_id)

function handle_begin(tx)
  print(enc({op = "begin", xid = tx.xid}))
end

function handle_change(c)
  if c.new.id == slow_id then
    -- busy for 5 s of the wall clock (not of CPU time, which a loaded
    -- machine hands out slowly): no yield, no I/O
    local t0 = os.time()
    while os.time() - t0 < 5 do end
  end
  print(enc({op = c.op, new = c.new}))
  return false
end

function handle_commit(tx)
  print(enc({op = "commit", xid = tx.xid, end_lsn = tx.end_lsn}))
  io.stdout:flush()
end
'''


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_fault_slow_hook_slot"
    t.create_slot(slot)
    conninfo = f"dbname={t.db} options='-c wal_sender_timeout=2s'"

    # The setting does reach a replication connection given this way.
    res = subprocess.run(["psql", "-X", "-A", "-t", "-d", conninfo + " replication=database",
                          "-c", "SHOW wal_sender_timeout"],
                         capture_output=True, timeout=30)
    t.eq(res.stdout.decode().strip(), "2s",
         "wal_sender_timeout of a replication connection with options=-c\n"
         + res.stderr.decode(errors="replace"))

    # Transactions: ids 1..5 one each, then (6, 7) together, the slow one
    # being 6, then 8..10 one each.
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'data{i}');\n" for i in range(1, 6))
           + "BEGIN; INSERT INTO test_rep VALUES (6, 'slow'), (7, 'after slow'); COMMIT;\n"
           + "".join(f"INSERT INTO test_rep VALUES ({i}, 'data{i}');\n" for i in range(8, 11)))
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (1000, 'after the end')")

    script = t.script("slow.lua", SLOW)
    argv = [t.walhook_path, "-d", conninfo, "-S", slot, "--start", "--publication", "pub",
            "-E", endpos, "-v", "--set", "slow_id=6", script]
    wh = harness.Walhook(argv)
    t.procs.append(wh)

    # Watch the slot's walsender while walhook runs.
    pids = []
    halt = threading.Event()

    def watch():
        while not halt.is_set() and wh.proc.poll() is None:
            pid = harness.slot_active_pid(t, slot)
            if pid and (not pids or pids[-1] != pid):
                pids.append(pid)
            halt.wait(0.1)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        rc = wh.wait(25)
    finally:
        halt.set()
        watcher.join(10)
    t.eq(rc, 0, "exit status at the end position\n" + wh.describe())
    t.eq(len(pids), 1, f"walsender pids holding the slot during the run ({pids})\n"
         + wh.describe())
    t.check("reconnecting" not in wh.stderr,
            "walhook lost its connection during the slow hook\n" + wh.describe())

    txs = harness.transactions(wh.records())
    got = [[c["new"]["id"] for c in tx["changes"]] for tx in txs]
    t.eq(got, [[1], [2], [3], [4], [5], [6, 7], [8], [9], [10]],
         "transactions delivered (each exactly once)")
    t.check(all(tx["end_lsn"] is not None for tx in txs), "a transaction without its commit")
    harness.check_confirmed(t.confirmed(slot), txs[-1]["end_lsn"])

    # The control: a walhook that says nothing at all (stopped by SIGSTOP)
    # is timed out by the server within a few seconds, so the timeout was
    # in force; once continued, it reconnects.
    control = harness.Walhook([t.walhook_path, "-d", conninfo, "-S", slot, "--start",
                               "--publication", "pub"])
    t.procs.append(control)
    pid = harness.wait_for(lambda: harness.slot_active_pid(t, slot), 10,
                           "the control walhook to stream")
    control.send(signal.SIGSTOP)
    try:
        harness.wait_for(lambda: harness.slot_active_pid(t, slot) != pid, 10,
                         "the server to time out a silent walhook", 0.1)
    finally:
        control.send(signal.SIGCONT)
    try:
        harness.wait_for(lambda: "reconnecting" in control.stderr, 10,
                         "the control walhook to notice the lost connection")
    except harness.TestFailure as e:
        harness.fail(f"{e}\n{control.describe()}")
    t.eq(control.stop(signal.SIGTERM), 0, "the control's exit status\n" + control.describe())


harness.run("fault_slow_hook", main)
