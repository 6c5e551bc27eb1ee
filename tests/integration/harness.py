"""Shared helpers for walhook's integration tests (Python 3 stdlib only).

Each test is a standalone program:

    import harness

    def main(t):
        t.psql("CREATE TABLE ...")
        ...
        t.eq(actual, expected, "what is compared")

    harness.run("name", main)

`run` skips (exit 77) when PGHOST/PGPORT are unset, gives the test a fresh
database `wh_<name>`, turns a failed check into a clear message and exit 1,
and cleans up (slots, database, walhook processes, temp files).

The server is reached through the usual libpq variables (PGHOST, PGPORT,
PGUSER), for psql and walhook alike; scripts/sandbox writes them. The
walhook binary is $WALHOOK.

Synchronisation is always by polling a condition under a deadline
(`wait_for`), never by a bare sleep.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77

# Default deadline for one walhook run, in seconds. Every test stays well
# under meson's 120 s timeout.
RUN_TIMEOUT = 20


class TestFailure(Exception):
    """A check failed; the message says what was expected and what came."""


def fail(message):
    raise TestFailure(message)


# --- LSNs ------------------------------------------------------------------

def parse_lsn(text):
    """'16/B374D848' -> integer; fails on anything else."""
    if not isinstance(text, str) or text.count("/") != 1:
        fail(f"not an LSN: {text!r}")
    hi, lo = text.split("/")
    try:
        return (int(hi, 16) << 32) | int(lo, 16)
    except ValueError:
        fail(f"not an LSN: {text!r}")


def format_lsn(value):
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


# --- waiting ---------------------------------------------------------------

def wait_for(condition, timeout, what, interval=0.02):
    """Poll condition() until it returns something truthy; return that.
    Fail with `what` once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- a walhook process -----------------------------------------------------

