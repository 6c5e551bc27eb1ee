#!/usr/bin/env python3
"""Payloads asked for raw (--raw: handle_data gets every payload as the
plugin wrote it, undecoded; here decoderbufs' binary protobuf, NUL bytes
and all), which handle_data writes one line each to a file sink. walhook
runs with -E to a position past a few transactions.

Expected: exit 0, one file line for every payload handle_data saw (counted
on stderr through walhook.log), and the slot confirmed at least to the last
payload handled. (Observed once: payloads handled, 0 lines in the file,
exit 0, and the slot's confirmed position never moved: the raw path
confirmed without flushing the sinks, and its confirmations never reached
the server.)

Needs Debian's postgresql-15-decoderbufs (scripts/setup installs it);
skipped (77) without it."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402
import harness  # noqa: E402
import oracle  # noqa: E402

PLUGIN = "decoderbufs"

SCRIPT = r'''
local walhook = require "walhook"
local file = walhook.sink.file{ path = walhook.vars.file }
function handle_data(data, lsn)
  file:write({ lsn = lsn, bytes = #data })
  walhook.log("payload", lsn, #data)
end
'''


def main():
    chaos.skip_without_postgres()
    if not os.path.exists(os.path.join(harness.PGBIN, "..", "lib", PLUGIN + ".so")):
        print(f"SKIP: the {PLUGIN} output plugin is not installed"
              " (apt-get install postgresql-15-decoderbufs, or scripts/setup)")
        sys.exit(chaos.SKIP)
    walhook = chaos.walhook_path()
    chaos.prepare_process()
    import tempfile
    tmp = tempfile.mkdtemp(prefix="walhook-chaos-raw-")
    os.chmod(tmp, 0o755)
    src = chaos.Cluster("chaos-raw").start()
    problems = []
    try:
        db = "chaos_raw"
        src.sql(f"CREATE DATABASE {db}")
        src.sql("CREATE TABLE acct (id int PRIMARY KEY, v bigint, note text)", db)
        src.sql(f"SELECT pg_create_logical_replication_slot('raw_slot', '{PLUGIN}')", db)
        start = oracle.parse_lsn(src.sql(
            "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'raw_slot'"))
        for i in range(1, 4):
            src.sql(f"INSERT INTO acct VALUES ({i}, {i}, 'raw {i}')", db)
        end = src.wal_lsn()
        src.sql("INSERT INTO acct VALUES (100, 100, 'past the end')", db)
        script = os.path.join(tmp, "raw.lua")
        with open(script, "w") as f:
            f.write(SCRIPT)
        out = os.path.join(tmp, "payloads.jsonl")
        argv = [walhook, "-d", src.conninfo(db), "-S", "raw_slot", "--start", "--raw",
                "-E", oracle.format_lsn(end), "-s", "1", "--set", f"file={out}", script]
        res = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        err = res.stderr.decode(errors="replace")
        handled = re.findall(r"payload\s+([0-9A-F]+/[0-9A-F]+)\s+(\d+)", err)
        try:
            with open(out) as f:
                lines = [l for l in f if l.strip()]
        except FileNotFoundError:
            lines = []
        confirmed = oracle.parse_lsn(src.sql(
            "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'raw_slot'"))
        print(f"{len(handled)} payloads handled, {len(lines)} lines in the file, exit"
              f" {res.returncode}, slot confirmed {oracle.format_lsn(start)} ->"
              f" {oracle.format_lsn(confirmed)}")
        if not handled:
            problems.append(f"handle_data saw no payload; stderr:\n{err.strip()[-1500:]}")
        if res.returncode != 0:
            problems.append(f"exit {res.returncode} (expected 0); stderr:\n{err.strip()[-1500:]}")
        if len(lines) != len(handled):
            problems.append(f"{len(handled)} payloads handled but {len(lines)} lines in the"
                            " file sink")
        if handled:
            last = max(oracle.parse_lsn(l) for l, _ in handled)
            if confirmed < last:
                problems.append(f"the slot is confirmed to {oracle.format_lsn(confirmed)},"
                                f" before the last payload handled {oracle.format_lsn(last)}"
                                f" (it was created at {oracle.format_lsn(start)})")
        if problems:
            problems.append(f"command: {' '.join(argv)}")
    finally:
        src.destroy()
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    if problems:
        print("FAIL scenario raw_plugin")
        print(f"replay: WALHOOK={walhook} {os.path.join(chaos.REPO, 'scripts', 'chaos')}"
              " scenario raw_plugin")
        for p in problems:
            print("  " + p)
        print("chaos scenario raw_plugin: FAIL")
        sys.exit(1)
    print("chaos scenario raw_plugin: PASS")


main()
