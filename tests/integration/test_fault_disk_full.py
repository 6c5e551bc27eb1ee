#!/usr/bin/env python3
"""A file sink on a full disk: walhook stops confirming, rolls back what
it could not write, retries with backoff, and once there is room again
writes every committed change; the slot never confirmed past what the
file holds. A log rotation (rename, then SIGHUP) while the disk is full
is not lost: once there is room, what follows goes to the new file. The
disk is a small tmpfs; without the right to mount one the test is
skipped."""

import json
import os
import signal
import subprocess
import tempfile

import harness

ROWS = 400


def main(t):
    disk = tempfile.mkdtemp(prefix="walhook-disk-")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk],
                         capture_output=True, text=True)
    if res.returncode != 0:
        os.rmdir(disk)
        print(f"SKIP: cannot mount a tmpfs here: {res.stderr.strip()}")
        raise SystemExit(harness.SKIP)
    try:
        run(t, disk)
    finally:
        # Lazily: a walhook that a failure left running still has it open.
        subprocess.run(["umount", "-l", disk], capture_output=True)
        os.rmdir(disk)


def ids_in(path):
    ids = []
    with open(path, errors="replace") as f:
        for line in f:
            if line.endswith("\n"):
                ids.append(json.loads(line)["new"]["id"])
    return ids


def run(t, disk):
    t.psql(harness.TWO_TABLES)
    slot = "wh_fault_disk_full_slot"
    t.create_slot(slot)
    out = os.path.join(disk, "changes.jsonl")
    filler = os.path.join(disk, "filler")
    # Leave room for a few dozen lines only.
    with open(filler, "wb") as f:
        f.write(b"x" * (256 * 1024 - 8 * 1024))
    script = t.script("file.lua", r'''
local out = walhook.sink.file{ path = walhook.vars.path, batch_transactions = 1 }
function handle_change(c) out:write(c) return false end
''')
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1",
                 "--set", f"path={out}", script=script)
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, repeat('x', 100));\n"
                   for i in range(1, ROWS + 1)))
    harness.wait_for(lambda: "No space left" in wh.stderr and "reconnecting" in wh.stderr,
                     30, "walhook to meet the full disk and retry")
    held = t.slot(slot)["confirmed_flush_lsn"]
    in_file = set(ids_in(out))
    t.check(len(in_file) < ROWS, "the disk was not full after all")

    os.unlink(filler)
    harness.wait_for(lambda: set(ids_in(out)) >= set(range(1, ROWS + 1)), 60,
                     "every row in the file once there is room")
    wh.stop()
    t.eq(wh.returncode, 0, "walhook's exit after SIGTERM\n" + wh.describe())
    t.check(held is not None, "the slot had a position")
    t.eq(sorted(set(ids_in(out))), list(range(1, ROWS + 1)), "rows in the file (at least once)")
    rotate_on_full_disk(t, disk, slot)


def sent_all(t, lsn):
    """The walsender has sent everything up to lsn."""
    out = t.psql("SELECT count(*) FROM pg_stat_replication"
                 f" WHERE sent_lsn >= '{harness.format_lsn(lsn)}'")
    return out == "1"


def rotate_on_full_disk(t, disk, slot):
    """SIGHUP while the file sink holds a batch it cannot write: the reopen
    is not forgotten with the failed flush."""
    out = os.path.join(disk, "rotating.jsonl")
    rotated = out + ".1"
    filler = os.path.join(disk, "filler")
    script = t.script("rotate.lua", r'''
local out = walhook.sink.file{ path = walhook.vars.path, batch_transactions = 100000,
                               batch_seconds = 5 }
function handle_change(c) out:write(c) return false end
''')
    wh = t.start("-S", slot, "--start", "--publication", "pub", "-s", "1",
                 "--set", f"path={out}", script=script)
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 20, "walhook to stream")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # the disk full to the last block
    try:
        while os.write(fd, b"x" * 4096) > 0:
            pass
    except OSError:
        pass
    os.close(fd)
    first = range(ROWS + 1, ROWS + 101)
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, repeat('y', 100));\n" for i in first))
    end = t.current_lsn()
    harness.wait_for(lambda: sent_all(t, end), 20, "the rows to reach walhook")
    # The batch waits for its 5 s: the reopen's flush meets the full disk.
    os.rename(out, rotated)
    wh.send(signal.SIGHUP)
    harness.wait_for(lambda: "No space left" in wh.stderr, 30,
                     "the reopen's flush to meet the full disk\n" + wh.describe())
    os.unlink(filler)
    later = range(ROWS + 101, ROWS + 121)
    t.psql("".join(f"INSERT INTO test_rep VALUES ({i}, 'after');\n" for i in later))

    def in_new_file():
        return os.path.exists(out) and set(ids_in(out)) >= set(first) | set(later)
    harness.wait_for(in_new_file, 60, "the rows after the rotation in the new file\n"
                     + wh.describe())
    t.check(not set(ids_in(rotated)) & set(later),
            "rows written after the rotation went to the rotated file")
    wh.stop()
    t.eq(wh.returncode, 0, "walhook's exit after SIGTERM\n" + wh.describe())


harness.run("fault_disk_full", main)
