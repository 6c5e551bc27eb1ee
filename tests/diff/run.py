#!/usr/bin/env python3
"""Runs scenarios of the differential harness: walhook's postgres sink
(lua/examples/replicate.lua) against PostgreSQL's own subscription.

  tests/diff/run.py                          every scenario in every mode
  tests/diff/run.py --scenario types         one scenario, its every mode
  tests/diff/run.py -s types -m binary       one scenario in one mode
  tests/diff/run.py --group 1/3              the first third (meson's split)
  tests/diff/run.py --known-failing          the scenarios expected to fail (if any)
  tests/diff/run.py --list                   what there is

--seed N fixes the kill -9 moments (default: a random seed, printed). The
walhook binary is $WALHOOK (default build/walhook). Each run starts two
sandbox clusters of its own and removes them at the end; with
WALHOOK_DIFF_KEEP=1 the databases and clusters stay for a look.
Exit status: 0 when every run matched, 1 otherwise (77: skipped, no
PostgreSQL binaries)."""

import argparse
import os
import random
import signal
import sys
import time

import diffharness
from diffharness import ALL_MODES, ROOT
from scenarios import SCENARIOS, KNOWN_FAILING, BY_NAME


# The first port of the sandbox range of the runs without --group (and,
# 100 further on per group, of each group's), above Linux's ephemeral ports
# (32768-60999), which a client socket could hold while the target restarts.
DIFF_FIRST_PORT = 62000


def main():
    # meson's timeout sends SIGTERM: the clusters are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-s", "--scenario", action="append", help="a scenario (repeatable)")
    ap.add_argument("-m", "--mode", action="append", choices=ALL_MODES, help="a mode (repeatable)")
    ap.add_argument("--seed", type=int, help="seed of the kill -9 moments")
    ap.add_argument("--group", help="K/N: the K-th of N equal parts of the runs")
    ap.add_argument("--known-failing", action="store_true",
                    help="the scenarios expected to fail (see scenarios.KNOWN_FAILING)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()

    if args.list:
        for s in SCENARIOS + KNOWN_FAILING:
            tag = " (known failing)" if s in KNOWN_FAILING else ""
            print(f"{s.name:18} {','.join(s.modes):18} {s.note}{tag}")
        return 0

    if args.scenario:
        unknown = [n for n in args.scenario if n not in BY_NAME]
        if unknown:
            print(f"unknown scenario {', '.join(unknown)}; try --list", file=sys.stderr)
            return 2
        chosen = [BY_NAME[n] for n in args.scenario]
    else:
        chosen = KNOWN_FAILING if args.known_failing else SCENARIOS
    runs = [(s, m) for s in chosen for m in s.modes if not args.mode or m in args.mode]
    k = 0
    if args.group:
        k, n = (int(x) for x in args.group.split("/"))
        runs = runs[k - 1::n]
    # The target restarts mid-run: no other cluster may take its port
    # meanwhile, so each group takes ports of a range of its own.
    os.environ.setdefault("WALHOOK_SANDBOX_FIRST_PORT", str(DIFF_FIRST_PORT + 100 * k))
    if not runs:
        print("nothing to run", file=sys.stderr)
        return 2

    pgbin = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
    if not os.access(os.path.join(pgbin, "initdb"), os.X_OK):
        print(f"SKIP: {pgbin}/initdb not found (run scripts/setup)")
        return 77
    walhook = os.path.abspath(os.environ.get("WALHOOK", os.path.join(ROOT, "build", "walhook")))
    if not os.access(walhook, os.X_OK):
        print(f"FAIL: no walhook binary at {walhook} (set WALHOOK)")
        return 1
    os.environ["WALHOOK"] = walhook
    script = os.path.join(ROOT, "lua", "examples", "replicate.lua")
    seed = args.seed if args.seed is not None else random.randrange(1, 1 << 30)

    started = time.monotonic()
    env = diffharness.Env(walhook, script)
    failed = 0
    try:
        env.start()
        for scenario, mode in runs:
            ok, text = diffharness.run_one(env, scenario, mode, seed)
            print(text, flush=True)
            failed += not ok
    except diffharness.TestFailure as e:
        print(f"FAIL setting up the clusters: {e}")
        failed = len(runs)
    finally:
        if os.environ.get("WALHOOK_DIFF_KEEP"):
            print(f"keeping {env.source.sandbox.dir} and {env.target.sandbox.dir}")
        else:
            env.stop()
    print(f"{len(runs) - failed} matched, {failed} differed "
          f"(seed {seed}, {time.monotonic() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
