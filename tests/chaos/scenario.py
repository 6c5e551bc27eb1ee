"""Fixed fault scenarios: a given sequence of faults, no RNG.

A scenario is a list of steps, run in order while the workload commits:

    {"kind": "restart_immediate"}      any fault of chaos.FAULT_KINDS, with
    {"kind": "sigstop", "seconds": 4}  the parameters chaos.make_schedule gives
    ("sleep", 2.0)                     the scenario's own spacing ("2 s later")
    ("streaming",)                     wait (deadline 60 s) for walhook to stream
    ("committed", 150)                 wait (deadline 60 s) for the workload to
                                       finish 150 more transactions
    ("confirmed",)                     wait (deadline 60 s) for the slot to be
                                       confirmed past the WAL position now
    ("repeat", 8, [steps...])          the steps, 8 times

The run then ends as a soak run does (workload stopped, slot caught up to the
WAL end) and the same invariants are checked: I1 (file sink), I3 (slot at
the end), I4 (walhook's health), and I2 when the scenario has a target.

    run_scenario("two_losses", STEPS, workload="single_inserts")
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402
import harness  # noqa: E402
import oracle  # noqa: E402
import workload as wl  # noqa: E402


class SingleInserts:
    """One autocommitted single-row insert per transaction."""

    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return f"INSERT INTO acct VALUES ({self.n}, {self.n}, 'single');"


class ScenarioRun(chaos.Run):
    def __init__(self, name, steps, walhook, protocol=1, workload="single_inserts",
                 with_target=False, via_proxy=False):
        self.label = f"scenario {name}"
        self.name = name
        self.steps = steps
        self.workload_kind = workload
        self.with_target = with_target
        self.via_proxy = via_proxy
        super().__init__(0, protocol, 0, walhook, faults=_count_faults(steps))

    def replay_command(self):
        return (f"WALHOOK={self.walhook} {os.path.join(chaos.REPO, 'scripts', 'chaos')}"
                f" scenario {self.name}")

    def make_workload(self, rng):
        w = super().make_workload(rng)
        if self.workload_kind == "single_inserts":
            w.gen = SingleInserts()
        return w

    def drive(self, schedule, started):
        self._n = 0
        self._steps(self.steps, started)

    def _steps(self, steps, started):
        for step in steps:
            if isinstance(step, dict):
                self._n += 1
                f = {"n": self._n, "compound": False, "gap": 0, **step}
                self.wh.check()
                self.run_fault(f, started)
            elif step[0] == "sleep":
                time.sleep(step[1])   # the scenario's spacing between faults
            elif step[0] == "streaming":
                if not self.wait_streaming(60):
                    harness.fail("walhook did not stream again within 60 s\n"
                                 + self.wh.stderr_tail())
            elif step[0] == "committed":
                want = self.work.acked + step[1]
                deadline = time.monotonic() + 60
                while self.work.acked < want:
                    self.wh.check()
                    if time.monotonic() > deadline:
                        harness.fail(f"the workload did not commit {step[1]} more"
                                     " transactions within 60 s")
                    time.sleep(0.02)
            elif step[0] == "confirmed":
                self._wait_confirmed(self.src.wal_lsn())
            elif step[0] == "repeat":
                for _ in range(step[1]):
                    self._steps(step[2], started)
            else:
                raise ValueError(f"unknown scenario step {step!r}")


    def _wait_confirmed(self, lsn):
        deadline = time.monotonic() + 60
        while True:
            self.wh.check()
            info = self.src.slot_info(chaos.SLOT)
            if info and info[1] >= lsn:
                return
            if time.monotonic() > deadline:
                harness.fail(f"the slot was not confirmed past the WAL position"
                             f" {oracle.format_lsn(lsn)} within 60 s")
            time.sleep(0.05)


def _count_faults(steps):
    n = 0
    for step in steps:
        if isinstance(step, dict):
            n += 1
        elif step[0] == "repeat":
            n += step[1] * _count_faults(step[2])
    return n


def run_scenario(name, steps, **kw):
    """Run one scenario, print its report, exit 0 (passed), 1 or 77."""
    chaos.skip_without_postgres()
    walhook = chaos.walhook_path()
    chaos.prepare_process()
    started = time.monotonic()
    run = ScenarioRun(name, steps, walhook, **kw)
    print(f"chaos: {run.label} (protocol {run.protocol}), walhook {walhook},"
          f" run directory {run.rundir}", flush=True)
    failed = True
    try:
        run.setup()
        run.execute()
        failed = bool(run.problems)
    except harness.TestFailure as e:
        run.problems.setdefault("harness", []).append(str(e))
    except Exception:
        import traceback
        run.problems.setdefault("harness", []).append(traceback.format_exc())
    finally:
        text = run.report(time.monotonic() - started)
        run.teardown(failed)
    print(text, flush=True)
    sys.exit(1 if failed else 0)
