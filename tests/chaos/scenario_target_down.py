#!/usr/bin/env python3
"""The postgres sink's target down, seen from the file sink.

Both sinks (file and postgres, the soak's script), walhook connected
directly, single-row inserts committing. Three rounds of: the target
stopped (-m fast) for 3 s, then started again. A failed write to the
target drops the unflushed batches and reconnects; the file sink must
still end up with every committed change (I1), the target must equal the
source (I2), and the slot must end at the WAL end (I3). (Found by the
soak, seed 1 protocol 1: after the reconnect walhook resumed from the
target's recorded position, past transactions the file sink had not yet
made durable, and the file never got them.)"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario import run_scenario  # noqa: E402

ROUND = [
    ("streaming",),
    ("committed", 150),
    {"kind": "target_down", "mode": "fast", "seconds": 3.0},
]

STEPS = [
    ("repeat", 3, ROUND),
    ("streaming",),
    ("committed", 100),
]

run_scenario("target_down", STEPS, workload="single_inserts", with_target=True)
