#!/usr/bin/env python3
"""The rest of the walhook module: walhook.query on a side connection
(parameters, NULL, errors with the server's words), the LSN helpers, and
handle_keepalive called with the server's WAL end."""

import json

import harness


def main(t):
    t.psql(harness.TWO_TABLES + "INSERT INTO test_rep VALUES (7, 'seven');")
    slot = "wh_script_api_slot"
    t.create_slot(slot)
    t.psql("INSERT INTO test_rep_other VALUES (1, 'one')")
    script = t.script("api.lua", r'''
local enc = walhook.json.encode
local keepalives = 0
function handle_connect(info)
  local rows = walhook.query("SELECT id, name, $1::int + 1 AS next, NULL AS nothing FROM test_rep WHERE id = $2", 41, 7)
  print(enc({ query = rows }))
  local ok, err = pcall(walhook.query, "SELECT * FROM no_such_table")
  print(enc({ query_error = tostring(err) }))
  print(enc({ diff = walhook.lsn.diff("0/200", "0/100"), back = walhook.lsn.diff("0/100", "0/200"),
              cmp = { walhook.lsn.compare("1/0", "0/FFFFFFFF"), walhook.lsn.compare("0/1", "0/1") },
              add = walhook.lsn.add("0/FFFFFFFF", 1) }))
end
function handle_keepalive(k)
  keepalives = keepalives + 1
  assert(walhook.lsn.compare(k.wal_end, "0/0") == 1 and type(k.reply_requested) == "boolean")
  io.stderr:write("keepalive at ", k.wal_end, "\n")
end
function handle_change(c) return false end
''')
    # The server sends a keepalive when it waits for WAL and has not heard
    # from walhook lately; -s 1 asks for replies every second.
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1", script=script)
    harness.wait_for(lambda: "keepalive at " in wh.stderr, 30, "handle_keepalive")
    wh.stop()
    t.expect_exit(wh, 0)
    recs = [json.loads(l) for l in wh.lines]
    t.eq(recs[0], {"query": [{"id": "7", "name": "seven", "next": "42", "nothing": None}]},
         "walhook.query's rows: text values, NULL as walhook.null")
    t.check('relation "no_such_table" does not exist' in recs[1]["query_error"]
            and "42P01" in recs[1]["query_error"], f"query error: {recs[1]}")
    t.eq(recs[2], {"diff": 256, "back": -256, "cmp": [1, 0], "add": "1/0"}, "LSN helpers")


harness.run("script_api", main)
