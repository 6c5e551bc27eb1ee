"""The scenarios of the differential harness, after PostgreSQL's own
subscription tests (src/test/subscription/t/) in spirit: each is a schema, a
publication, DDL for the targets only, and a workload of steps (see
diffharness.py)."""

from diffharness import (MODES, NO_KILL, TEXT_PLUGINS, Scenario, Targets, Sync, RestartTarget, KillWalhook,
                         Concurrently, Finish, RefreshSubscription, WaitTargets,
                         WalhookReplies)

# --- every built-in type, and keys of odd types --------------------------------

TYPES_SCHEMA = r"""
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s "odd"', 'a,b');
CREATE TYPE pair AS (x int, y text);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN shorttext AS text CHECK (length(VALUE) < 50);
CREATE DOMAIN moodd AS mood;
CREATE TABLE typed (
  id int PRIMARY KEY,
  i2 int2, i4 int4, i8 int8, o oid, x8 xid8,
  nu numeric, nu2 numeric, nup numeric(10,3),
  f4 real, f8 float8, f8b float8,
  mo money,
  b bool, ch "char", nm name, bp char(5), vc varchar(10), tx text,
  by bytea,
  d date, t time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
  u uuid, ip inet, cn cidr, mac macaddr, mac8 macaddr8,
  bt bit(4), vb varbit,
  tsv tsvector, tsq tsquery,
  js json, jb jsonb, jp jsonpath, xm xml,
  pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle,
  r4 int4range, rn numrange, rts tstzrange, rd daterange, r8 int8range, mr int4multirange,
  lsn pg_lsn,
  ai int[], at text[], ab bytea[], af float8[], an numeric[], a2 int[][], abx box[],
  ats timestamptz[], au uuid[], ar int4range[],
  dm posint, dt shorttext, en mood, emd moodd, cp pair
);
CREATE TABLE k_pair (k pair PRIMARY KEY, v int);
CREATE TABLE k_textarr (k text[] PRIMARY KEY, v int);
CREATE TABLE k_float (k float8 PRIMARY KEY, v int);
CREATE TABLE k_real (k real PRIMARY KEY, v int);
CREATE TABLE k_num (k numeric PRIMARY KEY, v int);
CREATE TABLE k_mood (k mood PRIMARY KEY, v int);
CREATE TABLE k_dom (k posint PRIMARY KEY, v int);
CREATE TABLE k_bytea (k bytea PRIMARY KEY, v int);
CREATE TABLE k_byteaarr (k bytea[] PRIMARY KEY, v int);
CREATE TABLE k_tstz (k timestamptz PRIMARY KEY, v int);
CREATE TABLE k_money (k money PRIMARY KEY, v int);
CREATE TABLE k_interval (k interval PRIMARY KEY, v int);
CREATE TABLE k_multi (a int, b text, c date, v int, PRIMARY KEY (b, a, c));
"""

ROW1 = r"""(1, -32768, 2147483647, 9223372036854775807, 4294967295, '18446744073709551615',
  'NaN', 'Infinity', 1.500,
  'NaN', 'Infinity', '-Infinity',
  '-92233720368547758.08',
  true, 'x', 'a name', 'ab', 'hello', E'quote '' "dq" back\\slash\nnew\tline ünï NULL',
  '\x00ff0a5c',
  'infinity', '24:00:00', '00:00:00+15:59', 'infinity', '-infinity', '-178000000 years',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '::ffff:1.2.3.4/128', '2001:db8::/32',
  '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
  B'1010', B'',
  $$a fat cat:1A,2B sat:3 on:4C 'it''s':6 'back\\slash' 'sp ace':7D$$,
  $$fat & (rat | !cat) <-> mat:* <2> 'it''s':AB$$,
  '{"a": [1, 2.50, "x"],  "b": null}', '{"b": {"c": null}, "a": 1.0}', '$.a[*] ? (@ > 1)',
  '<a b="c">t&amp;</a>',
  '(1.5,-2)', '{1,-1,0}', '[(0,0),(1,1)]', '(2,2),(0,0)', '[(0,0),(1,1),(2,0)]',
  '((0,0),(1,0),(1,1))', '<(1,1),2>',
  '[1,10)', '(1.5,2.5]', '[2024-01-01 00:00+00,infinity)', '[2024-01-01,2024-02-01)', 'empty',
  '{[1,3), [5,7)}',
  '16/B374D848',
  '[0:2]={1,2,3}', '[0:1]={x,y}', '{"\\x00ff","\\x",NULL,"\\x5c22"}', '{NaN,Infinity,-Infinity,1.5,-0}',
  '{NaN,1.50,-Infinity}', '[1:2][0:1]={{1,2},{3,4}}', '{(1,1),(0,0);(2,2),(1,1)}',
  '{"2024-01-01 00:00:00+00",infinity}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
  '{"[1,2)",empty}',
  5, 'dom', 'it''s "odd"', 'a,b', '(1,"a b")')"""

ROW3 = r"""(3, 0, -1, -9223372036854775808, 0, '0',
  '-Infinity', '-12345678901234567890.000000000001', -0.001,
  '-Infinity', '5e-324', '1.7976931348623157e308',
  '0.01',
  false, E'\\', '', '', '', '',
  '\x',
  '4713-01-01 BC', '00:00:00.000001', '23:59:59.999999-15:59', '294276-12-31 23:59:59.999999',
  '2024-02-29 12:34:56.789012+05:45', '1 day -00:00:01.5',
  '00000000-0000-0000-0000-000000000000', '192.168.0.1/24', '10.0.0.0/8',
  '00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff:ff:ff',
  B'0000', B'1',
  '', '!a',
  '[]', '[]', '$', '<x/>',
  '(0,0)', '{0,1,-3.5}', '[(1e+300,-1e-300),(0,0)]', '(0,0),(0,0)', '((0,0),(1,1))',
  '((0,0))', '<(0,0),0>',
  '(,5]', 'empty', '(,)', 'empty', '[-9223372036854775808,9223372036854775807)', '{}',
  '0/0',
  '{}', '{"","NULL",NULL,"a\"q","{br}","x,y"," sp "}', '{}', '{1e+300,5e-324}', '{}',
  '{{1}}', '{}', '{}', '{}', '{}',
  1, '', 'sad', 'ok', '(,)')"""

