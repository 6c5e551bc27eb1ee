"""walhook's fault harness: one seeded soak run, and what it shares with
the fixed scenarios (clusters, a walhook that is killed and restarted, the
faults themselves, the end-of-run checks).

A soak run (`run_seed`) for one seed and one protocol:

  1. two sandbox clusters (scripts/sandbox): the source, with
     logical_decoding_work_mem = 64kB, and the target of the postgres sink,
     so that the target can be stopped alone. Both get the tables of
     workload.SCHEMA.
  2. on the source, walhook's slot (two-phase for protocol 3) and the
     oracle's wal2json slot, created in one statement before any workload.
  3. walhook streams through tests/chaos/proxy.py (its replication
     connection only: the workload, the oracle, the faults' SQL and the
     postgres sink's connection to the target go direct), with
     wal_sender_timeout = 2s for its walsender, running SINK_SCRIPT: every
     change and truncate to a file sink and to a postgres sink.
  4. the workload (workload.py) and the fault schedule, both from
     random.Random(seed), run together. Faults run one after another; before
     each, walhook is given up to 60 s to stream again, except for the
     quarter of them that follow the previous one at once ("compound").
  5. then: the workload stops, waiting prepared transactions are resolved,
     and walhook gets until the slot's confirmed_flush_lsn reaches the
     source's pg_current_wal_lsn() (a deadline, polled; no sleep is used
     to wait for anything).

A backfill run (--backfill) also loads acct with rows before the slots
exist, which reach the target only through walhook's backfill of acct,
started by --backfill on the same command line as every restart, while
the workload updates, re-keys and deletes some of them. Before the catch-up
it waits for the backfill to be done.

The invariants, each reported on its own:

  I1 the file sink holds every committed change in order: the rules F1-F4
     of oracle.py;
  I2 the target equals the source: per table, row count and md5 of all
     rows in text order (so duplicate keyless rows count), with the rows
     that differ (as multisets) when not;
  I3 the slot is confirmed to the source's WAL end (the LSN read after the
     workload stopped) within the deadline;
  I4 walhook never died but by our kill -9 (an exit on its own, or by any
     other signal, is reported with its stderr), exits 0 on the final
     SIGTERM, and no stderr holds a sanitizer report or a crash message;
  I5 (backfill runs) the backfill is done within the deadline. Its read rows
     are left out of I1 (the oracle has no such changes); I2 shows them
     complete and never older than a change of their row.

Seeds replay: the schedule and the workload's transactions are a function
of the seed alone (what commits where, under faults, depends on timing).
"""

import json
import os
import shlex
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import oracle  # noqa: E402
import workload as wl  # noqa: E402
from proxy import Proxy  # noqa: E402

SKIP = 77
WAL_SENDER_TIMEOUT = 2.0   # seconds, for walhook's walsender only
SLOT = "chaos_slot"
ORACLE_SLOT = "chaos_oracle"
SRC_DB = "chaos_src"
DST_DB = "chaos_dst"
# The file sink's tmpfs. A prepared transaction that waits pins the slot
# at its PREPARE (protocol 3), so every reconnect meanwhile sends all that
# follows again and the file, written at least once, takes it again: seed
# 3001 protocol 3 filled 384 MB that way, for good.
TMPFS_SIZE = os.environ.get("WALHOOK_CHAOS_TMPFS_SIZE", "1536m")
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

PROTOCOLS = {
    1: {"options": ["-o", "proto_version=1"], "two_phase": False},
    2: {"options": ["-o", "proto_version=2", "-o", "streaming=on"], "two_phase": False},
    3: {"options": ["-o", "proto_version=3", "-o", "two_phase=on", "-o", "streaming=on"],
        "two_phase": True},
}

SINK_SCRIPT = r'''
-- The chaos harness's script: every change and truncate to a file sink and
-- to a postgres sink; nothing printed.
local walhook = require "walhook"
local file = walhook.sink.file{ path = walhook.vars.file }
local target = walhook.sink.postgres{ conninfo = walhook.vars.target }

function handle_change(c)
  file:write(c)
  target:write(c)
  return false
end

function handle_truncate(t)
  file:write(t)
  target:write(t)
  return false
end
'''

FILE_ONLY_SCRIPT = r'''
-- A fixed scenario's script: every change and truncate to a file sink.
local walhook = require "walhook"
local file = walhook.sink.file{ path = walhook.vars.file }

function handle_change(c)
  file:write(c)
  return false
end

function handle_truncate(t)
  file:write(t)
  return false
end
'''

