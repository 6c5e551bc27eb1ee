#!/usr/bin/env python3
"""lua/examples/replicate.lua copies one database into another exactly once.

The source holds test_rep, test_rep_other (primary keys) and `keyless` (no
key, REPLICA IDENTITY FULL, with duplicate rows and NULLs), filled before
walhook starts; the target (a second database) has the same empty tables.

1. walhook --create-slot --snapshot --start --create-publication copies the
   existing rows and streams a workload of inserts, updates (key changes
   too), deletes and a truncate that keeps running meanwhile.
2. Once the target shows some progress, walhook is killed with SIGKILL, and
   started again with just --start while the workload goes on.
3. When the workload is done and the slot is confirmed to its last
   transaction, walhook gets SIGTERM (exit 0).

Then every table of the target equals the source's row for row (md5 of all
rows in order; for the keyless table the count of every distinct row, so no
duplicate beyond the source's own), and the target's recorded position (its
replication origin, or walhook.progress) is the end of the source's last
transaction, which the slot is confirmed to. A test_decoding slot made
before walhook starts is the witness of where every source transaction
ends."""

import os
import signal

import harness

SCHEMA = """
CREATE TABLE test_rep (id int PRIMARY KEY, name text);
CREATE TABLE test_rep_other (id int PRIMARY KEY, name text);
CREATE TABLE keyless (a int, b text, c numeric);
ALTER TABLE keyless REPLICA IDENTITY FULL;
"""

# Rows there before walhook starts: --snapshot copies them.
SEED = """
INSERT INTO test_rep SELECT g, 'seed ' || g FROM generate_series(1, 200) g;
INSERT INTO test_rep_other SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'other ' || g END
  FROM generate_series(1, 100) g;
INSERT INTO keyless VALUES (1, 'dup', NULL), (1, 'dup', NULL), (1, 'dup', NULL),
  (NULL, NULL, NULL), (NULL, NULL, NULL), (2, 'two', 2.50), (3, NULL, 3),
  (3, NULL, 3), (4, 'it''s "quoted"', -1);
"""

TOTAL = 400  # workload transactions


def workload(i):
    """Transaction i of the workload: a mix on all three tables. keyless
    keeps its values in a small range, so equal rows stay common."""
    b = "NULL" if i % 3 == 0 else f"'k{i % 2}'"
    s = [f"INSERT INTO test_rep VALUES ({1000 + i}, 'w{i}')",
         f"UPDATE test_rep SET name = name || '+' WHERE id = {i % 200 + 1}",
         f"INSERT INTO keyless VALUES ({i % 4}, {b}, NULL)",
         # one of several equal rows changes
         f"UPDATE keyless SET c = {i % 3} WHERE ctid = (SELECT ctid FROM keyless"
         f" WHERE a = {i % 4} AND c IS NULL LIMIT 1)"]
    if i > 5:
        s.append(f"DELETE FROM test_rep WHERE id = {1000 + i - 5}")
    if i % 4 == 0:
        s.append(f"UPDATE test_rep_other SET id = id + 10000, name = NULL WHERE id = {i // 4}")
    if i % 10 == 0:
        s.append(f"DELETE FROM keyless WHERE ctid = (SELECT ctid FROM keyless"
                 f" WHERE a = {i % 4} AND b IS NULL LIMIT 1)")
    if i % 50 == 0:
        s.append("INSERT INTO keyless VALUES (NULL, NULL, NULL)")
    if i % 75 == 0:
        s.append("DELETE FROM keyless WHERE ctid = (SELECT ctid FROM keyless"
                 " WHERE a IS NULL AND b IS NULL AND c IS NULL LIMIT 1)")
    if i % 25 == 0:
        s.append(f"UPDATE keyless SET b = 'many' WHERE a = {i % 4} AND c = 1")  # several rows
    if i == 250:
        s.append("TRUNCATE test_rep_other")
    if i > 250:
        s.append(f"INSERT INTO test_rep_other VALUES ({20000 + i}, 'after truncate')")
    return "BEGIN;\n" + ";\n".join(s) + ";\nCOMMIT;"


# table -> ORDER BY for a stable, complete order
TABLES = {"test_rep": "id", "test_rep_other": "id", "keyless": "a, b, c"}


def digest(t, db, table):
    return t.psql(f"SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ','"
                  f" ORDER BY {TABLES[table]})), '-') FROM {table} t", db=db)


def multiset(t, db):
    """keyless as {row text: how many times}."""
    return {row: int(n) for row, n in
            t.rows("SELECT t::text, count(*) FROM keyless t GROUP BY 1", db=db)}


def main(t):
    slot = "wh_replicate_slot"
    harness.with_target(t, slot, lambda t, target: body(t, target, slot, f"walhook_{slot}"))