class Walhook:
    """A running walhook. stdout lines and stderr text are collected by
    reader threads, so a test can look at them while it runs."""

    def __init__(self, argv, env=None):
        self.argv = argv
        self.returncode = None
        self._lock = threading.Lock()
        self._lines = []
        self._err = []
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env)
        self._threads = [
            threading.Thread(target=self._read_out, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for th in self._threads:
            th.start()

    def _read_out(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self._lines.append(line)

    def _read_err(self):
        for raw in self.proc.stderr:
            with self._lock:
                self._err.append(raw.decode("utf-8", "replace"))

    @property
    def lines(self):
        with self._lock:
            return list(self._lines)

    @property
    def stderr(self):
        with self._lock:
            return "".join(self._err)

    def describe(self):
        """The command, status and stderr, for failure messages."""
        err = self.stderr.strip()
        if len(err) > 3000:
            err = "...\n" + err[-3000:]
        code = self.proc.poll()
        status = "still running" if code is None else f"exit {code}"
        return (f"walhook command: {' '.join(self.argv)}\n"
                f"walhook status: {status}\n"
                f"walhook stderr:\n{err or '(empty)'}")

    def records(self):
        """stdout parsed as JSON lines (blank lines ignored)."""
        out = []
        for i, line in enumerate(self.lines, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                fail(f"stdout line {i} is not JSON ({e}): {line!r}\n"
                     + self.describe())
        return out

    def wait_records(self, condition, timeout, what):
        """Poll until condition(records) is truthy; return those records."""
        def ready():
            recs = self.records()
            return recs if condition(recs) else None
        try:
            return wait_for(ready, timeout, what)
        except TestFailure as e:
            fail(f"{e}\n{self.describe()}")

    def send(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout=RUN_TIMEOUT):
        """Wait for exit within `timeout` s; kill it and fail if it overruns."""
        overran = False
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            overran = True
            self.proc.kill()
            self.returncode = self.proc.wait()
        for th in self._threads:
            th.join(5)
        if overran:
            fail(f"walhook did not exit within {timeout} s\n" + self.describe())
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=10):
        self.send(sig)
        return self.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.returncode = self.proc.wait()


# --- one test --------------------------------------------------------------

class Test:
    def __init__(self, name):
        self.name = name
        self.db = f"wh_{name}"
        self.walhook_path = os.environ["WALHOOK"]
        self.examples = os.environ.get("LUA_EXAMPLES", "")
        self.tmp = tempfile.mkdtemp(prefix=f"walhook-{name}-")
        self.procs = []

    # -- SQL ------------------------------------------------------------

    def psql(self, sql, db=None):
        """Run SQL with psql (each statement autocommits unless the text has
        its own BEGIN/COMMIT); return stdout without the final newline.
        Rows come out as `a|b`, one per line."""
        cmd = ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
               "-d", db or self.db, "-f", "-"]
        res = subprocess.run(cmd, input=sql.encode(), capture_output=True,
                             timeout=60)
        if res.returncode != 0:
            fail(f"psql failed (exit {res.returncode}) on:\n{sql.strip()}\n"
                 f"{res.stderr.decode(errors='replace').strip()}")
        return res.stdout.decode().rstrip("\n")

    def rows(self, sql, db=None):
        out = self.psql(sql, db)
        return [line.split("|") for line in out.split("\n")] if out else []

    def scalar_in(self, db, sql):
        out = self.psql(sql, db=db)
        if "\n" in out:
            fail(f"expected one value from {sql!r}, got:\n{out}")
        return out

    def scalar(self, sql):
        out = self.psql(sql)
        if "\n" in out:
            fail(f"expected one value from {sql!r}, got:\n{out}")
        return out

    def current_lsn(self):
        return parse_lsn(self.scalar("SELECT pg_current_wal_lsn()"))

    def stop_mark(self, sql):
        """Return pg_current_wal_lsn() now, then run `sql` (which should
        make one more published change). walhook -E <that LSN> then has a
        record past its end position to stop at."""
        lsn = self.current_lsn()
        self.psql(sql)
        return format_lsn(lsn)

    def oid(self, table):
        return int(self.scalar(f"SELECT '{table}'::regclass::oid"))

    # -- slots ----------------------------------------------------------

    def create_slot(self, slot, plugin="pgoutput"):
        self.psql(f"SELECT pg_create_logical_replication_slot('{slot}', '{plugin}')")

    def slot(self, slot):
        """pg_replication_slots' row for `slot` as a dict, or None."""
        rows = self.rows(
            "SELECT slot_name, plugin, slot_type, database, temporary, active,"
            " confirmed_flush_lsn FROM pg_replication_slots"
            f" WHERE slot_name = '{slot}'")
        if not rows:
            return None
        name, plugin, kind, db, temp, active, confirmed = rows[0]
        return {"slot_name": name, "plugin": plugin, "slot_type": kind,
                "database": db, "temporary": temp == "t",
                "active": active == "t",
                "confirmed_flush_lsn": parse_lsn(confirmed) if confirmed else None}

    def wait_slot_ready(self, slot, proc, timeout=10):
        """Wait until `proc` (a walhook creating `slot` itself, e.g. with
        --temporary) has the slot at its consistent point: the row shows up
        as soon as creation starts, but only transactions that commit after
        confirmed_flush_lsn is set are sure to be decoded."""
        def ready():
            if proc.proc.poll() is not None:
                fail(f"walhook exited while creating slot {slot}\n{proc.describe()}")
            info = self.slot(slot)
            return info if info and info["confirmed_flush_lsn"] else None
        try:
            return wait_for(ready, timeout, f"slot {slot} to be ready")
        except TestFailure as e:
            fail(f"{e}\n{proc.describe()}")

    def require_slot(self, slot, proc=None):
        """The slot's row; fail (showing `proc`'s stderr) if it is missing."""
        info = self.slot(slot)
        if info is None:
            fail(f"slot {slot} does not exist" + (f"\n{proc.describe()}" if proc else ""))
        return info

    def confirmed(self, slot, timeout=10):
        """The slot's confirmed_flush_lsn, read once no walsender holds it
        (so that the last status update has surely been applied)."""
        def settled():
            info = self.slot(slot)
            if info is None:
                fail(f"slot {slot} does not exist")
            return None if info["active"] else info
        return wait_for(settled, timeout,
                        f"slot {slot} to become inactive")["confirmed_flush_lsn"]

    def _drop_slots(self):
        """Drop every slot of this test's database, ending its users."""
        def gone():
            rows = self.rows(
                "SELECT slot_name, active_pid FROM pg_replication_slots"
                f" WHERE database = '{self.db}'", db="postgres")
            for name, pid in rows:
                if pid:
                    self.psql(f"SELECT pg_terminate_backend({pid})", db="postgres")
                else:
                    self.psql("SELECT pg_drop_replication_slot(slot_name)"
                              " FROM pg_replication_slots"
                              f" WHERE slot_name = '{name}' AND NOT active",
                              db="postgres")
            return not rows
        wait_for(gone, 15, f"the slots of {self.db} to be dropped", 0.05)

    # -- database -------------------------------------------------------

    def _roll_back_prepared(self):
        """Prepared transactions a failed run of this test left in its
        database: they would hold back every later slot creation on the
        server, and keep the database from being dropped."""
        gids = self.rows("SELECT gid FROM pg_prepared_xacts"
                         f" WHERE database = '{self.db}'", db="postgres")
        for (gid,) in gids:
            self.psql(f"ROLLBACK PREPARED '{gid}'")

    def setup(self):
        exists = self.scalar_in("postgres", "SELECT count(*) FROM pg_database"
                                f" WHERE datname = '{self.db}'") == "1"
        if exists:
            self._roll_back_prepared()
        self._drop_slots()
        self.psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)", db="postgres")
        self.psql(f"CREATE DATABASE {self.db}", db="postgres")

    def cleanup(self):
        for p in self.procs:
            p.kill()
        if os.environ.get("WALHOOK_TEST_KEEP"):
            print(f"keeping database {self.db} and {self.tmp}")
            return
        try:
            self._roll_back_prepared()
            self._drop_slots()
            self.psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)", db="postgres")
        except TestFailure as e:
            print(f"cleanup: {e}", file=sys.stderr)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- walhook --------------------------------------------------------

    def script(self, filename, text):
        """Write a Lua script into this test's temp dir; return its path."""
        path = os.path.join(self.tmp, filename)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self, *args, script=None):
        """Start walhook on this test's database: -d dbname=<db> ARGS [script]."""
        argv = [self.walhook_path, "-d", f"dbname={self.db}", *args]
        if script:
            argv.append(script)
        proc = Walhook(argv)
        self.procs.append(proc)
        return proc

    def run(self, *args, script=None, timeout=RUN_TIMEOUT):
        """Run walhook to its end (within `timeout` s); return the Walhook."""
        proc = self.start(*args, script=script)
        proc.wait(timeout)
        return proc

    def expect_exit(self, proc, code):
        if proc.returncode != code:
            fail(f"expected walhook to exit {code}\n" + proc.describe())

    # -- checks ---------------------------------------------------------

    def eq(self, actual, expected, what):
        if actual != expected:
            fail(f"{what}:\n  expected {expected!r}\n  got      {actual!r}")

    def check(self, condition, message):
        if not condition:
            fail(message)


