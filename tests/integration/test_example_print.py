#!/usr/bin/env python3
"""lua/examples/print.lua prints one readable line per change and logs the
number of transactions when walhook stops."""

import os

import harness


def main(t):
    t.psql(harness.TWO_TABLES)
    slot = "wh_example_print_slot"
    t.create_slot(slot)
    t.psql("""
        INSERT INTO test_rep VALUES (1, 'data1'), (2, NULL);
        UPDATE test_rep SET name = 'changed' WHERE id = 1;
        UPDATE test_rep SET id = 3 WHERE id = 2;
        DELETE FROM test_rep WHERE id = 1;
        INSERT INTO test_rep_other VALUES (7, 'say "hi"');
    """)
    endpos = t.stop_mark("INSERT INTO test_rep VALUES (99, 'after the end')")

    script = os.path.join(t.examples, "print.lua")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos,
               script=script)
    t.expect_exit(wh, 0)
    t.eq(wh.lines, [
        'insert public.test_rep {id=1, name="data1"}',
        'insert public.test_rep {id=2, name=null}',
        'update public.test_rep {id=1, name="changed"}',
        'update public.test_rep {id=3, name=null} old {id=2}',
        'delete public.test_rep {id=1}',
        'insert public.test_rep_other {id=7, name="say \\"hi\\""}',
    ], "stdout")
    t.check("5 transactions (" in wh.stderr,
            "stderr lacks the transaction count\n" + wh.describe())


harness.run("example_print", main)
