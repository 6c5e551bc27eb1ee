#!/usr/bin/env python3
"""Bad input of every kind ends walhook with exit 1 (2 nowhere, no signal,
no crash), one clear message on stderr, and the slot where it was.

Table-driven: each case is a command line, the exit status, substrings of
stderr, and the slot that must not have moved (or None when walhook never
gets to a slot). The cases: slots that are missing, of another plugin or of
another database; bad flags and LSNs; scripts that are missing, do not
compile or fail in each hook; a slot already in use (with and without
--retry-active); pgoutput without publications; and, through --replay,
protocol input no real server sends (crafted recordings) and damaged
recordings."""

import os
import signal
import struct

import harness

# --- recordings (the format of src/protocol/record.h) --------------------------------

_CRC_TABLE = []


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli), reflected, as record.c computes it."""
    if not _CRC_TABLE:
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            _CRC_TABLE.append(c)
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the standard check value

SLOT = "wh_bad_input_replay"


def rec_header(version=1):
    text = ("walhook_version=test\nrecorded_at=2026-01-01 00:00:00+00\n"
            "system_id=7000000000000000001\nserver_version=150000\n"
            f"slot={SLOT}\nplugin=pgoutput\noption=proto_version=3\n"
            "option=publication_names=pub\n").encode()
    return (b"WALHOOK\x01" + struct.pack(">II", version, len(text)) + text
            + struct.pack(">I", crc32c(text)))


def rec_frame(kind, payload):
    head = kind + struct.pack(">I", len(payload))
    return head + payload + struct.pack(">I", crc32c(head + payload))


def connect_frame():
    return rec_frame(b"c", (
        "system_id=7000000000000000001\ntimeline=1\nxlogpos=0/1000000\n"
        f"dbname=wh_bad_input\nserver_version=150000\nslot={SLOT}\n"
        "plugin=pgoutput\nstart_lsn=0/0\n").encode())


def xlog(lsn, payload):
    """A 'd' frame: XLogData with start = end = lsn, send time 0."""
    return rec_frame(b"d", b"w" + struct.pack(">QQq", lsn, lsn, 0) + payload)


def keepalive(lsn):
    return rec_frame(b"d", b"k" + struct.pack(">QqB", lsn, 0, 0))


COMMIT_TIME = 822_000_000_000_000  # microseconds since 2000-01-01


def pg_begin(final_lsn, xid):
    return b"B" + struct.pack(">QqI", final_lsn, COMMIT_TIME, xid)


def pg_commit(commit_lsn, end_lsn, flags=0):
    return b"C" + struct.pack(">BQQq", flags, commit_lsn, end_lsn, COMMIT_TIME)


def cstr(s):
    return s.encode() + b"\0"


def pg_relation(relid):
    """public.test_rep (id int4 key, name text)."""
    cols = [(1, "id", 23), (0, "name", 25)]
    out = b"R" + struct.pack(">I", relid) + cstr("public") + cstr("test_rep") + b"d"
    out += struct.pack(">H", len(cols))
    for flags, name, typ in cols:
        out += struct.pack(">B", flags) + cstr(name) + struct.pack(">Ii", typ, -1)
    return out


def pg_insert(relid, values):
    out = b"I" + struct.pack(">I", relid) + b"N" + struct.pack(">H", len(values))
    for v in values:
        data = v.encode()
        out += b"t" + struct.pack(">I", len(data)) + data
    return out


RELID = 16385
L = 0x1000000  # the transaction's first LSN; its records follow


def transaction(insert=None, commit=None, relation=True, begin=True):
    """Begin, Relation, Insert, Commit; insert=b"" leaves the Insert out."""
    frames = []
    if begin:
        frames.append(xlog(L, pg_begin(L + 0x100, 731)))
    if relation:
        frames.append(xlog(0, pg_relation(RELID)))
    if insert != b"":
        frames.append(xlog(L + 0x28, insert if insert is not None
                           else pg_insert(RELID, ["1", "one"])))
    frames.append(xlog(L + 0x130, commit if commit is not None
                       else pg_commit(L + 0x100, L + 0x130)))
    return frames


def recording(frames, version=1):
    return rec_header(version) + connect_frame() + b"".join(frames)


# --- scripts -------------------------------------------------------------------

def failing_hook(hook, arg="x"):
    """A script whose `hook` fails on its line 3."""
    return (f"-- fails in {hook}\n"
            f"function {hook}({arg})\n"
            f"  error(\"{hook} failed\")\n"
            "end\n")


RETURNS_NUMBER = """-- handle_change returns a number
function handle_change(c)
  return 42
end
"""

SYNTAX = """-- a syntax error on line 3
function handle_change(c)
  local x = = 1
