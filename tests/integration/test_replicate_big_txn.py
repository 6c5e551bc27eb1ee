#!/usr/bin/env python3
"""lua/examples/replicate.lua never commits part of a source transaction.

On the source, a small transaction T1 (one row) commits while a big one T2
(ROWS rows, begun earlier) is open; T2 commits right after, so walhook gets
the two back to back and T2 takes longer to apply than the postgres sink's
batch_seconds (0.5 s). The target must go from nothing to T1 to T1 + T2,
never showing part of T2: the sink records the source position with its
commit, and a commit holding half of T2 with T1's position would be applied
again after a crash (a duplicate key, or a duplicate row in a table without
one). If the target does show part of T2, walhook is killed (SIGKILL) and
started again to show what that leads to."""

import os
import signal
import subprocess

import harness

ROWS = 150000


def main(t):
    slot = "wh_replicate_big_txn_slot"
    harness.with_target(t, slot, lambda t, target: body(t, target, slot))


def body(t, target, slot):
    schema = "CREATE TABLE big (id int PRIMARY KEY, what text);"
    t.psql(schema + "CREATE PUBLICATION pub FOR TABLE big;")
    t.psql(schema, db=target)
    t.create_slot(slot)

    # T2 begins and writes its rows; T1 commits; T2 commits.
    big = subprocess.Popen(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", t.db, "-f", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    big.stdin.write(f"BEGIN;\nINSERT INTO big SELECT g, 'T2' FROM generate_series(1, {ROWS}) g;\n"
                    "SELECT 'inserted';\n")
    big.stdin.flush()
    t.eq(big.stdout.readline().strip(), "inserted", "T2's rows written")
    t.psql("INSERT INTO big VALUES (0, 'T1')")
    big.stdin.write("COMMIT;\n")
    big.stdin.close()
    t.eq(big.wait(60), 0, "T2's psql: " + big.stderr.read())

    script = os.path.join(t.examples, "replicate.lua")
    args = ["-S", slot, "--start", "--publication", "pub", "--set", f"target=dbname={target}"]
    wh = t.start(*args, script=script)

    seen = []

    def settled():
        if wh.proc.poll() is not None:
            harness.fail(f"walhook exited\n{wh.describe()}")
        n = int(t.psql("SELECT count(*) FROM big", db=target))
        if not seen or seen[-1] != n:
            seen.append(n)
        if 1 < n < ROWS + 1:
            return "partial"
        return "done" if n == ROWS + 1 else None

    try:
        state = harness.wait_for(settled, 30, "the target to get T1 and T2", 0.02)
    except harness.TestFailure as e:
        harness.fail(f"{e}; row counts seen {seen}\n{wh.describe()}")

    if state == "partial":
        wh.send(signal.SIGKILL)
        wh.wait(5)
        partial = int(t.psql("SELECT count(*) FROM big", db=target))
        confirmed = t.confirmed(slot)
        wh2 = t.start("--retry-active", *args, script=script)
        try:
            harness.wait_for(lambda: wh2.proc.poll() is not None or int(
                t.psql("SELECT count(*) FROM big", db=target)) == ROWS + 1, 30,
                "the restarted walhook to finish T2 or exit")
        except harness.TestFailure:
            pass
        final = int(t.psql("SELECT count(*) FROM big", db=target))
        wh2.stop()
        harness.fail(
            f"the target committed part of a source transaction: row counts seen "
            f"{seen} (T1 is 1 row, T2 {ROWS}); killed with {partial} rows on the "
            f"target, slot at {harness.format_lsn(confirmed)}; after a restart the "
            f"target has {final} rows and walhook\n{wh2.describe()}")

    t.eq(wh.stop(signal.SIGTERM), 0, "exit status after SIGTERM\n" + wh.describe())
    t.eq(seen[-1], ROWS + 1, "rows on the target")
    t.check(set(seen) <= {0, 1, ROWS + 1}, f"row counts seen on the target: {seen}")
    t.eq(t.psql("SELECT md5(string_agg(b::text, ',' ORDER BY id)) FROM big b", db=target),
         t.psql("SELECT md5(string_agg(b::text, ',' ORDER BY id)) FROM big b"),
         "md5 of every row, target vs source")


harness.run("replicate_big_txn", main)
