#!/usr/bin/env python3
"""Backfills an operator asks for from SQL, with walhook.signal messages,
on a walhook started without --backfill: a malformed signal, one for a
table outside the publication and a second one for a table in progress
are each refused with a line naming the signal's LSN while the stream goes
on; a paused backfill reads no more rows, stays paused across a kill -9
right after its signal was confirmed, and finishes once resumed; a
cancelled one stays cancelled; a table added to the publication after the
slot was made is backfilled whole; the metrics show each backfill's rows,
chunks and state."""

import os
import urllib.request

import harness

ROWS = 2000


def emit(t, *signals):
    """The signals, in one transaction; the LSN after it."""
    sql = "".join("SELECT pg_logical_emit_message(true, 'walhook.signal', "
                  f"'{s}');" for s in signals)
    t.psql("BEGIN;" + sql + "COMMIT")
    return t.current_lsn()


def state_lines(path):
    """The state file's backfills, by table: their fields."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()[1:]
    except FileNotFoundError:
        return {}
    return {fields[1]: fields for fields in (line.split("\t") for line in lines)}


def state_of(path, table):
    fields = state_lines(path).get(table)
    return fields[3] if fields else None


def reads(proc, table):
    return [r["new"]["id"] for r in proc.records()
            if r.get("op") == "read" and r.get("table") == table]


def refused(t, proc, lsn_floor, words):
    """Waits for a refusal line naming words, whose LSN is past lsn_floor."""
    def found():
        for line in proc.stderr.splitlines():
            if "walhook.signal message at" in line and "refused" in line and words in line:
                at = harness.parse_lsn(line.split(" at ")[1].split(" ")[0])
                if at >= lsn_floor:
                    return line
        return None
    try:
        return harness.wait_for(found, 20, f"a refusal naming {words!r}")
    except harness.TestFailure as e:
        harness.fail(f"{e}\n{proc.describe()}")


def main(t):
    slot = "wh_backfill_signal"
    for name in ("s", "c", "k", "nopub"):
        t.psql(f"CREATE TABLE {name} (id int PRIMARY KEY, v text);"
               f"INSERT INTO {name} SELECT g, 'r' || g FROM generate_series(1, {ROWS}) g")
    t.psql("CREATE PUBLICATION pub FOR TABLE s, c")
    t.create_slot(slot)
    state = os.path.join(t.tmp, "bf.state")
    args = ("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
            "-s", "1", "-v", "--backfill-state", state)
    first = t.start(*args)
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 20, "walhook to stream")

    start = t.current_lsn()
    emit(t, "{\"backfill\": ")
    refused(t, first, start, "not JSON")
    emit(t, '{"backfill": "public.nopub"}')
    refused(t, first, start, "not in the publication pub")

    # Started and paused in one transaction: no chunk after the pause.
    emit(t, '{"backfill": "public.s", "chunk": 100}', '{"pause": "public.s"}')
    harness.wait_for(lambda: state_of(state, "public.s") == "paused", 20,
                     "the paused backfill in the state file\n" + first.describe())
    again = emit(t, '{"backfill": "s"}')
    line = refused(t, first, start, "in progress")
    t.check("a backfill of public.s is in progress (paused" in line, line)

    # Paused: a later transaction is delivered and confirmed, and no row
    # of the backfill came meanwhile.
    harness.wait_slot_confirmed(t, slot, again, 20, first)
    before = len(reads(first, "s"))
    t.psql("INSERT INTO s VALUES (100001, 'x')")
    harness.wait_slot_confirmed(t, slot, t.current_lsn(), 20, first)
    first.wait_records(lambda recs: any(r.get("op") == "insert" and r["new"]["id"] == 100001
                                        for r in recs), 20, "the insert while paused")
    t.eq(len(reads(first, "s")), before, "rows read while paused")
    t.check(before < ROWS, f"{before} rows read before the pause")

    # Killed right after the pause was confirmed: it stays paused.
    first.kill()
    harness.wait_for(lambda: not harness.slot_active_pid(t, slot), 20,
                     "the killed run's walsender to go")
    port = harness.free_port()
    second = t.start(*args, "--metrics-port", str(port))
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 20, "the restart to stream")
    t.eq(state_of(state, "public.s"), "paused", "state after the restart")
    emit(t, '{"resume": "public.s"}')
    harness.wait_for(lambda: state_of(state, "public.s") == "done", 30,
                     "the resumed backfill to finish\n" + second.describe())
    got = set(reads(first, "s")) | set(reads(second, "s"))
    t.eq(sorted(got - {100001}), list(range(1, ROWS + 1)), "rows of s read")
    t.eq(state_lines(state)["public.s"][5], str(ROWS + 1),
         "rows in the state file (the insert made while paused among them)")

    # Cancelled: nothing more is read, and it stays so.
    emit(t, '{"backfill": "public.c"}', '{"cancel": "public.c"}')
    harness.wait_for(lambda: state_of(state, "public.c") == "cancelled", 20,
                     "the cancelled backfill\n" + second.describe())
    mark = t.current_lsn()
    emit(t, '{"cancel": "public.c"}')
    refused(t, second, mark, "cannot cancel the backfill of public.c: it is cancelled")

    # A table the publication took in after the slot was made.
    t.psql("ALTER PUBLICATION pub ADD TABLE k")
    emit(t, '{"backfill": "public.k", "chunk": 100}')
    harness.wait_for(lambda: state_of(state, "public.k") == "done", 30,
                     "the backfill of k\n" + second.describe())
    end = t.current_lsn()
    harness.wait_slot_confirmed(t, slot, end, 20, second)
    t.eq(sorted(reads(second, "k")), list(range(1, ROWS + 1)), "rows of k read")
    t.eq(state_of(state, "public.c"), "cancelled", "c at the end")
    t.check(not any(r.get("prefix") == "walhook.signal" for r in second.records()),
            "a signal reached the output")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        metrics = r.read().decode()
    labels = f'slot="{slot}",table="public.k"'
    for line in (f"walhook_backfill_rows{{{labels}}} {ROWS}",
                 f"walhook_backfill_chunks{{{labels}}} 21",
                 f'walhook_backfill_state{{{labels},state="done"}} 1',
                 f'walhook_backfill_state{{slot="{slot}",table="public.c",state="cancelled"}} 1'):
        t.check(line in metrics.splitlines(), f"no {line!r} in\n{metrics}")
    second.stop()
    t.eq(second.returncode, 0, "exit\n" + second.describe())


harness.run("backfill_signal", main)