end
"""


# Every case runs, even after one failed: the failures are collected here
# and reported together at the end.
PROBLEMS = []


def soft(label, check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except harness.TestFailure as e:
        print(f"FAILED {label}")
        PROBLEMS.append(str(e))


def main(t):
    t.psql("""
        CREATE TABLE test_rep (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE test_rep;
    """)
    # Slot A's first transaction is an insert, B's a truncate, C's a
    # transactional message: each hook's failure is on a slot's first one.
    slot_a, slot_b, slot_c = "wh_bad_input_a", "wh_bad_input_b", "wh_bad_input_c"
    t.create_slot(slot_a)
    t.psql("BEGIN; INSERT INTO test_rep VALUES (1, 'one'), (2, 'two'); COMMIT;")
    t.create_slot(slot_b)
    t.psql("TRUNCATE test_rep")
    t.create_slot(slot_c)
    t.psql("SELECT pg_logical_emit_message(true, 'bad_input', 'hello')")
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (3, 'three')")
    t.create_slot("wh_bad_input_w2j", "wal2json")

    # A slot of another database.
    other_db = "wh_bad_input_other"
    other_slot = "wh_bad_input_other_slot"
    t.psql(f"DROP DATABASE IF EXISTS {other_db} WITH (FORCE)", db="postgres")
    t.psql(f"CREATE DATABASE {other_db}", db="postgres")
    try:
        t.psql(f"SELECT pg_create_logical_replication_slot('{other_slot}', 'pgoutput')",
               db=other_db)
        run_cases(t, slot_a, slot_b, slot_c, other_slot, endpos)
        replays(t)
        soft("--retry-active", active_slot, t)
    finally:
        t.psql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
               f" WHERE slot_name = '{other_slot}'", db="postgres")
        t.psql(f"DROP DATABASE IF EXISTS {other_db} WITH (FORCE)", db="postgres")
    if PROBLEMS:
        harness.fail(f"{len(PROBLEMS)} case(s) failed:\n\n" + "\n\n".join(PROBLEMS))


def check_run(t, label, proc, rc, needles, slot=None, before=None, stdout_empty=True):
    what = f"[{label}]\n{proc.describe()}"
    t.check(proc.returncode is not None and proc.returncode >= 0,
            f"walhook died of a signal {what}")
    t.eq(proc.returncode, rc, f"[{label}] exit status\n{proc.describe()}")
    err = proc.stderr
    if rc != 0:
        t.check(err.startswith("walhook: "), f"stderr does not start with 'walhook: ' {what}")
    for needle in needles:
        if isinstance(needle, tuple):  # any one of these
            t.check(any(n in err for n in needle), f"stderr lacks any of {needle!r} {what}")
        else:
            t.check(needle in err, f"stderr lacks {needle!r} {what}")
    if stdout_empty:
        t.eq(proc.lines, [], f"[{label}] stdout")
    if slot:
        t.eq(harness.format_lsn(t.confirmed(slot)), harness.format_lsn(before),
             f"[{label}] slot {slot}'s confirmed_flush_lsn")
    first = err.strip().splitlines()[0] if err.strip() else "(no stderr)"
    print(f"ok {label}: exit {proc.returncode}: {first}")


def run_cases(t, slot_a, slot_b, slot_c, other_slot, endpos):
    start = ["--start", "--publication", "pub", "-E", endpos]
    scripts = {hook: t.script(f"{hook}.lua", failing_hook(hook))
               for hook in ("init", "handle_begin", "handle_change", "handle_truncate",
                            "handle_message", "handle_commit")}
    # (label, args, script, exit status, stderr substrings, slot to check)
    cases = [
        ("missing slot", ["-S", "wh_bad_input_nosuch", *start], None, 1,
         ['replication slot "wh_bad_input_nosuch" does not exist', "--create-slot"], None),
        ("-P of another plugin", ["-S", slot_a, "-P", "wal2json", *start], None, 1,
         [f'replication slot "{slot_a}" uses plugin pgoutput, not wal2json'], slot_a),
        ("-P pgoutput on a wal2json slot", ["-S", "wh_bad_input_w2j", "-P", "pgoutput", *start],
         None, 1, ['replication slot "wh_bad_input_w2j" uses plugin wal2json, not pgoutput'],
         "wh_bad_input_w2j"),
        ("slot of another database", ["-S", other_slot, *start], None, 1,
         [f'replication slot "{other_slot}" was not created in this database',
          "SQLSTATE 55000"], other_slot),
        ("bad flag", ["-S", slot_a, "--start", "--bogus-flag"], None, 1,
         ['unknown option "--bogus-flag"', "walhook --help"], slot_a),
        ("flag without its value", ["-S", slot_a, "--start", "-E"], None, 1,
         ['option "-E" needs a value'], slot_a),
        ("bad -E", ["-S", slot_a, "--start", "--publication", "pub", "-E", "12/"], None, 1,
         ['could not parse end position "12/"', "expected an LSN like 0/16B3748"], slot_a),
        ("bad -E hex", ["-S", slot_a, "--start", "--publication", "pub", "-E", "0/XYZ"], None, 1,
         ['could not parse end position "0/XYZ"'], slot_a),
        ("bad -I", ["-S", slot_a, "--start", "--publication", "pub", "-I", "banana"], None, 1,
         ['could not parse start position "banana"', "expected an LSN"], slot_a),
        ("bad -s", ["-S", slot_a, "--start", "--publication", "pub", "-s", "ten"], None, 1,
         ['invalid value "ten" for --status-interval'], slot_a),
        ("missing script", ["-S", slot_a, *start], f"{t.tmp}/no-such-script.lua", 1,
         ["no-such-script.lua", "No such file or directory"], slot_a),
        ("Lua syntax error", ["-S", slot_a, *start], t.script("syntax.lua", SYNTAX), 1,
         ["syntax.lua:3:", "near '='"], slot_a),
        ("error in init", ["-S", slot_a, *start], scripts["init"], 1,
         ["init.lua:3: init failed", "stack traceback", "init"], slot_a),
        ("error in handle_begin", ["-S", slot_a, *start], scripts["handle_begin"], 1,
         ["handle_begin.lua:3: handle_begin failed", "stack traceback", "in handle_begin"],
         slot_a),
        ("error in handle_change", ["-S", slot_a, *start], scripts["handle_change"], 1,
         ["handle_change.lua:3: handle_change failed", "stack traceback",
          "in handle_change (public.test_rep"], slot_a),
        ("error in handle_commit", ["-S", slot_a, *start], scripts["handle_commit"], 1,
         ["handle_commit.lua:3: handle_commit failed", "stack traceback", "in handle_commit"],
         slot_a),
        ("error in handle_truncate", ["-S", slot_b, *start], scripts["handle_truncate"], 1,
         ["handle_truncate.lua:3: handle_truncate failed", "stack traceback",
          "in handle_truncate"], slot_b),
        ("error in handle_message", ["-S", slot_c, "-o", "messages=true", *start],
         scripts["handle_message"], 1,
         ["handle_message.lua:3: handle_message failed", "stack traceback",
          'in handle_message (prefix "bad_input"'], slot_c),
        ("handle_change returns a number", ["-S", slot_a, *start],
         t.script("number.lua", RETURNS_NUMBER), 1,
         ["handle_change", "returned a number", "expected a table, true, false or nil"], slot_a),
        ("pgoutput without --publication", ["-S", slot_a, "--start", "-E", endpos], None, 1,
         ["pgoutput needs publications", "--publication"], slot_a),
    ]
    def one(label, args, script, rc, needles, slot):
        before = t.confirmed(slot) if slot else None
        proc = t.run(*args, script=script, timeout=15)
        check_run(t, label, proc, rc, needles, slot, before)
    for case in cases:
        soft(case[0], one, *case)


def active_slot(t):
    """A slot in use: the second walhook fails with SQLSTATE 55006, or with
    --retry-active waits, and takes over once the first one stops."""
    slot = "wh_bad_input_active"
    t.create_slot(slot)
    first = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1")
    pid = harness.wait_for(lambda: harness.slot_active_pid(t, slot), 10,
                           "the first walhook to hold the slot")

    def plain():
        second = t.run("-S", slot, "--start", "--publication", "pub", timeout=8)
        check_run(t, "slot already active", second, 1,
                  [f'replication slot "{slot}" is active for PID {pid}', "SQLSTATE 55006"])
        t.check("reconnecting" not in second.stderr,
                "without --retry-active, a busy slot is retried\n" + second.describe())
    soft("slot already active", plain)

    waiting = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1",
                      "--retry-active")

    def says_waiting():
        if waiting.proc.poll() is not None:
            harness.fail("walhook --retry-active exited while the slot was busy\n"
                         + waiting.describe())
        return "55006" in waiting.stderr
    harness.wait_for(says_waiting, 10, "walhook --retry-active to report the busy slot")
    t.eq(harness.slot_active_pid(t, slot), pid, "the slot's holder while the second waits")
    t.check(waiting.proc.poll() is None, "walhook --retry-active stopped waiting")
    print("ok --retry-active waits: " + waiting.stderr.strip().splitlines()[0])

    t.eq(first.stop(signal.SIGTERM), 0, "the first walhook's exit status\n" + first.describe())
    try:
        harness.wait_for(lambda: (lambda p: p and p != pid)(harness.slot_active_pid(t, slot)),
                         15, "walhook --retry-active to take the slot over", 0.1)
    except harness.TestFailure as e:
        harness.fail(f"{e}\n{waiting.describe()}")
    t.eq(waiting.stop(signal.SIGTERM), 0, "exit status of --retry-active\n" + waiting.describe())
    print("ok --retry-active took over the slot once it was free")


def replays(t):
    """--replay of crafted and damaged recordings."""
    def one(label, data, rc, needles, lines):
        path = os.path.join(t.tmp, label.split(": ", 1)[1].replace(" ", "_") + ".whr")
        with open(path, "wb") as f:
            f.write(data)
        proc = t.run("--replay", path, timeout=15)
        check_run(t, label, proc, rc, needles, stdout_empty=lines is None)
        if lines is not None:
            t.eq([r["new"] for r in proc.records()], lines, f"[{label}] rows")

    def replay(label, data, rc, needles, lines=None):
        soft(f"replay: {label}", one, f"replay: {label}", data, rc, needles, lines)

    # A sound recording first: the frames are built right.
    good = recording(transaction())
    replay("sound recording", good, 0, [], lines=[{"id": 1, "name": "one"}])
    replay("sound recording with keepalives",
           recording([keepalive(L)] + transaction() + [keepalive(L + 0x200)]), 0, [],
           lines=[{"id": 1, "name": "one"}])

    # Protocol input no real server sends.
    short_insert = pg_insert(RELID, ["1", "one"])[:-2]  # the last value cut
    replay("truncated Insert", recording(transaction(insert=short_insert)), 1,
           ["decoding pgoutput message at 0/1000028", "truncated"])
    replay("Insert without its values",
           recording(transaction(insert=b"I" + struct.pack(">I", RELID))), 1,
           ["0/1000028", "truncated Insert"])
    replay("unknown message type", recording(transaction(insert=b"Z\x00\x01\x02")), 1,
           ["0/1000028", "unknown message type 0x5a"])
    replay("Insert for a relation never described",
           recording(transaction(relation=False)), 1,
           ["0/1000028", "relation OID 16385", "never described"])
    replay("Commit with nonzero flags",
           recording(transaction(commit=pg_commit(L + 0x100, L + 0x130, flags=1))), 1,
           ["0/1000130", "Commit", "flags 0x01"])
    replay("Commit without a Begin", recording(transaction(begin=False, insert=b"")), 1,
           ["0/1000130", "Commit outside a transaction"])
    replay("Insert without a Begin", recording(transaction(begin=False)), 1,
           ["0/1000028", "Insert outside a transaction"])
    replay("empty XLogData", recording([rec_frame(b"d", b"w" + b"\0" * 10)]), 1,
           ["streaming header too small"])
    replay("unknown streaming message", recording([rec_frame(b"d", b"q123")]), 1,
           ["unexpected streaming message type 0x71"])

    # Damaged recordings. The frames: 1 connect, 2 Begin, 3 Relation,
    # 4 Insert, 5 Commit.
    start3 = len(rec_header()) + len(connect_frame()) + len(transaction()[0])
    flipped = bytearray(good)
    flipped[start3 + 5 + 10] ^= 0x40  # inside frame 3's data
    replay("flipped byte", bytes(flipped), 1,
           ["frame 3", f"byte {start3}", "checksum mismatch"])
    header_flip = bytearray(good)
    header_flip[20] ^= 0x01
    replay("flipped header byte", bytes(header_flip), 1, ["header", "damaged"])
    frame_type = bytearray(good)
    frame_type[start3] = ord("x")
    replay("unknown frame type", bytes(frame_type), 1, ["frame 3", "damaged", "type 0x78"])
    huge = bytearray(good)
    huge[start3 + 1:start3 + 5] = b"\xff\xff\xff\xf0"
    replay("absurd frame length", bytes(huge), 1, ["frame 3", "damaged"])
    start4 = start3 + len(transaction()[1])
    replay("cut short in a frame", good[:start4 + 12], 1, ["frame 4", "cut short"])
    replay("cut short in a frame header", good[:start4 + 3], 1, ["frame 4", "cut short"])
    replay("cut short in the header", good[:30], 1, ["cut short"])
    replay("wrong version", recording(transaction(), version=2), 1,
           ["format 2", "reads format 1"])
    replay("only the magic", b"WALHOOK\x01", 1,
           [("not a walhook recording", "header is cut short")])
    replay("not a recording (text)", b"hello, this is not a recording\n", 1,
           ["not_a_recording_(text).whr:1", "not JSON"])
    replay("not a recording (binary)", b"\x00\x01\x02 this is not a recording \xff\xfe\n", 1,
           ["not_a_recording_(binary).whr"])
    replay("empty file", b"", 1, ["empty"])


harness.run("bad_input", main)