def check_confirmed(confirmed, last_end):
    """Everything delivered must be confirmed: the slot's confirmed_flush_lsn
    is at least the end of the last transaction delivered. It is exactly that
    unless walhook, idle between transactions, confirmed a keepalive's WAL
    end (which may lie further on when other databases write WAL). Whether
    nothing undelivered was confirmed is for the caller's next run to show."""
    if confirmed < last_end:
        fail(f"confirmed_flush_lsn {format_lsn(confirmed)} is before the end "
             f"{format_lsn(last_end)} of the last transaction delivered")
    if confirmed == last_end:
        print(f"confirmed_flush_lsn {format_lsn(confirmed)} = end of the last transaction")
    else:
        print(f"confirmed_flush_lsn {format_lsn(confirmed)} is {confirmed - last_end} bytes "
              f"past the end of the last transaction {format_lsn(last_end)} (idle keepalive)")


# The seed's schema: two tables and a publication of both.
TWO_TABLES = """
CREATE TABLE test_rep (id int PRIMARY KEY, name text);
CREATE TABLE test_rep_other (id int PRIMARY KEY, name text);
CREATE PUBLICATION pub FOR TABLE test_rep, test_rep_other;
"""


# A script that prints every callback as a JSON line through the Lua side,
# so that changes and transaction boundaries (with their LSNs) come out in
# one ordered stream.
RECORDER = r'''
local walhook = require "walhook"
local enc = walhook.json.encode

function handle_begin(tx)
  print(enc({op = "begin", xid = tx.xid, final_lsn = tx.final_lsn}))
end

function handle_change(c)
  print(enc({op = c.op, schema = c.schema, table = c.table, relid = c.relid,
             key = c.key, new = c.new, old = c.old, lsn = c.lsn, xid = c.xid}))
  return false
end

function handle_truncate(t)
  print(enc({op = "truncate", relations = t.relations, cascade = t.cascade,
             restart_identity = t.restart_identity}))
  return false
end

function handle_message(m)
  print(enc({op = "message", prefix = m.prefix, content = m.content,
             transactional = m.transactional, lsn = m.lsn}))
  return false
end

function handle_commit(tx)
  print(enc({op = "commit", xid = tx.xid, commit_lsn = tx.commit_lsn,
             end_lsn = tx.end_lsn}))
  io.stdout:flush()
end
'''