TYPES_STEPS = [
    f"INSERT INTO typed VALUES {ROW1}",
    "INSERT INTO typed (id) VALUES (2)",
    f"INSERT INTO typed VALUES {ROW3}",
    "UPDATE typed SET tx = 'changed', f4 = 'Infinity', mo = 1.5 WHERE id = 1",
    "UPDATE typed SET id = 20, f8 = 'NaN', at = '[-3:-2]={a,b}', ab = '{\"\\\\xdeadbeef\"}' WHERE id = 2",
    "UPDATE typed SET cp = '(,\"\")', ai = '{{1,2},{3,4}}', en = 'happy' WHERE id = 3",
    "DELETE FROM typed WHERE id = 1",
    f"INSERT INTO typed VALUES {ROW1.replace('(1, ', '(100, ', 1)}",
    # keys of odd types: insert, update by key, change the key, delete
    """INSERT INTO k_pair VALUES ('(1,"a b")', 1), ('(2,)', 2), ('(,)', 3);
       INSERT INTO k_textarr VALUES ('[0:1]={x,y}', 1), ('{x,y}', 2), ('{"a b",NULL}', 3);
       INSERT INTO k_float VALUES ('NaN', 1), ('Infinity', 2), ('-Infinity', 3), (0.1, 4), ('-0', 5);
       INSERT INTO k_real VALUES ('NaN', 1), ('Infinity', 2), (3.4028235e38, 3), (0.1, 4);
       INSERT INTO k_num VALUES ('NaN', 1), ('Infinity', 2), (1.50, 3), ('-Infinity', 4);
       INSERT INTO k_mood VALUES ('it''s "odd"', 1), ('a,b', 2), ('sad', 3);
       INSERT INTO k_dom VALUES (1, 1), (2, 2);
       INSERT INTO k_bytea VALUES ('\\x00ff', 1), ('\\x', 2), ('\\x5c', 3);
       INSERT INTO k_byteaarr VALUES ('{"\\\\x00ff"}', 1), ('[0:0]={"\\\\x01"}', 2);
       INSERT INTO k_tstz VALUES ('infinity', 1), ('2024-02-29 12:34:56.789012+05:45', 2);
       INSERT INTO k_money VALUES ('-1234.56', 1), ('92233720368547758.07', 2);
       INSERT INTO k_interval VALUES ('1 day -00:00:01', 1), ('-178000000 years', 2);
       INSERT INTO k_multi VALUES (1, 'a', '2024-01-01', 1), (1, 'b', 'infinity', 2)""",
    """UPDATE k_pair SET v = v + 10; UPDATE k_textarr SET v = v + 10; UPDATE k_float SET v = v + 10;
       UPDATE k_real SET v = v + 10; UPDATE k_num SET v = v + 10; UPDATE k_mood SET v = v + 10;
       UPDATE k_dom SET v = v + 10; UPDATE k_bytea SET v = v + 10; UPDATE k_byteaarr SET v = v + 10;
       UPDATE k_tstz SET v = v + 10; UPDATE k_money SET v = v + 10; UPDATE k_interval SET v = v + 10;
       UPDATE k_multi SET v = v + 10""",
    """UPDATE k_pair SET k = '(9,z)' WHERE v = 11; UPDATE k_textarr SET k = '[5:5]={z}' WHERE v = 11;
       UPDATE k_float SET k = 9 WHERE v = 11; UPDATE k_real SET k = '-Infinity' WHERE v = 12;
       UPDATE k_num SET k = 9 WHERE v = 11; UPDATE k_mood SET k = 'happy' WHERE v = 11;
       UPDATE k_dom SET k = 9 WHERE v = 11; UPDATE k_bytea SET k = '\\xffff' WHERE v = 11;
       UPDATE k_byteaarr SET k = '{"\\\\xfe",NULL}' WHERE v = 12; UPDATE k_tstz SET k = '-infinity' WHERE v = 11;
       UPDATE k_money SET k = 0 WHERE v = 11; UPDATE k_interval SET k = '1 mon' WHERE v = 12;
       UPDATE k_multi SET c = '-infinity' WHERE v = 12""",
    """DELETE FROM k_pair WHERE v = 12; DELETE FROM k_textarr WHERE v = 12; DELETE FROM k_float WHERE v = 12;
       DELETE FROM k_real WHERE v = 11; DELETE FROM k_num WHERE v = 12; DELETE FROM k_mood WHERE v = 12;
       DELETE FROM k_dom WHERE v = 12; DELETE FROM k_bytea WHERE v = 13; DELETE FROM k_byteaarr WHERE v = 11;
       DELETE FROM k_tstz WHERE v = 12; DELETE FROM k_money WHERE v = 12; DELETE FROM k_interval WHERE v = 11;
       DELETE FROM k_multi WHERE v = 11""",
]

# The same rows there before both start: the subscription's copy
# (copy_data) against walhook's --snapshot (COPY text through the same
# value rules), then changes to them.
SNAPSHOT_SEED = TYPES_STEPS[0] + ";\n" + TYPES_STEPS[1] + ";\n" + TYPES_STEPS[2] + ";\n" + TYPES_STEPS[8]
SNAPSHOT_STEPS = TYPES_STEPS[3:8] + TYPES_STEPS[9:]

# Arrays of types made in the database: their binary form carries the
# element type's OID, which differs between two databases, so a binary
# subscription refuses them ("wrong element type"); walhook reads them.
USER_ARRAYS_SCHEMA = r"""
CREATE TYPE mood AS ENUM ('sad', 'it''s "odd"', 'a,b');
CREATE TYPE pair AS (x int, y text);
CREATE TYPE nest AS (p pair, m mood, a int[]);
CREATE TABLE user_arrays (id int PRIMARY KEY, ms mood[], ps pair[], n nest, ns nest[]);
"""