CRASH_PATTERNS = re.compile(
    r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer|"
    r"runtime error:|Segmentation fault|Assertion .* failed|double free|"
    r"stack smashing|\bPANIC\b")

FAULT_KINDS = ["proxy_reset", "proxy_cut", "kill9", "terminate", "sigstop",
               "restart_immediate", "target_down", "disk_full"]


def skip_without_postgres():
    if not os.access(os.path.join(harness.PGBIN, "initdb"), os.X_OK):
        print(f"SKIP: {harness.PGBIN}/initdb not found (run scripts/setup)")
        sys.exit(SKIP)


def walhook_path():
    path = os.environ.get("WALHOOK") or os.path.join(REPO, "build", "walhook")
    if not os.access(path, os.X_OK):
        print(f"FAIL: WALHOOK is not an executable: {path!r}")
        sys.exit(1)
    return os.path.abspath(path)


# The first port of the sandbox range the soak's clusters take: away from
# the suite's other clusters, and above Linux's ephemeral ports (32768-60999),
# which any client socket may be given: a target the soak has stopped must
# find its port free when it starts again.
SANDBOX_FIRST_PORT = "61100"


def prepare_process():
    """Readies this process for a run: no PG* variables reach psql or
    walhook, clusters take the soak's port range, and SIGTERM (meson's
    timeout, a soak stopped by hand) becomes SystemExit, so that the
    run's teardown still stops its clusters and proxy."""
    os.environ.setdefault("WALHOOK_SANDBOX_FIRST_PORT", SANDBOX_FIRST_PORT)
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGPASSFILE", "PGSSLMODE",
                "PGDATABASE", "PGSERVICE", "PGOPTIONS", "PGAPPNAME"):
        os.environ.pop(key, None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


class Log:
    """Timestamped lines to stdout and to a file in the run's directory."""

    def __init__(self, path, prefix=""):
        self.t0 = time.monotonic()
        self.f = open(path, "a")
        self.prefix = prefix
        self.lock = threading.Lock()

    def __call__(self, msg, echo=True):
        line = f"[{time.monotonic() - self.t0:7.1f}s] {self.prefix}{msg}"
        with self.lock:
            self.f.write(line + "\n")
            self.f.flush()
            if echo:
                print(line, flush=True)

    def quiet(self, msg):
        self(msg, echo=False)


# --- a cluster ----------------------------------------------------------------

class Cluster:
    """A sandbox PostgreSQL reached by explicit host and port."""

    def __init__(self, name):
        self.sb = harness.Sandbox(name)
        self.port = None

    def start(self):
        self.sb.start()
        self.port = int(self.sb.env["PGPORT"])
        return self

    def argv(self, db, extra=()):
        return ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", str(self.port), "-U", "postgres", "-d", db, *extra, "-f", "-"]

    def sql(self, sql, db="postgres", timeout=120):
        res = subprocess.run(self.argv(db), input=sql.encode(), capture_output=True,
                             timeout=timeout)
        if res.returncode != 0:
            harness.fail(f"psql on port {self.port} failed on {sql.strip()[:300]}:\n"
                         f"{res.stderr.decode(errors='replace').strip()}")
        return res.stdout.decode().rstrip("\n")

    def try_sql(self, sql, db="postgres", timeout=30):
        """sql(), or None when the server does not answer."""
        try:
            return self.sql(sql, db, timeout)
        except (harness.TestFailure, subprocess.TimeoutExpired):
            return None

    def lines(self, sql, db, timeout=600):
        return oracle.run_lines(self.argv(db), sql, timeout)

    def conninfo(self, db, extra=""):
        return (f"host=127.0.0.1 port={self.port} dbname={db} user=postgres"
                f" sslmode=disable gssencmode=disable{extra}")

    def restart(self, mode):
        self.sb.restart(mode)

    def stop_server(self, mode):
        self.sb.pg_ctl("-w", "-t", "60", "-m", mode, "stop")

    def start_server(self, tries=5):
        """pg_ctl start, tried again a few times: on this shared machine a
        start right after an immediate stop has been seen to fail once
        without a word in the server log."""
        for i in range(tries):
            try:
                self.sb.pg_ctl("-w", "-t", "60", "-l", self.sb.log, "start")
                return i
            except harness.TestFailure:
                if i == tries - 1:
                    raise
                time.sleep(1)   # before trying pg_ctl start again

    def destroy(self, keep_log_in=None):
        if keep_log_in:
            try:
                shutil.copy(self.sb.log, keep_log_in)
            except OSError:
                pass
        self.sb.stop()

    def wal_lsn(self):
        return oracle.parse_lsn(self.sql("SELECT pg_current_wal_lsn()"))

    def slot_info(self, slot):
        out = self.try_sql("SELECT coalesce(active_pid, 0), confirmed_flush_lsn FROM"
                           f" pg_replication_slots WHERE slot_name = '{slot}'")
        if not out:
            return None
        pid, lsn = out.split("|")
        return int(pid), oracle.parse_lsn(lsn) if lsn else 0


# --- walhook, killed and started again -----------------------------------------

class WalhookRunner:
    """walhook with one fixed command line, started again after each kill.
    Each incarnation's stdout and stderr go to walhook.N.stdout/.stderr in
    the run's directory."""

    def __init__(self, argv, rundir, log):
        self.argv = argv
        self.rundir = rundir
        self.log = log
        self.incarnation = 0
        self.proc = None
        self.unexpected = []     # (incarnation, status, stderr tail)
        self.lock = threading.RLock()
        self.stopped = False

    def paths(self, n):
        return (os.path.join(self.rundir, f"walhook.{n}.stdout"),
                os.path.join(self.rundir, f"walhook.{n}.stderr"))

    def start(self):
        with self.lock:
            self.incarnation += 1
            out, err = self.paths(self.incarnation)
            with open(out, "wb") as o, open(err, "wb") as e:
                self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                             stdout=o, stderr=e)
            self.log.quiet(f"walhook #{self.incarnation} started, pid {self.proc.pid}")

    def pid(self):
        return self.proc.pid if self.proc else None

    def kill9_and_restart(self):
        with self.lock:
            self.check()
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.start()

    def check(self):
        """Note (and start again) a walhook that ended without our kill."""
        with self.lock:
            if self.stopped or self.proc is None:
                return
            rc = self.proc.poll()
            if rc is None:
                return
            status = f"killed by signal {-rc}" if rc < 0 else f"exit {rc}"
            tail = self.stderr_tail(self.incarnation)
            self.unexpected.append((self.incarnation, status, tail))
            self.log(f"walhook #{self.incarnation} ended by itself ({status}); starting it again")
            self.start()

    def stderr_tail(self, n=None, lines=25):
        n = n or self.incarnation
        try:
            with open(self.paths(n)[1], errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def all_stderr(self):
        out = []
        for n in range(1, self.incarnation + 1):
            try:
                with open(self.paths(n)[1], errors="replace") as f:
                    out.append((n, f.read()))
            except OSError:
                pass
        return out

    def stop(self, timeout=30):
        """SIGTERM; return the exit status (None if it had to be killed)."""
        with self.lock:
            self.check()
            self.stopped = True
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None

    def kill(self):
        with self.lock:
            self.stopped = True
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGCONT)
                self.proc.kill()
                self.proc.wait()


