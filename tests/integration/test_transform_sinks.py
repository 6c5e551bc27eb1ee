#!/usr/bin/env python3
"""A script that transforms changes before the postgres sink: test_rep is
written to test_rep_copy on the target, and its email column masked ("***",
NULL stays NULL); test_rep_other goes through as it is.

Inserts, updates (of the masked column, of the key, of other columns),
deletes and NULLs on the source, one walhook run to -E. The target's
test_rep_copy then holds exactly the source's test_rep with email masked,
its own test_rep stays empty, and test_rep_other equals the source's."""

import os

import harness

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target }

local renames = { test_rep = "test_rep_copy" }

local function mask(row)
  if row and row.email ~= nil and row.email ~= walhook.null
     and row.email ~= walhook.unchanged then
    row.email = "***"
  end
end

function handle_change(c)
  c.table = renames[c.table] or c.table
  mask(c.new)
  mask(c.old)
  target:write(c)
  return false
end
'''

SCHEMA = """
CREATE TABLE test_rep (id int PRIMARY KEY, name text, email text);
CREATE TABLE test_rep_other (id int PRIMARY KEY, name text);
"""


def main(t):
    slot = "wh_transform_sinks_slot"
    harness.with_target(t, slot, lambda t, target: body(t, target, slot))


def body(t, target, slot):
    t.psql(SCHEMA + "CREATE PUBLICATION pub FOR TABLE test_rep, test_rep_other;")
    t.psql(SCHEMA + """
        CREATE TABLE test_rep_copy (id int PRIMARY KEY, name text, email text);
    """, db=target)
    t.create_slot(slot)
    t.psql("""
        INSERT INTO test_rep VALUES (1, 'ann', 'ann@example.com'),
          (2, 'bob', NULL), (3, 'cy', 'cy@example.com'), (4, 'di', 'di@example.com');
        UPDATE test_rep SET email = 'bob@example.com' WHERE id = 2;
        UPDATE test_rep SET email = NULL WHERE id = 3;
        UPDATE test_rep SET name = 'Ann' WHERE id = 1;
        UPDATE test_rep SET id = 40, email = 'd@example.com' WHERE id = 4;
        BEGIN;
        INSERT INTO test_rep VALUES (5, 'ed', 'ed@example.com');
        DELETE FROM test_rep WHERE id = 5;
        INSERT INTO test_rep_other VALUES (1, 'kept as it is'), (2, NULL);
        COMMIT;
        DELETE FROM test_rep_other WHERE id = 2;
        INSERT INTO test_rep SELECT g, 'n' || g, 'u' || g || '@example.com'
          FROM generate_series(100, 150) g;
        DELETE FROM test_rep WHERE id BETWEEN 120 AND 129;
    """)
    endpos = t.stop_mark("INSERT INTO test_rep_other VALUES (999, 'after the end')")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", endpos,
               "--set", f"target=dbname={target}", script=t.script("transform.lua", SCRIPT))
    t.expect_exit(wh, 0)
    t.check(wh.lines == [], "the script printed something\n" + wh.describe())

    t.eq(t.rows("SELECT id, name, coalesce(email, '<null>') FROM test_rep_copy ORDER BY id",
                db=target),
         t.rows("SELECT id, name, CASE WHEN email IS NULL THEN '<null>' ELSE '***' END"
                " FROM test_rep ORDER BY id"),
         "target test_rep_copy vs source test_rep with email masked")
    t.eq(t.rows("SELECT id, name, email FROM test_rep_copy WHERE id <= 40 ORDER BY id",
                db=target),
         [["1", "Ann", "***"], ["2", "bob", "***"], ["3", "cy", ""], ["40", "di", "***"]],
         "the first rows of test_rep_copy")
    t.eq(t.psql("SELECT count(*) FROM test_rep_copy WHERE email LIKE '%@%'", db=target),
         "0", "unmasked emails on the target")
    t.eq(t.psql("SELECT count(*) FROM test_rep", db=target), "0",
         "rows in the target's test_rep (everything went to test_rep_copy)")
    t.eq(t.rows("SELECT id, coalesce(name, '<null>') FROM test_rep_other ORDER BY id",
                db=target),
         [["1", "kept as it is"]], "target test_rep_other")


harness.run("transform_sinks", main)