USER_ARRAYS_STEPS = [
    """INSERT INTO user_arrays VALUES
       (1, '{sad,"it''s \\"odd\\"","a,b"}', '{"(1,\\"a b\\")","(,)"}',
        '("(1,x)",sad,"{1,2}")', ARRAY['("(2,y)","a,b",{})'::nest]),
       (2, '[0:0]={sad}', '{}', NULL, '{}')""",
    "UPDATE user_arrays SET ms = '{a,b}'::text[]::mood[] WHERE false",
    "UPDATE user_arrays SET n = '(\"(,)\",,)' WHERE id = 1",
    "UPDATE user_arrays SET id = 3 WHERE id = 2",
]

# --- replica identities ------------------------------------------------------

IDENTITY_SCHEMA = r"""
CREATE TABLE rid_default (id int PRIMARY KEY, a text, b int);
CREATE TABLE rid_full (id int, a text, b int);
ALTER TABLE rid_full REPLICA IDENTITY FULL;
CREATE TABLE rid_fullpk (id int PRIMARY KEY, a text, b int);
ALTER TABLE rid_fullpk REPLICA IDENTITY FULL;
CREATE TABLE rid_index (id int NOT NULL, code text NOT NULL, a text, b int);
CREATE UNIQUE INDEX rid_index_code ON rid_index (code, id);
ALTER TABLE rid_index REPLICA IDENTITY USING INDEX rid_index_code;
CREATE TABLE rid_nothing (id int, a text);
ALTER TABLE rid_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE dups (a int, b text, c numeric);
ALTER TABLE dups REPLICA IDENTITY FULL;
"""

IDENTITY_PUB = """
CREATE PUBLICATION pub FOR TABLE rid_default, rid_full, rid_fullpk, rid_index, dups;
CREATE PUBLICATION pub_ins FOR TABLE rid_nothing WITH (publish = 'insert');
"""

# The targets have a column more in the keyless table: the source does not
# send it, and a subscription compares it as NULL.
IDENTITY_TARGET = "ALTER TABLE dups ADD COLUMN extra int; ALTER TABLE rid_full ADD COLUMN note text;"

IDENTITY_STEPS = [
    """INSERT INTO rid_default SELECT g, 'a' || g, g FROM generate_series(1, 20) g;
       INSERT INTO rid_full SELECT g % 10, CASE WHEN g % 3 = 0 THEN NULL ELSE 'a' END, g % 4
         FROM generate_series(1, 20) g;
       INSERT INTO rid_fullpk SELECT g, NULL, g FROM generate_series(1, 10) g;
       INSERT INTO rid_index SELECT g, 'c' || (g % 5), NULL, g FROM generate_series(1, 20) g;
       INSERT INTO rid_nothing SELECT g, 'n' FROM generate_series(1, 5) g;
       INSERT INTO dups VALUES (1, 'dup', NULL), (1, 'dup', NULL), (1, 'dup', NULL),
         (NULL, NULL, NULL), (NULL, NULL, NULL), (2, 'two', 2.50), (2, 'two', 2.50)""",
    "UPDATE rid_default SET a = 'u' WHERE id % 3 = 0",
    "UPDATE rid_default SET id = id + 100 WHERE id % 4 = 0",
    "DELETE FROM rid_default WHERE id % 5 = 0",
    "UPDATE rid_full SET b = 9 WHERE ctid = (SELECT ctid FROM rid_full WHERE id = 3 LIMIT 1)",
    "UPDATE rid_full SET a = 'z' WHERE a IS NULL AND id < 5",
    "DELETE FROM rid_full WHERE ctid = (SELECT ctid FROM rid_full WHERE id = 1 LIMIT 1)",
    "UPDATE rid_fullpk SET a = 'x' WHERE id < 4; UPDATE rid_fullpk SET id = id * 10 WHERE id > 8",
    "DELETE FROM rid_fullpk WHERE id = 2",
    "UPDATE rid_index SET a = 'x' WHERE id < 6",
    "UPDATE rid_index SET code = 'moved' WHERE id = 7",
    "DELETE FROM rid_index WHERE code = 'c1'",
    "UPDATE rid_nothing SET a = 'not sent'; INSERT INTO rid_nothing VALUES (6, 'after')",
    # one of equal rows, again and again
    "UPDATE dups SET c = 1 WHERE ctid = (SELECT ctid FROM dups WHERE a = 1 LIMIT 1)",
    "DELETE FROM dups WHERE ctid = (SELECT ctid FROM dups WHERE a = 1 AND c IS NULL LIMIT 1)",
    "UPDATE dups SET b = 'one null' WHERE ctid = (SELECT ctid FROM dups WHERE a IS NULL LIMIT 1)",
    "DELETE FROM dups WHERE ctid = (SELECT ctid FROM dups WHERE a IS NULL AND b IS NULL LIMIT 1)",
    "UPDATE dups SET c = 3 WHERE a = 2",
    "DELETE FROM dups WHERE ctid = (SELECT ctid FROM dups WHERE a = 2 LIMIT 1)",
]

# FULL tables without a key as the text plugins send them: old rows
# without their NULL columns (test_decoding, wal2json format 1), equal
# rows, a column only the targets have.
KEYLESS_SCHEMA = r"""
CREATE TABLE kl (a int, b text, c numeric);
ALTER TABLE kl REPLICA IDENTITY FULL;
CREATE TABLE kl_pk (id int PRIMARY KEY, a int, b text);
ALTER TABLE kl_pk REPLICA IDENTITY FULL;
CREATE TABLE kl_def (a int, b text);
ALTER TABLE kl_def REPLICA IDENTITY FULL;
"""

# On the targets, kl has a column more, and kl_def one with a value: a
# subscription compares it as NULL, so finds no kl_def row to change.
KEYLESS_TARGET = "ALTER TABLE kl ADD COLUMN extra int; ALTER TABLE kl_def ADD COLUMN d int DEFAULT 7;"

