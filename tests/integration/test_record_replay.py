#!/usr/bin/env python3
"""--record and --replay: a live stream recorded while it runs and replayed
later with no server gives byte-for-byte the same output, for the default
JSON lines and for a script using every hook. The workload covers every kind
of change pgoutput sends: inserts of many column types (NULLs, NaN, quotes,
newlines, unicode, bytea, json, arrays, ...), updates of a non-key column and
of the key, deletes, a REPLICA IDENTITY FULL table, an update leaving a
TOASTed value unchanged, TRUNCATE, transactional and non-transactional
messages, a streamed transaction (with a savepoint rolled back inside it),
a streamed transaction that aborts, and prepared transactions committed and
rolled back (one of them streamed). The recording's header names the plugin,
the server version and the options; --replay -E at each transaction's commit
stops exactly before it, and -E just before a non-transactional message
leaves that message out; the LuaJIT build (build-luajit/ beside $WALHOOK's
build directory, or $WALHOOK_LUAJIT; skipped when absent) replays the same."""

import json
import os
import subprocess

import harness

BIG = 2000

SCHEMA = r"""
CREATE TABLE kinds (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8,
    num numeric, f8 float8, b bool, t text, bin bytea, j json, jb jsonb,
    d date, ts timestamptz, arr int4[]);
CREATE TABLE full_t (id int, note text, big text);
ALTER TABLE full_t REPLICA IDENTITY FULL;
ALTER TABLE full_t ALTER big SET STORAGE EXTERNAL;
CREATE TABLE toasty (id int PRIMARY KEY, small text, big text);
ALTER TABLE toasty ALTER big SET STORAGE EXTERNAL;
CREATE TABLE bulk (id int PRIMARY KEY, pad text);
CREATE TABLE trunc_a (id serial PRIMARY KEY, v text);
CREATE TABLE trunc_b (id int PRIMARY KEY);
CREATE PUBLICATION pub FOR ALL TABLES;
"""

# Changes of every kind, each statement its own transaction.
WORKLOAD = r"""
INSERT INTO kinds VALUES
  (1, 32767, -2147483648, 9223372036854775807, 12345678901234567890.000123,
   'NaN', true, E'it''s "quoted"\nsecond line\ttab \\ backslash',
   '\x00ff10', '{"a": [1, 2, {"b": null}], "s": "x\"y"}',
   '{"z": 1, "a": "\u00e9"}', '2024-02-29', '2024-02-29 12:34:56.789+05:30',
   '{1,NULL,3}'),
  (2, -1, 0, -9223372036854775808, -0.5, 'Infinity', false,
   'unicode: é ü 日本 🐘', '\x', '[]', 'null', 'infinity', '-infinity', '{}'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL),
  (4, 0, 42, 9007199254740993, 'NaN', '-Infinity', true, '', '\xdeadbeef',
   '"just a string"', '[1, 2.5, "three"]', '1999-12-31',
   '1999-12-31 23:59:59.999999+00', '{-1,2147483647}'),
  (5, 7, 7, 7, 0.1, 0.1, false, E'control \x01 chars', NULL, NULL, NULL,
   NULL, NULL, NULL),
  (6, NULL, NULL, NULL, NULL, 1e300, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL);
UPDATE kinds SET t = 'updated', f8 = -0.0, arr = '{9}' WHERE id = 1;
UPDATE kinds SET id = 12 WHERE id = 2;
DELETE FROM kinds WHERE id = 3;
INSERT INTO full_t VALUES (1, 'one', repeat('F', 6000)), (2, 'two', NULL),
  (3, 'three', 'short');
UPDATE full_t SET note = 'uno' WHERE id = 1;
UPDATE full_t SET big = 'now short' WHERE id = 3;
DELETE FROM full_t WHERE id = 2;
INSERT INTO toasty VALUES (1, 'small', repeat('toast!', 2000));
UPDATE toasty SET small = 'changed' WHERE id = 1;
DELETE FROM toasty WHERE id = 1;
INSERT INTO trunc_a (v) VALUES ('a1'), ('a2');
INSERT INTO trunc_b VALUES (1);
TRUNCATE trunc_a, trunc_b RESTART IDENTITY;
TRUNCATE trunc_b;
BEGIN;
INSERT INTO kinds (id, t) VALUES (20, 'with a message');
SELECT pg_logical_emit_message(true, 'rr_tx', E'tx "message"\nline 2 é');
COMMIT;
SELECT pg_logical_emit_message(false, 'rr_nt', 'non-transactional ü');
INSERT INTO kinds (id, t) VALUES (21, 'after the messages');
"""

