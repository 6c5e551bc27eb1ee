#!/usr/bin/env python3
"""SIGTERM stops walhook even when it is stuck: a sink whose target does
not take the batch (an exec process that never reads, an HTTP endpoint
that never answers, a target table locked by another session) or a hook
in an endless loop. Each is given the stop's grace (2 s), then ended:
walhook exits 1 with a line that says it stopped, and the slot is not
confirmed past the transaction that was stuck, so the next run gets it
again. The time each stop took is printed; the deadline on the wait is
only there so that a hang fails the test instead of the suite."""

import os
import socket
import subprocess
import threading
import time

import harness

STUCK = {
    "exec": r'''
local s = walhook.sink.exec{ command = "sleep 600", batch_transactions = 1 }
function handle_change(c)
  walhook.log("writing")
  s:write(c)
  return false
end
''',
    "http": r'''
local s = walhook.sink.http{ url = walhook.vars.url, timeout = 600, retries = 0,
                             batch_transactions = 1 }
function handle_change(c)
  walhook.log("writing")
  s:write(c)
  return false
end
''',
    "postgres": r'''
local s = walhook.sink.postgres{ conninfo = walhook.vars.target, batch_transactions = 1 }
function handle_change(c)
  walhook.log("writing")
  s:write(c)
  return false
end
''',
    "loop": r'''
function handle_change(c)
  walhook.log("writing")
  while true do end
end
''',
}


class Silent(threading.Thread):
    """An HTTP endpoint that accepts, reads, and never answers."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)


def stop_stuck(t, kind, n, slot, extra):
    script = t.script(f"{kind}.lua", STUCK[kind])
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1", *extra,
                 script=script)
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 20,
                     f"walhook ({kind}) to stream")
    t.psql(f"INSERT INTO test_rep VALUES ({n}, '{kind}')")
    harness.wait_for(lambda: "writing" in wh.stderr, 20,
                     f"the {kind} hook to run\n{wh.describe()}")
    time.sleep(0.5)  # let it get stuck for real: a slow stop is what is tested
    started = time.monotonic()
    rc = wh.stop(timeout=30)
    took = time.monotonic() - started
    print(f"{kind}: stopped in {took:.1f} s")
    print(wh.stderr)
    t.eq(rc, 1, f"exit status of a stop that gave up on the {kind}\n{wh.describe()}")
    t.check("stopped" in wh.stderr, f"the {kind} stop says why\n{wh.describe()}")
    # Nothing of the stuck transaction was confirmed: the next run gets it.
    mark = t.stop_mark(f"INSERT INTO test_rep_other VALUES ({n}, 'mark')")
    again = t.run("-S", slot, "--start", "--publication", "pub", "-E", mark)
    t.expect_exit(again, 0)
    got = [r["new"]["id"] for r in again.records() if r.get("table") == "test_rep"]
    t.check(n in got, f"the row stuck in the {kind} came again:"
            f" {got}\n{again.describe()}")


class Locker:
    """A session of its own holding a lock until release()."""

    def __init__(self, db, lock_sql):
        self.psql = subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            env={**os.environ, "PGAPPNAME": "walhook_locker"})
        self.psql.stdin.write(f"BEGIN;\n{lock_sql};\n")
        self.psql.stdin.flush()

    def wait_held(self, t, db):
        harness.wait_for(lambda: t.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
            " 'walhook_locker' AND state = 'idle in transaction'") == "1",
            20, "the lock to be held")

    def release(self):
        try:
            self.psql.stdin.write("ROLLBACK;\n")
            self.psql.stdin.close()
        except BrokenPipeError:
            pass
        self.psql.wait(30)


def main(t):
    t.psql(harness.TWO_TABLES)
    for n, kind in enumerate(("exec", "http", "loop", "postgres"), 1):
        slot = f"wh_stop_{kind}"
        t.create_slot(slot)
        extra = []
        if kind == "http":
            silent = Silent()
            silent.start()
            extra = ["--set", f"url=http://127.0.0.1:{silent.port}/in"]
        if kind == "postgres":
            target = f"{t.db}_target"
            t.psql(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)", db="postgres")
            t.psql(f"CREATE DATABASE {target}", db="postgres")
            t.psql("CREATE TABLE test_rep (id int PRIMARY KEY, name text)", db=target)
            locker = Locker(target, "LOCK TABLE test_rep IN ACCESS EXCLUSIVE MODE")
            locker.wait_held(t, target)
            extra = ["--set", f"target=dbname={target}"]
        try:
            stop_stuck(t, kind, n, slot, extra)
        finally:
            if kind == "postgres":
                locker.release()
                t.psql(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)", db="postgres")
            t.psql(f"SELECT pg_drop_replication_slot('{slot}')")


harness.run("stop_blocked", main)
