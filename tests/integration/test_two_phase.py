#!/usr/bin/env python3
"""Two-phase decoding (--two-phase slot, -o two_phase=on): a prepared
transaction reaches handle_change only at COMMIT PREPARED, in commit order;
a rolled-back one never; while one waits, the slot is not confirmed past its
start, so a restart still gets it; a script with two-phase hooks sees the
prepare, the commit and the rollback as they happen."""

import harness


def ids(tx):
    return [c["new"]["id"] for c in tx["changes"]]


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_two_phase_slot"
    wh = t.run("-S", slot, "--create-slot", "--two-phase")
    t.expect_exit(wh, 0)
    t.psql(f"SELECT pg_create_logical_replication_slot('{slot}_live', 'pgoutput', false, true)")
    rec = t.script("rec.lua", harness.RECORDER)
    args = ("--start", "--publication", "pub", "-o", "two_phase=on")

    t.psql("""
        BEGIN; INSERT INTO test_rep VALUES (1, 'prepared, committed'); PREPARE TRANSACTION 'wh_g1';
        BEGIN; INSERT INTO test_rep VALUES (2, 'prepared, rolled back'); PREPARE TRANSACTION 'wh_g2';
        INSERT INTO test_rep_other VALUES (10, 'committed in between');
        ROLLBACK PREPARED 'wh_g2';
        BEGIN; INSERT INTO test_rep VALUES (3, 'prepared, waiting'); PREPARE TRANSACTION 'wh_g3';
        INSERT INTO test_rep_other VALUES (11, 'after the waiting prepare');
    """)
    endpos = t.stop_mark("INSERT INTO test_rep_other VALUES (99, 'past the end')")
    wh = t.run("-S", slot, *args, "-E", endpos, script=rec)
    t.expect_exit(wh, 0)
    txs = harness.transactions(wh.records())
    t.eq([ids(tx) for tx in txs], [[10], [11]],
         "only committed transactions; the prepared ones wait")
    waiting_start = harness.parse_lsn(t.scalar(
        "SELECT min(lsn) FROM pg_logical_slot_peek_binary_changes("
        f"'{slot}_live', NULL, NULL, 'proto_version', '3', 'publication_names', 'pub',"
        " 'two_phase', 'on') WHERE get_byte(data, 0) = ascii('b')"
        " AND lsn > '0/0' AND position('wh_g3' in encode(data, 'escape')) > 0"))
    confirmed = t.confirmed(slot)
    t.check(confirmed <= waiting_start,
            f"confirmed {harness.format_lsn(confirmed)} is past the start "
            f"{harness.format_lsn(waiting_start)} of the prepared transaction still waiting")

    t.psql("COMMIT PREPARED 'wh_g3'; COMMIT PREPARED 'wh_g1';")
    endpos = t.stop_mark("INSERT INTO test_rep_other VALUES (100, 'past the end')")
    wh = t.run("-S", slot, *args, "-E", endpos, script=rec)
    t.expect_exit(wh, 0)
    txs = harness.transactions(wh.records())
    # After the restart, what followed the waiting prepare comes again
    # (at-least-once), then the two prepared transactions in commit order.
    got = [ids(tx) for tx in txs]
    t.eq(got[-2:], [[3], [1]], "prepared transactions in the order of COMMIT PREPARED")
    t.check([2] not in got, "the rolled-back prepared transaction never arrives")
    harness.check_confirmed(t.confirmed(slot), txs[-1]["end_lsn"])

    live = t.script("live.lua", r'''
local enc = walhook.json.encode
function handle_begin(tx) print(enc({op = "begin", gid = tx.gid})) end
function handle_change(c) print(enc({op = c.op, id = c.new.id})) return false end
function handle_prepare(tx) print(enc({op = "prepare", gid = tx.gid})) end
local commits = 0
function handle_commit_prepared(tx)
  commits = commits + 1
  print(enc({op = "commit_prepared", gid = tx.gid}))
end
function handle_rollback_prepared(tx) print(enc({op = "rollback_prepared", gid = tx.gid})) end
function handle_commit(tx) commits = commits + 1 print(enc({op = "commit"})) end
function terminate()
  print(enc({op = "stats", commits = commits, transactions = walhook.stats().transactions}))
end
''')
    wh = t.run("-S", f"{slot}_live", *args, "-E", endpos, script=live)
    t.expect_exit(wh, 0)
    recs = wh.records()
    seq = [(r["op"], r.get("gid") or r.get("id")) for r in recs]
    for want in [("prepare", "wh_g1"), ("prepare", "wh_g2"), ("rollback_prepared", "wh_g2"),
                 ("commit_prepared", "wh_g3"), ("commit_prepared", "wh_g1")]:
        t.check(want in seq, f"live two-phase hooks: {want} missing from {seq}")
    t.check(seq.index(("insert", 1)) < seq.index(("prepare", "wh_g1")),
            "a prepared transaction's change is seen before its prepare")
    stats = [r for r in recs if r["op"] == "stats"]
    t.eq([s["transactions"] for s in stats], [s["commits"] for s in stats],
         "walhook.stats().transactions counts each COMMIT PREPARED a live script saw")


harness.run("two_phase", main)
