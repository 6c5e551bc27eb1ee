#!/usr/bin/env python3
"""--replay of a damaged recording: a short live stream is recorded, then
copies are damaged (cut inside the header, a frame's header, its data, its
checksum; one byte flipped in a frame's data, length, type or checksum, in
the header text or length; a wrong format version or magic; an empty file;
garbage that looks like JSON lines; frames rewritten with valid checksums
around bad pgoutput messages). Every one: exit 1 within a timeout (never a
signal), one line on stderr naming the frame or byte where it broke, and on
stdout exactly the transactions before the damage, nothing after. Each is
also replayed under valgrind, which must find no memory error."""

import concurrent.futures
import json
import os
import re
import shutil
import struct

import harness

TIMEOUT = 10


def xlog_kind(frame):
    """The pgoutput message type of a recorded XLogData frame, else None."""
    data = frame["data"]
    if frame["type"] == "d" and data[:1] == b"w" and len(data) > 25:
        return chr(data[25])
    return None


def with_frame(raw, frame, data, kind=None):
    """raw with `frame` replaced by a well-formed frame (valid checksum)
    holding `data`."""
    head = (kind or frame["type"]).encode() + struct.pack(">I", len(data))
    body = head + data
    return (raw[:frame["offset"]] + body
            + struct.pack(">I", harness.crc32c(body)) + raw[frame["end"]:])


def flip(raw, at, mask=0xFF):
    b = bytearray(raw)
    b[at] ^= mask
    return bytes(b)


