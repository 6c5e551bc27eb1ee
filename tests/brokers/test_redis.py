#!/usr/bin/env python3
"""walhook.sink.redis against a real redis-server (appendonly, its own dir).

1. Bad configuration: an unknown option, and no server at the URL, each
   stop walhook with exit 1 and one line that says so; a stream function
   that raises an error stops it with that error and the script's line.
2. A workload of inserts (five keys, a sequence per key) while Redis is
   restarted and walhook is killed with -9 and started again: in the end
   every committed row is in the stream at least once, the first
   sightings per key in commit order, entry IDs are <end lsn>-<n>, and the
   slot is confirmed to the end.
3. A copy of the slot, made before the workload, replays it all into the
   same stream: every XADD is refused as a duplicate, the stream is
   unchanged, and walhook exits 0.
4. lua/examples/redis_streams.lua runs as its header says.
5. A --snapshot of two tables into one stream: every row is there (the
   tables' IDs number on from each other)."""

import os
import signal

import brokers
import harness

SCRIPT = r'''
local r = walhook.sink.redis{
  url = walhook.vars.url,
  stream = function(c) return "ev:" .. c.table end,
  batch_transactions = 7,
  timeout = 2,
}
function handle_change(c) r:write(c) return false end
'''


def main(t):
    brokers.need_sink("redis")
    server = brokers.redis_server(t.tmp)
    try:
        body(t, server)
    finally:
        server.stop()


