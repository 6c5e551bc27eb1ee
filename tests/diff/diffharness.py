"""The differential harness: walhook's postgres sink against PostgreSQL's own
subscription (Python 3 stdlib only).

One run starts two throwaway clusters (scripts/sandbox): the source, and a
target cluster that holds, per scenario, database A (fed by CREATE
SUBSCRIPTION) and database B (fed by walhook running
lua/examples/replicate.lua). For each scenario and mode:

1. a fresh source database and fresh A and B; the scenario's schema on all
   three, its publication on the source, its target-only DDL on A and B;
2. the subscription on A (copy_data = false) and walhook on B, each with a
   slot made before the workload;
3. the workload: SQL on the source, and steps that run DDL on the targets,
   restart the target cluster, wait for both sides, or kill walhook;
4. wait (by LSN, with deadlines) until both slots have confirmed the
   source's pg_current_wal_lsn(); then every table and sequence of A and B
   is compared: row count and an ordered digest, and on a difference the
   rows that differ.

Modes: "text", "binary" (walhook -o binary=true; subscription binary =
true) and "kill9" (text, with walhook killed by SIGKILL at moments drawn
from the seed and started again); and for some scenarios "test_decoding"
and "wal2json" (format 2): walhook through that plugin, against the same
subscription.

A failure says which scenario, mode and seed, and the command that reruns
just that.
"""

import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402  (Sandbox, Walhook, wait_for, LSN helpers)
from harness import fail, TestFailure, parse_lsn, format_lsn  # noqa: E402

MODES = ("text", "binary", "kill9")
NO_KILL = ("text", "binary")
# walhook through a text plugin instead of pgoutput (the subscription as
# ever): for scenarios whose every table is published and whose workload
# is one no plugin loses (see the README's "Plugins").
TEXT_PLUGINS = ("test_decoding", "wal2json")
ALL_MODES = MODES + TEXT_PLUGINS

# How long one scenario may take to catch up once its workload is done.
CATCH_UP_TIMEOUT = 60


# --- steps of a workload ------------------------------------------------------

class Step:
    """One step of a workload. A plain string in a workload is SQL that
    runs on the source (one psql; its statements autocommit unless it has
    its own BEGIN ... COMMIT)."""


class Targets(Step):
    """SQL on both target databases (A, then B): DDL a subscriber must
    make itself, as ALTER TABLE ... ADD COLUMN."""

    def __init__(self, sql):
        self.sql = sql


class Sync(Step):
    """Wait until both sides have applied everything the source has, as
    before DDL that must not meet changes still in flight."""


class WaitTargets(Step):
    """Wait until `sql` gives 't' in both target databases."""

    def __init__(self, sql):
        self.sql = sql


class WalhookReplies(Step):
    """Wait until walhook's walsender has had `n` status updates from it
    since this step began (walhook idle and telling the server so)."""

    def __init__(self, n=2):
        self.n = n


class RefreshSubscription(Step):
    """ALTER SUBSCRIPTION ... REFRESH PUBLICATION on A: a subscription
    takes up tables created after it only so (walhook needs nothing)."""


class RestartTarget(Step):
    """Restart the target cluster (pg_ctl restart -m MODE) while both
    sides stream."""

    def __init__(self, mode="fast"):
        self.mode = mode


class KillWalhook(Step):
    """SIGKILL walhook here and start it again (after `pause` s)."""

    def __init__(self, pause=0.0):
        self.pause = pause


class Concurrently(Step):
    """Run `sql` in a session of its own that stays open (idle in its
    transaction) while the following steps run, until a Finish step with
    the same name sends it `finish` (COMMIT by default)."""

    def __init__(self, name, sql):
        self.name = name
        self.sql = sql


class Finish(Step):
    def __init__(self, name, sql="COMMIT;"):
        self.name = name
        self.sql = sql


# --- a scenario ---------------------------------------------------------------