def transactions(records):
    """Group recorder output into transactions:
    [{"xid", "changes": [...], "end_lsn": int or None}], in order."""
    out = []
    current = None
    for r in records:
        op = r.get("op")
        if op == "begin":
            current = {"xid": r.get("xid"), "changes": [], "end_lsn": None}
            out.append(current)
        elif op == "commit":
            if current is None:
                fail(f"commit without begin: {r!r}")
            current["end_lsn"] = parse_lsn(r["end_lsn"])
            current = None
        elif current is not None:
            current["changes"].append(r)
    return out


def run(name, body):
    """Entry point of a test program."""
    if not os.environ.get("PGHOST") or not os.environ.get("PGPORT"):
        print("SKIP: PGHOST/PGPORT not set (start scripts/sandbox first)")
        sys.exit(SKIP)
    walhook = os.environ.get("WALHOOK")
    if not walhook or not os.access(walhook, os.X_OK):
        print(f"FAIL: WALHOOK is not an executable: {walhook!r}")
        sys.exit(1)

    started = time.monotonic()
    t = Test(name)
    rc = 1
    try:
        t.setup()
        body(t)
        rc = 0
    except TestFailure as e:
        print(f"FAIL {name}: {e}")
    except Exception:
        print(f"FAIL {name}: unexpected error")
        traceback.print_exc(file=sys.stdout)
    finally:
        t.cleanup()
    if rc == 0:
        print(f"PASS {name} ({time.monotonic() - started:.1f} s)")
    sys.stdout.flush()
    sys.exit(rc)


# --- fault tests: own servers, workloads, walsenders, ports -----------------
#
# Tests that restart or reconfigure the server start their own sandbox
# (scripts/sandbox start DIR), so that the suite's shared server, which
# other tests use in parallel, is never touched. `run_sandboxed` is `run`
# for them: it starts the sandbox, points PGHOST/PGPORT/PGUSER (for psql
# and walhook alike) at it, and stops it at the end.

PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
SANDBOX_SCRIPT = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "sandbox"))