# A streamed transaction that aborts, then prepared transactions: one
# committed, one rolled back, one large enough to be streamed.
LATER = f"""
BEGIN;
INSERT INTO bulk SELECT g, repeat('y', 200) FROM generate_series(100001, 100000 + {BIG}) g;
ROLLBACK;
BEGIN; INSERT INTO kinds (id, t) VALUES (30, 'prepared, committed'); PREPARE TRANSACTION 'rr_g1';
BEGIN; INSERT INTO kinds (id, t) VALUES (31, 'prepared, rolled back'); PREPARE TRANSACTION 'rr_g2';
BEGIN;
INSERT INTO bulk SELECT g, repeat('p', 200) FROM generate_series(200001, 200000 + {BIG}) g;
PREPARE TRANSACTION 'rr_g3';
INSERT INTO kinds (id, t) VALUES (32, 'between the prepares and their ends');
ROLLBACK PREPARED 'rr_g2';
COMMIT PREPARED 'rr_g1';
COMMIT PREPARED 'rr_g3';
INSERT INTO kinds (id, t) VALUES (33, 'last');
"""

# Every hook prints all it is given (sentinels and NaN made visible).
ALL_HOOKS = r'''
local enc = walhook.json.encode

local function dump(v)
  if v == walhook.unchanged then return "<unchanged>" end
  if type(v) == "number" and v ~= v then return "<nan>" end
  if type(v) ~= "table" then return v end
  local o = {}
  for k, x in pairs(v) do o[k] = dump(x) end
  return o
end

local function out(hook, t)
  local o = dump(t or {})
  if type(o) ~= "table" then o = {value = o} end
  o.hook = hook
  print(enc(o))
end

local seen = 0

function init(opts) out("init", {vars = opts.vars}) end
function handle_connect(info) out("connect", info) end
function handle_begin(tx) out("begin", tx) end
function handle_change(c)
  out("change", c)
  seen = seen + 1
  if c.table == "kinds" and c.op ~= "insert" then
    return nil                       -- kept: written as a JSON line too
  elseif c.table == "full_t" then
    return {op = c.op, replaced = true, id = (c.new or c.old).id}
  end
  return false
end
function handle_truncate(t) out("truncate", t) end
function handle_message(m) out("message", m) return false end
function handle_commit(tx) out("commit", tx) end
function handle_stream_start(s) out("stream_start", s) end
function handle_stream_stop(s) out("stream_stop", s) end
function handle_stream_commit(tx) out("stream_commit", tx) end
function handle_stream_abort(a) out("stream_abort", a) end
function handle_prepare(tx) out("prepare", tx) end
function handle_commit_prepared(tx) out("commit_prepared", tx) end
function handle_rollback_prepared(tx) out("rollback_prepared", tx) end
function handle_data(d, lsn) out("data", {len = #d, lsn = lsn}) end
function handle_disconnect(why) out("disconnect", {why = why}) end
function terminate(reason) out("terminate", {reason = reason, changes = seen}) end
'''


class Killable:
    """A raw subprocess in t.procs, so that the harness ends it on failure."""

    def __init__(self, proc):
        self.proc = proc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def text_lines(data):
    """Output bytes as lines of text, without the final newline; bytes that
    are not UTF-8 (a script may print any string) become U+FFFD."""
    text = data.decode("utf-8", "replace")
    return text.split("\n")[:-1] if text else []


def show(data, limit=4000):
    text = data.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "\n..."