def body(t, target, slot, origin):
    t.psql(SCHEMA)
    t.psql(SCHEMA, db=target)
    t.psql(SEED)
    # The witness: every source transaction from here on, with its end LSN.
    t.create_slot("wh_replicate_witness", "test_decoding")

    def target_progress():
        """The source position the target has recorded, or None."""
        out = t.psql("SELECT remote_lsn FROM pg_replication_origin_status"
                     f" WHERE external_id = '{origin}'", db=target)
        if not out:
            has_table = t.psql("SELECT to_regclass('walhook.progress') IS NOT NULL", db=target)
            if has_table == "t":
                out = t.psql("SELECT lsn FROM walhook.progress"
                             f" WHERE name = '{origin}'", db=target)
        return harness.parse_lsn(out) if out and out != "0/0" else None

    script = os.path.join(t.examples, "replicate.lua")
    conninfo = f"dbname={target}"
    common = ["-S", slot, "--publication", "pub", "--set", f"target={conninfo}"]

    # --- 1. first run: create, copy, stream --------------------------------
    wh = t.start("--create-slot", "--snapshot", "--start", "--create-publication",
                 *common, script=script)
    t.wait_slot_ready(slot, wh)
    work = harness.PipedWorkload(t.db, workload, limit=TOTAL, pace=0.01)
    work.start()

    # --- 2. kill -9 mid-stream, once the target shows progress -------------
    def applied():
        if wh.proc.poll() is not None:
            harness.fail(f"walhook exited\n{wh.describe()}")
        n = int(t.psql("SELECT coalesce(max(id), 0) FROM test_rep", db=target))
        return n if n >= 1040 else None
    try:
        harness.wait_for(applied, 15, "the target to get 40 workload transactions")
    except harness.TestFailure as e:
        harness.fail(f"{e}\n{wh.describe()}")
    wh.send(signal.SIGKILL)
    wh.wait(5)
    t.check(wh.returncode == -signal.SIGKILL, f"walhook was not killed\n{wh.describe()}")
    t.check(work.is_alive() and work.sent < TOTAL,
            "the workload ended before the kill: not mid-stream")
    at_kill = work.sent
    confirmed_at_kill = t.confirmed(slot)
    progress_at_kill = target_progress()
    print(f"killed after {at_kill} workload transactions; slot at "
          f"{harness.format_lsn(confirmed_at_kill)}, target at "
          f"{harness.format_lsn(progress_at_kill or 0)}")
    t.check(progress_at_kill is not None and progress_at_kill >= confirmed_at_kill,
            "the slot is confirmed past what the target has recorded: "
            f"{harness.format_lsn(confirmed_at_kill)} > "
            f"{harness.format_lsn(progress_at_kill or 0)}")

    # --- 3. restart with just --start; finish; stop --------------------------
    wh2 = t.start("--start", *common, script=script)
    work.join(60)
    t.check(not work.is_alive(), "the workload did not finish in time")
    work.finish()
    t.eq(work.sent, TOTAL, "workload transactions sent")

    commits = [harness.parse_lsn(lsn) for lsn, in t.rows(
        "SELECT lsn FROM pg_logical_slot_peek_changes('wh_replicate_witness', NULL, NULL,"
        " 'skip-empty-xacts', '1') WHERE data LIKE 'COMMIT%'")]
    t.check(len(commits) >= TOTAL, f"the witness saw {len(commits)} transactions")
    final = max(commits)
    harness.wait_slot_confirmed(t, slot, final, 20, wh2)
    t.eq(wh2.stop(signal.SIGTERM), 0, "walhook's exit status after SIGTERM\n" + wh2.describe())
    t.check("error" not in wh2.stderr.lower(),
            "the second run reported an error\n" + wh2.describe())

    # --- the target is the source ------------------------------------------
    for table in TABLES:
        t.eq(digest(t, target, table), digest(t, t.db, table),
             f"{table}: row count and md5 of every row, target vs source")
    src, dst = multiset(t, t.db), multiset(t, target)
    extra = {r: n - src.get(r, 0) for r, n in dst.items() if n > src.get(r, 0)}
    t.eq(extra, {}, "keyless rows the target has more often than the source")
    missing = {r: n - dst.get(r, 0) for r, n in src.items() if n > dst.get(r, 0)}
    t.eq(missing, {}, "keyless rows the target has fewer times than the source")
    dups = sum(n - 1 for n in src.values())
    t.check(dups >= 10 and src.get("(,,)", 0) >= 2,
            f"the source's keyless table has too few equal rows ({dups} repeats,"
            f" {src.get('(,,)', 0)} all-NULL rows) to test with")
    print(f"keyless: {sum(src.values())} rows, {len(src)} distinct, {dups} repeats")

    # --- positions -----------------------------------------------------------
    progress = target_progress()
    confirmed = t.confirmed(slot)
    t.eq(harness.format_lsn(progress or 0), harness.format_lsn(final),
         "the target's recorded position vs the end of the source's last transaction")
    # The slot: at that position, or past it only by WAL of other databases
    # (an idle walhook confirms the server's WAL end): no source transaction
    # lies between.
    t.check(confirmed >= progress,
            f"the slot ({harness.format_lsn(confirmed)}) is behind the target "
            f"({harness.format_lsn(progress)})")
    between = [c for c in commits if progress < c <= confirmed]
    t.eq(between, [], "source transactions confirmed but not on the target")
    print(f"target position {harness.format_lsn(progress)}, slot confirmed "
          f"{harness.format_lsn(confirmed)}"
          + ("" if confirmed == progress else " (idle keepalive: WAL of other databases)"))


harness.run("replicate", main)
