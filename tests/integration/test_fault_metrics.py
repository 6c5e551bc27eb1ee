#!/usr/bin/env python3
"""--metrics-port, -v's progress line and walhook.stats() agree with what
happened: changes by op, transactions, the confirmed LSN (equal to the
slot's confirmed_flush_lsn once the workload is confirmed), lag."""

import json
import re
import signal
import time
import urllib.request

import harness

STATS = r'''
local path = walhook.vars.stats_file
function handle_change(c)
  return false   -- count, print nothing
end
function terminate(reason)
  local f = assert(io.open(path, "w"))
  local s = walhook.stats()
  f:write(walhook.json.encode({reason = reason, inserts = s.inserts,
    updates = s.updates, deletes = s.deletes, transactions = s.transactions,
    changes = s.changes, confirmed_lsn = s.confirmed_lsn,
    lag_bytes = s.lag_bytes}))
  f:close()
end
'''

LINE = re.compile(r'^([a-z_]+)(?:\{([^}]*)\})? (\S+)$')


def scrape(port):
    """{(name, (("label", "value"), ...)): number} from the endpoint."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        status = r.status
        body = r.read().decode()
    if status != 200:
        harness.fail(f"metrics endpoint answered {status}")
    out = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            harness.fail(f"not a metrics line: {line!r}")
        labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")))
        out[(m.group(1), labels)] = int(m.group(3))
    return out


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_fault_metrics_slot"
    t.create_slot(slot)
    port = harness.free_port()
    stats_file = f"{t.tmp}/stats.json"
    script = t.script("stats.lua", STATS)
    started = time.monotonic()
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1", "-v",
                 "--metrics-port", str(port), "--set", f"stats_file={stats_file}",
                 script=script)

    def metrics():
        if wh.proc.poll() is not None:
            harness.fail("walhook exited\n" + wh.describe())
        try:
            return scrape(port)
        except OSError:
            return None  # not listening yet
    first = harness.wait_for(metrics, 10, f"the metrics endpoint on port {port}", 0.1)
    lab = (("slot", slot),)
    for op in ("insert", "update", "delete", "truncate", "message"):
        t.eq(first.get(("walhook_changes_total", (("op", op), ("slot", slot)))), 0,
             f"walhook_changes_total op={op} before any change")

    # 30 transactions: 20 single inserts, 5 of 4 inserts, 3 updating 2 rows,
    # 2 deleting one row: 40 inserts, 6 updates, 2 deletes.
    def row(i):
        return f"({i}, 'r{i}')"
    sql = "".join(f"INSERT INTO test_rep VALUES {row(i)};\n" for i in range(1, 21))
    for k in range(5):
        rows = ", ".join(row(i) for i in range(21 + 4 * k, 25 + 4 * k))
        sql += f"INSERT INTO test_rep VALUES {rows};\n"
    for k in range(3):
        sql += f"UPDATE test_rep SET name = 'u' WHERE id IN ({2 * k + 1}, {2 * k + 2});\n"
    sql += "DELETE FROM test_rep WHERE id = 40;\nDELETE FROM test_rep WHERE id = 39;\n"
    t.psql(sql)
    end = t.current_lsn()

    def all_transactions():
        m = metrics()
        return m if m and m.get(("walhook_transactions_total", lab)) == 30 else None
    try:
        got = harness.wait_for(all_transactions, 15, "walhook_transactions_total to reach 30",
                               0.05)
    except harness.TestFailure as e:
        harness.fail(f"{e}: last scrape {metrics()}\n{wh.describe()}")
    changes = {op: got.get(("walhook_changes_total", (("op", op), ("slot", slot))))
               for op in ("insert", "update", "delete", "truncate", "message")}
    t.eq(changes, {"insert": 40, "update": 6, "delete": 2, "truncate": 0, "message": 0},
         "walhook_changes_total by op")
    t.check(("walhook_lag_bytes", lab) in got, f"no walhook_lag_bytes in {sorted(got)}")
    t.check(got.get(("walhook_received_bytes_total", lab), 0) > 0, "no bytes received")
    t.eq(got.get(("walhook_reconnects_total", lab)), 0, "walhook_reconnects_total")

    # The confirmed LSN: the slot gets to the workload's end, and then the
    # metric and the slot agree (read together, as other databases may
    # move the WAL and so an idle walhook's position).
    harness.wait_slot_confirmed(t, slot, end, 15, wh)

    def agree():
        m = metrics()
        info = t.slot(slot)
        if m and info and m.get(("walhook_confirmed_lsn", lab)) == info["confirmed_flush_lsn"]:
            return m
        return None
    try:
        final = harness.wait_for(agree, 10, "walhook_confirmed_lsn to equal the slot's"
                                 " confirmed_flush_lsn", 0.05)
    except harness.TestFailure as e:
        m = metrics() or {}
        harness.fail(f"{e}: metric {m.get(('walhook_confirmed_lsn', lab))}, slot "
                     f"{t.slot(slot)['confirmed_flush_lsn']}")
    t.check(final[("walhook_confirmed_lsn", lab)] >= end, "confirmed LSN before the end")
    t.eq(final.get(("walhook_lag_bytes", lab)),
         max(0, final[("walhook_server_wal_end_lsn", lab)] - final[("walhook_confirmed_lsn", lab)]),
         "walhook_lag_bytes = server WAL end - confirmed")

    # -v: a progress line within ~6 s of the start, with the count.
    progress = re.compile(r"^walhook: (\d+) changes, \S+/s, lag \S+ MB, confirmed [0-9A-F]+/[0-9A-F]+$",
                          re.M)
    try:
        harness.wait_for(lambda: progress.search(wh.stderr), max(0.5, started + 8 - time.monotonic()),
                         "a progress line (-v) within 8 s of the start")
    except harness.TestFailure as e:
        harness.fail(f"{e}\n{wh.describe()}")
    def counted_all():
        counts = progress.findall(wh.stderr)
        return counts if counts and int(counts[-1]) == 48 else None
    last_progress = harness.wait_for(counted_all, 8, "a progress line counting all 48 changes")
    print(f"progress lines: {len(last_progress)}; metrics confirmed "
          f"{harness.format_lsn(final[('walhook_confirmed_lsn', lab)])}")

    t.eq(wh.stop(signal.SIGTERM), 0, "exit status after SIGTERM\n" + wh.describe())
    with open(stats_file) as f:
        stats = json.load(f)
    t.eq({k: stats.get(k) for k in ("reason", "inserts", "updates", "deletes",
                                    "transactions", "changes")},
         {"reason": "stop", "inserts": 40, "updates": 6, "deletes": 2,
          "transactions": 30, "changes": 48},
         "walhook.stats() in terminate")
    t.check(harness.parse_lsn(stats["confirmed_lsn"]) >= final[("walhook_confirmed_lsn", lab)],
            f"walhook.stats().confirmed_lsn {stats['confirmed_lsn']} is before the metric's")
    t.check(isinstance(stats.get("lag_bytes"), int), f"walhook.stats().lag_bytes: {stats}")


harness.run("fault_metrics", main)
