#!/usr/bin/env python3
"""The sink examples in lua/examples run as their headers say:

- route_by_table.lua: test_rep's changes (renamed "main", without the
  column secret) in one file, test_rep_other's in another, the rest and
  truncates dropped, nothing on stdout;
- webhook.lua: every change and the truncate POSTed as JSON arrays with
  "Authorization: Bearer <token>";
- to_kcat.lua with --set command="cat >> FILE": every change and the
  truncate as JSON lines."""

import http.server
import json
import os
import threading

import harness


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.got.append((self.path, self.headers.get("Authorization"),
                                json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def brief(records):
    """(op, table, new or old) of each change; truncates by their tables."""
    out = []
    for r in records:
        if r["op"] == "truncate":
            out.append(("truncate", [x["table"] for x in r["relations"]]))
        else:
            out.append((r["op"], r["table"], r.get("new") or r.get("old")))
    return out


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text, secret text);
        CREATE TABLE test_rep_other (id int PRIMARY KEY, name text);
        CREATE TABLE unrouted (id int PRIMARY KEY);
        CREATE PUBLICATION pub FOR ALL TABLES;
    """)
    # One slot per example, so that each gets the same changes.
    for name in ("route", "webhook", "kcat"):
        t.create_slot(f"wh_example_sinks_{name}")
    t.psql("""
        INSERT INTO test_rep VALUES (1, 'one', 'hidden');
        INSERT INTO test_rep_other VALUES (2, 'two');
        INSERT INTO unrouted VALUES (3);
        UPDATE test_rep SET secret = 'still hidden', name = 'uno' WHERE id = 1;
        DELETE FROM test_rep WHERE id = 1;
        TRUNCATE unrouted;
    """)
    endpos = t.stop_mark("INSERT INTO unrouted VALUES (99)")

    def stream(name):
        return ["-S", f"wh_example_sinks_{name}", "--start", "--publication", "pub",
                "-E", endpos]

    expected = [
        ("insert", "test_rep", {"id": 1, "name": "one", "secret": "hidden"}),
        ("insert", "test_rep_other", {"id": 2, "name": "two"}),
        ("insert", "unrouted", {"id": 3}),
        ("update", "test_rep", {"id": 1, "name": "uno", "secret": "still hidden"}),
        ("delete", "test_rep", {"id": 1}),
        ("truncate", ["unrouted"]),
    ]

    # --- route_by_table.lua ------------------------------------------------
    main_file = os.path.join(t.tmp, "main.jsonl")
    other_file = os.path.join(t.tmp, "other.jsonl")
    wh = t.run(*stream("route"), "--set", f"main={main_file}", "--set", f"other={other_file}",
               script=os.path.join(t.examples, "route_by_table.lua"))
    t.expect_exit(wh, 0)
    t.eq(wh.lines, [], "route_by_table.lua's stdout")
    t.eq(brief(read_jsonl(main_file)), [
        ("insert", "main", {"id": 1, "name": "one"}),
        ("update", "main", {"id": 1, "name": "uno"}),
        ("delete", "main", {"id": 1}),
    ], "the main file")
    t.eq(brief(read_jsonl(other_file)), [("insert", "test_rep_other", {"id": 2, "name": "two"})],
         "the other file")

    # --- webhook.lua ---------------------------------------------------------
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.got = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        wh = t.run(*stream("webhook"), "--set", f"url={url}", "--set", "token=s3cret",
                   script=os.path.join(t.examples, "webhook.lua"))
    finally:
        server.shutdown()
        server.server_close()
    t.expect_exit(wh, 0)
    t.check(server.got, "no request arrived\n" + wh.describe())
    for path, auth, body in server.got:
        t.eq((path, auth), ("/hook", "Bearer s3cret"), "path and Authorization header")
        t.check(isinstance(body, list), f"a body that is not a JSON array: {body!r}")
    t.eq(wh.lines, [], "webhook.lua's stdout")
    t.eq(brief([c for _, _, body in server.got for c in body]), expected,
         "changes POSTed")

    # --- to_kcat.lua, with cat -------------------------------------------------
    out = os.path.join(t.tmp, "kcat.jsonl")
    wh = t.run(*stream("kcat"), "--set", f"command=cat >> '{out}'",
               script=os.path.join(t.examples, "to_kcat.lua"))
    t.expect_exit(wh, 0)
    t.eq(brief(read_jsonl(out)), expected, "what the command read")


harness.run("example_sinks", main)