# --- a small tmpfs for the file sink -------------------------------------------

class Tmpfs:
    def __init__(self, path, size=TMPFS_SIZE):
        self.path = path
        self.size = size
        self.mounted = False
        self.why_not = None
        self.filler = os.path.join(path, "filler")

    def mount(self):
        os.makedirs(self.path, exist_ok=True)
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0755",
                              "tmpfs", self.path], capture_output=True, timeout=30)
        if res.returncode == 0:
            self.mounted = True
        else:
            self.why_not = (res.stderr.decode(errors="replace").strip()
                            or f"mount exit {res.returncode}")
        return self.mounted

    def fill(self, leave):
        """Leave only `leave` bytes free; return how. The tmpfs is shrunk to
        what it holds plus `leave` (mount -o remount,size=...), which costs
        no memory; where that is refused, a filler file takes the space."""
        st = os.statvfs(self.path)
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        size = -(-(used + leave) // 4096) * 4096
        res = subprocess.run(["mount", "-o", f"remount,size={size}", self.path],
                             capture_output=True, timeout=30)
        if res.returncode == 0:
            self.shrunk = True
            return f"shrunk to {size} bytes ({leave} free)"
        st = os.statvfs(self.path)
        take = max(st.f_bavail * st.f_frsize - leave, 0)
        fd = os.open(self.filler, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            os.posix_fallocate(fd, 0, take)
        except OSError:
            pass
        finally:
            os.close(fd)
        return f"filled {take} bytes"

    def free(self):
        if getattr(self, "shrunk", False):
            subprocess.run(["mount", "-o", f"remount,size={self.size}", self.path],
                           capture_output=True, timeout=30)
            self.shrunk = False
        try:
            os.unlink(self.filler)
        except FileNotFoundError:
            pass

    def umount(self):
        if self.mounted:
            self.free()
            subprocess.run(["umount", "-l", self.path], capture_output=True, timeout=30)
            self.mounted = False


# --- the schedule ----------------------------------------------------------------

def make_schedule(rng, count):
    """The fault schedule: `count` faults, each a dict with kind, gap (s
    before it), compound (run without waiting for walhook to stream again)
    and the fault's own parameters. Drawn from `rng` alone."""
    out = []
    for i in range(count):
        kind = rng.choice(FAULT_KINDS)
        f = {"n": i + 1, "kind": kind, "gap": round(rng.uniform(0.3, 2.5), 2),
             "compound": i > 0 and rng.random() < 0.25}
        if f["compound"]:
            f["gap"] = round(rng.uniform(0.0, 2.0), 2)
        if kind == "proxy_cut":
            if rng.random() < 0.5:
                f["bytes"] = rng.randint(1, 400_000)
            else:
                f["messages"] = rng.randint(1, 3000)
        elif kind == "sigstop":
            f["seconds"] = round(WAL_SENDER_TIMEOUT + rng.uniform(1.0, 3.0), 2)
        elif kind == "target_down":
            f["mode"] = rng.choice(["fast", "immediate"])
            f["seconds"] = round(rng.uniform(2.0, 5.0), 2)
        elif kind == "disk_full":
            f["leave"] = rng.randint(0, 64 * 1024)
            f["seconds"] = round(rng.uniform(2.0, 4.0), 2)
        out.append(f)
    return out


def describe_fault(f):
    extra = {k: v for k, v in f.items() if k not in ("n", "kind", "gap", "compound")}
    return (f"{f['kind']}" + (f" {extra}" if extra else "")
            + (" (compound)" if f["compound"] else ""))


# --- one soak run ---------------------------------------------------------------------

# A backfill run: acct's rows loaded before the slots exist, read by
# walhook's backfill in chunks while the faults and the workload run.
BACKFILL_ROWS = 6000
BACKFILL_CHUNK = 200


class Run:
    with_target = True     # a postgres sink on a second cluster
    via_proxy = True       # walhook's replication connection through the proxy
    label = None

    def __init__(self, seed, protocol, seconds, walhook, faults=None, backfill=False):
        self.backfill = backfill
        self.seed = seed
        self.protocol = protocol
        self.seconds = seconds
        self.walhook = walhook
        self.nfaults = faults if faults is not None else max(3, round(seconds / 4))
        self.label = self.label or f"seed {seed} protocol {protocol}"
        tag = self.label.replace(" ", "-")
        self.rundir = tempfile.mkdtemp(prefix=f"walhook-chaos-{tag}-")
        os.chmod(self.rundir, 0o755)
        self.log = Log(os.path.join(self.rundir, "run.log"), prefix=f"{self.label}: ")
        self.src = self.dst = self.proxy = self.wh = self.work = None
        self.tmpfs = Tmpfs(os.path.join(self.rundir, "sinkfs"))
        self.faults_done = []
        self.problems = {}      # invariant -> [text]
        self.stats = {}
        self.stop_progress = threading.Event()

    def replay_command(self):
        return (f"WALHOOK={self.walhook} {os.path.join(REPO, 'scripts', 'chaos')}"
                f" --seed {self.seed} --protocol {self.protocol} --seconds {self.seconds}"
                + (f" --faults {self.nfaults}" if self.nfaults != max(3, round(self.seconds / 4))
                   else "")
                + (" --backfill" if self.backfill else ""))

    # -- setup -------------------------------------------------------------

    def setup(self):
        self.src = Cluster(f"chaos-src-s{self.seed}").start()
        if self.with_target:
            self.dst = Cluster(f"chaos-dst-s{self.seed}").start()
        self.src.sql("ALTER SYSTEM SET logical_decoding_work_mem = '64kB';"
                     " SELECT pg_reload_conf();")
        for c, db in ((self.src, SRC_DB), (self.dst, DST_DB)):
            if c is not None:
                c.sql(f"CREATE DATABASE {db}")
                c.sql(wl.SCHEMA, db)
        self.src.sql("CREATE PUBLICATION pub FOR TABLE acct, bag", SRC_DB)
        if self.backfill:
            self.src.sql(wl.preload_sql(BACKFILL_ROWS), SRC_DB)
        two_phase = "true" if PROTOCOLS[self.protocol]["two_phase"] else "false"
        self.src.sql(f"SELECT pg_create_logical_replication_slot('{SLOT}', 'pgoutput', false,"
                     f" {two_phase}), pg_create_logical_replication_slot('{ORACLE_SLOT}',"
                     " 'wal2json')", SRC_DB)
        if self.tmpfs.mount():
            self.sink_path = os.path.join(self.tmpfs.path, "sink.jsonl")
        else:
            self.sink_path = os.path.join(self.rundir, "sink.jsonl")
            self.log(f"disk_full faults skipped: mount -t tmpfs not permitted here "
                     f"({self.tmpfs.why_not})")
        self.proxy = Proxy(self.src.port, log=self.log.quiet)
        script = os.path.join(self.rundir, "sinks.lua")
        with open(script, "w") as f:
            f.write(SINK_SCRIPT if self.with_target else FILE_ONLY_SCRIPT)
        port = self.proxy.port if self.via_proxy else self.src.port
        conninfo = (f"host=127.0.0.1 port={port} dbname={SRC_DB} user=postgres"
                    " sslmode=disable gssencmode=disable"
                    f" options='-c wal_sender_timeout={int(WAL_SENDER_TIMEOUT * 1000)}ms'")
        self.argv = [self.walhook, "-d", conninfo, "-S", SLOT, "--start", "--retry-active",
                     "--publication", "pub", *PROTOCOLS[self.protocol]["options"],
                     "-s", "1", "-v",
                     "--set", f"file={self.sink_path}"]
        if self.with_target:
            self.argv += ["--set", f"target={self.dst.conninfo(DST_DB)}"]
        if self.backfill:
            self.argv += ["--backfill", "public.acct", "--backfill-chunk", str(BACKFILL_CHUNK),
                          "--backfill-state", os.path.join(self.rundir, "backfill.state")]
        # More flags by hand, for a closer look at a failing seed (e.g.
        # WALHOOK_CHAOS_ARGS="--record /tmp/run.rec").
        self.argv += shlex.split(os.environ.get("WALHOOK_CHAOS_ARGS", ""))
        self.argv.append(script)
        self.log.quiet("walhook command: " + " ".join(
            a if " " not in a else repr(a) for a in self.argv))
        self.wh = WalhookRunner(self.argv, self.rundir, self.log)

    # -- faults --------------------------------------------------------------

    def wait_streaming(self, timeout=60):
        """Until walhook's slot has a walsender again; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.wh.check()
            info = self.src.slot_info(SLOT)
            if info and info[0]:
                return True
            time.sleep(0.1)
        return False

    def inject(self, f):
        kind = f["kind"]
        if kind == "proxy_reset":
            n = self.proxy.reset_replication()
            return f"reset {n} replication connection(s)"
        if kind == "proxy_cut":
            n = self.proxy.arm_cut(bytes=f.get("bytes"), messages=f.get("messages"))
            return f"armed {n} connection(s)"
        if kind == "start_reset":
            # Not one of FAULT_KINDS: fixed scenarios aim it.
            self.proxy.reset_replication()
            n = self.proxy.arm_start_reset(f.get("count", 1))
            return f"reset the stream, and armed the next {n} START_REPLICATION"
        if kind == "keepalive_cut":
            # Not one of FAULT_KINDS: fixed scenarios aim it.
            before = self.proxy.resets
            n = self.proxy.arm_keepalive_cut()
            deadline = time.monotonic() + 30
            while self.proxy.resets == before:
                if time.monotonic() > deadline:
                    harness.fail(f"no keepalive asking a reply came within 30 s ({n} armed)")
                time.sleep(0.05)
            return "cut after a keepalive asking a reply"
        if kind == "kill9":
            self.wh.kill9_and_restart()
            return f"walhook #{self.wh.incarnation} started"
        if kind == "terminate":
            out = self.src.try_sql(
                "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots"
                f" WHERE slot_name = '{SLOT}' AND active_pid IS NOT NULL")
            return f"terminated {out} walsender(s)"
        if kind == "sigstop":
            pid = self.wh.pid()
            os.kill(pid, signal.SIGSTOP)
            time.sleep(f["seconds"])   # the fault's length, not a wait for anything
            os.kill(pid, signal.SIGCONT)
            return f"pid {pid} stopped {f['seconds']} s"
        if kind == "restart_immediate":
            self.src.restart("immediate")
            return "source restarted"
        if kind == "target_down":
            self.dst.stop_server(f["mode"])
            time.sleep(f["seconds"])   # the outage's length
            retries = self.dst.start_server()
            return f"target down {f['seconds']} s" + (f" ({retries} failed starts)" if retries else "")
        if kind == "disk_full":
            if not self.tmpfs.mounted:
                return "skipped (no tmpfs)"
            how = self.tmpfs.fill(f["leave"])
            time.sleep(f["seconds"])   # the disk stays full this long
            self.tmpfs.free()
            return f"{how} for {f['seconds']} s"
        raise ValueError(kind)

    def progress(self):
        last = None
        while not self.stop_progress.wait(5):
            info = self.src.slot_info(SLOT)
            wal = self.src.try_sql("SELECT pg_current_wal_lsn()")
            lag = "source down"
            if info and wal:
                lag = f"lag {oracle.parse_lsn(wal) - info[1]} bytes"
            txns = self.work.acked if self.work else 0
            line = (f"faults {len(self.faults_done)}/{self.nfaults}, workload {txns} txns"
                    f" acked ({self.work.restarts if self.work else 0} reconnects), {lag},"
                    f" walhook #{self.wh.incarnation}, file {self._file_size()} bytes")
            if line != last:
                self.log(line)
                last = line

    def _file_size(self):
        try:
            return os.path.getsize(self.sink_path)
        except OSError:
            return 0

    # -- the run ---------------------------------------------------------------

    def make_workload(self, rng):
        return wl.Workload(rng, self.src.argv(SRC_DB), os.path.join(self.rundir, "workload.log"),
                           two_phase=True, preloaded=BACKFILL_ROWS if self.backfill else 0)

    def execute(self):
        rng = random.Random(self.seed)
        schedule = make_schedule(random.Random(rng.random()), self.nfaults)
        work_rng = random.Random(rng.random())
        with open(os.path.join(self.rundir, "schedule.json"), "w") as f:
            json.dump(schedule, f, indent=1)
        self.wh.start()
        if not self.wait_streaming(30):
            harness.fail("walhook did not start streaming within 30 s\n"
                         + self.wh.stderr_tail())
        self.work = self.make_workload(work_rng)
        self.work.start()
        prog = threading.Thread(target=self.progress, daemon=True)
        prog.start()
        started = time.monotonic()
        self.drive(schedule, started)
        # Let the workload run on as long as the run was asked to last.
        while time.monotonic() - started < self.seconds and self.work.is_alive():
            self.wh.check()
            time.sleep(0.2)
        self.work.stop()
        if self.work.error:
            harness.fail(f"the workload broke: {self.work.error}")
        self.proxy.arm_cut(None, None)
        self.resolve_prepared(rng)
        self.stats["txns"] = self.work.acked
        if self.backfill:
            self.wait_backfill(timeout=max(60, min(180, 3 * self.seconds)))
        # generous for a loaded 2-core machine: a healthy catch-up takes seconds
        self.catch_up(timeout=max(60, min(180, 3 * self.seconds)))
        self.stop_progress.set()
        self.verify()

    def drive(self, schedule, started):
        for f in schedule:
            if not f["compound"] and not self.wait_streaming(60):
                self.log("walhook has not streamed for 60 s; injecting the next fault anyway")
            time.sleep(f["gap"])   # the schedule's spacing between faults
            self.wh.check()
            self.run_fault(f, started)

    def run_fault(self, f, started):
        t = time.monotonic() - started
        try:
            what = self.inject(f)
        except harness.TestFailure as e:
            what = f"fault failed: {e}"
            self.problems.setdefault("harness", []).append(
                f"fault {f['n']} ({f['kind']}) could not be carried out, so this run proves"
                f" nothing about walhook: {e}")
        self.faults_done.append((round(t, 1), f, what))
        self.log(f"fault {f['n']}/{self.nfaults} {describe_fault(f)}: {what}")

    def resolve_prepared(self, rng):
        gids = self.src.sql("SELECT gid FROM pg_prepared_xacts ORDER BY gid", SRC_DB)
        gids = [g for g in gids.split("\n") if g]
        for g in gids:
            verb = "COMMIT" if rng.random() < 0.7 else "ROLLBACK"
            self.src.sql(f"{verb} PREPARED '{g}'", SRC_DB)
        if gids:
            self.log(f"resolved {len(gids)} prepared transactions left waiting")

    def wait_backfill(self, timeout):
        """Until walhook says the backfill is done, which it does once the
        last chunk is durable (a later incarnation, started after that, does
        not run it again); the catch-up then covers its last watermarks."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.wh.check()
            if any("backfill of public.acct: done" in text for _, text in self.wh.all_stderr()):
                return
            time.sleep(0.2)
        self.problems.setdefault("I5", []).append(
            f"the backfill of public.acct was not done within {timeout} s:\n"
            + self.wh.stderr_tail())

    def catch_up(self, timeout=180):
        end = self.src.wal_lsn()
        self.stats["end_lsn"] = end
        self.log(f"workload stopped after {self.work.acked} transactions; waiting for the"
                 f" slot to reach {oracle.format_lsn(end)}")
        deadline = time.monotonic() + timeout
        info = None
        while time.monotonic() < deadline:
            self.wh.check()
            info = self.src.slot_info(SLOT)
            if info and info[1] >= end:
                self.stats["caught_up"] = round(time.monotonic() - deadline + timeout, 1)
                return
            time.sleep(0.2)
        at = oracle.format_lsn(info[1]) if info else "?"
        self.problems.setdefault("I3", []).append(
            f"the slot was not confirmed to the WAL end {oracle.format_lsn(end)} within"
            f" {timeout} s: it is at {at}, the slot's walsender pid is"
            f" {info[0] if info else '?'}\n" + self.where_is_walhook())

    def where_is_walhook(self):
        """What a stuck walhook is doing: its state, its sockets, and its
        threads' stacks when gdb is installed."""
        pid = self.wh.pid()
        out = []
        try:
            with open(f"/proc/{pid}/status") as f:
                state = [l.strip() for l in f if l.startswith(("State", "Threads"))]
            with open(f"/proc/{pid}/wchan") as f:
                state.append("wchan " + f.read().strip())
            out.append(f"walhook pid {pid}: " + ", ".join(state))
        except OSError as e:
            return f"walhook pid {pid}: {e}"
        res = subprocess.run(["ss", "-tnp"], capture_output=True, timeout=30)
        socks = [l for l in res.stdout.decode(errors="replace").split("\n")
                 if f"pid={pid}," in l]
        out.append("its TCP sockets:\n  " + "\n  ".join(socks or ["(none)"]))
        if shutil.which("gdb"):
            res = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx", "-ex",
                                  "thread apply all bt 12"], capture_output=True, timeout=60)
            frames = [l for l in res.stdout.decode(errors="replace").split("\n")
                      if l.startswith(("#", "Thread"))]
            out.append("its stacks:\n  " + "\n  ".join(frames[:60]))
        return "\n".join(out)

    def verify(self):
        key_cols = {t: k for t, k in wl.TABLES.items() if k}
        full = {t for t, k in wl.TABLES.items() if not k}
        # I1: the file, read while walhook still runs (all of it is confirmed)
        lines, damaged = oracle.read_file_sink(self.sink_path)
        # A backfill's read rows are no change of the oracle's; what they
        # must do is shown by I2 (the preloaded rows reach the target only
        # through them, and a stale one would undo a change).
        reads = [fl for fl in lines if fl.op == "read"]
        lines = [fl for fl in lines if fl.op != "read"]
        self.stats["read_lines"] = len(reads)
        changes = oracle.read_oracle(lambda q: self.src.lines(q, SRC_DB), ORACLE_SLOT)
        self.stats["changes"] = len(changes)
        self.stats["file_lines"] = len(lines)
        p = oracle.check_file(changes, lines, full, key_cols)
        if damaged:
            p.insert(0, f"F0: {len(damaged)} lines of the file are not JSON, e.g. "
                        + "; ".join(f"line {n}: {t}" for n, t in damaged[:3]))
        if p:
            self.problems.setdefault("I1", []).extend(p)
        # I2: target = source
        if self.with_target:
            for table in wl.ORDER_BY:
                self.compare_table(table)
        # I4: stop walhook, look at every stderr
        rc = self.wh.stop()
        if rc != 0:
            self.problems.setdefault("I4", []).append(
                f"walhook exited {rc} on SIGTERM (expected 0):\n{self.wh.stderr_tail()}")
        for n, status, tail in self.wh.unexpected:
            self.problems.setdefault("I4", []).append(
                f"walhook #{n} ended without being killed ({status}); its stderr ends:\n{tail}")
        for n, text in self.wh.all_stderr():
            for m in CRASH_PATTERNS.finditer(text):
                start = max(text.rfind("\n", 0, m.start()), 0)
                self.problems.setdefault("I4", []).append(
                    f"walhook #{n} stderr: {text[start:start + 300].strip()}")
                break
        # I3 again: after the final status update, still at the end
        info = self.src.slot_info(SLOT)
        if info and info[1] < self.stats["end_lsn"] and "I3" not in self.problems:
            self.problems.setdefault("I3", []).append(
                f"after SIGTERM the slot is at {oracle.format_lsn(info[1])}, before"
                f" {oracle.format_lsn(self.stats['end_lsn'])}")

    def compare_table(self, table):
        q = (f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
             f" FROM public.{table} t")
        a = self.src.sql(q, SRC_DB)
        b = self.dst.try_sql(q, DST_DB)
        if a == b:
            return
        rows_a = self.src.lines(f"SELECT t::text FROM public.{table} t", SRC_DB)
        rows_b = (self.dst.lines(f"SELECT t::text FROM public.{table} t", DST_DB)
                  if b is not None else [])
        from collections import Counter
        ca, cb = Counter(rows_a), Counter(rows_b)
        only_src = list((ca - cb).elements())
        only_dst = list((cb - ca).elements())
        self.problems.setdefault("I2", []).append(
            f"{table}: source {a.replace('|', ' rows, md5 ')}, target "
            f"{(b or 'unreadable').replace('|', ' rows, md5 ')}; {len(only_src)} rows only on"
            f" the source (first {sorted(only_src)[:8]}), {len(only_dst)} only on the target"
            f" (first {sorted(only_dst)[:8]})")

    # -- report -------------------------------------------------------------------

    def report(self, elapsed):
        ok = not self.problems
        summary = (f"chaos {self.label}:"
                   f" faults={len(self.faults_done)} txns={self.stats.get('txns', '?')}"
                   f" changes={self.stats.get('changes', '?')}"
                   f" file_lines={self.stats.get('file_lines', '?')}"
                   + (f" read_lines={self.stats.get('read_lines', '?')}" if self.backfill else "")
                   + f" walhook_starts={self.wh.incarnation if self.wh else 0}"
                   f" time={elapsed:.0f}s "
                   + ("PASS" if ok else "FAIL " + ",".join(sorted(self.problems))))
        if ok:
            return summary
        out = [f"FAIL {self.label}",
               f"replay: {self.replay_command()}"]
        for inv in sorted(self.problems):
            for p in self.problems[inv]:
                out.append(f"{inv}: {p}")
        out.append("fault schedule that ran (seconds after the workload started):")
        for t, f, what in self.faults_done:
            out.append(f"  {t:6.1f}s  {describe_fault(f)}: {what}")
        out.append(f"walhook command: {' '.join(self.argv)}")
        out.append(f"walhook #{self.wh.incarnation} stderr tail:\n{self.wh.stderr_tail(lines=15)}")
        out.append(f"files kept for inspection: {self.rundir}" if keep() else
                   "set WALHOOK_CHAOS_KEEP=1 to keep the run's directory (sink file, stderr, oracle)")
        return "\n".join(out) + "\n" + summary

    def teardown(self, failed):
        self.stop_progress.set()
        if self.work is not None and self.work.is_alive():
            self.work.stop()
        if self.wh is not None:
            self.wh.kill()
        if self.proxy is not None:
            self.proxy.close()
        kept = failed and keep()
        if kept and self.tmpfs.mounted and os.path.exists(self.sink_path):
            shutil.copy(self.sink_path, os.path.join(self.rundir, "sink.jsonl"))
        if kept and self.src is not None:
            try:
                lines = self.src.lines(
                    f"SELECT data FROM pg_logical_slot_peek_changes('{ORACLE_SLOT}', NULL, NULL,"
                    " 'format-version', '2', 'include-xids', '1', 'include-lsn', '1')", SRC_DB)
                with open(os.path.join(self.rundir, "oracle.jsonl"), "w") as f:
                    f.write("\n".join(lines) + "\n")
            except Exception as e:  # the source may be what broke
                self.log(f"could not save the oracle: {e}")
        self.tmpfs.umount()
        for c, name in ((self.src, "source.log"), (self.dst, "target.log")):
            if c is not None:
                c.destroy(os.path.join(self.rundir, name) if kept else None)
        if not kept:
            shutil.rmtree(self.rundir, ignore_errors=True)


def keep():
    return os.environ.get("WALHOOK_CHAOS_KEEP", "") not in ("", "0")


def run_seed(seed, protocol, seconds, walhook, faults=None, backfill=False):
    """One soak run; prints its lines; returns True when it passed."""
    started = time.monotonic()
    run = Run(seed, protocol, seconds, walhook, faults, backfill)
    print(f"chaos: seed {seed} protocol {protocol}, {run.nfaults} faults over ~{seconds} s,"
          f" walhook {walhook}, run directory {run.rundir}", flush=True)
    failed = True
    try:
        run.setup()
        run.execute()
        failed = bool(run.problems)
    except harness.TestFailure as e:
        run.problems.setdefault("harness", []).append(str(e))
    except Exception:
        import traceback
        run.problems.setdefault("harness", []).append(traceback.format_exc())
    finally:
        try:
            text = run.report(time.monotonic() - started)
        except Exception as e:
            text = f"FAIL seed {seed} protocol {protocol}: could not report: {e!r}"
        run.teardown(failed)
    print(text, flush=True)
    return not failed