# Ports free_port has claimed, each by a lock this process holds until it
# ends.
_claimed_ports = []


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a
    test starts. It is below the kernel's ephemeral range, so no client's
    connection takes it as its own before the server binds it, and it is
    claimed by a lock held until this process ends, so that no test
    running side by side picks it too."""
    import fcntl
    import random
    import socket
    for _ in range(1000):
        port = random.randrange(20000, 32000)
        fd = os.open(f"/tmp/walhook-port-{port}.lock", os.O_CREAT | os.O_RDONLY, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                os.close(fd)
                continue
        _claimed_ports.append(fd)
        return port
    raise RuntimeError("no free port between 20000 and 32000")


class Sandbox:
    """A PostgreSQL of one test's own (scripts/sandbox), in a fresh
    directory under /tmp."""

    def __init__(self, name, ssl=False):
        import secrets
        while True:
            self.dir = f"/tmp/walhook-{name}-{os.getpid()}-{secrets.token_hex(3)}"
            if not os.path.exists(self.dir):
                break
        self.ssl = ssl
        self.env = {}
        self.started = False

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    @property
    def log(self):
        return os.path.join(self.dir, "postgres.log")

    def start(self):
        argv = [SANDBOX_SCRIPT, "start"] + (["--ssl"] if self.ssl else []) + [self.dir]
        res = subprocess.run(argv, capture_output=True, timeout=120)
        self.started = True  # a half-made directory is still removed
        if res.returncode != 0:
            fail(f"{' '.join(argv)} failed (exit {res.returncode}):\n"
                 f"{res.stderr.decode(errors='replace').strip()}")
        with open(os.path.join(self.dir, "env")) as f:
            for line in f:
                line = line.strip()
                if line.startswith("export ") and "=" in line:
                    key, value = line[len("export "):].split("=", 1)
                    self.env[key] = value
        for key in ("PGHOST", "PGPORT", "PGUSER"):
            if key not in self.env:
                fail(f"{self.dir}/env has no {key}")
        return self

    def use(self):
        """Point this process's libpq variables (inherited by psql and
        walhook) at this server."""
        for key in ("PGPASSWORD", "PGPASSFILE", "PGSSLMODE", "PGDATABASE",
                    "PGSERVICE", "PGOPTIONS"):
            os.environ.pop(key, None)
        os.environ.update(self.env)

    def _as_owner(self, argv):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + argv
        return argv

    def pg_ctl(self, *args, timeout=60):
        """pg_ctl -D DIR/data ARGS as the cluster's owner; fails on error."""
        argv = self._as_owner([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, *args])
        res = subprocess.run(argv, capture_output=True, timeout=timeout, cwd=self.dir)
        if res.returncode != 0:
            fail(f"{' '.join(argv)} failed (exit {res.returncode}):\n"
                 f"{res.stdout.decode(errors='replace')}"
                 f"{res.stderr.decode(errors='replace')}\n"
                 f"server log tail:\n{self.log_tail()}")
        return res.stdout.decode(errors="replace")

    def restart(self, mode):
        """pg_ctl restart -m MODE, waiting until the server takes connections."""
        return self.pg_ctl("-w", "-t", "60", "-l", self.log, "restart", "-m", mode)

    def reload(self):
        return self.pg_ctl("reload")

    def write_file(self, relpath, text):
        """Write a file into the data directory, owned by the server's user."""
        path = os.path.join(self.data, relpath)
        with open(path, "w") as f:
            f.write(text)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
        return path

    def prepend_hba(self, lines):
        """Put `lines` before the pg_hba.conf lines initdb wrote, then
        reload. (Reload is asynchronous: poll for the effect.)"""
        path = os.path.join(self.data, "pg_hba.conf")
        with open(path) as f:
            old = f.read()
        self.write_file("pg_hba.conf", "".join(l + "\n" for l in lines) + old)
        self.reload()

    def log_tail(self, n=30):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if not self.started:
            return
        if os.environ.get("WALHOOK_TEST_KEEP"):
            print(f"keeping sandbox {self.dir}")
            return
        res = subprocess.run([SANDBOX_SCRIPT, "stop", self.dir],
                             capture_output=True, timeout=120)
        if res.returncode != 0:
            print(f"sandbox stop {self.dir} failed: "
                  f"{res.stderr.decode(errors='replace').strip()}", file=sys.stderr)


