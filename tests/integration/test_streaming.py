#!/usr/bin/env python3
"""pgoutput streaming (-o streaming=on, logical_decoding_work_mem at its
64kB minimum): a transaction far larger than that is streamed in chunks,
yet handle_change sees it only once committed, in commit order, without the
rows of a savepoint rolled back inside it; an aborted streamed transaction
is never seen; a small transaction committed while the big one was open
comes first; a script with stream hooks sees the chunks as they arrive."""


import harness

BIG = 3000


def start(t, conninfo, *args, script):
    """walhook on a conninfo of this test's own (t.start knows only dbname)."""
    proc = harness.Walhook([t.walhook_path, "-d", conninfo, *args, script])
    t.procs.append(proc)
    return proc


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_streaming_slot"
    t.create_slot(slot)
    t.psql("INSERT INTO test_rep_other VALUES (1, 'before')")
    # The big transaction stays open in a session of its own while another
    # commits, so the server streams it and sends the small one between its
    # chunks and its commit.
    harness.interleave(t, "wh_streaming_big", f"""
        BEGIN;
        INSERT INTO test_rep SELECT g, repeat('x', 200) FROM generate_series(1, {BIG}) g;
        SAVEPOINT s1;
        INSERT INTO test_rep SELECT g, 'rolled back' FROM generate_series({BIG} + 1, {BIG} + 500) g;
        ROLLBACK TO SAVEPOINT s1;
        INSERT INTO test_rep VALUES ({BIG} + 1000, 'after the savepoint');
    """, "INSERT INTO test_rep_other VALUES (3, 'during')")
    t.psql(f"""
        BEGIN;
        INSERT INTO test_rep SELECT g, repeat('y', 200) FROM generate_series(100001, 100000 + {BIG}) g;
        ROLLBACK;
        INSERT INTO test_rep_other VALUES (2, 'after');
    """)
    endpos = t.stop_mark("INSERT INTO test_rep_other VALUES (99, 'past the end')")
    conninfo = f"dbname={t.db} options='-c logical_decoding_work_mem=64kB'"

    # A copy of the slot for the live-stream script below.
    t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', '{slot}_live')")

    wh = start(t, conninfo, "-S", slot, "--start", "--publication", "pub",
               "-o", "streaming=on", "-E", endpos,
               script=t.script("rec.lua", harness.RECORDER))
    wh.wait()
    t.expect_exit(wh, 0)
    txs = harness.transactions(wh.records())
    t.eq(len(txs), 4, "committed transactions delivered")
    first, during, big, last = txs
    t.eq([c["new"]["id"] for c in first["changes"]], [1], "first small transaction")
    t.eq([c["new"]["id"] for c in during["changes"]], [3],
         "the transaction committed while the big one was open comes before it")
    ids = [c["new"]["id"] for c in big["changes"]]
    t.eq(ids, list(range(1, BIG + 1)) + [BIG + 1000],
         "the streamed transaction, in order, without the rolled-back savepoint")
    t.eq([c["new"]["id"] for c in last["changes"]], [2], "last small transaction")
    t.check(all(c["xid"] == big["xid"] for c in big["changes"]),
            "changes of the streamed transaction carry its top-level xid")
    harness.check_confirmed(t.confirmed(slot), last["end_lsn"])

    # Opting in: stream hooks see chunks as they arrive, then the verdicts.
    live = t.script("live.lua", r'''
local enc = walhook.json.encode
function handle_stream_start(s) print(enc({op = "stream_start", xid = s.xid, first = s.first_segment})) end
function handle_stream_stop() print(enc({op = "stream_stop"})) end
local commits = 0
function handle_commit(tx) commits = commits + 1 end
function handle_stream_commit(tx)
  commits = commits + 1
  print(enc({op = "stream_commit", xid = tx.xid, end_lsn = tx.end_lsn}))
end
function handle_stream_abort(a) print(enc({op = "stream_abort", xid = a.xid, subxid = a.subxid})) end
function handle_change(c) print(enc({op = c.op, id = c.new.id, xid = c.xid})) return false end
function terminate()
  print(enc({op = "stats", commits = commits, transactions = walhook.stats().transactions}))
end
''')
    wh = start(t, conninfo, "-S", f"{slot}_live", "--start", "--publication", "pub",
               "-o", "streaming=on", "-E", endpos, script=live)
    wh.wait()
    t.expect_exit(wh, 0)
    recs = wh.records()
    ops = [r["op"] for r in recs]
    t.check(ops.count("stream_start") >= 2, f"several chunks streamed: {ops.count('stream_start')}")
    t.eq(ops.count("stream_commit"), 1, "one stream commit")
    aborts = [r for r in recs if r["op"] == "stream_abort"]
    t.check(any(a["xid"] == a["subxid"] for a in aborts), "the aborted transaction's stream abort")
    t.check(any(a["xid"] != a["subxid"] for a in aborts), "the savepoint's subtransaction abort")
    streamed = [r["id"] for r in recs if r["op"] == "insert" and r["id"] > 100000]
    t.check(len(streamed) > 0, "changes of the aborted transaction were seen live")
    stats = [r for r in recs if r["op"] == "stats"]
    t.eq([s["transactions"] for s in stats], [s["commits"] for s in stats],
         "walhook.stats().transactions counts the live stream commit too")


harness.run("streaming", main)
