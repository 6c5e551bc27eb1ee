#!/usr/bin/env python3
"""--create-slot alone creates a pgoutput slot and exits 0; again with
--if-not-exists is fine, again without it is an error; --drop-slot drops it.
--create-slot -P makes a slot of each other plugin walhook decodes, which
then streams with the options walhook sends it: one insert, one line."""

import harness


def main(t):
    slot = "wh_create_drop_slot_slot"

    wh = t.run("-S", slot, "--create-slot", timeout=10)
    t.expect_exit(wh, 0)
    info = t.require_slot(slot, wh)
    t.eq((info["plugin"], info["slot_type"], info["database"], info["temporary"],
          info["active"]),
         ("pgoutput", "logical", t.db, False, False), "the new slot")
    t.eq(wh.lines, [], "stdout of --create-slot")

    wh = t.run("-S", slot, "--create-slot", "--if-not-exists", timeout=10)
    t.expect_exit(wh, 0)
    t.require_slot(slot, wh)

    wh = t.run("-S", slot, "--create-slot", timeout=10)
    t.expect_exit(wh, 1)
    t.check("already exists" in wh.stderr,
            "creating an existing slot: stderr lacks 'already exists'\n" + wh.describe())

    wh = t.run("-S", slot, "--drop-slot", timeout=10)
    t.expect_exit(wh, 0)
    t.eq(t.slot(slot), None, "the slot after --drop-slot")

    wh = t.run("-S", slot, "--drop-slot", timeout=10)
    t.expect_exit(wh, 1)
    t.check("does not exist" in wh.stderr,
            "dropping a missing slot: stderr lacks 'does not exist'\n" + wh.describe())

    t.psql("CREATE TABLE made_by_slot (id int PRIMARY KEY, plugin text)")
    for n, plugin in enumerate(("test_decoding", "wal2json", "decoderbufs"), 1):
        s = f"wh_create_{plugin}"
        wh = t.run("-S", s, "--create-slot", "-P", plugin, timeout=10)
        t.expect_exit(wh, 0)
        t.eq(t.require_slot(s, wh)["plugin"], plugin, f"the plugin of the -P {plugin} slot")
        t.psql(f"INSERT INTO made_by_slot VALUES ({n}, '{plugin}')")
        end = t.stop_mark(f"INSERT INTO made_by_slot VALUES ({n + 10}, 'past the end')")
        wh = t.run("-S", s, "--start", "-E", end, timeout=20)
        t.expect_exit(wh, 0)
        got = [(r["op"], r["table"], r["new"]) for r in wh.records()]
        t.eq(got, [("insert", "made_by_slot", {"id": n, "plugin": plugin})],
             f"the -P {plugin} slot's stream up to {end}")


harness.run("create_drop_slot", main)