class Scenario:
    """schema: SQL for the source and both targets. publication: SQL for the
    source only (CREATE PUBLICATION ...; more statements may follow).
    target: SQL for both targets only (extra columns, triggers). steps: the
    workload. publications: the names subscribed to. streaming / two_phase:
    what both sides ask for. modes: the modes it runs in. kill9: whether
    the kill -9 variant runs (some scenarios kill walhook themselves).
    note: what it checks, for the listing. native_binary = False: in binary
    mode only walhook asks for binary values, where a binary subscription
    refuses the scenario's types. target_role: walhook's sink connects to B as
    this role (made if missing, not a superuser), after target_role_setup
    ran in B as the superuser. seed: rows the source holds before both
    start, copied by the subscription (copy_data = true) and by walhook
    (--snapshot)."""

    def __init__(self, name, schema, steps, publication="CREATE PUBLICATION pub FOR ALL TABLES;",
                 target="", publications=("pub",), streaming=False, two_phase=False,
                 modes=MODES, note="", walhook_options=(), native_binary=True,
                 target_role=None, target_role_setup="", seed=""):
        self.name = name
        self.schema = schema
        self.steps = steps
        self.publication = publication
        self.target = target
        self.publications = list(publications)
        self.streaming = streaming
        self.two_phase = two_phase
        self.modes = tuple(modes)
        self.note = note
        self.walhook_options = list(walhook_options)
        self.native_binary = native_binary
        self.target_role = target_role
        self.target_role_setup = target_role_setup
        self.seed = seed


# --- SQL against one cluster --------------------------------------------------

class Cluster:
    """A sandbox cluster; psql and SQL helpers against one of its
    databases."""

    def __init__(self, name):
        self.sandbox = harness.Sandbox(name)

    def start(self):
        self.sandbox.start()
        self.host = self.sandbox.env["PGHOST"]
        self.port = self.sandbox.env["PGPORT"]
        self.user = self.sandbox.env["PGUSER"]
        return self

    def stop(self):
        self.sandbox.stop()

    def conninfo(self, db, user=None):
        return f"host={self.host} port={self.port} dbname={db} user={user or self.user}"

    def _env(self):
        env = dict(os.environ)
        for key in ("PGPASSWORD", "PGPASSFILE", "PGSSLMODE", "PGDATABASE",
                    "PGSERVICE", "PGOPTIONS"):
            env.pop(key, None)
        env.update(PGHOST=self.host, PGPORT=self.port, PGUSER=self.user)
        return env

    def psql(self, sql, db="postgres", timeout=120, check=True):
        """Runs sql in one psql (ON_ERROR_STOP); returns stdout, rows as
        `a|b` lines. On failure raises TestFailure (or, with check=False,
        returns None)."""
        cmd = ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"]
        res = subprocess.run(cmd, input=sql.encode(), capture_output=True,
                             timeout=timeout, env=self._env())
        if res.returncode != 0:
            if not check:
                return None
            fail(f"psql on {db} (port {self.port}) failed:\n{sql.strip()[:2000]}\n"
                 f"{res.stderr.decode(errors='replace').strip()}")
        return res.stdout.decode(errors="replace").rstrip("\n")

    def rows(self, sql, db="postgres"):
        out = self.psql(sql, db)
        return [line.split("|") for line in out.split("\n")] if out else []

    def open_session(self, db, sql, app):
        """A psql of its own fed sql on stdin and left open."""
        p = subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**self._env(), "PGAPPNAME": app})
        p.stdin.write(sql.encode())
        p.stdin.flush()
        return p

    def restart(self, mode):
        self.sandbox.restart(mode)

    def log_errors(self, since=0, limit=15):
        """The ERROR lines of the server log past byte `since`."""
        text = self.sandbox.log_text()[since:]
        lines = [l for l in text.split("\n") if "ERROR:" in l or "FATAL:" in l]
        return lines[-limit:]

    def log_size(self):
        return len(self.sandbox.log_text())


# --- comparing two databases ------------------------------------------------

