#!/usr/bin/env python3
"""The soak entry point: seeded chaos runs of walhook (see chaos.py).

    soak.py --seconds N --seed S [--protocol 1|2|3] [--seeds K] [--faults F] [--backfill]

runs seeds S, S+1, ... S+K-1, each once per protocol (all three unless
--protocol is given), one after the other. Every run prints its seed and
protocol first, progress lines every 5 s, and one summary line; a failed run
also prints the command that replays it and a diagnosis. Exit 0 when every
run passed, 1 otherwise, 77 without PostgreSQL's binaries.

The number of faults per run is --faults, by default seconds / 4 (so a run
of 120 s or more injects at least 30). --backfill makes each run a backfill
run (chaos.py): a backfill of a preloaded table goes on during the faults."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=150)
    ap.add_argument("--seed", type=int, default=None,
                    help="first seed (default: from the clock, printed)")
    ap.add_argument("--seeds", type=int, default=1, help="how many seeds from --seed on")
    ap.add_argument("--protocol", type=int, choices=(1, 2, 3), action="append",
                    help="repeatable; default all three")
    ap.add_argument("--faults", type=int, default=None)
    ap.add_argument("--backfill", action="store_true",
                    help="a backfill of preloaded rows runs during the faults")
    args = ap.parse_args()
    chaos.skip_without_postgres()
    walhook = chaos.walhook_path()
    chaos.prepare_process()
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    protocols = args.protocol or [1, 2, 3]
    results = []
    for s in range(seed, seed + args.seeds):
        for p in protocols:
            results.append((s, p, chaos.run_seed(s, p, args.seconds, walhook, args.faults,
                                                       args.backfill)))
    failed = [(s, p) for s, p, ok in results if not ok]
    print(f"chaos: {len(results) - len(failed)} passed, {len(failed)} failed"
          + (": " + ", ".join(f"seed {s} protocol {p}" for s, p in failed) if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
