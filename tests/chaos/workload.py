"""The seeded workload: transactions against the source while faults run.

`Generator(rng)` yields SQL text, one transaction at a time, from a
`random.Random`; the same seed gives the same transactions in the same
order. `Workload` runs them through one psql (restarted whenever its
connection is lost) and keeps no record of what committed: the oracle slot
says that. It only counts what psql acknowledged, for progress lines.

Tables (created on the source and the target by `SCHEMA`):
  acct  id int PRIMARY KEY, v bigint, note text
  bag   a int, b text, no key, REPLICA IDENTITY FULL; values from a small
        domain, so equal rows are common

Transactions: single-row inserts, small mixes of inserts, updates (some of
the key), deletes on both tables, one-of-equal-rows updates and deletes on
bag (by ctid), big transactions of 500-3000 rows (past
logical_decoding_work_mem, so they stream where streaming is on), some with
a savepoint rolled back, rolled-back transactions (some big), TRUNCATE of
one table, and two-phase: PREPARE TRANSACTION of inserts into a key range
no other transaction touches (a prepared transaction holds its locks), then
later COMMIT PREPARED or ROLLBACK PREPARED, with up to 4 waiting at a time,
across faults. Before a TRUNCATE, which would wait for the locks of a
prepared transaction, the waiting ones are resolved.

With a backfill (chaos.py's backfill runs), acct also holds rows loaded
before the slots exist, and 30 % of acct's updates, key changes and deletes
pick one of those.
"""

import os
import queue
import subprocess
import threading
import time

SCHEMA = """
CREATE TABLE acct (id int PRIMARY KEY, v bigint NOT NULL, note text);
CREATE TABLE bag (a int, b text);
ALTER TABLE bag REPLICA IDENTITY FULL;
"""

TABLES = {"public.acct": ["id"], "public.bag": None}   # key columns (None: keyless)
ORDER_BY = {"acct": "id", "bag": "a, b"}

PREPARED_BASE = 50_000_000
MAX_PREPARED = 4
# acct's rows loaded before the slots exist, which reach the target only by
# a backfill (chaos.py --backfill): ids PRELOAD_BASE + 1 ... + n.
PRELOAD_BASE = 40_000_000


def preload_sql(n):
    return (f"INSERT INTO acct SELECT g, g * 3, 'preloaded' FROM generate_series("
            f"{PRELOAD_BASE + 1}, {PRELOAD_BASE + n}) g")


class Generator:
    def __init__(self, rng, two_phase=True, preloaded=0):
        self.rng = rng
        self.two_phase = two_phase
        self.next_id = 1
        self.ids = []            # ids it inserted (a guess: some may not have committed)
        self.preloaded = preloaded
        self.next_gid = 1
        self.next_prepared_id = PREPARED_BASE
        self.pending = []        # gids it prepared and has not resolved

    def _id(self):
        i = self.next_id
        self.next_id += 1
        self.ids.append(i)
        return i

    def _some_id(self):
        # Updates, key changes and deletes of preloaded rows race their
        # backfill's chunks. (No draw without them, so that a seed's
        # workload stays the same without a backfill.)
        if self.preloaded and self.rng.random() < 0.3:
            return PRELOAD_BASE + self.rng.randint(1, self.preloaded)
        if not self.ids:
            return self._id()
        return self.rng.choice(self.ids[-2000:])

    def _note(self):
        return "'" + "n" * self.rng.randint(0, 60) + "'" if self.rng.random() < 0.9 else "NULL"

    def _bag_value(self):
        a = self.rng.randint(0, 5)
        b = self.rng.choice(["'x'", "'y'", "NULL"])
        return a, b

    def _small_statement(self):
        r = self.rng.random()
        if r < 0.35:
            return f"INSERT INTO acct VALUES ({self._id()}, {self.rng.randint(0, 10**9)}, {self._note()})"
        if r < 0.55:
            return f"UPDATE acct SET v = v + {self.rng.randint(1, 99)}, note = {self._note()} WHERE id = {self._some_id()}"
        if r < 0.62:
            i = self._some_id()
            return f"DELETE FROM acct WHERE id = {i}"
        if r < 0.66:
            old = self._some_id()
            new = self._id()
            return f"UPDATE acct SET id = {new} WHERE id = {old}"
        if r < 0.80:
            a, b = self._bag_value()
            n = self.rng.randint(1, 3)
            return "INSERT INTO bag VALUES " + ", ".join([f"({a}, {b})"] * n)
        if r < 0.88:
            a, b = self._bag_value()
            return (f"UPDATE bag SET b = {b} WHERE ctid = (SELECT ctid FROM bag WHERE a = {a}"
                    " LIMIT 1)")
        if r < 0.94:
            a, _ = self._bag_value()
            return f"DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE a = {a} LIMIT 1)"
        a, b = self._bag_value()
        # several equal rows at once (at most 20, so bag's churn stays small)
        return (f"UPDATE bag SET b = {b} WHERE ctid IN (SELECT ctid FROM bag WHERE a = {a}"
                " LIMIT 20)")

    def _big(self):
        n = self.rng.randint(300, 2500)
        first = self.next_id
        self.next_id += n
        self.ids.extend(range(first, first + n))
        pad = self.rng.randint(20, 80)
        s = [f"INSERT INTO acct SELECT g, g * 7, repeat('b', {pad}) FROM generate_series({first}, {first + n - 1}) g"]
        if self.rng.random() < 0.4:
            s.append("SAVEPOINT s1")
            s.append(f"UPDATE acct SET v = v + 1 WHERE id BETWEEN {first} AND {first + n // 2}")
            s.append("ROLLBACK TO SAVEPOINT s1")
        if self.rng.random() < 0.5:
            s.append(f"UPDATE acct SET note = 'big' WHERE id BETWEEN {first} AND {first + n // 3}")
        if self.rng.random() < 0.3:
            a, b = self._bag_value()
            s.append(f"INSERT INTO bag SELECT {a}, {b} FROM generate_series(1, {self.rng.randint(50, 400)})")
        if self.rng.random() < 0.3:
            s.append(f"DELETE FROM acct WHERE id BETWEEN {first + n - 100} AND {first + n - 1}")
        return s

    def _resolve(self, gid):
        self.pending.remove(gid)
        verb = "COMMIT" if self.rng.random() < 0.75 else "ROLLBACK"
        return f"{verb} PREPARED '{gid}';"

    def next(self):
        """One transaction as SQL text (one or more statements)."""
        r = self.rng.random()
        if self.pending and (r < 0.05 or len(self.pending) >= MAX_PREPARED and r < 0.2):
            return self._resolve(self.rng.choice(self.pending))
        r = self.rng.random()
        if r < 0.45:
            return self._small_statement() + ";"
        if r < 0.80:
            body = [self._small_statement() for _ in range(self.rng.randint(2, 10))]
            return "BEGIN;\n" + ";\n".join(body) + ";\nCOMMIT;"
        if r < 0.815:
            return "BEGIN;\n" + ";\n".join(self._big()) + ";\nCOMMIT;"
        if r < 0.825:
            body = self._big() if self.rng.random() < 0.5 else [self._small_statement()]
            return "BEGIN;\n" + ";\n".join(body) + ";\nROLLBACK;"
        if r < 0.86 and self.two_phase and len(self.pending) < MAX_PREPARED:
            gid = f"chaos_{self.next_gid}"
            self.next_gid += 1
            n = self.rng.choice([1, 3, 20, 800])
            first = self.next_prepared_id
            self.next_prepared_id += n
            a, b = self._bag_value()
            self.pending.append(gid)
            return ("BEGIN;\n"
                    f"INSERT INTO acct SELECT g, g, 'prepared' FROM generate_series({first}, {first + n - 1}) g;\n"
                    f"INSERT INTO bag VALUES ({a}, {b});\n"
                    f"PREPARE TRANSACTION '{gid}';")
        if r < 0.866:
            table = "bag" if self.rng.random() < 0.7 else "acct"
            head = "".join(self._resolve(g) + "\n" for g in list(self.pending))
            return head + f"TRUNCATE {table};"
        return self._small_statement() + ";"


