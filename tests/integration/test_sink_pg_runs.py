#!/usr/bin/env python3
"""The postgres sink's runs of inserts, which go by COPY, and of updates and
deletes, which go in batches of rows a statement: values that COPY's
text format must escape (tabs, newlines, carriage returns, backslashes,
the text \\N and \\., NULLs, bytea of every byte, arrays with quotes)
arrive as they left; generated columns are left to the target and an
identity column GENERATED ALWAYS takes the source's values; inserts,
updates and deletes of several tables, in one transaction and in many,
are applied in the source's order (a key deleted and inserted again, an
update between two inserts, a row updated twice, a key changed, runs
longer than a statement takes, a unique column's values shifted one row
after another); a table with a trigger that fires sees
each row after the one before, as under a subscription; and a row the
target refuses stops the sink with the server's message, the table, the
row of the COPY and the source position.

The target is a database of its own on the same server."""

import re

import harness

SCRIPT = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target }
function handle_change(c) target:write(c) return false end
'''

TABLES = """
CREATE TABLE hostile (id int PRIMARY KEY, t text, b bytea, n numeric, arr text[]);
CREATE TABLE o1 (id int PRIMARY KEY, v text);
CREATE TABLE o2 (id int PRIMARY KEY, v text);
CREATE TABLE trg (id int PRIMARY KEY, v int);
CREATE TABLE many (id int PRIMARY KEY, v text, w int);
CREATE TABLE uq (id int PRIMARY KEY, u int UNIQUE);
CREATE TABLE dup (id int PRIMARY KEY, v text);
"""

# The target computes g and numbers ident itself; the source's ident is
# an ordinary column, so its values are what the target must keep.
GEN_SOURCE = "CREATE TABLE gen (id int PRIMARY KEY, a int, ident int);"
GEN_TARGET = """
CREATE TABLE gen (id int PRIMARY KEY, a int,
                  g int GENERATED ALWAYS AS (a * 2) STORED,
                  ident int GENERATED ALWAYS AS IDENTITY);
"""

# Each insert into trg, and each update, logs how many rows trg holds and
# their sum as it fires: (1, 0), (2, 0), (3, 0), then (3, 1), (3, 2),
# (3, 3) when each row is applied after the one before.
TRIGGER = """
CREATE TABLE trg_log (seq serial, n bigint, s bigint);
CREATE FUNCTION trg_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.trg_log (n, s) SELECT count(*), sum(v) FROM public.trg;
RETURN NULL; END $$;
CREATE TRIGGER trg_count AFTER INSERT OR UPDATE ON trg FOR EACH ROW
  EXECUTE FUNCTION trg_count();
ALTER TABLE trg ENABLE ALWAYS TRIGGER trg_count;
"""

HOSTILE = r"""
INSERT INTO hostile VALUES
  (1, E'tab\there', '\x00ff5c0a090d'::bytea, 1.50, ARRAY['a"b', E'c\\d', NULL, 'e,f']),
  (2, E'new\nline and\rreturn', '\x'::bytea, NULL, '{}'),
  (3, E'back\\slash \\N \\. \\\\', NULL, 'NaN', ARRAY[E'tab\tin', E'nl\nin']),
  (4, '\N', decode(repeat('00', 1) || 'deadbeef', 'hex'), -0.0, NULL),
  (5, '', (SELECT string_agg(set_byte('\x00'::bytea, 0, g), '') FROM generate_series(0, 255) g),
   12345678901234567890.123456789, ARRAY['']),
  (6, NULL, NULL, NULL, NULL),
  (7, E'\\.', '\x5c2e'::bytea, 0, ARRAY['\N']);
"""

ORDER = """
BEGIN;
INSERT INTO o1 VALUES (1, 'one'), (2, 'two');
INSERT INTO o2 VALUES (1, 'uno');
INSERT INTO o1 VALUES (3, 'three');
UPDATE o1 SET v = 'ONE' WHERE id = 1;
INSERT INTO o1 VALUES (4, 'four');
DELETE FROM o1 WHERE id = 2;
INSERT INTO o1 VALUES (2, 'two again');
UPDATE o1 SET id = 5 WHERE id = 4;
INSERT INTO o1 VALUES (4, 'four again');
INSERT INTO o2 VALUES (2, 'dos');
COMMIT;
DO $$ BEGIN
  FOR i IN 10..60 LOOP
    INSERT INTO o1 VALUES (i, 'small ' || i);
    IF i % 7 = 0 THEN DELETE FROM o1 WHERE id = i - 1; END IF;
    INSERT INTO o2 VALUES (i, 'other ' || i);
    COMMIT;
  END LOOP;
END $$;
INSERT INTO gen (id, a, ident) VALUES (1, 10, 100), (2, NULL, 200);
INSERT INTO trg VALUES (1, 0), (2, 0), (3, 0);
UPDATE trg SET v = 1;
INSERT INTO many SELECT g, 'v' || g, g FROM generate_series(1, 300) g;
BEGIN;
UPDATE many SET v = 'first ' || id WHERE id <= 100;
UPDATE many SET w = NULL WHERE id <= 100;
UPDATE many SET v = 'second' WHERE id = 7;
UPDATE many SET v = 'third' WHERE id = 7;
DELETE FROM many WHERE id BETWEEN 150 AND 249;
UPDATE many SET id = 150 WHERE id = 300;
UPDATE many SET v = 'moved' WHERE id = 150;
DELETE FROM many WHERE id = 150;
UPDATE many SET v = 'gone, nothing to update' WHERE id = 200;
DELETE FROM many WHERE id = 201;
INSERT INTO many VALUES (201, 'back', 1);
UPDATE many SET w = 2 WHERE id = 201;
COMMIT;
INSERT INTO uq SELECT g, g FROM generate_series(1, 40) g;
DO $$ BEGIN
  FOR i IN REVERSE 40..1 LOOP
    UPDATE uq SET u = u + 1 WHERE id = i;
  END LOOP;
END $$;
"""

SAME = {
    "hostile": "SELECT id, quote_nullable(t), encode(b, 'hex'), n, quote_nullable(arr)"
               " FROM hostile ORDER BY id",
    "o1": "SELECT id, v FROM o1 ORDER BY id",
    "o2": "SELECT id, v FROM o2 WHERE id < 1000 ORDER BY id",
    "many": "SELECT id, v, w FROM many ORDER BY id",
    "uq": "SELECT id, u FROM uq ORDER BY id",
}


def main(t):
    slot = "wh_sink_pg_runs"
    harness.with_target(t, slot, lambda t, target: body(t, target, slot))


def body(t, target, slot):
    t.psql(TABLES + GEN_SOURCE + "CREATE PUBLICATION pub FOR ALL TABLES;")
    t.psql(TABLES + GEN_TARGET + TRIGGER + "INSERT INTO dup VALUES (12, 'the target''s');",
           db=target)
    t.create_slot(slot)
    t.psql(HOSTILE + ORDER)
    mid = t.stop_mark("INSERT INTO o2 VALUES (1000, 'after the first run')")
    script = t.script("apply.lua", SCRIPT)
    conninfo = f"dbname={target}"
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", mid, "--no-loop",
               "--set", f"target={conninfo}", script=script)
    t.expect_exit(wh, 0)
    for table, sql in SAME.items():
        t.eq(t.psql(sql, db=target), t.psql(sql), f"{table} on the target")
    t.check(len(t.rows(SAME["many"])) == 200, "the source's many")
    print("escaped values and interleaved inserts, updates, deletes: as on the source")

    t.eq(t.rows("SELECT id, a, g, ident FROM gen ORDER BY id", db=target),
         [["1", "10", "20", "100"], ["2", "", "", "200"]], "gen on the target")
    t.eq(t.rows("SELECT n, s FROM trg_log ORDER BY seq", db=target),
         [["1", "0"], ["2", "0"], ["3", "0"], ["3", "1"], ["3", "2"], ["3", "3"]],
         "what the target's trigger saw")
    print("generated and identity columns, a firing trigger: as a subscription")

    t.psql("BEGIN; INSERT INTO dup SELECT g, 'row ' || g FROM generate_series(10, 14) g;"
           " COMMIT;")
    end = t.stop_mark("INSERT INTO o1 VALUES (1000, 'past the end')")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", end, "--no-loop",
               "--set", f"target={conninfo}", script=script)
    t.expect_exit(wh, 1)
    err = wh.stderr
    for want in ('"public"."dup" by COPY', "duplicate key value", "Key (id)=(12)",
                 "line 3"):
        t.check(want in err, f"expected {want!r} in the error\n{wh.describe()}")
    t.check(re.search(r"committing at [0-9A-F]+/[0-9A-F]+", err),
            f"expected the source position in the error\n{wh.describe()}")
    t.eq(t.rows("SELECT id, v FROM dup WHERE id >= 10", db=target),
         [["12", "the target's"]], "dup after the refused COPY")
    print("a unique violation in a COPY: stopped with the table, the row and the position")


harness.run("sink_pg_runs", main)