def run_sandboxed(name, body, ssl=False):
    """Entry point of a test that needs a server of its own: like `run`,
    but body(t, sandbox) runs against a fresh sandbox (with TLS when
    `ssl`), which is stopped and removed afterwards. Skips (77) when
    PostgreSQL's binaries are not installed."""
    if not os.access(os.path.join(PGBIN, "initdb"), os.X_OK):
        print(f"SKIP: {PGBIN}/initdb not found (run scripts/setup)")
        sys.exit(SKIP)
    walhook = os.environ.get("WALHOOK")
    if not walhook or not os.access(walhook, os.X_OK):
        print(f"FAIL: WALHOOK is not an executable: {walhook!r}")
        sys.exit(1)

    started = time.monotonic()
    sb = Sandbox(name, ssl=ssl)
    t = None
    rc = 1
    try:
        sb.start()
        sb.use()
        t = Test(name)
        t.setup()
        body(t, sb)
        rc = 0
    except TestFailure as e:
        print(f"FAIL {name}: {e}")
    except Exception:
        print(f"FAIL {name}: unexpected error")
        traceback.print_exc(file=sys.stdout)
    finally:
        if t is not None:
            for p in t.procs:
                p.kill()
            shutil.rmtree(t.tmp, ignore_errors=True)
        sb.stop()
    if rc == 0:
        print(f"PASS {name} ({time.monotonic() - started:.1f} s)")
    sys.stdout.flush()
    sys.exit(rc)


def walsenders(t, db=None):
    """pids of the walsenders connected to database `db` (the test's own by
    default): pg_stat_activity's rows of backend_type 'walsender'."""
    rows = t.rows("SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender'"
                  f" AND datname = '{db or t.db}' ORDER BY pid", db="postgres")
    return [int(r[0]) for r in rows]


def slot_active_pid(t, slot):
    """The pid of the walsender holding `slot`, or None."""
    out = t.psql("SELECT active_pid FROM pg_replication_slots"
                 f" WHERE slot_name = '{slot}'", db="postgres")
    return int(out) if out else None


def wait_slot_confirmed(t, slot, lsn, timeout, proc=None):
    """Poll until the slot's confirmed_flush_lsn (as the server has it now,
    active or not) reaches `lsn`; return it."""
    def reached():
        if proc is not None and proc.proc.poll() is not None:
            fail(f"walhook exited while waiting for the slot to reach "
                 f"{format_lsn(lsn)}\n{proc.describe()}")
        info = t.slot(slot)
        if info is None:
            fail(f"slot {slot} does not exist")
        c = info["confirmed_flush_lsn"]
        return c if c is not None and c >= lsn else None
    try:
        return wait_for(reached, timeout,
                        f"slot {slot} to be confirmed to {format_lsn(lsn)}", 0.05)
    except TestFailure as e:
        now = (t.slot(slot) or {}).get("confirmed_flush_lsn") or 0
        msg = f"{e} (it is at {format_lsn(now)})"
        fail(f"{msg}\n{proc.describe()}" if proc is not None else msg)