KEYLESS_STEPS = [
    """INSERT INTO kl VALUES (1, NULL, NULL), (1, NULL, NULL), (1, 'x', NULL), (1, 'x', 2),
         (NULL, NULL, NULL), (NULL, NULL, NULL), (2, 'y', 3);
       INSERT INTO kl_pk VALUES (1, NULL, NULL), (2, 1, 'b'), (3, NULL, 'c')""",
    "UPDATE kl SET c = 9 WHERE ctid = (SELECT ctid FROM kl WHERE a = 1 AND b IS NULL LIMIT 1)",
    "DELETE FROM kl WHERE ctid = (SELECT ctid FROM kl WHERE a = 1 AND b = 'x' AND c IS NULL LIMIT 1)",
    "UPDATE kl SET b = 'z' WHERE ctid = (SELECT ctid FROM kl WHERE a IS NULL LIMIT 1)",
    "DELETE FROM kl WHERE ctid = (SELECT ctid FROM kl WHERE a IS NULL AND b IS NULL LIMIT 1)",
    "UPDATE kl SET a = 5 WHERE c = 9",
    "UPDATE kl_pk SET a = 7 WHERE id = 1; UPDATE kl_pk SET id = 30 WHERE id = 3; DELETE FROM kl_pk WHERE id = 2",
    "INSERT INTO kl_def VALUES (1, 'a'), (1, 'a'), (2, NULL)",
    "UPDATE kl_def SET b = 'b' WHERE ctid = (SELECT ctid FROM kl_def WHERE a = 1 LIMIT 1);"
    " DELETE FROM kl_def WHERE a = 2",
]

# --- TOAST ---------------------------------------------------------------------

# Incompressible text of about 8 kB: stored out of line.
BIG = "(SELECT string_agg(md5(g::text || '{0}'), '') FROM generate_series(1, 250) g)"

TOAST_SCHEMA = r"""
CREATE TABLE toasted (id int PRIMARY KEY, small int, big text, big2 text, bb bytea);
CREATE TABLE toasted_full (id int, small int, big text);
ALTER TABLE toasted_full REPLICA IDENTITY FULL;
CREATE TABLE toasted_key (k text NOT NULL, small int);
ALTER TABLE toasted_key ALTER COLUMN k SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX toasted_key_k ON toasted_key (k);
ALTER TABLE toasted_key REPLICA IDENTITY USING INDEX toasted_key_k;
"""

TOAST_STEPS = [
    f"""INSERT INTO toasted VALUES (1, 1, {BIG.format('a')}, {BIG.format('b')}, decode({BIG.format('c')}, 'hex')),
         (2, 2, {BIG.format('d')}, NULL, NULL), (3, 3, 'short', 'short', '\\x00');
       INSERT INTO toasted_full VALUES (1, 1, {BIG.format('e')}), (1, 1, {BIG.format('e')}), (2, 2, 'short');
       INSERT INTO toasted_key VALUES (substr({BIG.format('f')}, 1, 2500), 1), (substr({BIG.format('g')}, 1, 2500), 2),
         ('short', 3)""",
    "UPDATE toasted SET small = small + 10",
    f"UPDATE toasted SET big2 = {BIG.format('h')} WHERE id = 2",
    "UPDATE toasted SET id = id + 100 WHERE id = 1",
    "UPDATE toasted_full SET small = 5 WHERE ctid = (SELECT ctid FROM toasted_full WHERE id = 1 LIMIT 1)",
    "UPDATE toasted_full SET small = small + 1",
    "UPDATE toasted_key SET small = small + 10",
    f"UPDATE toasted_key SET k = substr({BIG.format('i')}, 1, 2400) WHERE small = 12",
    "DELETE FROM toasted WHERE id = 2; DELETE FROM toasted_full WHERE small = 7;"
    " DELETE FROM toasted_key WHERE small = 11",
    "UPDATE toasted SET big = big || 'x' WHERE id = 101",
]

# --- TRUNCATE ------------------------------------------------------------------

TRUNCATE_SCHEMA = r"""
CREATE TABLE parent (id int PRIMARY KEY, v text);
CREATE TABLE child (id int PRIMARY KEY, parent int REFERENCES parent, v text);
CREATE TABLE seqd (id serial PRIMARY KEY, v text);
CREATE TABLE ident (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE ident_always (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE inh_parent (a int);
CREATE TABLE one (a int);
CREATE TABLE two (a int);
CREATE TABLE untouched (a int);
"""

# The targets' sequences have moved on their own: RESTART IDENTITY shows.
# and a table inherits from one on the targets only: a subscription's
# TRUNCATE leaves it be.
TRUNCATE_TARGET = """SELECT setval('seqd_id_seq', 500); SELECT setval('ident_id_seq', 700);
SELECT setval('ident_always_id_seq', 900);
CREATE TABLE inh_child (b int) INHERITS (inh_parent); INSERT INTO inh_child VALUES (10, 20);"""

TRUNCATE_STEPS = [
    """INSERT INTO parent SELECT g, 'p' FROM generate_series(1, 5) g;
       INSERT INTO child SELECT g, g % 5 + 1, 'c' FROM generate_series(1, 10) g;
       INSERT INTO seqd (id, v) SELECT g, 's' FROM generate_series(1, 5) g;
       INSERT INTO ident (id, v) SELECT g, 'i' FROM generate_series(1, 5) g;
       INSERT INTO one VALUES (1), (2); INSERT INTO two VALUES (3); INSERT INTO untouched VALUES (4);
       INSERT INTO ident_always (v) SELECT 'a' FROM generate_series(1, 3); INSERT INTO inh_parent VALUES (1)""",
    "UPDATE ident_always SET v = 'b' WHERE id = 2; DELETE FROM ident_always WHERE id = 3",
    "TRUNCATE inh_parent",
    "TRUNCATE ident_always RESTART IDENTITY",
    "INSERT INTO ident_always (v) VALUES ('after'); INSERT INTO inh_parent VALUES (2)",
    "TRUNCATE parent CASCADE",
    "INSERT INTO parent VALUES (1, 'again'); INSERT INTO child VALUES (1, 1, 'again')",
    "TRUNCATE seqd, ident RESTART IDENTITY",
    "INSERT INTO seqd (id, v) VALUES (1, 'after'); INSERT INTO ident (id, v) VALUES (1, 'after')",
    "BEGIN; INSERT INTO one VALUES (5); TRUNCATE one, two; INSERT INTO two VALUES (6); COMMIT",
    "BEGIN; TRUNCATE child; INSERT INTO child VALUES (2, 1, 'in the same transaction'); COMMIT",
    "TRUNCATE one, two, untouched",
]

