#!/usr/bin/env python3
"""walhook.sink.file: at-least-once into a file, through a crash and a log
rotation.

A workload inserts two rows per transaction while walhook writes every
change to a file sink (default batching: up to a second of transactions per
fsync).

1. walhook is killed with SIGKILL mid-stream. Every transaction up to the
   slot's confirmed_flush_lsn is in the file (the slot is never confirmed
   past what the file holds), and every line is whole JSON.
2. walhook is started again with --start; the file is renamed and walhook
   gets SIGHUP: it goes on in a new file at the path.
3. After the workload, with the slot confirmed to its last transaction,
   SIGTERM: the old file and the new one hold every committed row, rows
   twice only from transactions after the position confirmed at the kill,
   and the new file got what came after the rotation.

A test_decoding slot made with walhook's is the witness of which rows each
transaction wrote and where it ends."""

import json
import os
import re
import signal
import subprocess

import harness

SCRIPT = r'''
local out = walhook.sink.file{ path = walhook.vars.path }

function handle_change(c)
  out:write(c)
  return false
end
'''

TOTAL = 500


def insert_tx(i):
    return (f"BEGIN; INSERT INTO test_rep VALUES ({2 * i - 1}, 'row {2 * i - 1}'),"
            f" ({2 * i}, 'row {2 * i}'); COMMIT;")


def witness_transactions(t, slot):
    """[(end LSN, [ids inserted])] of every transaction the witness saw."""
    out, ids = [], []
    for lsn, data in t.rows(f"SELECT lsn, data FROM pg_logical_slot_peek_changes("
                            f"'{slot}', NULL, NULL, 'skip-empty-xacts', '1')"):
        if data.startswith("BEGIN"):
            ids = []
        elif data.startswith("COMMIT"):
            out.append((harness.parse_lsn(lsn), ids))
        else:
            m = re.search(r"INSERT: id\[integer\]:(\d+)", data)
            if m:
                ids.append(int(m.group(1)))
    return out


def file_ids(path):
    """The ids in the file, in order; every line must be whole JSON."""
    ids = []
    if not os.path.exists(path):
        return ids
    with open(path, errors="replace") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        harness.fail(f"{path} ends in a partial line: {text[-200:]!r}")
    for n, line in enumerate(text.splitlines(), 1):
        try:
            rec = json.loads(line)
        except ValueError as e:
            harness.fail(f"{path} line {n} is not JSON ({e}): {line!r}")
        if rec.get("op") != "insert" or rec.get("table") != "test_rep":
            harness.fail(f"{path} line {n} is not an insert into test_rep: {line!r}")
        ids.append(rec["new"]["id"])
    return ids


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot, witness = "wh_sink_file_slot", "wh_sink_file_witness"
    t.create_slot(slot)
    t.create_slot(witness, "test_decoding")
    path = os.path.join(t.tmp, "changes.jsonl")
    rotated = path + ".1"
    script = t.script("file.lua", SCRIPT)
    args = ["-S", slot, "--start", "--publication", "pub", "-s", "1",
            "--set", f"path={path}"]

    def wait_lines(proc, p, n, what):
        def enough():
            if proc.proc.poll() is not None:
                harness.fail(f"walhook exited\n{proc.describe()}")
            return len(file_ids(p)) >= n
        try:
            harness.wait_for(enough, 15, what, 0.05)
        except harness.TestFailure as e:
            harness.fail(f"{e}\n{proc.describe()}")

    # --- 1. stream, kill -9 mid-stream -------------------------------------
    wh = t.start(*args, script=script)
    work = harness.PipedWorkload(t.db, insert_tx, limit=TOTAL, pace=0.01)
    work.start()
    wait_lines(wh, path, 100, "100 rows in the file")
    # The slot hears of positions in status updates (-s 1): let it get some.
    harness.wait_slot_confirmed(t, slot, witness_transactions(t, witness)[30][0], 10, wh)
    wh.send(signal.SIGKILL)
    wh.wait(5)
    t.check(work.is_alive(), "the workload ended before the kill: not mid-stream")
    confirmed = t.confirmed(slot)
    in_file = set(file_ids(path))
    done = [(end, ids) for end, ids in witness_transactions(t, witness)
            if end <= confirmed]
    missing = sorted(i for _, ids in done for i in ids if i not in in_file)
    t.eq(missing, [], f"rows of transactions up to the confirmed "
                      f"{harness.format_lsn(confirmed)} missing from the file after the kill")
    print(f"killed with {len(in_file)} rows in the file; the slot confirms "
          f"{len(done)} transactions ({2 * len(done)} rows)")

    # --- 2. restart; rotate the file under it ------------------------------
    wh = t.start(*args, script=script)
    wait_lines(wh, path, len(in_file) + 100, "100 more rows after the restart")
    os.rename(path, rotated)
    wh.send(signal.SIGHUP)
    wait_lines(wh, path, 20, "rows in a new file at the path after SIGHUP")
    t.check(work.is_alive(), "the workload ended before the rotation")

    # --- 3. the end ------------------------------------------------------------
    work.join(60)
    work.finish()
    t.eq(work.sent, TOTAL, "workload transactions sent")
    txs = witness_transactions(t, witness)
    t.eq(len(txs), TOTAL, "transactions the witness saw")
    harness.wait_slot_confirmed(t, slot, txs[-1][0], 20, wh)
    t.eq(wh.stop(signal.SIGTERM), 0, "exit status after SIGTERM\n" + wh.describe())

    old, new = file_ids(rotated), file_ids(path)
    got = old + new
    expected = list(range(1, 2 * TOTAL + 1))
    t.eq(sorted(set(got)), expected, "rows in the two files (each at least once)")
    seen, twice = set(), set()
    for i in got:
        (twice if i in seen else seen).add(i)
    replayed = {i for end, ids in txs if end > confirmed for i in ids}
    t.eq(sorted(twice - replayed), [],
         "rows written twice although their transaction was confirmed before the kill")
    t.check(new and min(new) > max(in_file),
            "the new file does not start after what was there at the kill")
    print(f"{len(old)} lines before the rotation, {len(new)} after; "
          f"{len(twice)} rows replayed after the kill")

    # --- 4. a device for a file --------------------------------------------------
    fixture = t.script("one.jsonl", '{"op":"insert","schema":"public",'
                       '"table":"t","relid":1,"key":["id"],"lsn":"0/1",'
                       '"xid":5,"new":{"id":1}}\n')
    res = subprocess.run([t.walhook_path, "--replay", fixture, "--set",
                          "path=/dev/null", script], capture_output=True,
                         text=True, timeout=60)
    t.eq((res.returncode, res.stderr), (0, ""), "a file sink at /dev/null")


harness.run("sink_file", main)