class RetryingWorkload(threading.Thread):
    """Runs `statements` (one transaction each) in order, in batches of
    `batch` through one psql each, until done or told to stop. A batch whose
    connection fails (server restarting, backend terminated) is tried again
    until it goes through: statements must be idempotent or the table must
    tolerate a retry (INSERT ... ON CONFLICT DO NOTHING). What committed is
    for the caller to read back from the database afterwards."""

    def __init__(self, db, statements, batch=20, timeout=60):
        super().__init__(daemon=True)
        self.db = db
        self.statements = list(statements)
        self.batch = batch
        self.timeout = timeout
        self.halt = threading.Event()
        self.done_batches = 0
        self.failures = []
        self.error = None

    def run(self):
        deadline = time.monotonic() + self.timeout
        i = 0
        while i < len(self.statements) and not self.halt.is_set():
            chunk = self.statements[i:i + self.batch]
            sql = "".join(s.rstrip().rstrip(";") + ";\n" for s in chunk)
            res = subprocess.run(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.db, "-f", "-"],
                input=sql.encode(), capture_output=True, timeout=60)
            if res.returncode == 0:
                i += self.batch
                self.done_batches += 1
                continue
            self.failures.append(res.stderr.decode(errors="replace").strip())
            if time.monotonic() > deadline:
                self.error = ("workload could not finish; last error: "
                              + self.failures[-1])
                return
            time.sleep(0.1)  # the server is restarting: try again

    def finish(self, timeout=60):
        self.join(timeout)
        if self.is_alive():
            self.halt.set()
            self.join(10)
            fail("the workload did not finish in time")
        if self.error:
            fail(self.error)


def records_of(proc, path=None):
    """JSON lines from walhook's stdout, or from the file `path` (-f)."""
    if path is None:
        return proc.records()
    out = []
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return out
    lines = text.split("\n")
    if not text.endswith("\n"):
        lines = lines[:-1]  # a line being written
    for i, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as e:
                fail(f"{path} line {i} is not JSON ({e}): {line!r}")
    return out


# --- recordings (--record / --replay) ---------------------------------------