def body(t, server):
    t.psql(brokers.EVENTS_SQL)
    url = f"redis://127.0.0.1:{server.port}"
    script = t.script("redis.lua", SCRIPT)

    # --- 1. bad configuration --------------------------------------------
    t.create_slot("wh_redis")
    t.psql("SELECT pg_copy_logical_replication_slot('wh_redis', 'wh_redis_copy')")
    bad = t.script("bad.lua", 'walhook.sink.redis{ url = walhook.vars.url, streem = "x" }')
    wh = t.run("-S", "wh_redis", "--start", "--publication", "pub", "--set", f"url={url}",
               script=bad)
    t.expect_exit(wh, 1)
    t.check("walhook.sink.redis: unknown option streem" in wh.stderr,
            "no clear line for an unknown option\n" + wh.describe())
    port = harness.free_port()
    wh = t.run("-S", "wh_redis", "--start", "--publication", "pub",
               "--set", f"url=redis://127.0.0.1:{port}", script=script)
    t.expect_exit(wh, 1)
    t.check(f"connecting to redis://127.0.0.1:{port}/0: Connection refused" in wh.stderr,
            "no clear line for an unreachable server\n" + wh.describe())

    # A routing function that fails: a Lua error with the script's line.
    route = t.script("route.lua", 'local r = walhook.sink.redis{ url = walhook.vars.url,\n'
                     '  stream = function(c) error("no stream for " .. c.table) end }\n'
                     'function handle_change(c) r:write(c) return false end\n')
    t.psql("INSERT INTO ev VALUES (0, 0, 0)")
    wh = t.run("-S", "wh_redis", "--start", "--publication", "pub", "--set", f"url={url}",
               script=route)
    t.expect_exit(wh, 1)
    t.check("in handle_change (public.ev" in wh.stderr and
            f"{route}:2: no stream for ev" in wh.stderr,
            "no clean error with the script's line from a failing stream function\n"
            + wh.describe())

    # --- 2. a workload through a restart of Redis and a kill -9 -------------
    wh = brokers.new_walhook(t, "wh_redis", script, "--set", f"url={url}")
    work = harness.PipedWorkload(t.db, brokers.insert, limit=400, pace=0.01)
    work.start()
    r = brokers.Redis(server.port)
    harness.wait_for(lambda: len(r.call("XRANGE", "ev:ev", "-", "+") or []) > 50, 30,
                     "50 entries in the stream")
    r.close()
    server.restart()
    brokers.wait_stderr(wh, "reconnecting", 30, "walhook to notice Redis went away")
    harness.wait_for(lambda: work.sent > 250, 30, "250 transactions sent")
    wh.proc.send_signal(signal.SIGKILL)
    wh.wait()
    wh = brokers.new_walhook(t, "wh_redis", script, "--set", f"url={url}")
    work.finish()
    brokers.wait_caught_up(t, "wh_redis", wh)
    t.eq(wh.stop(), 0, "walhook's exit after SIGTERM")

    r = brokers.Redis(server.port)
    entries = r.entries("ev:ev")
    rows, ids = [], []
    import json
    for eid, f in entries:
        c = json.loads(f["value"])
        rows.append((c["new"]["id"], c["new"]["k"], c["new"]["seq"]))
        t.eq(set(f) >= {"op", "table", "lsn", "xid", "key", "value"}, True,
             f"fields of entry {eid}: {sorted(f)}")
        t.eq(f["key"], json.dumps({"id": c["new"]["id"]}, separators=(",", ":")),
             f"key of entry {eid}")
        ms, n = eid.split("-")
        ids.append((int(ms), int(n)))
    t.eq(ids, sorted(set(ids)), "entry IDs strictly increasing")
    dups = brokers.check_rows(t, rows, "the stream ev:ev")
    t.eq(dups, 0, "duplicates in the stream (a resend is refused by its ID)")
    length = r.call("XLEN", "ev:ev")

    # --- 3. a replay of everything: refused, nothing added ------------------
    endpos = t.stop_mark("INSERT INTO ev VALUES (999999, 0, 999999)")
    wh = t.run("-S", "wh_redis_copy", "--start", "--publication", "pub", "-E", endpos,
               "--set", f"url={url}", script=script, timeout=60)
    t.expect_exit(wh, 0)
    t.eq(r.call("XLEN", "ev:ev"), length, "the stream's length after a replay")
    last = max(harness.parse_lsn(f["lsn"]) for _, f in entries)
    t.check(t.confirmed("wh_redis_copy") > last,
            "the copy of the slot is not confirmed past the last change it replayed")

    # --- 4. the example ------------------------------------------------------
    t.create_slot("wh_redis_example")
    t.psql("INSERT INTO ev VALUES (1000001, 1, 1000001);"
           " UPDATE ev SET seq = seq + 1 WHERE id = 1000001;"
           " DELETE FROM ev WHERE id = 1000001")
    endpos = t.stop_mark("INSERT INTO ev VALUES (1000002, 2, 1000002)")
    wh = t.run("-S", "wh_redis_example", "--start", "--publication", "pub", "-E", endpos,
               "--set", f"url={url}", "--set", "prefix=example",
               script=os.path.join(t.examples, "redis_streams.lua"))
    t.expect_exit(wh, 0)
    got = [(f["op"], json.loads(f["value"])["new"]["id"] if f["op"] != "delete"
            else json.loads(f["value"])["old"]["id"])
           for _, f in r.entries("example.public.ev")]
    t.eq(got, [("insert", 1000001), ("update", 1000001), ("delete", 1000001)],
         "what redis_streams.lua wrote to example.public.ev")

    # --- 5. a --snapshot of two tables into one stream ------------------------
    # Both tables' units end at the slot's consistent point: their entry
    # IDs must number on, not collide (a collision would be taken for a
    # duplicate, and the second table's rows lost).
    t.psql("CREATE TABLE other (id int PRIMARY KEY, k int, seq int);"
           " INSERT INTO other SELECT g, g, g FROM generate_series(1, 20) g;"
           " ALTER PUBLICATION pub ADD TABLE other")
    snap = t.script("snap.lua", SCRIPT.replace('function(c) return "ev:" .. c.table end', '"snap"'))
    wh = t.start("-S", "wh_redis_snap", "--create-slot", "--snapshot", "--start",
                 "--publication", "pub", "--set", f"url={url}", script=snap)
    harness.wait_for(lambda: (t.slot("wh_redis_snap") or {}).get("temporary") is False, 30,
                     "the snapshot's slot")
    t.eq(wh.stop(), 0, "walhook's exit after the snapshot")
    want = int(t.scalar("SELECT (SELECT count(*) FROM ev) + (SELECT count(*) FROM other)"))
    t.eq(r.call("XLEN", "snap"), want, "entries of a snapshot of two tables in one stream")
    r.close()


harness.run("brokers_redis", main)
