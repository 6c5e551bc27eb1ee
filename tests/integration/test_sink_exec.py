#!/usr/bin/env python3
"""walhook.sink.exec: changes as JSON lines into a process's stdin.

1. command = "cat >> FILE": every change (insert, update, delete,
   truncate) arrives once, in order, as the JSON walhook writes; exit 0 at
   -E, the slot confirmed to the last transaction.
2. command = "exit 3", a process that takes nothing: walhook exits 1 with a
   message naming the sink and the process's exit status, and the slot
   stays before the first transaction written to it.
3. Processes that take a little and exit: "head -c 10 > /dev/null" (takes
   10 bytes, exits 0) and a shell that reads exactly two lines and exits
   3. walhook exits 1 naming the exit status, and the slot is confirmed no
   further than what the process took: before the end of the first
   transaction whose lines it did not all read (the first one for head,
   the third for the shell)."""

import json
import os
import threading

import harness

SCRIPT = r'''
local out = walhook.sink.exec{ command = walhook.vars.command }

function handle_change(c)
  out:write(c)
  return false
end

function handle_truncate(t)
  out:write(t)
end

-- Only so that the test knows where transactions end.
function handle_commit(tx)
  print(walhook.json.encode({end_lsn = tx.end_lsn}))
  io.stdout:flush()
end
'''


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_sink_exec_slot"
    t.create_slot(slot)
    script = t.script("exec.lua", SCRIPT)
    stream = ["-S", slot, "--start", "--publication", "pub"]

    # --- 1. cat >> FILE ------------------------------------------------------
    t.psql("""
        INSERT INTO test_rep VALUES (1, 'one'), (2, NULL);
        UPDATE test_rep SET name = 'uno' WHERE id = 1;
        UPDATE test_rep SET id = 3 WHERE id = 2;
        DELETE FROM test_rep WHERE id = 1;
        INSERT INTO test_rep_other VALUES (7, 'say "hi"\n');
        TRUNCATE test_rep_other;
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")
    out = os.path.join(t.tmp, "out.jsonl")
    wh = t.run(*stream, "-E", endpos, "--set", f"command=cat >> '{out}'", script=script)
    t.expect_exit(wh, 0)
    got = [{k: r.get(k) for k in ("op", "table", "new", "old")} for r in read_jsonl(out)]
    for r in got:
        if r["op"] == "truncate":
            r["table"] = None
    t.eq(got, [
        {"op": "insert", "table": "test_rep", "new": {"id": 1, "name": "one"}, "old": None},
        {"op": "insert", "table": "test_rep", "new": {"id": 2, "name": None}, "old": None},
        {"op": "update", "table": "test_rep", "new": {"id": 1, "name": "uno"}, "old": None},
        {"op": "update", "table": "test_rep", "new": {"id": 3, "name": None}, "old": {"id": 2}},
        {"op": "delete", "table": "test_rep", "new": None, "old": {"id": 1}},
        {"op": "insert", "table": "test_rep_other", "new": {"id": 7, "name": 'say "hi"\n'},
         "old": None},
        {"op": "truncate", "table": None, "new": None, "old": None},
    ], "the JSON lines cat received")
    trunc = read_jsonl(out)[-1]
    t.eq([(r["schema"], r["table"]) for r in trunc.get("relations", [])],
         [("public", "test_rep_other")], "the truncate's relations")
    ends = [harness.parse_lsn(r["end_lsn"]) for r in wh.records()]
    harness.check_confirmed(t.confirmed(slot), ends[-1])

    # --- 2. a process that takes nothing ----------------------------------
    acknowledged = t.confirmed(slot)
    t.psql("INSERT INTO test_rep VALUES (100, 'row 100')")
    # The end of the first transaction nothing took: the WAL position
    # right after its commit.
    first = t.current_lsn()
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'row {i}');\n" for i in range(101, 105)))
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (1000, 'after the end')")
    wh = t.run(*stream, "-E", endpos, "--set", "command=exit 3", script=script)
    t.expect_exit(wh, 1)
    t.check("sink exec exit 3" in wh.stderr and "exited with status 3" in wh.stderr,
            "the error does not name the sink and the exit status\n" + wh.describe())
    confirmed = t.confirmed(slot)
    t.check(confirmed < first,
            f"the slot is at {harness.format_lsn(confirmed)}, past the end "
            f"{harness.format_lsn(first)} of the first transaction that nothing took\n"
            + wh.describe())
    t.check(confirmed >= acknowledged, "the slot went back")

    # --- 3. processes that take a little and exit ---------------------------
    # Transactions 100..104 (one row each) are still to deliver. While walhook
    # runs, one more transaction every 0.2 s, so that it has something to
    # write after the process is gone.
    taken = os.path.join(t.tmp, "taken.jsonl")
    cases = [
        ("head -c 10 > /dev/null", 0, None),
        (f"read -r a; read -r b; printf '%s\\n%s\\n' \"$a\" \"$b\" > '{taken}'; exit 3", 3, 2),
    ]
    next_id = [2000]
    for command, status, lines in cases:
        wh = t.start(*stream, "--set", f"command={command}", script=script)
        stop = threading.Event()

        def feed():
            while not stop.wait(0.2) and wh.proc.poll() is None:
                next_id[0] += 1
                t.psql(f"INSERT INTO test_rep VALUES ({next_id[0]}, 'more')")
        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        try:
            wh.wait(15)
        finally:
            stop.set()
            feeder.join(5)
        t.expect_exit(wh, 1)
        t.check(f"exited with status {status}" in wh.stderr,
                f"[{command}] the error does not give the exit status {status}\n"
                + wh.describe())
        if lines is not None:
            t.eq(len(read_jsonl(taken)), lines, f"[{command}] lines the process read")
        # Each transaction here is one row, one line: the process took the
        # first `whole` transactions, and the slot must stay before the end
        # of the next one.
        whole = lines or 0
        ends = [harness.parse_lsn(r["end_lsn"]) for r in wh.records()]
        t.check(len(ends) > whole, f"[{command}] too few transactions handled\n"
                + wh.describe())
        confirmed = t.confirmed(slot)
        t.check(confirmed < ends[whole],
                f"[{command}] the process took {'10 bytes' if lines is None else f'{lines} lines'} "
                f"and exited, yet the slot is confirmed to {harness.format_lsn(confirmed)}, at or "
                f"past the end {harness.format_lsn(ends[whole])} of transaction {whole + 1} "
                f"({len(ends)} transactions handled): lines it never read are lost\n"
                + wh.describe())


harness.run("sink_exec", main)
