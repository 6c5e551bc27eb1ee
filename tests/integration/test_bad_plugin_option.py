#!/usr/bin/env python3
"""A plugin option the plugin rejects (wal2json's pretty_print, whose real
name is pretty-print): exit 1 with the server's message and SQLSTATE."""

import harness


def main(t):
    slot = "wh_bad_plugin_option_slot"
    created = t.run("-S", slot, "-P", "wal2json", "--create-slot")
    t.expect_exit(created, 0)
    t.eq(t.require_slot(slot, created)["plugin"], "wal2json", "plugin of the slot")

    wh = t.run("-S", slot, "-P", "wal2json", "-o", "pretty_print=1", "--start",
               timeout=10)
    t.expect_exit(wh, 1)
    t.check('option "pretty_print" = "1" is unknown' in wh.stderr,
            "stderr lacks the server's message\n" + wh.describe())
    t.check("22023" in wh.stderr, "stderr lacks SQLSTATE 22023\n" + wh.describe())
    t.check(wh.stderr.startswith("walhook: "),
            "stderr does not start with 'walhook: '\n" + wh.describe())
    t.eq(wh.lines, [], "stdout")


harness.run("bad_plugin_option", main)
