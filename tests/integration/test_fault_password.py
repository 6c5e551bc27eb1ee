#!/usr/bin/env python3
"""A role that must give a password (scram-sha-256 in pg_hba, on a server
of its own). The password given in a conninfo string, in a URI or in
PGPASSWORD works; a wrong one fails at once with a clear authentication
error and exit 1. In no case does the password (right or wrong) appear in
walhook's output, its stderr (also with -v) or a recording's header."""

import json
import os
import subprocess

import harness

ROLE = "wh_pw"
PASSWORD = "sekrit-123"
WRONG = "wrong-pass-987"


def main(t, sb):
    host, port = sb.env["PGHOST"], sb.env["PGPORT"]
    t.psql(f"""
        CREATE ROLE {ROLE} LOGIN REPLICATION PASSWORD '{PASSWORD}';
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_fault_password_slot"
    t.create_slot(slot)
    sb.prepend_hba([f"host all {ROLE} {host}/32 scram-sha-256"])

    # The reload is asynchronous: wait until the role is asked for a password.
    def asks_password():
        env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
        res = subprocess.run(["psql", "-X", "-w", "-At", "-h", host, "-p", port, "-U", ROLE,
                              "-d", t.db, "-c", "SELECT 1"],
                             capture_output=True, env=env, timeout=30)
        return res.returncode != 0 and b"password" in res.stderr
    harness.wait_for(asks_password, 10, "pg_hba.conf to ask wh_pw for a password", 0.1)

    next_id = [1]
    pending = []  # the rows of the -E marks, delivered by the next run

    def run_case(label, dbname, extra_env=None, args=(), ok=True):
        """Run walhook with -d dbname; when ok, it must stream the next two
        rows and stop at -E; else fail to connect."""
        ids = list(range(next_id[0], next_id[0] + 2))
        if ok:
            t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'pw{i}');\n" for i in ids))
            endpos = t.stop_mark(f"INSERT INTO test_rep VALUES ({ids[-1] + 1}, 'mark')")
            next_id[0] = ids[-1] + 2
            ids = pending + ids
            pending[:] = [ids[-1] + 1]
        else:
            endpos = harness.format_lsn(t.current_lsn() + 1)
        before = t.confirmed(slot)
        env = dict(os.environ)
        env.pop("PGPASSWORD", None)
        env.pop("PGUSER", None)
        env.update(extra_env or {})
        argv = [t.walhook_path, "-d", dbname, "-S", slot, "--start", "--publication", "pub",
                "-E", endpos, "-v", *args]
        proc = subprocess.run(argv, capture_output=True, env=env, stdin=subprocess.DEVNULL,
                              timeout=20)
        out = proc.stdout.decode(errors="replace")
        err = proc.stderr.decode(errors="replace")
        what = (f"[{label}] command: {' '.join(argv)}\nexit {proc.returncode}\n"
                f"stderr:\n{err}stdout:\n{out}")
        for secret in (PASSWORD, WRONG):
            t.check(secret not in out and secret not in err,
                    f"[{label}] the password {secret!r} appears in walhook's output\n{what}")
        if ok:
            t.eq(proc.returncode, 0, f"[{label}] exit status\n{what}")
            got = [json.loads(line)["new"]["id"] for line in out.splitlines() if line]
            t.eq(got, ids, f"[{label}] rows streamed")
        else:
            t.eq(proc.returncode, 1, f"[{label}] exit status\n{what}")
            t.check(err.startswith("walhook: "), f"[{label}] stderr's first line\n{what}")
            t.check(f'password authentication failed for user "{ROLE}"' in err,
                    f"[{label}] no clear authentication error\n{what}")
            t.check("reconnecting" not in err, f"[{label}] retried a wrong password\n{what}")
            t.eq(out, "", f"[{label}] output")
            t.eq(t.confirmed(slot), before, f"[{label}] the slot's position")
        print(f"{label}: exit {proc.returncode}"
              + ("" if ok else f": {err.strip().splitlines()[0]}"))
        return proc

    # The right password, three ways.
    record = os.path.join(t.tmp, "rec.whr")
    run_case("conninfo", f"dbname={t.db} host={host} port={port} user={ROLE} password={PASSWORD}",
             args=("--record", record))
    with open(record, "rb") as f:
        t.check(PASSWORD.encode() not in f.read(), "the password is in the recording")
    run_case("URI", f"postgresql://{ROLE}:{PASSWORD}@{host}:{port}/{t.db}")
    run_case("PGPASSWORD", f"dbname={t.db}", {"PGPASSWORD": PASSWORD}, args=("-U", ROLE))

    # A wrong one, the same three ways (and -w: never prompt).
    run_case("wrong conninfo", f"dbname={t.db} host={host} port={port} user={ROLE} password={WRONG}",
             ok=False)
    run_case("wrong URI", f"postgresql://{ROLE}:{WRONG}@{host}:{port}/{t.db}", ok=False)
    run_case("wrong PGPASSWORD", f"dbname={t.db}", {"PGPASSWORD": WRONG},
             args=("-U", ROLE, "-w"), ok=False)
    # No password at all, never prompting: a clear error too.
    proc = subprocess.run([t.walhook_path, "-d", f"dbname={t.db}", "-U", ROLE, "-w",
                           "-S", slot, "--start", "--publication", "pub"],
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=20,
                          env={k: v for k, v in os.environ.items() if k != "PGPASSWORD"})
    err = proc.stderr.decode(errors="replace")
    t.eq(proc.returncode, 1, f"exit status without a password\n{err}")
    t.check("password" in err and err.startswith("walhook: "),
            f"no clear error without a password:\n{err}")
    print(f"no password: {err.strip().splitlines()[0]}")


harness.run_sandboxed("fault_password", main)
