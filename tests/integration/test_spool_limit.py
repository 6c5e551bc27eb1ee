#!/usr/bin/env python3
"""Transactions held back (a streamed transaction until Stream Commit) go
past 4 MB into a temporary file in $TMPDIR, unlinked from the start; a
TMPDIR where no file can be made is a clear error naming it; and
--spool-limit bounds what they hold: past it walhook stops (exit 1) naming
the transaction and the limit, confirming nothing of it. A bad size is
refused at once."""

import os
import subprocess

import harness

ROWS = 30000  # about 7 MB of pgoutput messages: past the 4 MB held in memory


def start(t, slot, env, *args):
    conninfo = f"dbname={t.db} options='-c logical_decoding_work_mem=64kB'"
    proc = harness.Walhook([t.walhook_path, "-d", conninfo, "-S", slot, "--start",
                            "--publication", "pub", "-o", "streaming=on", *args], env=env)
    t.procs.append(proc)
    return proc


def spool_files(pid, directory):
    """The files of pid open in directory (unlinked ones included)."""
    found = []
    fds = f"/proc/{pid}/fd"
    for fd in os.listdir(fds):
        try:
            target = os.readlink(os.path.join(fds, fd))
        except OSError:
            continue
        if target.startswith(directory + "/"):
            found.append(target)
    return found


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    slot = "wh_spool_limit"
    t.create_slot(slot)
    for copy in ("nodir", "limit"):
        t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', '{slot}_{copy}')")
    spooldir = os.path.join(t.tmp, "spool")
    os.mkdir(spooldir)

    # 1. TMPDIR is where the file goes, while the transaction is open.
    wh = start(t, slot, {**os.environ, "TMPDIR": spooldir})
    session = subprocess.Popen(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", t.db],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    session.stdin.write("BEGIN;\nSELECT txid_current();\n")
    session.stdin.flush()
    xid = int(session.stdout.readline())
    session.stdin.write(f"INSERT INTO test_rep SELECT g, repeat('x', 200)"
                        f" FROM generate_series(1, {ROWS}) g;\n")
    session.stdin.flush()
    try:
        files = harness.wait_for(lambda: spool_files(wh.proc.pid, spooldir), 30,
                                 f"a spool file of walhook in {spooldir}")
    except harness.TestFailure as e:
        harness.fail(f"{e}\n{wh.describe()}")
    t.eq(os.listdir(spooldir), [], "names left in TMPDIR (the file is unlinked)")
    t.check(all(f.endswith("(deleted)") for f in files), f"spool files: {files}")
    session.stdin.write("COMMIT;\n")
    session.stdin.close()
    t.eq(session.wait(60), 0, "the big transaction's psql")
    end = t.stop_mark("INSERT INTO test_rep VALUES (-1, 'mark')")
    recs = wh.wait_records(lambda r: len(r) >= ROWS, 60, f"the {ROWS} rows")
    t.eq(wh.stop(), 0, "exit status\n" + wh.describe())
    t.eq([r["new"]["id"] for r in recs[:ROWS]], list(range(1, ROWS + 1)),
         "the streamed transaction's rows")
    print(f"transaction {xid}: spooled to {files[0]}, then delivered")

    # 2. A TMPDIR where nothing can be made.
    nodir = os.path.join(t.tmp, "no", "such", "dir")
    wh = start(t, f"{slot}_nodir", {**os.environ, "TMPDIR": nodir}, "-E", end, "--no-loop")
    wh.wait(60)
    t.expect_exit(wh, 1)
    want = (f"spooling transaction {xid}: cannot create a temporary file in {nodir} (TMPDIR):"
            " No such file or directory")
    t.check(want in wh.stderr, f"expected {want!r}\n{wh.describe()}")
    print("TMPDIR missing:", wh.stderr.strip().splitlines()[0])

    # 3. --spool-limit: the transaction is refused, nothing of it confirmed.
    before = t.confirmed(f"{slot}_limit")
    wh = start(t, f"{slot}_limit", dict(os.environ), "-E", end, "--no-loop",
               "--spool-limit", "1MB")
    wh.wait(60)
    t.expect_exit(wh, 1)
    want = f"transaction {xid} is past --spool-limit 1MB at "
    t.check(want in wh.stderr and "raise --spool-limit" in wh.stderr,
            f"expected {want!r}\n{wh.describe()}")
    t.eq(wh.records(), [], "rows written past the limit")
    t.eq(t.confirmed(f"{slot}_limit"), before, "the slot's position after the limit")
    print("--spool-limit 1MB:", wh.stderr.strip().splitlines()[0])
    # A limit that holds it: all rows.
    wh = start(t, f"{slot}_limit", dict(os.environ), "-E", end, "--spool-limit", "1GB")
    wh.wait(60)
    t.expect_exit(wh, 0)
    t.eq(len(wh.records()), ROWS, "rows under --spool-limit 1GB")

    # 4. Bad sizes.
    for bad in ("12x", "-1", "1.5GB", ""):
        rc, out, err = harness.run_capture([t.walhook_path, "-S", slot, "--start",
                                            "--spool-limit", bad])
        t.eq(rc, 1, f"exit status of --spool-limit {bad!r}")
        t.check(f'invalid value "{bad}" for --spool-limit: a size like 512MB' in err,
                f"--spool-limit {bad!r}: {err}")


harness.run("spool_limit", main)
