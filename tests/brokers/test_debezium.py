#!/usr/bin/env python3
"""format = "debezium" on the JSON sinks (file, stdout, exec, http) and
walhook.format.debezium(c).

A --snapshot start (op "r"), an insert, an update, a delete, a truncate
and a logical message go through the same script to four sinks and to
walhook.format.debezium: every sink gets the same Debezium events (but
for ts_ms, the time of writing), with before/after, op c/u/d/r/t/m and
source {version, connector, name, db, schema, table, txId, lsn, ts_ms,
snapshot} as the change said; the table walhook.format.debezium returns
is written back as the same JSON. A format that is neither is one clear
error."""

import base64
import http.server
import json
import os
import threading

import harness

SCRIPT = r'''
local v = walhook.vars
local sinks = {
  walhook.sink.file{ path = v.file, format = "debezium" },
  walhook.sink.stdout{ format = "debezium" },
  walhook.sink.exec{ command = "cat >> '" .. v.exec .. "'", format = "debezium" },
  walhook.sink.http{ url = v.url, format = "debezium" },
}
local tables = walhook.sink.file{ path = v.tables }
local function all(x)
  for _, s in ipairs(sinks) do s:write(x) end
end
function handle_change(c)
  all(c)
  tables:write(walhook.format.debezium(c))
  return false
end
function handle_truncate(t) all(t) return false end
function handle_message(m) all(m) return false end
'''


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.got.extend(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def without_ts(events):
    return [{k: v for k, v in e.items() if k != "ts_ms"} for e in events]


def main(t):
    t.psql("""
        CREATE TABLE item (id int PRIMARY KEY, name text, price numeric);
        CREATE PUBLICATION pub FOR TABLE item;
        INSERT INTO item VALUES (1, 'first', 1.50);
    """)
    bad = t.script("bad.lua", 'walhook.sink.file{ path = "/dev/null", format = "avro" }')
    wh = t.run("--replay", os.path.join(t.examples, "users.jsonl"), script=bad)
    t.expect_exit(wh, 1)
    t.check('walhook.sink.file: format must be "walhook" or "debezium", not "avro"' in wh.stderr,
            "no clear line for a bad format\n" + wh.describe())

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.got = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    files = {k: os.path.join(t.tmp, f"{k}.jsonl") for k in ("file", "exec", "tables")}
    slot = "wh_debezium"
    wh = t.start("-S", slot, "--create-slot", "--snapshot", "--start", "--publication", "pub",
                 "-o", "messages=true",
                 "--set", f"url=http://127.0.0.1:{server.server_address[1]}/",
                 *[a for k, p in files.items() for a in ("--set", f"{k}={p}")],
                 script=t.script("dbz.lua", SCRIPT))
    harness.wait_for(lambda: t.slot(slot) and not t.slot(slot)["temporary"]
                     and t.slot(slot)["confirmed_flush_lsn"], 30, "the snapshot's slot")
    t.psql("""
        INSERT INTO item VALUES (2, 'second', 2.00);
        UPDATE item SET price = 2.50 WHERE id = 2;
        DELETE FROM item WHERE id = 1;
        TRUNCATE item;
        SELECT pg_logical_emit_message(true, 'note', 'hello');
    """)
    end = t.current_lsn()
    harness.wait_slot_confirmed(t, slot, end, 30, wh)
    t.eq(wh.stop(), 0, "walhook's exit")
    server.shutdown()
    server.server_close()

    events = wh.records()
    t.eq([e["op"] for e in events], ["r", "c", "u", "d", "t", "m"], "ops")
    r, c, u, d, tr, m = events
    t.eq((r["before"], r["after"]), (None, {"id": 1, "name": "first", "price": "1.50"}), "read")
    t.eq((c["before"], c["after"]), (None, {"id": 2, "name": "second", "price": "2.00"}), "insert")
    t.eq((u["before"], u["after"]), (None, {"id": 2, "name": "second", "price": "2.50"}), "update")
    t.eq((d["before"], d["after"]), ({"id": 1}, None), "delete (the key as before)")
    t.eq((tr["before"], tr["after"]), (None, None), "truncate")
    t.eq(m["message"], {"prefix": "note", "content": base64.b64encode(b"hello").decode()},
         "message")
    for e in events:
        s = e["source"]
        t.eq((s["connector"], s["name"], s["db"]), ("postgresql", slot, t.db), "source")
        t.check(isinstance(e["ts_ms"], int) and isinstance(s["ts_ms"], int),
                f"ts_ms as numbers: {e}")
        t.eq(s["snapshot"], "true" if e["op"] == "r" else "false", f"snapshot of {e['op']}")
        if e["op"] != "m":
            t.eq((s["schema"], s["table"]), ("public", "item"), f"relation of {e['op']}")
        t.check(isinstance(s["lsn"], int) and s["lsn"] > 0, f"lsn of {e['op']}: {s}")
    t.check(c["source"]["txId"] != u["source"]["txId"] and c["source"]["txId"] > 0,
            f"txIds: {c['source']} {u['source']}")
    t.check(c["source"]["lsn"] < u["source"]["lsn"] < d["source"]["lsn"], "lsns in order")

    for name, got in (("file", jsonl(files["file"])), ("exec", jsonl(files["exec"])),
                      ("http", server.got)):
        t.eq(without_ts(got), without_ts(events), f"the {name} sink's events")
    t.eq(without_ts(jsonl(files["tables"])), without_ts(events[:4]),
         "walhook.format.debezium(c), written back")
    with open(files["tables"]) as f:
        first = f.readline()
    t.check(first.startswith('{"before":null,"after":{"id":1,'),
            f"walhook.format.debezium keeps the event's key order: {first}")


harness.run("brokers_debezium", main)
