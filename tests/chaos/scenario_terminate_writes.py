#!/usr/bin/env python3
"""Writes made in terminate() to a file sink.

A script writes every change to a file sink and, in terminate(reason), one
more line {op = "terminate", reason = reason}. walhook streams a few
transactions and stops, once by -E (reason "stop") and once by SIGTERM
(reason "stop"). After each stop the file must hold every change and then
the terminate line. (Observed: the terminate line is lost: the sinks are
flushed before terminate() runs and never after.)"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402
import harness  # noqa: E402
import oracle  # noqa: E402

SCRIPT = r'''
local walhook = require "walhook"
local file = walhook.sink.file{ path = walhook.vars.file }
function handle_change(c) file:write(c) return false end
function terminate(reason) file:write({ op = "terminate", reason = reason }) end
'''


def read(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def main():
    chaos.skip_without_postgres()
    walhook = chaos.walhook_path()
    chaos.prepare_process()
    tmp = tempfile.mkdtemp(prefix="walhook-chaos-terminate-")
    os.chmod(tmp, 0o755)
    src = chaos.Cluster("chaos-term").start()
    problems = []
    try:
        db = "chaos_term"
        src.sql(f"CREATE DATABASE {db}")
        src.sql("CREATE TABLE acct (id int PRIMARY KEY, v bigint, note text);"
                " CREATE PUBLICATION pub FOR TABLE acct", db)
        src.sql("SELECT pg_create_logical_replication_slot('term_slot', 'pgoutput')", db)
        script = os.path.join(tmp, "terminate.lua")
        with open(script, "w") as f:
            f.write(SCRIPT)
        base = [walhook, "-d", src.conninfo(db), "-S", "term_slot", "--start",
                "--publication", "pub", "-s", "1"]

        # 1. stopped by -E
        for i in range(1, 6):
            src.sql(f"INSERT INTO acct VALUES ({i}, {i}, 'e')", db)
        end = src.wal_lsn()
        src.sql("INSERT INTO acct VALUES (100, 100, 'past the end')", db)
        out1 = os.path.join(tmp, "endpos.jsonl")
        argv = base + ["-E", oracle.format_lsn(end), "--set", f"file={out1}", script]
        res = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        check("-E", argv, res.returncode, res.stderr.decode(errors="replace"), read(out1),
              [1, 2, 3, 4, 5], problems)

        # 2. stopped by SIGTERM once everything is confirmed
        out2 = os.path.join(tmp, "sigterm.jsonl")
        argv = base + ["--set", f"file={out2}", script]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        for i in range(6, 9):
            src.sql(f"INSERT INTO acct VALUES ({i}, {i}, 't')", db)
        target = src.wal_lsn()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = src.slot_info("term_slot")
            if info and info[1] >= target:
                break
            time.sleep(0.05)
        else:
            problems.append("SIGTERM: the slot never reached the last insert")
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        check("SIGTERM", argv, rc, proc.stderr.read().decode(errors="replace"), read(out2),
              [100, 6, 7, 8], problems)
    finally:
        src.destroy()
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    if problems:
        print("FAIL scenario terminate_writes")
        print(f"replay: WALHOOK={walhook} {os.path.join(chaos.REPO, 'scripts', 'chaos')}"
              " scenario terminate_writes")
        for p in problems:
            print("  " + p)
        print("chaos scenario terminate_writes: FAIL")
        sys.exit(1)
    print("chaos scenario terminate_writes: PASS")


def check(how, argv, rc, err, lines, ids, problems):
    got_ids = [l["new"]["id"] for l in lines if l.get("op") == "insert"]
    last = lines[-1] if lines else None
    print(f"{how}: exit {rc}, {len(got_ids)} changes in the file, last line {last}")
    if rc != 0:
        problems.append(f"{how}: exit {rc} (expected 0): {err.strip()[-800:]}")
    if got_ids != ids:
        problems.append(f"{how}: changes in the file {got_ids}, expected {ids}")
    if last != {"op": "terminate", "reason": "stop"}:
        problems.append(f"{how}: the line written in terminate(\"stop\") is not the file's"
                        f" last line (last line: {last}); command: {' '.join(argv)}")


main()
