#!/usr/bin/env python3
"""walhook.sink.nats against a real nats-server -js (its own store dir).

1. Bad configuration: an unknown option, no server at the URL, and a
   subject no stream takes: each exit 1 with one line that says so (the
   last naming the subject), the slot not moved.
2. A workload of inserts while nats-server is down for a while and walhook is
   killed with -9 and started again: every committed row is in the stream
   at least once, first sightings per key in commit order, each message
   with Nats-Msg-Id <slot>:<end lsn>:<n> and the walhook.* headers, no two
   with one Msg-Id, and the slot confirmed to the end.
3. A copy of the slot (same Msg-Id prefix) replays it all: the stream's
   duplicate window drops every message, the count stays.
4. lua/examples/nats_subjects.lua runs as its header says."""

import json
import os
import signal

import brokers
import harness

SCRIPT = r'''
local n = walhook.sink.nats{
  url = walhook.vars.url,
  subject = walhook.vars.subject or function(c) return "cdc." .. c.table end,
  msg_id_prefix = "ev",
  batch_transactions = 7,
  timeout = 2,
}
function handle_change(c) n:write(c) return false end
'''


def main(t):
    brokers.need_sink("nats")
    server = brokers.nats_server(t.tmp)
    try:
        body(t, server)
    finally:
        server.stop()


def body(t, server):
    t.psql(brokers.EVENTS_SQL)
    url = f"nats://127.0.0.1:{server.port}"
    script = t.script("nats.lua", SCRIPT)
    nc = brokers.Nats(server.port)
    nc.create_stream("CDC", ["cdc.>"])

    t.create_slot("wh_nats")
    t.psql("SELECT pg_copy_logical_replication_slot('wh_nats', 'wh_nats_copy')")
    stream = ["-S", "wh_nats", "--start", "--publication", "pub"]

    # --- 1. bad configuration ----------------------------------------------
    bad = t.script("bad.lua", 'walhook.sink.nats{ url = walhook.vars.url, subjct = "x" }')
    wh = t.run(*stream, "--set", f"url={url}", script=bad)
    t.expect_exit(wh, 1)
    t.check("walhook.sink.nats: unknown option subjct" in wh.stderr,
            "no clear line for an unknown option\n" + wh.describe())
    port = harness.free_port()
    wh = t.run(*stream, "--set", f"url=nats://127.0.0.1:{port}", script=script)
    t.expect_exit(wh, 1)
    t.check(f"connecting to nats://127.0.0.1:{port}: " in wh.stderr,
            "no clear line for an unreachable server\n" + wh.describe())
    before = t.slot("wh_nats")["confirmed_flush_lsn"]
    t.psql("INSERT INTO ev VALUES (0, 0, 0)")
    wh = t.run(*stream, "--set", f"url={url}", "--set", "subject=nostream.ev", script=script)
    t.expect_exit(wh, 1)
    t.check('no JetStream stream takes subject "nostream.ev"' in wh.stderr,
            "no clear line naming the subject without a stream\n" + wh.describe())
    t.eq(t.confirmed("wh_nats"), before, "the slot after the missing stream")

    # --- 2. a workload through a restart of nats-server and a kill -9 --------
    wh = brokers.new_walhook(t, "wh_nats", script, "--set", f"url={url}")
    work = harness.PipedWorkload(t.db, brokers.insert, limit=400, pace=0.01)
    work.start()
    harness.wait_for(lambda: nc.stream_count("CDC") > 50, 30, "50 messages in the stream")
    nc.close()
    # An outage longer than the sink's timeout: walhook must fail the
    # flush, reconnect, and send again once the server is back.
    server.stop()
    brokers.wait_stderr(wh, "reconnecting", 30, "walhook to notice NATS went away")
    server.start()
    harness.wait_for(lambda: work.sent > 250, 30, "250 transactions sent")
    wh.proc.send_signal(signal.SIGKILL)
    wh.wait()
    wh = brokers.new_walhook(t, "wh_nats", script, "--set", f"url={url}")
    work.finish()
    brokers.wait_caught_up(t, "wh_nats", wh)
    t.eq(wh.stop(), 0, "walhook's exit after SIGTERM")

    nc = brokers.Nats(server.port)
    msgs = nc.messages("CDC")
    rows, ids = [], set()
    for subject, h, data in msgs:
        c = json.loads(data)
        t.eq(subject, "cdc.ev", "subject")
        rows.append((c["new"]["id"], c["new"]["k"], c["new"]["seq"]))
        mid = h.get("Nats-Msg-Id", "")
        parts = mid.split(":")
        t.check(len(parts) == 3 and parts[0] == "ev" and harness.parse_lsn(parts[1]),
                f"Nats-Msg-Id {mid!r}")
        t.check(mid not in ids, f"two messages with Nats-Msg-Id {mid}")
        ids.add(mid)
        t.eq((h.get("walhook.op"), h.get("walhook.table"), h.get("walhook.lsn")),
             ("insert", "public.ev", c["lsn"]), "walhook.* headers")
        t.eq(h.get("walhook.xid"), str(c["xid"]), "walhook.xid")
    t.eq(brokers.check_rows(t, rows, "the stream CDC"), 0,
         "duplicates in the stream (dropped by Msg-Id)")
    count = nc.stream_count("CDC")

    # --- 3. a replay: dropped by the duplicate window -----------------------
    endpos = t.stop_mark("INSERT INTO ev VALUES (999999, 0, 999999)")
    wh = t.run("-S", "wh_nats_copy", "--start", "--publication", "pub", "-E", endpos,
               "--set", f"url={url}", script=script, timeout=60)
    t.expect_exit(wh, 0)
    t.eq(nc.stream_count("CDC"), count, "the stream's count after a replay")
    last = max(harness.parse_lsn(h["walhook.lsn"]) for _, h, _ in msgs)
    t.check(t.confirmed("wh_nats_copy") > last,
            "the copy of the slot is not confirmed past the last change it replayed")

    # --- 4. the example --------------------------------------------------------
    nc.create_stream("EXAMPLE", ["pg.>"])
    t.create_slot("wh_nats_example")
    t.psql("INSERT INTO ev VALUES (1000001, 1, 1000001);"
           " DELETE FROM ev WHERE id = 1000001")
    endpos = t.stop_mark("INSERT INTO ev VALUES (1000002, 2, 1000002)")
    wh = t.run("-S", "wh_nats_example", "--start", "--publication", "pub", "-E", endpos,
               "--set", f"url={url}", "--set", "prefix=pg",
               script=os.path.join(t.examples, "nats_subjects.lua"))
    t.expect_exit(wh, 0)
    got = [(s, json.loads(d)["op"]) for s, _, d in nc.messages("EXAMPLE")]
    t.eq(got, [("pg.public.ev.insert", "c"), ("pg.public.ev.delete", "d")],
         "subjects and Debezium ops of nats_subjects.lua")
    nc.close()


harness.run("brokers_nats", main)