def run_capture(argv, timeout=RUN_TIMEOUT, env=None):
    """Run a command to its end within `timeout` s and return
    (returncode, stdout bytes, stderr text); a negative returncode is the
    signal that ended it. An overrun is killed and fails the test."""
    try:
        res = subprocess.run(argv, stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        err = (e.stderr or b"").decode("utf-8", "replace")
        fail(f"did not finish within {timeout} s: {' '.join(argv)}\n"
             f"stderr:\n{err.strip() or '(empty)'}")
    return res.returncode, res.stdout, res.stderr.decode("utf-8", "replace")


RECORDING_MAGIC = b"WALHOOK\x01"


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), as src/protocol/record.c computes it."""
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def read_recording(path):
    """Parse a walhook recording (the layout in src/protocol/record.h), checking
    every length and checksum. Returns a dict: version, header (the header
    text), header_end (offset of the first frame), frames (a list of dicts:
    type ('d' or 'c'), offset, length, data (bytes), crc_offset, end)."""
    with open(path, "rb") as f:
        raw = f.read()

    def u32(at):
        if at + 4 > len(raw):
            fail(f"{path}: cut short at byte {at}")
        return int.from_bytes(raw[at:at + 4], "big")

    if raw[:8] != RECORDING_MAGIC:
        fail(f"{path}: no walhook magic: {raw[:8]!r}")
    version = u32(8)
    n = u32(12)
    header = raw[16:16 + n]
    if len(header) != n or u32(16 + n) != crc32c(header):
        fail(f"{path}: header cut short or its checksum is wrong")
    pos = 16 + n + 4
    frames = []
    while pos < len(raw):
        kind = chr(raw[pos])
        length = u32(pos + 1)
        data = raw[pos + 5:pos + 5 + length]
        crc_at = pos + 5 + length
        if len(data) != length or u32(crc_at) != crc32c(raw[pos:pos + 5 + length]):
            fail(f"{path}: frame {len(frames) + 1} at byte {pos} is damaged")
        frames.append({"type": kind, "offset": pos, "length": length,
                       "data": data, "crc_offset": crc_at, "end": crc_at + 4})
        pos = crc_at + 4
    return {"version": version, "header": header.decode("utf-8"),
            "header_end": 16 + n + 4, "frames": frames}


def recording_fields(text):
    """The header (or a connect frame) of a recording as a dict. The text
    is NAME=VALUE lines; `option` (one line per plugin option, itself
    NAME=VALUE) is always a list. A JSON object is taken as it is."""
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    out = {"option": []}
    for line in text.split("\n"):
        if "=" not in line:
            fail(f"recording header line without '=': {line!r}")
        name, value = line.split("=", 1)
        if name == "option":
            out["option"].append(value)
        elif name in out:
            fail(f"recording header names {name} twice")
        else:
            out[name] = value
    return out


class PipedWorkload(threading.Thread):
    """Feeds statement(1), statement(2), ... (each one transaction, or a
    BEGIN ... COMMIT block) to one psql on its stdin until told to stop or
    `limit` is reached, at most one every `pace` seconds. `sent` counts the
    statements written; what committed is read back from the database."""

    def __init__(self, db, statement, limit=100000, pace=0.0):
        super().__init__(daemon=True)
        self.statement = statement
        self.limit = limit
        self.pace = pace
        self.sent = 0
        self.halt = threading.Event()
        self.psql = subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def run(self):
        try:
            for i in range(1, self.limit + 1):
                if self.halt.is_set():
                    break
                self.psql.stdin.write((self.statement(i).rstrip() + "\n").encode())
                self.psql.stdin.flush()
                self.sent = i
                if self.pace:
                    self.halt.wait(self.pace)
        except BrokenPipeError:
            pass

    def finish(self):
        """Stop feeding, let psql run what it has, fail if it failed."""
        self.halt.set()
        self.join(30)
        try:
            self.psql.stdin.close()
        except BrokenPipeError:
            pass
        err = self.psql.stderr.read().decode(errors="replace")
        if self.psql.wait(60) != 0:
            fail(f"workload psql failed: {err}")


# --- a target database for the postgres sink ---------------------------------

def with_target(t, slot, body):
    """Runs body(t, target) with a fresh database `<test db>_target` on the
    same server, for the postgres sink to apply to; drops it and the sink's
    replication origin (walhook_<slot>) afterwards, and before, in case an
    earlier, failed run left them."""
    target = f"{t.db}_target"
    drop_origin = ("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
                   f" WHERE roname = 'walhook_{slot}'")
    t.psql(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)", db="postgres")
    t.psql(drop_origin, db="postgres")
    t.psql(f"CREATE DATABASE {target}", db="postgres")
    try:
        body(t, target)
    finally:
        for p in t.procs:
            p.kill()
        if not os.environ.get("WALHOOK_TEST_KEEP"):
            t.psql(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)", db="postgres")
            t.psql(drop_origin, db="postgres")


def backfill_table(t, target, rows):
    """Table t (id int PRIMARY KEY, v text) with `rows` rows on the source,
    published by `pub`, and empty on the target: rows only a backfill can
    bring there."""
    t.psql("CREATE TABLE t (id int PRIMARY KEY, v text);"
           f"INSERT INTO t SELECT g, 'r' || g FROM generate_series(1, {rows}) g;"
           "CREATE PUBLICATION pub FOR TABLE t")
    t.psql("CREATE TABLE t (id int PRIMARY KEY, v text)", db=target)


# --- a transaction held open while others commit -----------------------------

def interleave(t, app, open_sql, meanwhile_sql):
    """Runs open_sql (a BEGIN and its statements) in a psql of its own,
    waits until that session is idle in its open transaction, runs
    meanwhile_sql in the test's database, then commits the first: so the
    second commits between the first's changes and its commit."""
    session = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", t.db],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "PGAPPNAME": app})
    session.stdin.write(open_sql)
    session.stdin.flush()
    wait_for(lambda: t.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name"
                              f" = '{app}' AND state = 'idle in transaction'") == "1",
             30, f"the transaction of {app} to be open and idle")
    t.psql(meanwhile_sql)
    session.stdin.write("COMMIT;\n")
    session.stdin.close()
    if session.wait(timeout=60) != 0:
        fail(f"the psql of {app} failed")
