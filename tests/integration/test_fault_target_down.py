#!/usr/bin/env python3
"""The postgres sink's target down for a while: walhook notices, rolls its
batch back, reconnects with backoff, and once the target is back resumes
from the confirmed position: every committed row arrives exactly once, and
while the target was down the slot confirmed nothing the target did not
commit."""

import os
import re
import subprocess
import urllib.request

import harness

ROWS = 60


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_fault_target_down_slot"
    t.create_slot(slot)
    target = harness.Sandbox("target_down").start()
    try:
        run(t, slot, target)
    finally:
        target.stop()


def run(t, slot, target):
    def on_target(sql):
        res = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                              "-d", "postgres", "-c", sql], env={**os.environ, **target.env},
                             capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            harness.fail(f"psql on the target failed: {res.stderr}")
        return res.stdout.strip()

    def rows_on_target():
        count, total, distinct = on_target(
            "SELECT count(*), coalesce(sum(id), 0), count(DISTINCT id) FROM test_rep").split("|")
        return int(count), int(total), int(distinct)

    on_target("CREATE TABLE test_rep (id int PRIMARY KEY, name text);"
              "CREATE TABLE test_rep_other (id int PRIMARY KEY, name text)")
    conninfo = (f"host={target.env['PGHOST']} port={target.env['PGPORT']} "
                f"user={target.env['PGUSER']} dbname=postgres")
    script = t.script("apply.lua", r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target, batch_transactions = 1 }
function handle_change(c) target:write(c) return false end
''')
    port = harness.free_port()
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1",
                 "--metrics-port", str(port), "--set", f"target={conninfo}", script=script)
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'before');\n" for i in range(1, 21)))
    harness.wait_for(lambda: rows_on_target()[0] == 20, 30, "the first 20 rows on the target")

    target.pg_ctl("-w", "stop", "-m", "fast")
    before_down_rows = t.current_lsn()
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'while down');\n" for i in range(21, 41)))
    harness.wait_for(lambda: "reconnecting" in wh.stderr, 30,
                     "walhook to notice that the target is down")
    confirmed_while_down = t.slot(slot)["confirmed_flush_lsn"]
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    t.check(re.search(r'^walhook_sink_errors_total\{[^}]*\} [1-9]', metrics, re.M),
            "walhook_sink_errors_total counts the target's failure\n" + metrics)
    t.check(confirmed_while_down <= before_down_rows,
            f"while the target was down the slot went to "
            f"{harness.format_lsn(confirmed_while_down)}, past "
            f"{harness.format_lsn(before_down_rows)}, before the rows it could not take")

    target.pg_ctl("-w", "-l", target.log, "start")
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'after');\n" for i in range(41, ROWS + 1)))
    harness.wait_for(lambda: rows_on_target()[0] == ROWS, 90, f"all {ROWS} rows on the target")
    end = t.current_lsn()
    harness.wait_for(lambda: t.slot(slot)["confirmed_flush_lsn"] >= end, 30,
                     "the slot to confirm the end")
    wh.stop()
    t.eq(wh.returncode, 0, "walhook's exit after SIGTERM\n" + wh.describe())
    t.eq(rows_on_target(), (ROWS, ROWS * (ROWS + 1) // 2, ROWS),
         "rows on the target (count, sum of ids, distinct ids): each exactly once")


harness.run("fault_target_down", main)