def relations(cluster, db):
    """Every table and sequence of db's own schemas (walhook's bookkeeping
    schema left out): [(kind, qualified name)], sorted."""
    rows = cluster.rows(
        "SELECT c.relkind, format('%I.%I', n.nspname, c.relname) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'S') AND n.nspname NOT IN"
        " ('pg_catalog', 'information_schema', 'walhook', 'pg_toast')"
        " AND NOT c.relispartition ORDER BY 2", db)
    return [(k, name) for k, name in rows]


def table_digest(cluster, db, name):
    """'count md5' of the table's rows as text, in the C collation's order
    (partitions included through their root)."""
    return cluster.psql(
        f"SELECT count(*) || ' ' || coalesce(md5(string_agg(x, E'\\n' ORDER BY x COLLATE \"C\")), '-')"
        f" FROM (SELECT t::text AS x FROM {name} t) s", db)


def table_rows(cluster, db, name):
    out = cluster.psql(f"SELECT t::text FROM {name} t", db)
    return out.split("\n") if out else []


def sequence_state(cluster, db, name):
    return cluster.psql(f"SELECT last_value || ' ' || is_called FROM {name}", db)


def compare(cluster, db_a, db_b):
    """Differences between A and B as readable lines (empty: equal), and a
    summary of what was compared."""
    rels_a, rels_b = relations(cluster, db_a), relations(cluster, db_b)
    problems = []
    if rels_a != rels_b:
        problems.append(f"the two targets have different relations: A {rels_a}, B {rels_b}")
    summary = []
    for kind, name in rels_a:
        if (kind, name) not in rels_b:
            continue
        if kind == "S":
            a, b = sequence_state(cluster, db_a, name), sequence_state(cluster, db_b, name)
            summary.append(f"{name} seq {a}")
            if a != b:
                problems.append(f"sequence {name}: A (subscription) {a}, B (walhook) {b}")
            continue
        a, b = table_digest(cluster, db_a, name), table_digest(cluster, db_b, name)
        summary.append(f"{name} {a.split()[0]} rows")
        if a == b:
            continue
        ra, rb = Counter(table_rows(cluster, db_a, name)), Counter(table_rows(cluster, db_b, name))
        only_a, only_b = sorted((ra - rb).elements()), sorted((rb - ra).elements())
        lines = [f"table {name}: A (subscription) has {sum(ra.values())} rows, "
                 f"B (walhook) {sum(rb.values())}"]
        for row in only_a[:12]:
            lines.append(f"  only in A: {clip(row)}")
        if len(only_a) > 12:
            lines.append(f"  ... {len(only_a) - 12} more only in A")
        for row in only_b[:12]:
            lines.append(f"  only in B: {clip(row)}")
        if len(only_b) > 12:
            lines.append(f"  ... {len(only_b) - 12} more only in B")
        problems.append("\n".join(lines))
    return problems, summary


def clip(text, n=300):
    return text if len(text) <= n else text[:n] + f"... ({len(text)} chars)"


# --- one run of one scenario ----------------------------------------------------

