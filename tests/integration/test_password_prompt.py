#!/usr/bin/env python3
"""A password asked for once serves every connection of the process. On a
server of its own that wants a password (scram-sha-256) from a role,
walhook runs on a terminal (a pty), with -W and then with the prompt libpq
asks for; it streams, runs walhook.query on its side connection and
heartbeats on a third; then every backend of the role is terminated, and
all three connect again. Exactly one "Password:" prompt is seen in each run,
and the password never appears on the terminal."""

import os
import pty
import signal
import subprocess
import threading

import harness

ROLE = "wh_prompt"
PASSWORD = "pty-sekrit-42"

SCRIPT = r'''
function handle_connect(info)
  -- The side connection may have been terminated: a failed query closes
  -- it, and the next one connects again.
  local ok = pcall(walhook.query, "SELECT 1")
  if not ok then walhook.query("SELECT 1") end
end
'''


class Terminal:
    """A process on a pty of its own: what it writes is collected, and each
    "Password: " prompt is answered with the password."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.text = ""
        self.prompts = 0
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.status = None

    def _read(self):
        while True:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.text += data.decode("utf-8", "replace")
                while self.text.count("Password: ") > self.prompts:
                    self.prompts += 1
                    os.write(self.fd, (PASSWORD + "\n").encode())

    def seen(self):
        with self.lock:
            return self.text, self.prompts

    def stop(self, timeout=15):
        if self.status is None:
            os.kill(self.pid, signal.SIGTERM)
            self.status = harness.wait_for(self._reaped, timeout, "walhook to exit", 0.05)
        self.reader.join(5)
        os.close(self.fd)
        return self.status

    def _reaped(self):
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        return (os.waitstatus_to_exitcode(status),) if pid else None

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = (-9,)


def backends(t):
    """{pid: backend_type} of the role's connections."""
    rows = t.rows("SELECT pid, backend_type FROM pg_stat_activity"
                  f" WHERE usename = '{ROLE}'", db="postgres")
    return {int(pid): kind for pid, kind in rows}


def main(t, sb):
    host, port = sb.env["PGHOST"], sb.env["PGPORT"]
    t.psql(f"""
        CREATE ROLE {ROLE} LOGIN REPLICATION PASSWORD '{PASSWORD}';
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
        GRANT SELECT ON test_rep TO {ROLE};
    """)
    sb.prepend_hba([f"host all {ROLE} {host}/32 scram-sha-256"])

    def asks_password():
        env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        res = subprocess.run(["psql", "-X", "-w", "-At", "-h", host, "-p", port, "-U", ROLE,
                              "-d", t.db, "-c", "SELECT 1"],
                             capture_output=True, env=env, timeout=30)
        return res.returncode != 0 and b"password" in res.stderr
    harness.wait_for(asks_password, 10, "pg_hba.conf to ask for a password", 0.1)

    env = {k: v for k, v in os.environ.items()
           if k not in ("PGPASSWORD", "PGUSER", "PGPASSFILE")}
    env["PGPASSFILE"] = "/nonexistent"
    script = t.script("prompt.lua", SCRIPT)
    next_id = [1]
    for mode, flags in (("-W", ["-W"]), ("libpq's request", [])):
        slot = "wh_prompt_w" if flags else "wh_prompt_auto"
        t.create_slot(slot)
        out = os.path.join(t.tmp, f"{slot}.jsonl")
        argv = [t.walhook_path, "-h", host, "-p", port, "-U", ROLE, "-d", t.db, "-S", slot,
                "--start", "--publication", "pub", "-f", out, "-F", "0", "--heartbeat", "1",
                *flags, script]
        term = Terminal(argv, env)
        try:
            def describe():
                text, prompts = term.seen()
                return f"[{mode}] {prompts} prompts; the terminal:\n{text}"

            def row_out(i):
                return any(r["new"]["id"] == i for r in harness.records_of(None, out))

            def insert_and_see():
                i = next_id[0]
                next_id[0] += 1
                t.psql(f"INSERT INTO test_rep VALUES ({i}, 'r{i}')")
                try:
                    harness.wait_for(lambda: row_out(i), 20, f"row {i} in the output")
                except harness.TestFailure as e:
                    harness.fail(f"{e}\n{describe()}")

            def connected(before=()):
                b = backends(t)
                fresh = {p: k for p, k in b.items() if p not in before}
                kinds = sorted(fresh.values())
                return fresh if kinds.count("walsender") == 1 and \
                    kinds.count("client backend") == 2 else None
            try:
                first = harness.wait_for(connected, 20, "the stream, side and heartbeat "
                                         "connections")
            except harness.TestFailure as e:
                harness.fail(f"{e}: {backends(t)}\n{describe()}")
            insert_and_see()
            t.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                   f" WHERE usename = '{ROLE}'", db="postgres")
            try:
                harness.wait_for(lambda: connected(first), 30,
                                 "all three connections to be made again")
            except harness.TestFailure as e:
                harness.fail(f"{e}: {backends(t)}\n{describe()}")
            insert_and_see()
            text, prompts = term.seen()
            t.eq(prompts, 1, f"password prompts\n{describe()}")
            t.check(PASSWORD not in text, f"the password shows on the terminal\n{describe()}")
            t.check("reconnecting" in text, f"no reconnect seen\n{describe()}")
            t.eq(term.stop(), (0,), f"exit status\n{describe()}")
            print(f"{mode}: one prompt for {len(first)} connections, made twice")
        finally:
            term.kill()


harness.run_sandboxed("password_prompt", main)
