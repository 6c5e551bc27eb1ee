#!/usr/bin/env python3
"""A file sink on a full disk: walhook stops confirming, rolls back what
it could not write, retries with backoff, and once there is room again
writes every committed change; the slot never confirmed past what the
file holds. The disk is a small tmpfs; without the right to mount one the
test is skipped."""

import json
import os
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


harness.run("fault_disk_full", main)