# --- partitions ----------------------------------------------------------------

PARTITION_SCHEMA = r"""
CREATE TABLE parted (a int PRIMARY KEY, b text) PARTITION BY RANGE (a);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (100) TO (200);
CREATE TABLE parted_def PARTITION OF parted DEFAULT;
CREATE TABLE parted_full (a int, b text) PARTITION BY LIST (b);
CREATE TABLE parted_full_x PARTITION OF parted_full FOR VALUES IN ('x');
CREATE TABLE parted_full_y PARTITION OF parted_full FOR VALUES IN ('y', NULL);
ALTER TABLE parted_full REPLICA IDENTITY FULL;
ALTER TABLE parted_full_x REPLICA IDENTITY FULL;
ALTER TABLE parted_full_y REPLICA IDENTITY FULL;
"""

PARTITION_STEPS = [
    """INSERT INTO parted SELECT g * 7, 'v' || g FROM generate_series(0, 40) g;
       INSERT INTO parted_full VALUES (1, 'x'), (1, 'x'), (2, 'y'), (3, NULL)""",
    "UPDATE parted SET b = b || '+' WHERE a % 2 = 0",
    "UPDATE parted SET a = a + 100 WHERE a BETWEEN 50 AND 99",   # moves partitions
    "UPDATE parted SET a = a + 1000 WHERE a BETWEEN 150 AND 170",  # into the default one
    "DELETE FROM parted WHERE a % 3 = 0",
    "UPDATE parted_full SET b = 'y' WHERE ctid = (SELECT ctid FROM parted_full_x LIMIT 1)",
    "UPDATE parted_full SET a = 9 WHERE b IS NULL",
    "TRUNCATE parted_2",
    "INSERT INTO parted VALUES (150, 'after truncate')",
]

# --- streaming of big transactions -------------------------------------------

STREAM_SCHEMA = r"""
CREATE TABLE stream (id int PRIMARY KEY, v text, n int);
CREATE TABLE stream_full (a int, b text);
ALTER TABLE stream_full REPLICA IDENTITY FULL;
"""

STREAM_STEPS = [
    "INSERT INTO stream SELECT g, md5(g::text), 0 FROM generate_series(1, 3000) g",
    """BEGIN;
       INSERT INTO stream SELECT g, md5(g::text), 1 FROM generate_series(3001, 5000) g;
       SAVEPOINT s1;
       UPDATE stream SET n = 2 WHERE id <= 2000;
       SAVEPOINT s2;
       DELETE FROM stream WHERE id % 3 = 0;
       ROLLBACK TO SAVEPOINT s2;
       INSERT INTO stream_full SELECT g % 50, 'f' FROM generate_series(1, 2000) g;
       RELEASE SAVEPOINT s1;
       SAVEPOINT s3;
       INSERT INTO stream SELECT g, 'rolled back', 3 FROM generate_series(5001, 7000) g;
       ROLLBACK TO s3;
       UPDATE stream_full SET b = 'g' WHERE a = 1;
       COMMIT""",
    """BEGIN;
       INSERT INTO stream SELECT g, 'aborted', 4 FROM generate_series(7001, 9000) g;
       UPDATE stream SET v = 'aborted' WHERE id < 1000;
       ROLLBACK""",
    Concurrently("big", """BEGIN;
       INSERT INTO stream SELECT g, 'interleaved', 5 FROM generate_series(9001, 11000) g;
       """),
    "UPDATE stream SET n = 6 WHERE id = 1",  # a small one commits in between
    "DELETE FROM stream_full WHERE a = 2",
    Finish("big", "UPDATE stream SET n = 7 WHERE id BETWEEN 2 AND 1500; COMMIT;"),
    Concurrently("gone", """BEGIN;
       INSERT INTO stream SELECT g, 'never', 8 FROM generate_series(20001, 22000) g;
       """),
    "UPDATE stream SET n = 9 WHERE id = 2",
    Finish("gone", "ROLLBACK;"),
    """BEGIN; SAVEPOINT a; INSERT INTO stream SELECT g, 'sub', 10 FROM generate_series(30001, 32000) g;
       SAVEPOINT b; DELETE FROM stream WHERE id BETWEEN 30001 AND 30500; ROLLBACK TO a;
       INSERT INTO stream VALUES (40000, 'kept', 11); COMMIT""",
]

# --- two-phase commit ------------------------------------------------------------

TWOPHASE_SCHEMA = r"""
CREATE TABLE tp (id int PRIMARY KEY, v text);
CREATE TABLE tp_unpublished (id int);
"""

TWOPHASE_PUB = "CREATE PUBLICATION pub FOR TABLE tp;"

TWOPHASE_STEPS = [
    "INSERT INTO tp VALUES (1, 'plain')",
    "BEGIN; INSERT INTO tp VALUES (2, 'prepared'); UPDATE tp SET v = 'in prepared' WHERE id = 1;"
    " PREPARE TRANSACTION 'g1'",
    "INSERT INTO tp VALUES (3, 'while g1 waits')",
    "COMMIT PREPARED 'g1'",
    "BEGIN; INSERT INTO tp VALUES (4, 'rolled back'); PREPARE TRANSACTION 'g2'",
    "ROLLBACK PREPARED 'g2'",
    # empty prepared transactions: nothing published in them
    "BEGIN; INSERT INTO tp_unpublished VALUES (1); PREPARE TRANSACTION 'g3'",
    "COMMIT PREPARED 'g3'",
    "BEGIN; PREPARE TRANSACTION 'g4'",
    "COMMIT PREPARED 'g4'",
    "BEGIN; INSERT INTO tp_unpublished VALUES (2); PREPARE TRANSACTION 'g5'",
    "ROLLBACK PREPARED 'g5'",
    # a big prepared one (streamed) with a savepoint
    "BEGIN; INSERT INTO tp SELECT g, md5(g::text) FROM generate_series(100, 3000) g;"
    " SAVEPOINT s; DELETE FROM tp WHERE id < 1000; ROLLBACK TO s; PREPARE TRANSACTION 'g6'",
    "DELETE FROM tp WHERE id = 3",
    "COMMIT PREPARED 'g6'",
    "BEGIN; DELETE FROM tp WHERE id >= 2000; PREPARE TRANSACTION 'g7'",
    "COMMIT PREPARED 'g7'",
]