def first_difference(a, b):
    """Where two outputs part, for a failure message."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            return f"line {i}:\n  live   {show(x, 600)}\n  replay {show(y, 600)}"
    return f"one is a prefix of the other ({len(la)} vs {len(lb)} lines)"


def same_bytes(live, replayed, what, hint=""):
    if live != replayed:
        harness.fail(f"{what}: replay differs from the live output at "
                     f"{first_difference(live, replayed)}{hint}")
    nlines = live.count(b"\n")
    print(f"{what}: {len(live)} bytes, {nlines} lines, identical")


def replay(exe, path, *args, script=None):
    argv = [exe, "--replay", path, *args] + ([script] if script else [])
    rc, out, err = harness.run_capture(argv)
    if rc != 0:
        harness.fail(f"{' '.join(argv)} exited {rc}\nstderr:\n{err.strip()}")
    return out


def run_big_streamed(t):
    """A transaction far larger than logical_decoding_work_mem with a
    savepoint rolled back inside it, kept open while a small one commits."""
    harness.interleave(t, "wh_record_replay_big", f"""
        BEGIN;
        INSERT INTO bulk SELECT g, repeat('x', 200) FROM generate_series(1, {BIG}) g;
        SAVEPOINT s1;
        INSERT INTO bulk SELECT g, 'rolled back' FROM generate_series({BIG} + 1, {BIG} + 300) g;
        ROLLBACK TO SAVEPOINT s1;
        INSERT INTO bulk VALUES ({BIG} + 1000, 'after the savepoint');
        SELECT pg_logical_emit_message(true, 'rr_big', 'inside the streamed transaction');
    """, "INSERT INTO kinds (id, t) VALUES (22, 'committed while the big one is open')")


def json_units(lines, commit_of):
    """For each default JSON line, the LSN that decides whether it comes
    before an end position: its transaction's commit LSN, or for a message
    outside any transaction its own LSN."""
    keys = []
    for line in lines:
        rec = json.loads(line)
        if rec.get("op") == "message" and not rec.get("transactional"):
            keys.append(harness.parse_lsn(rec["lsn"]))
        else:
            if rec.get("xid") not in commit_of:
                harness.fail(f"a JSON line of a transaction the script never "
                             f"saw commit: {line}")
            keys.append(commit_of[rec["xid"]])
    return keys


def check_endpos_before_message(exe, path, lines, keys, recs):
    """-E just before a non-transactional message (and after the end of the
    transaction before it): the message lies past the end position, so it
    is not printed, any more than a transaction committing there would be."""
    nt = next(r for r in recs if r["op"] == "message" and not r["transactional"])
    end = harness.format_lsn(harness.parse_lsn(nt["lsn"]) - 1)
    want = [l for l, k in zip(lines, keys) if k < harness.parse_lsn(end)]
    got_lines = text_lines(replay(exe, path, "-E", end))
    if got_lines != want:
        harness.fail(f"--replay -E {end}, just before a non-transactional message at {nt['lsn']}: "
                     f"expected the {len(want)} lines before it, got {len(got_lines)}; "
                     f"past the expected: {got_lines[len(want):]}")


def main(t):
    t.psql(SCHEMA)
    slots = {"json": "wh_rr_json", "lua": "wh_rr_lua"}
    for slot in slots.values():
        wh = t.run("-S", slot, "--create-slot", "--two-phase")
        t.expect_exit(wh, 0)
    t.psql(WORKLOAD)
    run_big_streamed(t)
    t.psql(LATER)
    endpos = t.stop_mark("INSERT INTO kinds (id, t) VALUES (99, 'past the end')")

    conninfo = f"dbname={t.db} options='-c logical_decoding_work_mem=64kB'"
    opts = ["--publication", "pub", "-o", "messages=true", "-o", "streaming=on",
            "-o", "two_phase=on"]
    rec = {k: os.path.join(t.tmp, f"{k}.rec") for k in slots}
    script = t.script("all_hooks.lua", ALL_HOOKS)
    # Both live runs at once: each has its own slot.
    live = {}
    for kind, slot in slots.items():
        argv = [t.walhook_path, "-d", conninfo, "-S", slot, "--start", *opts,
                "--no-loop", "--record", rec[kind], "-E", endpos, "--set", "run=1"]
        if kind == "lua":
            argv.append(script)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        t.procs.append(Killable(proc))
        live[kind] = (argv, proc)
    out = {}
    for kind, (argv, proc) in live.items():
        try:
            stdout, stderr = proc.communicate(timeout=harness.RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            harness.fail(f"live walhook did not stop at -E {endpos}: {' '.join(argv)}")
        if proc.returncode != 0:
            harness.fail(f"live walhook exited {proc.returncode}: {' '.join(argv)}\n"
                         f"{stderr.decode(errors='replace').strip()}")
        out[kind] = stdout

    # What the live default run printed, checked for the workload's shape.
    lines = out["json"].decode("utf-8").split("\n")
    t.eq(lines[-1], "", "the live output ends with a newline")
    lines = lines[:-1]
    recs = [json.loads(line) for line in lines]
    ops = [(r["op"], r.get("table") or r.get("prefix")) for r in recs]
    for want in [("insert", "kinds"), ("update", "kinds"), ("delete", "kinds"),
                 ("update", "full_t"), ("delete", "full_t"), ("update", "toasty"),
                 ("truncate", None), ("message", "rr_tx"), ("message", "rr_nt"),
                 ("message", "rr_big"), ("insert", "bulk")]:
        t.check(want in ops, f"the live output lacks {want}: {sorted(set(ops), key=str)}")
    bulk = [r["new"]["id"] for r in recs if r.get("table") == "bulk"]
    t.eq(bulk, list(range(1, BIG + 1)) + [BIG + 1000] + list(range(200001, 200001 + BIG)),
         "bulk rows: the streamed transaction without its savepoint, the streamed prepare")
    ids = [r["new"]["id"] for r in recs if r.get("table") == "kinds" and r["op"] == "insert"]
    t.eq(ids, [1, 2, 3, 4, 5, 6, 20, 21, 22, 32, 30, 33],
         "kinds inserts: committed ones, prepared ones at COMMIT PREPARED, not the rolled back")
    toast_update = next(r for r in recs if r.get("table") == "toasty" and r["op"] == "update")
    t.eq(toast_update["new"], {"id": 1, "small": "changed"},
         "the unchanged TOASTed value is left out of the update")
    full_update = next(r for r in recs if r.get("table") == "full_t" and r["op"] == "update")
    t.eq((full_update["old"]["note"], len(full_update["old"]["big"]), len(full_update["new"]["big"])),
         ("one", 6000, 6000), "REPLICA IDENTITY FULL: old row whole, the TOASTed value in new")

    # The recordings: header fields, a connect frame, then CopyData frames.
    server_version = t.scalar("SHOW server_version_num")
    for kind, slot in slots.items():
        r = harness.read_recording(rec[kind])
        t.eq(r["version"], 1, f"{kind} recording: format version")
        h = harness.recording_fields(r["header"])
        t.eq(h.get("plugin"), "pgoutput", f"{kind} recording header: plugin ({r['header']!r})")
        t.eq(str(h.get("server_version")), server_version,
             f"{kind} recording header: server_version")
        t.eq(h.get("slot"), slot, f"{kind} recording header: slot")
        options = h.get("option") or h.get("options")
        for want in ["messages=true", "streaming=on", "two_phase=on",
                     "publication_names=pub", "proto_version=3"]:
            t.check(want in options, f"{kind} recording header lacks option {want}: {options!r}")
        t.check(r["frames"] and r["frames"][0]["type"] == "c",
                f"{kind} recording: the first frame is a connect frame")
        conn = harness.recording_fields(r["frames"][0]["data"].decode())
        t.eq((conn.get("slot"), conn.get("plugin"), conn.get("dbname")),
             (slot, "pgoutput", t.db), f"{kind} recording: connect frame")
        kinds = {f["type"] for f in r["frames"]}
        t.eq(kinds, {"c", "d"}, f"{kind} recording: frame types")
        t.check(all(f["data"][:1] in (b"w", b"k") for f in r["frames"] if f["type"] == "d"),
                f"{kind} recording: CopyData frames are XLogData or keepalives")
        print(f"{kind} recording: {os.path.getsize(rec[kind])} bytes, "
              f"{len(r['frames'])} frames, header {h}")

    # Replays, byte for byte.
    exe = t.walhook_path
    same_bytes(out["json"], replay(exe, rec["json"]), "default JSON lines")
    same_bytes(out["lua"], replay(exe, rec["lua"], "--set", "run=1", script=script),
               "a script with every hook")
    hooks = {json.loads(l).get("hook", "") for l in text_lines(out["lua"])}
    for want in ["init", "connect", "begin", "change", "truncate", "message", "commit",
                 "stream_start", "stream_stop", "stream_commit", "stream_abort",
                 "prepare", "commit_prepared", "rollback_prepared", "terminate"]:
        t.check(want in hooks, f"the script's hook {want} was never called: {sorted(hooks)}")

    # Commit LSNs of every transaction, from a replay through a script
    # without stream or two-phase hooks (so everything arrives at commit).
    rec_script = t.script("rec.lua", harness.RECORDER)
    commits = [json.loads(l) for l in text_lines(replay(exe, rec["json"], script=rec_script))
               if json.loads(l).get("op") == "commit"]
    commit_of = {c["xid"]: harness.parse_lsn(c["commit_lsn"]) for c in commits}
    t.check(len(commits) >= 15, f"transactions seen: {len(commits)}")
    keys = json_units(lines, commit_of)
    t.eq(keys, sorted(keys), "the live output comes in commit order")

    # -E at every transaction's commit LSN, and just past it: exactly the
    # transactions that commit before the end position.
    ends = sorted(set(commit_of.values()))
    for end in ends + [e + 1 for e in ends]:
        want = [l for l, k in zip(lines, keys) if k < end]
        got = replay(exe, rec["json"], "-E", harness.format_lsn(end))
        got_lines = text_lines(got)
        if got_lines != want:
            where = first_difference("".join(l + "\n" for l in want).encode(), got)
            harness.fail(f"--replay -E {harness.format_lsn(end)}: expected the first "
                         f"{len(want)} lines of the live output, got {len(got_lines)}; "
                         f"first difference at {where}")
    print(f"--replay -E: {2 * len(ends)} end positions, each stopped at the right transaction")

    # The every-hook script with -E at a plain transaction's commit: the live
    # output up to that transaction's begin, then terminate.
    lua_lines = text_lines(out["lua"])
    events = [json.loads(l) for l in lua_lines]
    ends = {}   # begin's index -> the hook that ends its transaction
    for i, ev in enumerate(events):
        if ev.get("hook") == "begin":
            ends[i] = next(e for e in events[i + 1:] if e.get("xid") == ev["xid"] and e.get("hook")
                           in ("commit", "prepare", "stream_commit", "commit_prepared"))
    plain = [i for i, e in ends.items() if e["hook"] == "commit"]
    cut = plain[len(plain) // 2]
    mid, mid_commit = events[cut], ends[cut]
    got = text_lines(replay(exe, rec["lua"], "--set", "run=1", "-E", mid_commit["commit_lsn"],
                            script=script))
    t.eq(got[:-1], lua_lines[:cut],
         f"every-hook script, --replay -E {mid_commit['commit_lsn']} (xid {mid['xid']}): "
         "the live output before that transaction")
    t.eq(json.loads(got[-1])["hook"], "terminate", "the last line after -E")

    # The LuaJIT build replays the same recordings.
    # (the sibling of $WALHOOK's build directory, or $WALHOOK_LUAJIT)
    jit = os.environ.get("WALHOOK_LUAJIT") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(t.walhook_path))),
        "build-luajit", "walhook")
    if not os.access(jit, os.X_OK):
        print(f"LuaJIT build not found at {jit}: that part skipped")
    else:
        check_luajit(t, jit, rec, out, script)
    check_endpos_before_message(exe, rec["json"], lines, keys, recs)


def check_luajit(t, jit, rec, out, script):
    stale = (f"\n(is {jit} built from the same sources as {t.walhook_path}? "
             "meson compile -C build-luajit)")
    same_bytes(out["json"], replay(jit, rec["json"]), "LuaJIT: default JSON lines", stale)
    jit_lua = replay(jit, rec["lua"], "--set", "run=1", script=script)
    if jit_lua != out["lua"]:
        # Integers beyond 2^53 are strings under LuaJIT (documented): equal
        # once those are compared as text.
        def norm(v):
            if isinstance(v, bool):
                return v
            if isinstance(v, int) and abs(v) >= 2 ** 53:
                return str(v)
            if isinstance(v, dict):
                return {k: norm(x) for k, x in v.items()}
            if isinstance(v, list):
                return [norm(x) for x in v]
            return v
        a = [norm(json.loads(l)) for l in text_lines(out["lua"])]
        b = [norm(json.loads(l)) for l in text_lines(jit_lua)]
        for i, (x, y) in enumerate(zip(a, b), 1):
            if x != y:
                harness.fail(f"LuaJIT replay of the script differs at line {i}:\n"
                             f"  Lua 5.4 {x}\n  LuaJIT  {y}{stale}")
        t.eq(len(b), len(a), "LuaJIT replay of the script: lines")
        print("LuaJIT: the script's output equal but for integers beyond 2^53")
    else:
        print("LuaJIT: the script's output identical")


harness.run("record_replay", main)
