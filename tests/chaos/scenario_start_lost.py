#!/usr/bin/env python3
"""A connection lost while the stream starts, after walhook has streamed.

File sink only, walhook through the proxy, single-row inserts. The stream
is reset, and the next two replication connections are reset again as
walhook sends START_REPLICATION: the server's answer never comes. walhook
took a failed START_REPLICATION for a refusal (a missing slot, a bad
option) and exited 1, although the connection had only gone, as a
server restarting or a walsender terminated makes it go (found by the
soak, seed 2016 protocol 1). Three rounds.

Checked as in every chaos run: the file holds every committed change in
order (I1), the slot ends at the WAL end (I3), and walhook never died by
itself (I4)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario import run_scenario  # noqa: E402

# Each round waits for a confirmation, which a stream that got somewhere
# gives, so that walhook's reconnect backoff starts again from a second.
ROUND = [
    ("streaming",),
    ("committed", 100),
    ("confirmed",),
    {"kind": "start_reset", "count": 2},
]

STEPS = [
    ("repeat", 3, ROUND),
    ("streaming",),
    ("committed", 100),
]

run_scenario("start_lost", STEPS, workload="single_inserts", via_proxy=True)
