#!/usr/bin/env python3
"""A backfill goes at the pace of its chunks, not of the sinks' batches:
with the output fsynced only every hour (-F 3600) and no status update on
a timer (-s 0), a backfill of 40 chunks, more than may run ahead of what
is durable, is done (its last chunk durable) within 20 s, before the
server's first keepalive asks for a reply (half its 60 s
wal_sender_timeout), which would sync the output too; and every row
reaches the output once."""

import os

import harness

CHUNKS = 40
CHUNK = 25


def main(t):
    t.psql(f"""
CREATE TABLE paced (id int PRIMARY KEY, v text);
INSERT INTO paced SELECT g, 'v' || g FROM generate_series(1, {CHUNKS * CHUNK}) g;
CREATE PUBLICATION pub FOR TABLE paced;
""")
    slot = "wh_backfill_pace"
    t.create_slot(slot)
    out = os.path.join(t.tmp, "out.jsonl")
    wh = t.start("-S", slot, "--start", "--publication", "pub",
                 "--backfill", "public.paced", "--backfill-chunk", str(CHUNK),
                 "-F", "3600", "-s", "0", "-v", "-f", out)
    harness.wait_for(lambda: "backfill of public.paced: done" in wh.stderr, 20,
                     "the backfill's end, though the output syncs hourly\n"
                     + wh.describe())
    t.eq(wh.stop(), 0, "exit status after SIGTERM\n" + wh.describe())
    with open(out) as f:
        ids = sorted(int(line.split('"id":')[1].split(",")[0].rstrip("}"))
                     for line in f if '"op":"read"' in line)
    t.eq(ids, list(range(1, CHUNKS * CHUNK + 1)), "every row read, once")


harness.run("backfill_pace", main)
