#!/usr/bin/env python3
"""--replay of a JSON-lines fixture through a script that writes to a
file sink, and through one that writes to an http sink (a local server in
this process that records every POST body). No PostgreSQL is needed.

Every change of the fixture must reach the sink: the file holds one line
per change, in fixture order, and the bodies POSTed hold one element per
change, in order; walhook exits 0. (Observed: the file stays empty and
nothing is POSTed, with exit 0: a replay never flushes its sinks.)"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402

N_TXNS = 40

FILE_SCRIPT = r'''
local walhook = require "walhook"
local file = walhook.sink.file{ path = walhook.vars.file }
function handle_change(c) file:write(c) return false end
'''

HTTP_SCRIPT = r'''
local walhook = require "walhook"
local hook = walhook.sink.http{ url = walhook.vars.url, retries = 2, timeout = 5 }
function handle_change(c) hook:write(c) return false end
'''


def fixture(path):
    """N_TXNS transactions of 1-3 changes each; returns the changes' ids in order."""
    ids = []
    with open(path, "w") as f:
        f.write("# chaos replay fixture\n")
        n = 0
        for t in range(N_TXNS):
            for k in range(1 + t % 3):
                n += 1
                op = "insert" if k == 0 else "update"
                d = {"op": op, "schema": "public", "table": "acct", "xid": 1000 + t,
                     "lsn": f"0/{0x1000000 + n * 0x40:X}",
                     "new": {"id": t + 1, "v": n, "note": f"c{n}"}}
                if op == "update":
                    d["old"] = {"id": t + 1}
                f.write(json.dumps(d) + "\n")
                ids.append(n)
    return ids


class Recorder(http.server.BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        Recorder.bodies.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def run(argv):
    res = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    return res.returncode, res.stderr.decode(errors="replace")


def main():
    walhook = chaos.walhook_path()
    tmp = tempfile.mkdtemp(prefix="walhook-chaos-replay-")
    fx = os.path.join(tmp, "fixture.jsonl")
    want = fixture(fx)
    problems = []
    print(f"chaos: scenario replay_sinks, walhook {walhook}, fixture {fx} ({len(want)} changes"
          f" in {N_TXNS} transactions)")

    # 1. file sink
    script = os.path.join(tmp, "file.lua")
    with open(script, "w") as f:
        f.write(FILE_SCRIPT)
    out = os.path.join(tmp, "out.jsonl")
    argv = [walhook, "--replay", fx, "--set", f"file={out}", script]
    rc, err = run(argv)
    try:
        with open(out) as f:
            got = [json.loads(line)["new"]["v"] for line in f if line.strip()]
    except FileNotFoundError:
        got = []
    if rc != 0:
        problems.append(f"file sink: exit {rc} (expected 0): {err.strip()[-500:]}")
    if got != want:
        problems.append(f"file sink: the file holds {len(got)} of the fixture's {len(want)}"
                        f" changes (first ones: {got[:5]}); command: {' '.join(argv)}")

    # 2. http sink
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ingest"
    script = os.path.join(tmp, "http.lua")
    with open(script, "w") as f:
        f.write(HTTP_SCRIPT)
    argv = [walhook, "--replay", fx, "--set", f"url={url}", script]
    rc, err = run(argv)
    server.shutdown()
    got = []
    for body in Recorder.bodies:
        try:
            got.extend(c["new"]["v"] for c in json.loads(body))
        except (ValueError, KeyError, TypeError) as e:
            problems.append(f"http sink: a POST body is not a JSON array of changes ({e}):"
                            f" {body[:200]!r}")
    if rc != 0:
        problems.append(f"http sink: exit {rc} (expected 0): {err.strip()[-500:]}")
    if got != want:
        problems.append(f"http sink: {len(Recorder.bodies)} POSTs holding {len(got)} of the"
                        f" fixture's {len(want)} changes (first ones: {got[:5]});"
                        f" command: {' '.join(argv)}")

    if problems:
        print("FAIL scenario replay_sinks")
        print(f"replay: WALHOOK={walhook} {os.path.join(chaos.REPO, 'scripts', 'chaos')}"
              " scenario replay_sinks")
        for p in problems:
            print("  " + p)
        if chaos.keep():
            print(f"files kept for inspection: {tmp}")
        else:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)
        print("chaos scenario replay_sinks: FAIL")
        sys.exit(1)
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    print("chaos scenario replay_sinks: PASS")


main()