class Run:
    """One scenario in one mode against the two clusters."""

    def __init__(self, env, scenario, mode, seed):
        self.env = env
        self.sc = scenario
        self.mode = mode
        self.seed = seed
        self.rng = random.Random(seed)
        tag = f"{scenario.name}_{mode}"
        self.src_db = f"src_{tag}"
        self.a_db = f"a_{tag}"
        self.b_db = f"b_{tag}"
        self.sub = f"sub_{tag}"
        self.slot = f"wh_{tag}"
        self.walhook = None
        self.walhook_runs = []
        self.kills = 0
        self.sessions = {}
        self.target_log_mark = 0
        self.killer = None
        self.started = time.monotonic()

    # -- set-up -----------------------------------------------------------

    def setup(self):
        src, tgt = self.env.source, self.env.target
        self.teardown(quiet=True)
        src.psql(f"CREATE DATABASE {q(self.src_db)}")
        tgt.psql(f"CREATE DATABASE {q(self.a_db)}")
        tgt.psql(f"CREATE DATABASE {q(self.b_db)}")
        for c, db in ((src, self.src_db), (tgt, self.a_db), (tgt, self.b_db)):
            c.psql(self.sc.schema, db)
        src.psql(self.sc.publication, self.src_db)
        if self.sc.target:
            tgt.psql(self.sc.target, self.a_db)
            tgt.psql(self.sc.target, self.b_db)
        if self.sc.target_role:
            role = self.sc.target_role
            tgt.psql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')"
                     f" THEN CREATE ROLE {q(role)} LOGIN; END IF; END $$")
            tgt.psql(self.sc.target_role_setup, self.b_db)
        self.target_log_mark = tgt.log_size()
        if self.sc.seed:
            src.psql(self.sc.seed, self.src_db)

        # synchronous_commit: the worker's commits are flushed at once,
        # so its slot confirms without waiting for the WAL writer.
        opts = [f"copy_data = {'true' if self.sc.seed else 'false'}",
                "synchronous_commit = on"]
        if self.mode == "binary" and self.sc.native_binary:
            opts.append("binary = true")
        if self.sc.streaming:
            opts.append("streaming = on")
        if self.sc.two_phase:
            opts.append("two_phase = true")
        pubs = ", ".join(q(p) for p in self.sc.publications)
        tgt.psql(f"CREATE SUBSCRIPTION {q(self.sub)} CONNECTION "
                 f"'{src.conninfo(self.src_db)}' PUBLICATION {pubs} WITH ({', '.join(opts)})",
                 self.a_db)
        self.start_walhook(create=True)
        harness.wait_for(self.slot_ready, 30, f"walhook's slot {self.slot} to be ready")
        harness.wait_for(lambda: self.slot_info(self.sub), 30,
                         f"the subscription's slot {self.sub}")
        if self.sc.seed:
            harness.wait_for(self.copied, CATCH_UP_TIMEOUT, "both initial copies", 0.05)

    def copied(self):
        """Whether the subscription has synced every table and walhook's
        --snapshot has copied as many rows as the source has."""
        src, tgt = self.env.source, self.env.target
        self.check_walhook()
        if tgt.psql("SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'",
                    self.a_db) != "0":
            return False
        for kind, name in relations(src, self.src_db):
            if kind != "S" and (tgt.psql(f"SELECT count(*) FROM {name}", self.b_db) !=
                                src.psql(f"SELECT count(*) FROM {name}", self.src_db)):
                return False
        return True

    def walhook_argv(self, create):
        src, tgt = self.env.source, self.env.target
        argv = [self.env.walhook, "-d", src.conninfo(self.src_db), "-S", self.slot]
        if create:
            argv += ["--create-slot", "--if-not-exists"]
            if self.sc.two_phase:
                argv.append("--two-phase")
            if self.sc.seed:
                argv.append("--snapshot")
        if self.mode in TEXT_PLUGINS:
            argv += ["-P", self.mode]
            if self.mode == "wal2json":
                argv += ["-o", "format-version=2"]
        else:
            argv += ["--publication", ",".join(self.sc.publications)]
        # --retry-active: after a kill -9 the old walsender may hold the
        # slot for a moment.
        argv += ["--start", "-s", "1", "--retry-active"]
        if self.mode == "binary":
            argv += ["-o", "binary=true"]
        if self.mode in TEXT_PLUGINS:
            pass  # neither streams nor prepares: commit order it is
        elif self.sc.streaming or self.sc.two_phase:
            argv += ["-o", f"proto_version={3 if self.sc.two_phase else 2}"]
        if self.sc.streaming and self.mode not in TEXT_PLUGINS:
            argv += ["-o", "streaming=on"]
        if self.sc.two_phase and self.mode not in TEXT_PLUGINS:
            argv += ["-o", "two_phase=on"]
        argv += self.sc.walhook_options
        if os.environ.get("WALHOOK_DIFF_VERBOSE"):
            argv.append("-v")
        argv += ["--set", f"target={tgt.conninfo(self.b_db, self.sc.target_role)}",
                 self.env.script]
        return argv

    def start_walhook(self, create=False):
        self.walhook = harness.Walhook(self.walhook_argv(create))
        self.walhook_runs.append(self.walhook)

    def kill_walhook(self, pause=0.0):
        w = self.walhook
        if w.proc.poll() is None:
            w.proc.send_signal(signal.SIGKILL)
        w.wait(10)
        self.kills += 1
        if pause:
            time.sleep(pause)
        self.start_walhook()

    def slot_info(self, slot):
        rows = self.env.source.rows(
            "SELECT active, confirmed_flush_lsn FROM pg_replication_slots"
            f" WHERE slot_name = '{slot}'")
        if not rows:
            return None
        active, confirmed = rows[0]
        return {"active": active == "t",
                "confirmed": parse_lsn(confirmed) if confirmed else None}

    def slot_ready(self):
        self.check_walhook()
        info = self.slot_info(self.slot)
        return info if info and info["confirmed"] else None

    def check_walhook(self):
        """Fails when walhook has stopped by itself."""
        w = self.walhook
        if w is not None and w.proc.poll() is not None and w.returncode is None:
            fail(f"walhook exited by itself\n{w.describe()}")

    # -- the workload --------------------------------------------------------

    def run_steps(self):
        src, tgt = self.env.source, self.env.target
        if self.mode == "kill9":
            self.killer = Killer(self)
            self.killer.start()
        try:
            for i, step in enumerate(self.sc.steps, 1):
                if os.environ.get("WALHOOK_DIFF_VERBOSE"):
                    print(f"  {time.monotonic() - self.started:6.2f} s: step {i}"
                          f" {type(step).__name__}", flush=True)
                with self.killer_paused():
                    self.check_walhook()
                if isinstance(step, str):
                    src.psql(step, self.src_db)
                    # kill -9 right after a commit: walhook is likely
                    # applying it, or committing the batch that has it.
                    if self.mode == "kill9" and self.rng.random() < 0.3:
                        with self.killer_paused():
                            self.kill_walhook()
                elif isinstance(step, Targets):
                    tgt.psql(step.sql, self.a_db)
                    tgt.psql(step.sql, self.b_db)
                elif isinstance(step, Sync):
                    with self.killer_paused():  # or kills would keep it from catching up
                        self.catch_up(f"step {i} (sync)")
                elif isinstance(step, WaitTargets):
                    harness.wait_for(lambda: tgt.psql(step.sql, self.a_db) == "t" and
                                     tgt.psql(step.sql, self.b_db) == "t",
                                     CATCH_UP_TIMEOUT, f"step {i}: {step.sql} on both targets", 0.05)
                elif isinstance(step, WalhookReplies):
                    self.wait_replies(step.n, i)
                elif isinstance(step, RefreshSubscription):
                    tgt.psql(f"ALTER SUBSCRIPTION {q(self.sub)} REFRESH PUBLICATION"
                             " WITH (copy_data = false)", self.a_db)
                elif isinstance(step, RestartTarget):
                    tgt.restart(step.mode)
                elif isinstance(step, KillWalhook):
                    with self.killer_paused():
                        self.kill_walhook(step.pause)
                elif isinstance(step, Concurrently):
                    self.sessions[step.name] = src.open_session(
                        self.src_db, step.sql, f"diff_{step.name}")
                    harness.wait_for(lambda: self.session_idle(step.name), 30,
                                     f"session {step.name} to be idle in its transaction")
                elif isinstance(step, Finish):
                    p = self.sessions.pop(step.name)
                    p.stdin.write(step.sql.encode())
                    p.stdin.close()
                    if p.wait(60) != 0:
                        fail(f"session {step.name} failed: "
                             f"{p.stderr.read().decode(errors='replace')}")
                else:
                    fail(f"unknown step {step!r}")
        finally:
            if self.killer:
                self.killer.halt()

    def wait_replies(self, n, i):
        src = self.env.source
        seen = []

        def replied():
            out = src.psql("SELECT reply_time FROM pg_stat_replication r"
                           " JOIN pg_replication_slots s ON s.active_pid = r.pid"
                           f" WHERE s.slot_name = '{self.slot}'")
            if out and (not seen or seen[-1] != out):
                seen.append(out)
            return len(seen) > n
        harness.wait_for(replied, 30, f"step {i}: {n} status updates from walhook", 0.05)

    def session_idle(self, name):
        out = self.env.source.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
            f" 'diff_{name}' AND state = 'idle in transaction'")
        return out == "1"

    class _Paused:
        def __init__(self, run):
            self.run = run

        def __enter__(self):
            if self.run.killer:
                self.run.killer.lock.acquire()

        def __exit__(self, *exc):
            if self.run.killer:
                self.run.killer.lock.release()

    def killer_paused(self):
        return Run._Paused(self)

    def catch_up(self, what):
        """Waits until both slots have confirmed the source's current WAL
        position."""
        src = self.env.source
        target = parse_lsn(src.psql("SELECT pg_current_wal_lsn()", self.src_db))

        def reached():
            with self.killer_paused():
                self.check_walhook()
            a, b = self.slot_info(self.sub), self.slot_info(self.slot)
            return (a and a["confirmed"] and a["confirmed"] >= target and
                    b and b["confirmed"] and b["confirmed"] >= target)
        try:
            harness.wait_for(reached, CATCH_UP_TIMEOUT,
                             f"both slots to confirm {format_lsn(target)} ({what})", 0.05)
        except TestFailure as e:
            w = self.walhook
            if w.proc.poll() is not None and w.returncode is None:
                raise  # walhook stopped: that says it all
            a, b = self.slot_info(self.sub) or {}, self.slot_info(self.slot) or {}
            fa, fb = a.get("confirmed"), b.get("confirmed")
            errors = "\n".join(self.env.target.log_errors(self.target_log_mark))
            fail(f"{e}: subscription at {format_lsn(fa or 0)}, walhook at {format_lsn(fb or 0)}\n"
                 f"target server errors:\n{errors or '(none)'}\n{self.walhook.describe()}")

    # -- the end -------------------------------------------------------------

    def finish(self):
        if self.mode == "kill9":
            # While walhook still applies the workload's last changes.
            self.kill_walhook()
        self.catch_up("end of the workload")
        self.walhook.stop(signal.SIGTERM, 15)
        if self.walhook.returncode != 0:
            fail(f"walhook did not stop cleanly\n{self.walhook.describe()}")
        problems, summary = compare(self.env.target, self.a_db, self.b_db)
        native_errors = self.env.target.psql(
            "SELECT coalesce(sum(apply_error_count), 0) FROM pg_stat_subscription_stats"
            f" WHERE subname = '{self.sub}'", self.a_db)
        return problems, summary, native_errors

    def teardown(self, quiet=False):
        src, tgt = self.env.source, self.env.target
        if self.killer:
            self.killer.halt()
        for w in self.walhook_runs:
            w.kill()
        for p in self.sessions.values():
            p.kill()
        self.sessions = {}
        # The subscription, then its databases (dropping it drops its slot).
        tgt.psql(f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_subscription WHERE subname ="
                 f" '{self.sub}') THEN ALTER SUBSCRIPTION {q(self.sub)} DISABLE;"
                 f" ALTER SUBSCRIPTION {q(self.sub)} SET (slot_name = NONE);"
                 f" DROP SUBSCRIPTION {q(self.sub)}; END IF; END $$",
                 self.a_db, check=False)
        for slot in (self.sub, self.slot):
            harness.wait_for(lambda: self.drop_slot(slot), 30, f"slot {slot} to be dropped", 0.05)
        # Prepared transactions keep a database from being dropped.
        for c, db in ((tgt, self.a_db), (tgt, self.b_db), (src, self.src_db)):
            for (gid,) in c.rows(f"SELECT gid FROM pg_prepared_xacts WHERE database = '{db}'"):
                c.psql(f"ROLLBACK PREPARED '{gid}'", db, check=False)
        tgt.psql(f"DROP DATABASE IF EXISTS {q(self.a_db)} WITH (FORCE)")
        tgt.psql(f"DROP DATABASE IF EXISTS {q(self.b_db)} WITH (FORCE)")
        tgt.psql("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
                 f" WHERE roname = 'walhook_{self.slot}'", check=False)
        src.psql(f"DROP DATABASE IF EXISTS {q(self.src_db)} WITH (FORCE)")

    def drop_slot(self, slot):
        src = self.env.source
        rows = src.rows(f"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{slot}'")
        if not rows:
            return True
        if rows[0][0]:
            src.psql(f"SELECT pg_terminate_backend({rows[0][0]})", check=False)
            return False
        src.psql(f"SELECT pg_drop_replication_slot('{slot}')", check=False)
        return False