class Workload(threading.Thread):
    """Runs Generator transactions through psql until stopped. `conninfo`
    is the psql -d argument. A lost connection restarts psql (with a short
    pause while the server restarts); SQL errors (a lock timeout, a row
    gone) are logged and ignored."""

    def __init__(self, rng, psql_argv, log_path, two_phase=True, pace=0.01, preloaded=0):
        super().__init__(daemon=True)
        self.gen = Generator(rng, two_phase=two_phase, preloaded=preloaded)
        self.psql_argv = psql_argv
        self.log_path = log_path
        self.pace = pace
        self.halt = threading.Event()
        self.acked = 0           # transactions psql finished (committed or not)
        self.restarts = 0
        self.error = None
        self._proc = None

    def _spawn(self):
        log = open(self.log_path, "ab")
        proc = subprocess.Popen(self.psql_argv, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=log)
        log.close()
        lines = queue.Queue()

        def reader():
            for raw in proc.stdout:
                lines.put(raw.decode(errors="replace").strip())
            lines.put(None)
        threading.Thread(target=reader, daemon=True).start()
        proc.stdin.write(b"SET lock_timeout = '3s';\nSET statement_timeout = '60s';\n")
        proc.stdin.flush()
        return proc, lines

    def run(self):
        proc = lines = None
        n = 0
        txn = None
        try:
            while not self.halt.is_set():
                if proc is None:
                    proc, lines = self._spawn()
                    self._proc = proc
                if txn is None:
                    txn = self.gen.next()
                n += 1
                try:
                    proc.stdin.write(f"{txn}\n\\echo @@{n}\n".encode())
                    proc.stdin.flush()
                except (BrokenPipeError, OSError):
                    line = None
                else:
                    line = self._wait_echo(lines, n)
                if line is None:
                    # psql is gone: the connection was lost. What committed
                    # is the oracle's business; go on with the next one.
                    if proc.poll() is None:
                        proc.kill()
                    proc.wait()
                    proc = None
                    self.restarts += 1
                    self.halt.wait(0.3)
                    txn = None
                    continue
                self.acked += 1
                txn = None
                if self.pace:
                    self.halt.wait(self.pace)
        except Exception as e:  # a bug in the harness: say so at the end
            self.error = repr(e)
        finally:
            if proc is not None:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def _wait_echo(self, lines, n):
        want = f"@@{n}"
        while True:
            try:
                line = lines.get(timeout=120)
            except queue.Empty:
                return None
            if line is None:
                return None
            if line == want:
                return line

    def stop(self):
        self.halt.set()
        self.join(120)
