#!/usr/bin/env python3
"""A slot whose tables are quiet must not hold WAL back.

1. walhook (-s 1) on a publication of an idle table while an unpublished
   table takes many transactions: nothing is delivered, yet the slot's
   confirmed_flush_lsn reaches the WAL position after the workload.
2. --heartbeat 1 on an otherwise idle server: the heartbeats move WAL, the
   slot follows, and no heartbeat reaches the script, even with
   -o messages=true, which does bring the script a message of our own.

Runs on a server of its own, so that "idle" means idle."""

import signal

import harness

MESSAGES = r'''
local enc = walhook.json.encode
function handle_change(c)
  print(enc({op = c.op, table = c.table}))
  return false
end
function handle_message(m)
  print(enc({op = "message", prefix = m.prefix, content = m.content,
             transactional = m.transactional}))
  io.stdout:flush()
  return false
end
'''


def quiet_publication(t, slot):
    """Part 1: a busy unpublished table, an idle published one."""
    wh = t.start("-S", slot, "--start", "--publication", "idle_pub", "-s", "1", "-v")
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 10, "walhook to stream")
    start = t.slot(slot)["confirmed_flush_lsn"]
    t.psql("".join(f"INSERT INTO busy VALUES ({i}, 'row {i}');\n" for i in range(1, 2001))
           + "UPDATE busy SET note = note || '!' WHERE id % 10 = 0;\n"
           + "DELETE FROM busy WHERE id % 7 = 0;\n")
    end = t.current_lsn()
    t.check(end - start > 100000, f"the workload wrote only {end - start} bytes of WAL")
    confirmed = harness.wait_slot_confirmed(t, slot, end, 15, wh)
    print(f"part 1: slot moved {harness.format_lsn(start)} -> {harness.format_lsn(confirmed)}"
          f" (WAL after the workload {harness.format_lsn(end)})")
    t.eq(wh.stop(signal.SIGTERM), 0, "exit status after SIGTERM\n" + wh.describe())
    t.eq(wh.records(), [], "output for a publication whose table did not change")
    t.check(t.confirmed(slot) >= end,
            "the slot went back after the final status update")


def heartbeat(t, slot):
    """Part 2: nothing writes but walhook's heartbeat."""
    # A second slot sees every message in the WAL, heartbeats included.
    t.create_slot("wh_peek", "test_decoding")
    script = t.script("messages.lua", MESSAGES)
    wh = t.start("-S", slot, "--start", "--publication", "idle_pub", "-s", "1",
                 "--heartbeat", "1", "-o", "messages=true", script=script)
    harness.wait_for(lambda: harness.slot_active_pid(t, slot), 10, "walhook to stream")
    start = t.current_lsn()

    def heartbeats_since(lsn):
        rows = t.rows("SELECT lsn FROM pg_logical_slot_peek_changes('wh_peek', NULL, NULL)"
                      " WHERE data LIKE 'message:%prefix: walhook_heartbeat%'")
        return [x for x in (harness.parse_lsn(r[0]) for r in rows) if x >= lsn]
    # Only heartbeats write WAL now: wait for one, then for the slot to
    # pass it.
    beat = min(harness.wait_for(lambda: heartbeats_since(start), 10,
                                "a heartbeat message in the WAL", 0.1))
    confirmed = harness.wait_slot_confirmed(t, slot, beat + 1, 15, wh)
    print(f"part 2: heartbeat at {harness.format_lsn(beat)};"
          f" slot moved past it to {harness.format_lsn(confirmed)}")

    # Our own message does reach the script, so messages are on.
    t.psql("SELECT pg_logical_emit_message(false, 'test', 'hello')")
    wh.wait_records(lambda r: any(x.get("op") == "message" for x in r), 10,
                    "our own message to reach the script")
    t.eq(wh.stop(signal.SIGTERM), 0, "exit status after SIGTERM\n" + wh.describe())
    t.eq(wh.records(), [{"op": "message", "prefix": "test", "content": "hello",
                         "transactional": False}],
         "the script's output: our message, no heartbeat")

    print(f"part 2: {len(heartbeats_since(start))} heartbeat messages in the WAL,"
          " none in the output")
    t.psql("SELECT pg_drop_replication_slot('wh_peek')")


def main(t, sb):
    t.psql("""
        CREATE TABLE idle (id int PRIMARY KEY, note text);
        CREATE TABLE busy (id int PRIMARY KEY, note text);
        CREATE PUBLICATION idle_pub FOR TABLE idle;
    """)
    slot = "wh_fault_idle_slot"
    t.create_slot(slot)
    quiet_publication(t, slot)
    heartbeat(t, slot)


harness.run_sandboxed("fault_idle_slot", main)