# walhook killed while a prepared transaction waits for COMMIT PREPARED: the
# delivery layer must not lose it (see the README's two-phase paragraph).
PREPARED_KILL_STEPS = [
    "INSERT INTO tp VALUES (1, 'before')",
    "BEGIN; INSERT INTO tp VALUES (2, 'prepared'); PREPARE TRANSACTION 'k1'",
    "INSERT INTO tp VALUES (3, 'after the prepare')",
    # both have seen the prepare (the slots cannot confirm past it yet)
    WaitTargets("SELECT EXISTS (SELECT 1 FROM tp WHERE id = 3)"),
    WalhookReplies(3),  # walhook idle, the prepared one waiting
    KillWalhook(),
    "INSERT INTO tp VALUES (4, 'after the kill')",
    "COMMIT PREPARED 'k1'",
    # a big one, streamed, prepared and waiting through a kill
    "BEGIN; INSERT INTO tp SELECT g, 'streamed' FROM generate_series(100, 3000) g;"
    " PREPARE TRANSACTION 'k2'",
    "INSERT INTO tp VALUES (5, 'after the second prepare')",
    WaitTargets("SELECT EXISTS (SELECT 1 FROM tp WHERE id = 5)"),
    WalhookReplies(3),
    KillWalhook(),
    "BEGIN; INSERT INTO tp VALUES (6, 'prepared while walhook starts'); PREPARE TRANSACTION 'k3'",
    KillWalhook(),
    "COMMIT PREPARED 'k2'",
    KillWalhook(),
    "COMMIT PREPARED 'k3'",
]

# --- row filters and column lists ------------------------------------------------

FILTER_SCHEMA = r"""
CREATE TABLE filtered (id int PRIMARY KEY, a int, b text);
CREATE TABLE cols (id int PRIMARY KEY, a int, b text DEFAULT 'source default', c text, d int);
CREATE TABLE both_ (id int PRIMARY KEY, a int, secret text);
ALTER TABLE filtered REPLICA IDENTITY FULL;
"""

FILTER_PUB = r"""
CREATE PUBLICATION pub FOR TABLE filtered WHERE (a > 10 AND id <> 99),
  cols (id, a, c), both_ (id, a) WHERE (id % 2 = 0);
"""

FILTER_TARGET = "ALTER TABLE cols ALTER COLUMN b SET DEFAULT 'target default';"

FILTER_STEPS = [
    """INSERT INTO filtered SELECT g, g, 'f' || g FROM generate_series(1, 30) g;
       INSERT INTO cols SELECT g, g, 'b', 'c', g FROM generate_series(1, 5) g;
       INSERT INTO both_ SELECT g, g, 'hidden' FROM generate_series(1, 10) g""",
    "UPDATE filtered SET a = a + 5 WHERE id BETWEEN 6 AND 12",   # rows move in
    "UPDATE filtered SET a = 0 WHERE id BETWEEN 20 AND 22",      # rows move out
    "UPDATE filtered SET b = 'stays' WHERE id = 25",
    "DELETE FROM filtered WHERE id IN (1, 26)",
    "UPDATE cols SET a = a * 10, b = 'not sent', d = 0",
    "UPDATE cols SET id = id + 10 WHERE id = 1",
    "DELETE FROM cols WHERE id = 2",
    "UPDATE both_ SET a = a + 1 WHERE id < 5",
    "UPDATE both_ SET id = id + 100 WHERE id IN (2, 3)",  # in and out of the filter
    "UPDATE both_ SET secret = 'x' WHERE id = 6",
    "DELETE FROM both_ WHERE id IN (8, 9)",
]

# --- identifiers ---------------------------------------------------------------

IDENT_SCHEMA = r'''
CREATE SCHEMA "a.b";
CREATE SCHEMA "Sch ""q""";
CREATE TABLE "a.b"."t.1" ("x.y" int PRIMARY KEY, "Mixed Case" text, "a WHERE b" int);
CREATE TABLE "Sch ""q"""."Mixed Case" ("a WHERE b" int, "select" text, "we""ird" int);
ALTER TABLE "Sch ""q"""."Mixed Case" REPLICA IDENTITY FULL;
CREATE TABLE public."UPPER" ("ID" int PRIMARY KEY, "Value" text, "$1" int, " " text);
'''

MC = '"Sch ""q"""."Mixed Case"'

IDENT_STEPS = [
    f'''INSERT INTO "a.b"."t.1" VALUES (1, 'one', 1), (2, 'two', 2);
       INSERT INTO {MC} VALUES (1, 'a', 1), (1, 'a', 1), (2, ' WHERE ', 2);
       INSERT INTO public."UPPER" VALUES (1, 'v', 1, ' '), (2, 'w', 2, NULL)''',
    '''UPDATE "a.b"."t.1" SET "a WHERE b" = 10 WHERE "x.y" = 1;
       UPDATE "a.b"."t.1" SET "x.y" = 3 WHERE "x.y" = 2''',
    f'''UPDATE {MC} SET "we""ird" = 5
         WHERE ctid = (SELECT ctid FROM {MC} WHERE "a WHERE b" = 1 LIMIT 1)''',
    f'''DELETE FROM {MC} WHERE ctid = (SELECT ctid FROM {MC} WHERE "we""ird" = 1 LIMIT 1)''',
    f'''UPDATE {MC} SET "select" = 'x' WHERE "a WHERE b" = 2''',
    '''UPDATE public."UPPER" SET "Value" = 'changed', "ID" = 10 WHERE "ID" = 1;
       DELETE FROM public."UPPER" WHERE "ID" = 2;
       DELETE FROM "a.b"."t.1" WHERE "x.y" = 1''',
    'TRUNCATE "a.b"."t.1", public."UPPER"',
]

