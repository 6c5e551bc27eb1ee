#!/usr/bin/env python3
"""--create-slot alone creates a pgoutput slot and exits 0; again with
--if-not-exists is fine, again without it is an error; --drop-slot drops it."""

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


harness.run("create_drop_slot", main)
