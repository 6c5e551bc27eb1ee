#!/usr/bin/env python3
"""A connection lost just as walhook answers a keepalive.

File sink only, walhook through the proxy, single-row inserts. The proxy
passes on a keepalive in which the server asks for a reply, then resets
the connection, so walhook's answer goes to a connection that is gone.
walhook took the failed answer for an error of its own and exited 1 (found
by the soak, seed 3001 protocol 3). Four rounds.

Checked as in every chaos run: the file holds every committed change in
order (I1), the slot ends at the WAL end (I3), and walhook never died by
itself (I4)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario import run_scenario  # noqa: E402

ROUND = [
    ("streaming",),
    ("committed", 100),
    {"kind": "keepalive_cut"},
]

STEPS = [
    ("repeat", 4, ROUND),
    ("streaming",),
    ("committed", 100),
]

run_scenario("keepalive_lost", STEPS, workload="single_inserts", via_proxy=True)