def put_u32(raw, at, value):
    return raw[:at] + struct.pack(">I", value) + raw[at + 4:]


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_replay_damaged_slot"
    t.create_slot(slot)
    t.psql("""
        INSERT INTO test_rep VALUES (1, 'one');
        BEGIN; INSERT INTO test_rep VALUES (2, 'two'); INSERT INTO test_rep VALUES (3, 'three'); COMMIT;
        UPDATE test_rep SET name = 'uno' WHERE id = 1;
        BEGIN; DELETE FROM test_rep WHERE id = 2; INSERT INTO test_rep_other VALUES (1, 'x'); COMMIT;
        INSERT INTO test_rep_other VALUES (2, 'last');
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'past the end')")
    good = os.path.join(t.tmp, "good.rec")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "--record", good,
               "-E", endpos)
    t.expect_exit(wh, 0)
    live = [line + "\n" for line in wh.lines]
    rc, out, err = harness.run_capture([t.walhook_path, "--replay", good], TIMEOUT)
    t.eq((rc, out.decode(), err), (0, "".join(live), ""), "replay of the intact recording")

    with open(good, "rb") as f:
        raw = f.read()
    rec = harness.read_recording(good)
    frames = rec["frames"]
    hend = rec["header_end"]

    # The live output, transaction by transaction, and the frame that
    # carries each transaction's Commit.
    groups = []
    for line in live:
        xid = json.loads(line)["xid"]
        if not groups or groups[-1][0] != xid:
            groups.append((xid, []))
        groups[-1][1].append(line)
    commit_frames = [i for i, f in enumerate(frames) if xlog_kind(f) == "C"]
    t.eq(len(commit_frames), len(groups), "Commit frames in the recording vs transactions printed")
    t.check(len(groups) == 5, f"five transactions recorded, got {len(groups)}")

    def before(index):
        """What a replay prints when frame `index` (0-based) is damaged: the
        transactions whose Commit lies in an earlier frame."""
        n = sum(1 for c in commit_frames if c < index)
        return "".join(line for _, lines in groups[:n] for line in lines)

    # A frame inside the third transaction (a change), and its Commit.
    third_begin = next(i for i in range(commit_frames[1] + 1, len(frames))
                       if xlog_kind(frames[i]) == "B")
    change = next(i for i in range(third_begin, len(frames))
                  if xlog_kind(frames[i]) in ("I", "U", "D"))
    commit3 = commit_frames[2]
    last = len(frames) - 1
    fc, fk = frames[change], frames[commit3]
    print(f"recording: {len(raw)} bytes, header up to byte {hend}, {len(frames)} frames; "
          f"damaging frame {change + 1} (a change at byte {fc['offset']}) and "
          f"frame {commit3 + 1} (a Commit at byte {fk['offset']})")

    def frame_error(index):
        """The error must name the frame (1-based, as counted in the file)
        or the byte where it starts."""
        return f"frame {index + 1}\\b|byte {frames[index]['offset']}\\b"

    header_error = r"header|byte \d+"
    # Where a decoder stopped: the frame, the byte or the message's LSN.
    located = r"frame \d+|byte \d+|\b[0-9A-F]+/[0-9A-F]+\b"
    cases = []

    def case(name, data, stdout, error):
        cases.append((name, data, stdout, error))

    # Cut short.
    case("empty file", b"", "", r"empty|not a walhook recording|byte 0\b")
    case("cut inside the magic", raw[:5], "", r"not a walhook recording|cut|byte \d+")
    case("cut inside the format version", raw[:10], "", header_error)
    case("cut inside the header length", raw[:14], "", header_error)
    case("cut inside the header text", raw[:20], "", header_error)
    case("cut inside the header checksum", raw[:hend - 2], "", header_error)
    case("cut inside the first frame's header", raw[:hend + 3], "", frame_error(0))
    case("cut inside a frame's header", raw[:fc["offset"] + 3], before(change), frame_error(change))
    case("cut inside a frame's data", raw[:fc["offset"] + 5 + fc["length"] // 2],
         before(change), frame_error(change))
    case("cut inside a frame's checksum", raw[:fc["crc_offset"] + 2], before(change),
         frame_error(change))
    case("cut inside a Commit frame's data", raw[:fk["offset"] + 5 + fk["length"] - 1],
         before(commit3), frame_error(commit3))
    case("cut inside the last frame's checksum", raw[:len(raw) - 1], before(last),
         frame_error(last))

    # One byte changed.
    case("a flipped byte in a frame's data", flip(raw, fc["offset"] + 5 + fc["length"] // 2),
         before(change), frame_error(change))
    case("a flipped byte in a Commit frame's data", flip(raw, fk["offset"] + 5 + 26),
         before(commit3), frame_error(commit3))
    case("a flipped low byte of a frame's length", flip(raw, fc["offset"] + 4, 0x01),
         before(change), frame_error(change))
    case("a flipped high byte of a frame's length", flip(raw, fc["offset"] + 1),
         before(change), frame_error(change))
    case("a frame's length just under 1 GB", put_u32(raw, fc["offset"] + 1, 0x3FFFFFF0),
         before(change), frame_error(change))
    case("a flipped frame type", flip(raw, fc["offset"], 0x20), before(change),
         frame_error(change))
    case("a flipped byte in a frame's checksum", flip(raw, fc["crc_offset"] + 1),
         before(change), frame_error(change))
    case("a flipped byte in the header text", flip(raw, 16 + 3, 0x01), "", header_error)
    case("a flipped byte in the header length", flip(raw, 12), "", header_error)
    case("format version 2", put_u32(raw, 8, 2), "", r"format 2\b")
    case("a wrong magic", b"WALHOOX\x01" + raw[8:], "", r"not a walhook recording|not JSON")
    # (the error must name the version byte it found, not format 1)
    case("a wrong magic version byte", raw[:7] + b"\x02" + raw[8:], "",
         r"not a walhook recording|format 2\b|magic")

    # Frames whose checksums are right around contents that are not: the
    # decoders must reject them as cleanly.
    data = fc["data"]
    case("a change cut short inside a well-formed frame",
         with_frame(raw, fc, data[:25 + 3]), before(change), located)
    case("a change to a relation never described",
         with_frame(raw, fc, data[:25 + 1] + b"\xff\xff\xff\x7f" + data[30:]),
         before(change), located)
    case("an unknown pgoutput message type",
         with_frame(raw, fc, data[:25] + b"\x01" + data[26:]), before(change), located)
    case("a CopyData frame that is no replication message",
         with_frame(raw, fc, b"zzz"), before(change), located)
    case("an XLogData frame cut inside its header", with_frame(raw, fc, data[:10]),
         before(change), located)
    case("a connect frame of garbage", with_frame(raw, frames[0], b"\x00\xff garbage"),
         None, None)

    # Not a recording at all: garbage that looks like JSON lines (which
    # --replay may take as input too: then it must fail cleanly on them).
    case("JSON lines that are not valid JSON",
         b'{"op":"insert","schema":"public","table":"test_rep","new":{"id":1,\n'
         b'{"op": update}\n\x00\xff\n', "",
         r"byte \d+|line \d+|:1:|not a walhook recording")

    paths = []
    for i, (name, blob, _, _) in enumerate(cases):
        path = os.path.join(t.tmp, f"damaged-{i:02d}.rec")
        with open(path, "wb") as f:
            f.write(blob)
        paths.append(path)

    # valgrind is slow to start: its runs go on in the background while the
    # plain runs are checked.
    # A sanitizer build checks memory itself, and cannot run under valgrind.
    valgrind = None if os.environ.get("WALHOOK_SANITIZER") else shutil.which("valgrind")
    pool = concurrent.futures.ThreadPoolExecutor(max(2, min(8, os.cpu_count() or 2)))
    grinding = []
    if valgrind:
        grinding = [pool.submit(harness.run_capture,
                                [valgrind, "--error-exitcode=99", "-q", "--leak-check=no",
                                 t.walhook_path, "--replay", path], 60)
                    for path in paths]

    failures = []
    for (name, blob, stdout, error), path in zip(cases, paths):
        argv = [t.walhook_path, "--replay", path]
        rc, out, err = harness.run_capture(argv, TIMEOUT)
        text = out.decode("utf-8", "replace")
        problems = []
        if stdout is None:
            # A garbled connect frame: whatever it holds is replayed as
            # handle_connect's info; a clean run or a clean error is fine.
            if rc not in (0, 1):
                problems.append(f"exit {rc}, expected 0 or 1")
            if rc == 0 and text != "".join(live):
                problems.append("a clean exit, yet not the whole output")
        else:
            if rc != 1:
                problems.append(f"exit {rc}, expected 1" + (" (killed by a signal)" if rc < 0 else ""))
            if text != stdout:
                problems.append(f"stdout: expected {stdout.count(chr(10))} lines "
                                f"(the transactions before the damage), got "
                                f"{text.count(chr(10))}:\n{text[:1500]}")
        if rc != 0:
            lines = err.rstrip("\n").split("\n")
            if len(lines) != 1 or not lines[0].startswith("walhook: "):
                problems.append("stderr is not one line starting 'walhook: '")
            elif error and not re.search(error, lines[0]):
                problems.append(f"the error does not say where it broke (/{error}/)")
        status = "ok" if not problems else "FAILED"
        print(f"{status:6} {name}: exit {rc}, {text.count(chr(10))} lines; {err.strip()[:300]}")
        if problems:
            failures.append(f"{name} ({path}, {len(blob)} bytes):\n    "
                            + "\n    ".join(problems)
                            + f"\n    stderr: {err.strip()[:1000]!r}")

    if not valgrind:
        print("valgrind not found, or a sanitizer build: valgrind runs skipped")
    else:
        results = [g.result() for g in grinding]
        for (name, _, _, _), path, (rc, _, err) in zip(cases, paths, results):
            if rc == 99 or rc < 0:
                failures.append(f"{name} ({path}) under valgrind: exit {rc}\n{err.strip()[:3000]}")
        print(f"valgrind: {len(paths)} damaged recordings replayed, "
              f"{sum(1 for r in results if r[0] == 99)} with memory errors")
    pool.shutdown()

    if failures:
        harness.fail(f"{len(failures)} of {len(cases)} damaged recordings mishandled:\n"
                     + "\n".join(failures))


harness.run("replay_damaged", main)
