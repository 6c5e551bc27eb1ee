#!/usr/bin/env python3
"""A 300,000-row transaction goes through in flat memory: streamed
(spooled to a temporary file past its memory bound, then handed over at
Stream Commit) and not streamed (handed over as it arrives), each under
64 MB of peak resident memory, every row delivered."""

import os
import subprocess

import harness

ROWS = 300000
LIMIT_KIB = 64 * 1024


def drain(t, slot, extra, conninfo):
    """Runs walhook to the end position; returns (rows seen, peak RSS KiB),
    both as the script's terminate() prints them."""
    argv = [t.walhook_path, "-d", conninfo, "-S", slot, "--start",
            "--publication", "pub", "-E", t.endpos, *extra,
            t.script("count.lua", COUNT)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    t.eq(proc.returncode, 0, f"walhook exit ({err.decode(errors='replace')})")
    lines = out.decode().split("\n")
    rows = int(lines[0])
    peak = int(lines[1])
    return rows, peak


# Counts rows and reports walhook's own peak RSS (from /proc) at the end.
COUNT = r'''
local n = 0
function handle_change(c) n = n + 1 return false end
function terminate()
  local peak = 0
  for line in io.lines("/proc/self/status") do
    local v = line:match("^VmHWM:%s+(%d+)")
    if v then peak = tonumber(v) end
  end
  print(n)
  print(peak)
end
'''


def main(t):
    t.psql("""
        CREATE TABLE big (id int PRIMARY KEY, pad text);
        CREATE PUBLICATION pub FOR TABLE big;
    """)
    t.create_slot("wh_memory_streamed")
    t.create_slot("wh_memory_whole")
    t.psql(f"INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, {ROWS}) g")
    t.endpos = t.stop_mark("INSERT INTO big VALUES (0, 'past the end')")

    # A sanitizer build's shadow memory makes its peak meaningless here.
    check_memory = not os.environ.get("WALHOOK_SANITIZER")
    if not check_memory:
        print("a sanitizer build: rows checked, memory not")
    streamed = f"dbname={t.db} options='-c logical_decoding_work_mem=64kB'"
    rows, peak = drain(t, "wh_memory_streamed", ["-o", "streaming=on"], streamed)
    t.eq(rows, ROWS, "rows of the streamed transaction")
    t.check(not check_memory or peak < LIMIT_KIB,
            f"streamed: peak RSS {peak} KiB is not under {LIMIT_KIB}")
    print(f"streamed: {rows} rows, peak RSS {peak // 1024} MiB")

    rows, peak = drain(t, "wh_memory_whole", [], f"dbname={t.db}")
    t.eq(rows, ROWS, "rows of the transaction sent whole")
    t.check(not check_memory or peak < LIMIT_KIB,
            f"whole: peak RSS {peak} KiB is not under {LIMIT_KIB}")
    print(f"not streamed: {rows} rows, peak RSS {peak // 1024} MiB")


harness.run("memory_flat", main)