# --- triggers and foreign keys on the target ------------------------------------------

TRIGGER_SCHEMA = r"""
CREATE TABLE orders (id int PRIMARY KEY, customer int, v text);
CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE TABLE trig_log (what text);
"""

TRIGGER_PUB = "CREATE PUBLICATION pub FOR TABLE orders, customers;"

# On the targets only: a foreign key the source lacks (a subscription does not
# check it), an ordinary trigger (does not fire in a subscription), a
# replica trigger and an always trigger (they do), and a BEFORE trigger
# that changes the row (always).
TRIGGER_TARGET = r"""
ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer) REFERENCES customers;
CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.trig_log (what) VALUES (TG_NAME || ' ' || TG_OP || ' ' || coalesce(NEW.id, OLD.id));
  RETURN coalesce(NEW, OLD);
END $$;
CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.v := upper(NEW.v); RETURN NEW; END $$;
CREATE TRIGGER ordinary AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION log_it();
CREATE TRIGGER replica AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION log_it();
ALTER TABLE orders ENABLE REPLICA TRIGGER replica;
CREATE TRIGGER always AFTER INSERT OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION log_it();
ALTER TABLE orders ENABLE ALWAYS TRIGGER always;
CREATE TRIGGER shout BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION shout();
ALTER TABLE orders ENABLE ALWAYS TRIGGER shout;
CREATE TRIGGER disabled AFTER INSERT ON customers FOR EACH ROW EXECUTE FUNCTION log_it();
ALTER TABLE customers DISABLE TRIGGER disabled;
CREATE TRIGGER cust_replica AFTER INSERT ON customers FOR EACH ROW EXECUTE FUNCTION log_it();
ALTER TABLE customers ENABLE REPLICA TRIGGER cust_replica;
"""

# Not a superuser: may set session_replication_role (15's GRANT SET ON
# PARAMETER), may not use replication origins (so walhook.progress).
TRIGGER_GRANTS = """
GRANT SET ON PARAMETER session_replication_role TO diff_applier;
GRANT CREATE ON DATABASE b_triggers_grant_text TO diff_applier;
GRANT ALL ON ALL TABLES IN SCHEMA public TO diff_applier;
"""

TRIGGER_STEPS = [
    "INSERT INTO orders VALUES (1, 7, 'no such customer'), (2, NULL, 'none')",
    "INSERT INTO customers VALUES (7, 'seven')",
    "UPDATE orders SET v = 'changed' WHERE id = 1",
    "INSERT INTO orders VALUES (3, 8, 'dangling'); DELETE FROM customers WHERE id = 7",
    "DELETE FROM orders WHERE id = 2",
    "TRUNCATE orders",
    "INSERT INTO orders VALUES (4, 9, 'after truncate')",
]

# --- DDL between DML ----------------------------------------------------------------

DDL_SCHEMA = r"""
CREATE TABLE evolve (id int PRIMARY KEY, a text, gone text);
CREATE TABLE evolve_full (a int, b text);
ALTER TABLE evolve_full REPLICA IDENTITY FULL;
CREATE TABLE gen (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a * 2) STORED);
"""

DDL_STEPS = [
    "INSERT INTO evolve VALUES (1, 'a', 'g'), (2, 'b', 'g'); INSERT INTO evolve_full VALUES (1, 'x'), (1, 'x');"
    " INSERT INTO gen (id, a) VALUES (1, 1), (2, 2)",
    Sync(),
    # a column added on the targets first, as a subscriber must
    Targets("ALTER TABLE evolve ADD COLUMN extra int; ALTER TABLE evolve_full ADD COLUMN c int"),
    "ALTER TABLE evolve ADD COLUMN extra int; ALTER TABLE evolve_full ADD COLUMN c int",
    "INSERT INTO evolve VALUES (3, 'c', 'g', 3); UPDATE evolve SET extra = 1 WHERE id = 1;"
    " UPDATE evolve_full SET c = 5 WHERE ctid = (SELECT ctid FROM evolve_full LIMIT 1)",
    "UPDATE gen SET a = 10 WHERE id = 1",
    # a column dropped on the source, then on the targets
    "ALTER TABLE evolve DROP COLUMN gone",
    "INSERT INTO evolve VALUES (4, 'd', 4); UPDATE evolve SET a = 'bb' WHERE id = 2",
    Sync(),
    Targets("ALTER TABLE evolve DROP COLUMN gone"),
    # a column renamed everywhere, with nothing in flight
    Sync(),
    Targets("ALTER TABLE evolve RENAME COLUMN a TO renamed"),
    "ALTER TABLE evolve RENAME COLUMN a TO renamed",
    "INSERT INTO evolve VALUES (5, 'e', 5); UPDATE evolve SET renamed = 'x' WHERE id = 3; DELETE FROM evolve WHERE id = 4",
    # a type widened everywhere
    Sync(),
    Targets("ALTER TABLE evolve ALTER COLUMN extra TYPE bigint"),
    "ALTER TABLE evolve ALTER COLUMN extra TYPE bigint",
    "UPDATE evolve SET extra = 9000000000 WHERE id = 5",
    # a table created and published mid-stream
    Sync(),
    Targets("CREATE TABLE late (id int PRIMARY KEY, v text)"),
    "CREATE TABLE late (id int PRIMARY KEY, v text)",
    RefreshSubscription(),
    "INSERT INTO late VALUES (1, 'late'); UPDATE evolve SET renamed = 'y' WHERE id = 5",
]

# --- the target restarting -----------------------------------------------------------

