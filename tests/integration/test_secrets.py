#!/usr/bin/env python3
"""Secrets stay secret.

1. An HTTP sink's URL that is wrong in any way (a bad port, scheme or host,
   a raw '/' or '@' in the password, no '@' at all, no scheme, control
   characters) is refused with a message that shows the URL masked: the
   password never appears.
2. What walhook creates is its owner's only: the output file (-f), a file
   sink's file and a recording (--record) are made 0600, whatever the
   umask lets through.
3. A password on the command line (-d conninfo, -d URI, --dbname=, -d
   joined) is blanked in /proc/PID/cmdline while walhook runs, and it
   still connects."""

import os
import signal
import stat

import harness

SECRET = "S3cr3tPw"

BAD_URLS = [
    f"http://user:{SECRET}@host:notaport/x",
    f"htp://user:{SECRET}@host/",
    f"ftp://user:{SECRET}@host/",
    f"http://user:{SECRET[:3]}/{SECRET[3:]}@host/",
    f"http://user:{SECRET[:3]}@{SECRET[3:]}@host/",
    f"http://user:{SECRET[:3]}?{SECRET[3:]}@host/",
    f"http://user:{SECRET}",
    f"http://user:{SECRET}/path",
    f"user:{SECRET}@host",
    f"http:/user:{SECRET}@host/",
    f"http://us er:{SECRET}@ho st/",
    f"http://user:{SECRET}@[::1/",
    f"http://user:{SECRET}@host\n/x",
    f"http://user:{SECRET}@host:99999999/",
]

HTTP = r'''
local s = walhook.sink.http{ url = walhook.vars.url }
'''

FILE_SINK = r'''
local f = walhook.sink.file{ path = walhook.vars.path }
function handle_change(c) f:write(c) return false end
'''


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def main(t):
    fixture = os.path.join(t.tmp, "one.jsonl")
    with open(fixture, "w") as f:
        f.write('{"op": "insert", "schema": "public", "table": "t", "new": {"id": 1}}\n')

    # 1. URLs.
    http = t.script("http.lua", HTTP)
    for url in BAD_URLS:
        wh = t.run("--replay", fixture, "--set", f"url={url}", script=http)
        t.expect_exit(wh, 1)
        err = wh.stderr
        t.check(SECRET not in err and SECRET[3:] not in err,
                f"the password shows for url {url!r}:\n{err}")
        first = err.splitlines()[0] if err else ""
        t.check("walhook.sink.http: url " in first and "***" in first,
                f"no masked url on the error's line for {url!r}:\n{err}")
    print(f"{len(BAD_URLS)} bad URLs: refused, masked")

    # 2. Modes, with nothing masked by the umask.
    old = os.umask(0)
    try:
        out = os.path.join(t.tmp, "out.jsonl")
        sink = os.path.join(t.tmp, "sink.jsonl")
        wh = t.run("--replay", fixture, "-f", out, "--set", f"path={sink}",
                   script=t.script("file.lua", FILE_SINK))
        t.expect_exit(wh, 0)
        t.psql("CREATE TABLE test_rep (id int PRIMARY KEY); CREATE PUBLICATION pub FOR ALL TABLES")
        slot = "wh_secrets_slot"
        t.create_slot(slot)
        end = t.stop_mark("INSERT INTO test_rep VALUES (1)")
        rec = os.path.join(t.tmp, "run.rec")
        out2 = os.path.join(t.tmp, "out2.jsonl")
        wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", end, "--record", rec,
                   "-f", out2)
        t.expect_exit(wh, 0)
    finally:
        os.umask(old)
    for path in (out, sink, rec, out2):
        t.eq(oct(mode(path)), oct(0o600), f"the mode of {os.path.basename(path)}")
    print("output, file sink and recording: 0600")

    # 3. The command line.
    host, port = os.environ.get("PGHOST", ""), os.environ.get("PGPORT", "5432")
    user = os.environ.get("PGUSER", "postgres")
    forms = [
        ["-d", f"dbname={t.db} password={SECRET}"],
        ["-d", f"dbname={t.db} password = '{SECRET} \\' x'"],
        [f"--dbname=postgresql://{user}:{SECRET}@{host}:{port}/{t.db}?password={SECRET}"],
        [f"-dpassword={SECRET} dbname={t.db}"],
    ]
    for form in forms:
        argv = [t.walhook_path, *form, "-S", slot, "--start", "--publication", "pub"]
        wh = harness.Walhook(argv)
        t.procs.append(wh)
        try:
            harness.wait_for(lambda: harness.slot_active_pid(t, slot), 10,
                             "walhook to stream")
        except harness.TestFailure as e:
            harness.fail(f"{e}\n{wh.describe()}")
        with open(f"/proc/{wh.proc.pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode()
        t.check(SECRET not in cmdline, f"the password is in /proc/PID/cmdline: {cmdline}")
        t.check(t.db in cmdline and "password" in cmdline and "*" * len(SECRET) in cmdline,
                f"the command line lost more than the password: {cmdline}")
        t.eq(wh.stop(signal.SIGTERM), 0, "exit status\n" + wh.describe())
        harness.wait_for(lambda: not harness.slot_active_pid(t, slot), 10, "the slot free")
        print("cmdline:", cmdline.split(" -S ")[0])


harness.run("secrets", main)
