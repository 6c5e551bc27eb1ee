#!/usr/bin/env python3
"""Two lost connections inside one sink batch window.

File sink only (its batch waits up to 1 s), walhook connected directly.
While single-row inserts commit: `pg_ctl restart -m immediate` of the
source, then 2 s later pg_terminate_backend() of the walsender that walhook
has by then (or is about to have). Four rounds, since one round showed the
loss in about 3 runs of 10 (the long soak, scripts/chaos, runs more): rows committed just before the restart never
reached the file although the slot was confirmed past them.

Checked as in every chaos run: the file holds every committed change of the
oracle slot in order (I1), the slot ends at the WAL end (I3), walhook never
died by itself (I4)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario import run_scenario  # noqa: E402

ROUND = [
    ("streaming",),
    ("committed", 150),
    {"kind": "restart_immediate"},
    ("sleep", 2.0),
    {"kind": "terminate"},
]

STEPS = [
    ("repeat", 4, ROUND),
    ("streaming",),
    ("committed", 100),
]

run_scenario("two_losses", STEPS, workload="single_inserts")