RESTART_SCHEMA = r"""
CREATE TABLE r1 (id int PRIMARY KEY, v text);
CREATE TABLE r2 (id int PRIMARY KEY, v text);
CREATE TABLE r3 (id int PRIMARY KEY, v text);
"""


def restart_steps():
    steps = ["INSERT INTO r1 SELECT g, 'a' FROM generate_series(1, 100) g"]
    steps += [f"INSERT INTO r1 VALUES ({1000 + i}, 'small'); UPDATE r1 SET v = v || '+' WHERE id = {i}"
              for i in range(1, 30)]
    steps.append(RestartTarget("fast"))
    # the first change of a table walhook has not looked up yet
    steps.append("INSERT INTO r2 VALUES (1, 'first after the restart')")
    steps += [f"INSERT INTO r2 VALUES ({100 + i}, 'b'); DELETE FROM r1 WHERE id = {i}" for i in range(1, 30)]
    steps.append(Sync())
    steps.append(RestartTarget("immediate"))
    steps += [f"INSERT INTO r3 VALUES ({i}, 'c'); UPDATE r2 SET v = 'c' WHERE id = {100 + i}"
              for i in range(1, 30)]
    steps.append(RestartTarget("fast"))
    steps.append("INSERT INTO r3 VALUES (1000, 'last')")
    return steps


# --- the list ----------------------------------------------------------------------

SCENARIOS = [
    Scenario("types", TYPES_SCHEMA, TYPES_STEPS, modes=MODES + ("test_decoding",),
             note="every built-in type, odd values, keys of odd types (composite, arrays, NaN)"),
    Scenario("snapshot", TYPES_SCHEMA, SNAPSHOT_STEPS, seed=SNAPSHOT_SEED,
             note="the initial copy: copy_data against --snapshot, every type, then changes"),
    Scenario("user_arrays", USER_ARRAYS_SCHEMA, USER_ARRAYS_STEPS, native_binary=False,
             modes=NO_KILL,
             note="arrays and nests of enums and composites (in binary mode the "
                  "subscription stays text: it refuses their element OIDs)"),
    Scenario("identity", IDENTITY_SCHEMA, IDENTITY_STEPS, publication=IDENTITY_PUB,
             target=IDENTITY_TARGET, publications=("pub", "pub_ins"),
             note="default, FULL, USING INDEX, NOTHING (insert-only); keyless FULL "
                  "with equal rows and a target-only column"),
    Scenario("keyless", KEYLESS_SCHEMA, KEYLESS_STEPS, target=KEYLESS_TARGET,
             modes=MODES + TEXT_PLUGINS,
             note="FULL tables with NULLs and equal rows, as every plugin sends them"),
    Scenario("toast", TOAST_SCHEMA, TOAST_STEPS, modes=MODES + TEXT_PLUGINS,
             note="large values, updates that leave them unchanged, under FULL, in a USING INDEX key"),
    Scenario("truncate", TRUNCATE_SCHEMA, TRUNCATE_STEPS, target=TRUNCATE_TARGET,
             modes=MODES + ("test_decoding",),
             note="CASCADE, RESTART IDENTITY, several tables in one TRUNCATE"),
    Scenario("partitions_root", PARTITION_SCHEMA, PARTITION_STEPS,
             publication="CREATE PUBLICATION pub FOR TABLE parted, parted_full"
                         " WITH (publish_via_partition_root = true);",
             note="partitions published via the root"),
    Scenario("partitions_leaf", PARTITION_SCHEMA, PARTITION_STEPS,
             publication="CREATE PUBLICATION pub FOR TABLE parted, parted_full;",
             modes=NO_KILL + ("test_decoding",),
             note="partitions published as themselves"),
    Scenario("streaming", STREAM_SCHEMA, STREAM_STEPS, streaming=True,
             modes=MODES + ("test_decoding",),
             note="big transactions streamed, savepoints, aborts, interleaving"),
    Scenario("twophase", TWOPHASE_SCHEMA, TWOPHASE_STEPS, publication=TWOPHASE_PUB,
             two_phase=True, streaming=True,
             note="prepared transactions, empty ones, rolled back ones, a streamed one"),
    Scenario("filters", FILTER_SCHEMA, FILTER_STEPS, publication=FILTER_PUB, target=FILTER_TARGET,
             modes=NO_KILL,
             note="row filters and column lists"),
    Scenario("identifiers", IDENT_SCHEMA, IDENT_STEPS, modes=NO_KILL + TEXT_PLUGINS,
             note="dotted, quoted and mixed-case names, a column named a WHERE b"),
    Scenario("triggers", TRIGGER_SCHEMA, TRIGGER_STEPS, publication=TRIGGER_PUB,
             target=TRIGGER_TARGET,
             note="target triggers (ordinary, replica, always) and a target-only foreign key"),
    Scenario("triggers_grant", TRIGGER_SCHEMA, TRIGGER_STEPS, publication=TRIGGER_PUB,
             target=TRIGGER_TARGET, target_role="diff_applier",
             target_role_setup=TRIGGER_GRANTS, modes=("text",),
             note="the same, the sink as a role granted SET on session_replication_role"),
    Scenario("ddl", DDL_SCHEMA, DDL_STEPS, modes=MODES + TEXT_PLUGINS,
             note="ADD, DROP, RENAME and retype a column, a new table, between DML; generated columns"),
    Scenario("restart", RESTART_SCHEMA, restart_steps(), modes=("text", "binary"),
             note="the target cluster restarting mid-stream"),
    Scenario("prepared_kill", TWOPHASE_SCHEMA, PREPARED_KILL_STEPS, publication=TWOPHASE_PUB,
             two_phase=True, streaming=True, modes=("text", "binary"),
             note="walhook killed while prepared transactions wait, a streamed one too"),
]

# Scenarios expected to fail until a bug outside the postgres sink is fixed
# (run.py --known-failing). None at the moment.
KNOWN_FAILING = []

BY_NAME = {s.name: s for s in SCENARIOS + KNOWN_FAILING}