class Killer(threading.Thread):
    """kill -9 of walhook at moments drawn from the run's seed: every 0.15 to
    1 s while the workload runs, walhook is killed and started again (the
    workload's end is one more such moment, see Run.finish)."""

    def __init__(self, run):
        super().__init__(daemon=True)
        self.run_ = run
        self.rng = random.Random(run.seed * 7919 + 1)
        self.stop_event = threading.Event()
        self.lock = threading.RLock()

    def run(self):
        while not self.stop_event.wait(self.rng.uniform(0.15, 1.0)):
            with self.lock:
                if self.stop_event.is_set():
                    return
                self.run_.kill_walhook()

    def halt(self):
        self.stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(15)


def q(ident):
    return '"' + ident.replace('"', '""') + '"'


# --- the two clusters -----------------------------------------------------------

class Env:
    def __init__(self, walhook, script):
        self.walhook = walhook
        self.script = script
        self.source = Cluster("diff-source")
        self.target = Cluster("diff-target")

    def start(self):
        # Two sandboxes, started one after the other (each picks a free port).
        self.source.start()
        self.target.start()
        # Small transactions stream too (streaming scenarios), and a
        # subscription's worker comes back quickly after a restart.
        self.source.psql("ALTER SYSTEM SET logical_decoding_work_mem = '64kB';"
                         " SELECT pg_reload_conf()")
        # (A reload, not a restart: a restarting cluster's port is free
        # for a moment, and a sandbox starting meanwhile may take it.)
        self.target.psql("ALTER SYSTEM SET wal_retrieve_retry_interval = '200ms';"
                         " SELECT pg_reload_conf()")
        return self

    def stop(self):
        for c in (self.source, self.target):
            try:
                c.stop()
            except Exception as e:  # keep stopping the other
                print(f"stopping {c.sandbox.dir}: {e}", file=sys.stderr)


def rerun_command(scenario, mode, seed):
    return (f"WALHOOK={shlex.quote(os.environ.get('WALHOOK', 'build/walhook'))} "
            f"python3 tests/diff/run.py --scenario {scenario} --mode {mode} --seed {seed}")


def run_one(env, scenario, mode, seed):
    """Runs one scenario in one mode; returns (ok, text)."""
    r = Run(env, scenario, mode, seed)
    started = time.monotonic()
    head = f"{scenario.name} [{mode}] seed {seed}"
    try:
        r.setup()
        r.run_steps()
        problems, summary, native_errors = r.finish()
        took = time.monotonic() - started
        extra = f", {r.kills} kills" if r.kills else ""
        if native_errors != "0":
            problems.append(f"the subscription itself hit {native_errors} apply errors "
                            f"(the oracle is broken):\n" +
                            "\n".join(env.target.log_errors(r.target_log_mark)))
        if problems:
            return False, (f"FAIL {head} ({took:.1f} s{extra})\n" + "\n".join(problems) +
                           f"\nrerun: {rerun_command(scenario.name, mode, seed)}")
        return True, f"ok   {head} ({took:.1f} s{extra}): {'; '.join(summary)}"
    except TestFailure as e:
        took = time.monotonic() - started
        return False, (f"FAIL {head} ({took:.1f} s)\n{e}\n"
                       f"rerun: {rerun_command(scenario.name, mode, seed)}")
    finally:
        if not os.environ.get("WALHOOK_DIFF_KEEP"):
            try:
                r.teardown()
            except TestFailure as e:
                print(f"teardown of {head}: {e}", file=sys.stderr)
