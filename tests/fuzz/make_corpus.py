#!/usr/bin/env python3
"""Rebuild the fuzzers' seed corpora (tests/fuzz/corpus/<target>/) from
real captures: a workload of every change kind on a throwaway server, read
back through pgoutput, wal2json, test_decoding and decoderbufs, a recording made by
walhook itself, and COPY's text output.

    D=$(mktemp -d /tmp/walhook-fz.XXXXXX)
    scripts/sandbox start "$D" && . "$D/env"
    python3 tests/fuzz/make_corpus.py build/walhook
    scripts/sandbox stop "$D"

The server is the one PGHOST/PGPORT/PGUSER name; a database `walhook_fuzz`
is created there and dropped at the end. Every corpus directory is
replaced. Python 3 stdlib and psql only.

What each target's files hold (see the targets' comments):
  pgoutput       one message, as after the XLogData header
  wal2json       a control byte (bit 0: format 2), then payloads joined by NUL
  test_decoding  a control byte, then payloads (lines) joined by NUL
  decoderbufs    a control byte, then payloads, each after its length
                 (2 bytes, big-endian)
  record         a whole walhook recording
  copytext       the column count as a byte, then rows joined by newlines
  values         a type OID (4 bytes, big-endian), then a value: pgoutput's
                 binary form of a column, or an array's or bytea's text
  binary         a binary value alone (every known type reads it)
  json           a JSON document
  fixture        a byte (bit 0: with a script), then lines of a fixture

The last three are derived from the others (and users.jsonl) and a few
written by hand; `make_corpus.py --derived` remakes only them, with no
server.
"""

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
DB = "walhook_fuzz"

# At most this many files of one message kind (pgoutput: per kind, text or
# binary values, in a streamed block or not) or one type OID (values): the
# streamed transactions repeat themselves.
PER_KIND = 8
PER_OID = 3

SCHEMA = r"""
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE kinds (
  id int4 PRIMARY KEY, i2 int2, i8 int8, num numeric(12,3), f4 real,
  f8 float8, b bool, t text, vc varchar(20), ch char(3), ba bytea,
  js json, jb jsonb, d date, tm time, ttz timetz, ts timestamp,
  tstz timestamptz, iv interval, u uuid, ip inet, cidr cidr,
  mac macaddr, mac8 macaddr8, bits bit(5), vb varbit(8), m money,
  c1 "char", nm name, o oid, lsn pg_lsn, pt point, ls lseg, bx box,
  ln line, pa path, pg polygon, ci circle, ia int4[], ta text[],
  fa float8[], na numeric[], ia2 int4[], r4 int4range, rts tstzrange,
  mr int4multirange, x xml, mo mood, pi posint, tid tid, x8 xid8);
CREATE TABLE full_ident (a int, b text);
ALTER TABLE full_ident REPLICA IDENTITY FULL;
CREATE TABLE toasty (id int PRIMARY KEY, big text, n int);
ALTER TABLE toasty ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE TABLE "Odd ""Q"" Tab" ("Weird Col" int PRIMARY KEY, "select" text);
CREATE TABLE nokey (x int, y text);
ALTER TABLE nokey REPLICA IDENTITY NOTHING;
CREATE TABLE idx (a int NOT NULL, b int NOT NULL, c text);
CREATE UNIQUE INDEX idx_ab ON idx (a, b);
ALTER TABLE idx REPLICA IDENTITY USING INDEX idx_ab;
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, p int REFERENCES parent);
CREATE TABLE big (id int, pad text);
CREATE SEQUENCE seq;
CREATE PUBLICATION pub FOR ALL TABLES;
"""

ROW1 = r"""
INSERT INTO kinds VALUES (1, -32768, 9223372036854775807, -12345.678,
  1.5, 3.141592653589793, true, E'it''s "q"\n\ttab \\ ünï €', 'varchar',
  'ab', '\x00ff10', '{"a": [1, 2.5, null]}', '{"b": {"c": false}}',
  '2026-11-26', '12:34:56.789', '12:34:56+05:30', '2026-11-26 04:30:00.5',
  '2026-11-26 04:30:00.123456+00', '1 year 2 mons 3 days 04:05:06.7',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.1.2.3/8', '192.168.0.0/16',
  '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', B'10101', B'110',
  -12.34, 'x', 'a name', 4294967295, '16/B374D848', '(1.5,-2)',
  '[(0,0),(1,1)]', '((0,0),(2,3))', '{1,-1,0}', '[(0,0),(1,2),(3,1)]',
  '((0,0),(1,0),(0,1))', '<(1,2),3>', '{1,2,NULL}',
  '{"a b","c,d",NULL,"\"q\"",""}', '{NaN,Infinity,-Infinity,1e-300}',
  '{1.5,NaN,-0.001}', '[1:2][1:2]={{1,2},{3,4}}', '[3,7)',
  '[2026-01-01 00:00:00+00,)', '{[1,3),[5,9)}', '<a x="1">t</a>',
  'happy', 7, '(3,4)', '12345');
INSERT INTO kinds (id, f8, b, num, f4, ta, d, tstz, iv)
  VALUES (2, 'NaN', false, 'NaN', '-Infinity', '{}', 'infinity', '-infinity',
          '-1 day -00:00:01');
INSERT INTO kinds (id, num, d, ts, iv, ba, ia)
  VALUES (3, 0.000001, '0044-03-15 BC', '1999-12-31 23:59:59.999999',
          '00:00:00', E'\\x', '{{{1}},{{2}}}');
"""

# Phase A: small transactions of every kind. The recordings stop at its end.
PHASE_A = r"""
UPDATE kinds SET t = 'changed', b = NULL WHERE id = 1;
UPDATE kinds SET id = 4 WHERE id = 2;
DELETE FROM kinds WHERE id = 4;
BEGIN;
INSERT INTO full_ident VALUES (1, 'one'), (2, NULL);
UPDATE full_ident SET b = 'uno' WHERE a = 1;
DELETE FROM full_ident WHERE a = 2;
SELECT pg_logical_emit_message(true, 'pfx', 'hello');
COMMIT;
INSERT INTO toasty VALUES (1, repeat('x', 3000), 1);
UPDATE toasty SET n = 2 WHERE id = 1;
INSERT INTO "Odd ""Q"" Tab" VALUES (7, E'it''s\ttab');
UPDATE "Odd ""Q"" Tab" SET "Weird Col" = 8 WHERE "Weird Col" = 7;
INSERT INTO nokey VALUES (1, 'a');
INSERT INTO idx VALUES (1, 2, 'c');
UPDATE idx SET c = 'd';
UPDATE idx SET b = 3;
DELETE FROM idx;
SELECT pg_logical_emit_message(false, 'nt', 'non-transactional');
SELECT pg_logical_emit_message(true, 'bin', '\x01020304ff'::bytea);
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1);
TRUNCATE full_ident, nokey;
TRUNCATE parent, child RESTART IDENTITY CASCADE;
BEGIN;
INSERT INTO full_ident VALUES (10, 'prepared');
PREPARE TRANSACTION 'fz_commit';
COMMIT PREPARED 'fz_commit';
BEGIN;
INSERT INTO full_ident VALUES (11, 'rolled back');
PREPARE TRANSACTION 'fz_rollback';
ROLLBACK PREPARED 'fz_rollback';
BEGIN;
SAVEPOINT s1;
INSERT INTO nokey VALUES (2, 'in a subxact');
RELEASE SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO nokey VALUES (3, 'rolled back to savepoint');
ROLLBACK TO SAVEPOINT s2;
COMMIT;
"""

# From a replication origin: pgoutput sends an Origin message.
ORIGIN = r"""
SELECT pg_replication_origin_create('fz_origin');
SELECT pg_replication_origin_session_setup('fz_origin');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/ABCDEF', now());
INSERT INTO nokey VALUES (4, 'from an origin');
COMMIT;
SELECT pg_replication_origin_session_reset();
"""

BIG = "INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series({lo}, {hi}) g;"

# Phase B: transactions over logical_decoding_work_mem, streamed.
PHASE_B = "\n".join([
    "BEGIN;", BIG.format(lo=1, hi=1500), "SELECT pg_logical_emit_message(true, 'streamed', 'msg');",
    "TRUNCATE nokey;", "COMMIT;",
    "BEGIN;", BIG.format(lo=2001, hi=3500), "SAVEPOINT sp;", BIG.format(lo=4001, hi=5500),
    "ROLLBACK TO SAVEPOINT sp;", "COMMIT;",
    "BEGIN;", BIG.format(lo=6001, hi=7500), "ROLLBACK;",
    "BEGIN;", BIG.format(lo=8001, hi=9500), "PREPARE TRANSACTION 'fz_streamed';",
    "COMMIT PREPARED 'fz_streamed';",
])

W2J_1 = ["include-xids", "1", "include-timestamp", "1", "include-type-oids", "1",
         "include-pk", "1", "include-lsn", "1"]
W2J_2 = ["format-version", "2", "include-xids", "1", "include-timestamp", "1",
         "include-type-oids", "1", "include-pk", "1", "include-lsn", "1",
         "include-transaction", "1"]
TD = ["include-xids", "1", "include-timestamp", "1", "skip-empty-xacts", "1"]
PGO = ["proto_version", "3", "publication_names", "pub", "streaming", "on",
       "messages", "on", "two_phase", "on"]


def psql(sql, db=DB, quiet=True):
    """Runs sql in one session; returns its unaligned, tuples-only output."""
    argv = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", "-d", db]
    if quiet:
        argv.append("-q")
    res = subprocess.run(argv, input=sql, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"make_corpus: psql failed: {res.stderr.strip()}\n--- sql:\n{sql}")
    return res.stdout


def options_sql(opts):
    return ", ".join(f"'{o}'" for o in opts)


def peek_text(slot, opts):
    """Payloads of a text plugin: [(xid, data)], in order."""
    out = psql("SET logical_decoding_work_mem = '64kB';\n"
               "SELECT xid, encode(data, 'hex') FROM "
               f"pg_logical_slot_peek_binary_changes('{slot}', NULL, NULL, {options_sql(opts)});")
    rows = []
    for line in out.splitlines():
        xid, data = line.split("|", 1)
        data = bytes.fromhex(data)
        if b"\0" not in data:  # NUL separates payloads in a seed
            rows.append((xid, data))
    return rows


def peek_binary(slot, opts):
    out = psql("SET logical_decoding_work_mem = '64kB';\n"
               "SELECT encode(data, 'hex') FROM "
               f"pg_logical_slot_peek_binary_changes('{slot}', NULL, NULL, {options_sql(opts)});")
    return [bytes.fromhex(line) for line in out.splitlines()]


def reset_dir(target):
    path = os.path.join(CORPUS, target)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


WRITTEN = set()


def write(path, name, data):
    """Writes one seed, named after what it is and what it holds, unless
    the directory has the same bytes already. True when written."""
    digest = hashlib.sha1(data).hexdigest()[:10]
    if (path, digest) in WRITTEN:
        return False
    WRITTEN.add((path, digest))
    with open(os.path.join(path, f"{name}-{digest}"), "wb") as f:
        f.write(data)
    return True


def safe(kind):
    """A message kind as a file name: case matters to it, not to every
    file system, so lower-case kinds get a prefix."""
    return kind if kind.isupper() else "l" + kind


# --- pgoutput ---------------------------------------------------------------

class PgoReader:
    """Just enough of pgoutput to find column values: relations' type OIDs
    and the values of Insert tuples."""

    def __init__(self):
        self.rels = {}
        self.in_stream = False

    def _str(self, m, off):
        end = m.index(b"\0", off)
        return m[off:end], end + 1

    def values(self, m):
        """[(typoid, kind, bytes)] of an Insert, after noting a Relation."""
        kind = chr(m[0])
        off = 1
        if kind == "S":
            self.in_stream = True
            return []
        if kind == "E":
            self.in_stream = False
            return []
        if kind not in "RI":
            return []
        if self.in_stream:
            off += 4
        relid, = struct.unpack_from(">I", m, off)
        off += 4
        if kind == "R":
            _, off = self._str(m, off)
            _, off = self._str(m, off)
            off += 1
            ncols, = struct.unpack_from(">H", m, off)
            off += 2
            oids = []
            for _ in range(ncols):
                off += 1
                _, off = self._str(m, off)
                oid, _typmod = struct.unpack_from(">Ii", m, off)
                off += 8
                oids.append(oid)
            self.rels[relid] = oids
            return []
        off += 1  # 'N'
        ncols, = struct.unpack_from(">H", m, off)
        off += 2
        out = []
        oids = self.rels.get(relid, [])
        for i in range(ncols):
            k = chr(m[off])
            off += 1
            if k in "tb":
                n, = struct.unpack_from(">I", m, off)
                off += 4
                if i < len(oids):
                    out.append((oids[i], k, m[off:off + n]))
                off += n
        return out


def pgoutput_seeds(values_dir):
    path = reset_dir("pgoutput")
    counts = {}
    per_oid = {}

    def keep_value(oid, data):
        if per_oid.get(oid, 0) < PER_OID and \
                write(values_dir, f"oid{oid}", struct.pack(">I", oid) + data):
            per_oid[oid] = per_oid.get(oid, 0) + 1

    for opts, label in ((PGO, "text"), (PGO + ["binary", "true"], "binary")):
        reader = PgoReader()
        for m in peek_binary("fz_pgo", opts):
            for oid, k, data in reader.values(m):
                if k == "b" or values_array(oid):
                    keep_value(oid, data)
            kind = chr(m[0])
            where = "stream" if reader.in_stream and kind not in "SE" else "top"
            key = (kind, label, where)
            if counts.get(key, 0) >= PER_KIND:
                continue
            if write(path, f"{safe(kind)}-{label}-{where}", m):
                counts[key] = counts.get(key, 0) + 1
    kinds = {}
    for (kind, _, _), n in counts.items():
        kinds[kind] = kinds.get(kind, 0) + n
    return kinds


ARRAY_OIDS = set()


def values_array(oid):
    return oid in ARRAY_OIDS


# --- text plugins -----------------------------------------------------------

def group_by_txn(rows):
    """Payloads grouped into transactions, as lists, in order. A row of xid
    0 (a non-transactional message) is a group of its own."""
    groups = []
    current = None
    for xid, data in rows:
        if current is None or xid != current[0] or xid == "0":
            current = (xid, [])
            groups.append(current)
        current[1].append(data)
    return [g for _, g in groups]


def shorten(payloads, limit=12):
    """At most limit payloads of a transaction: its first ones and its last."""
    if len(payloads) <= limit:
        return payloads
    return payloads[:limit - 2] + payloads[-2:]


def text_plugin_seeds():
    w2j = reset_dir("wal2json")
    # Format 1: one payload per transaction; some seeds hold several.
    rows = peek_text("fz_w2j", W2J_1)
    payloads = [data for _, data in rows if len(data) < 8192]
    for i, data in enumerate(payloads):
        write(w2j, "f1", b"\x00" + data)
    for i in range(0, len(payloads) - 2, 3):
        write(w2j, "f1-several", b"\x00" + b"\0".join(payloads[i:i + 3]))
    # Format 2: one record per payload; one transaction per seed.
    groups = group_by_txn(peek_text("fz_w2j", W2J_2))
    for i, g in enumerate(groups):
        write(w2j, "f2", b"\x01" + b"\0".join(shorten(g)))
    if groups:
        # A callback that fails at the third event.
        write(w2j, "f2-fail3", bytes([1 | 3 << 1]) + b"\0".join(shorten(groups[0])))

    td = reset_dir("test_decoding")
    groups = group_by_txn(peek_text("fz_td", TD))
    for g in groups:
        write(td, "txn", b"\x00" + b"\0".join(shorten(g)))
    if groups:
        write(td, "txn-fail2", bytes([2 << 1]) + b"\0".join(shorten(groups[0])))


def decoderbufs_seeds():
    path = reset_dir("decoderbufs")
    out = psql("SELECT xid, encode(data, 'hex') FROM "
               "pg_logical_slot_peek_binary_changes('fz_dbufs', NULL, NULL);")
    rows = [(xid, bytes.fromhex(data)) for xid, data in
            (line.split("|", 1) for line in out.splitlines())]
    framed = lambda g: b"".join(struct.pack(">H", len(p)) + p for p in shorten(g)
                                if len(p) < 65536)
    groups = group_by_txn(rows)
    for g in groups:
        write(path, "txn", b"\x00" + framed(g))
    if groups:
        write(path, "txn-fail2", bytes([2 << 1]) + framed(groups[0]))


# --- recordings -------------------------------------------------------------

def record_seeds(walhook, endpos, tmp):
    path = reset_dir("record")
    runs = [
        ("pgoutput", "fz_rec_pgo",
         ["--publication", "pub", "-o", "messages=true", "-o", "two_phase=on"]),
        ("wal2json1", "fz_rec_w2j1", []),
        ("wal2json2", "fz_rec_w2j2", ["-o", "format-version=2"]),
        ("test_decoding", "fz_rec_td", []),
    ]
    for label, slot, opts in runs:
        rec = os.path.join(tmp, label + ".rec")
        argv = [walhook, "-d", DB, "-S", slot, "--start", "--no-loop", *opts,
                "--record", rec, "-E", endpos, "-f", os.devnull]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            sys.exit(f"make_corpus: {' '.join(argv)} exited {res.returncode}: "
                     f"{res.stderr.strip()}")
        with open(rec, "rb") as f:
            data = f.read()
        write(path, label, data)
        # The same recording cut in the middle of a frame.
        write(path, label + "-cut", data[:len(data) * 2 // 3])


# --- COPY text --------------------------------------------------------------

COPY_EXTRA = r"""
CREATE TEMP TABLE esc (a text, b text, c int, d bytea);
INSERT INTO esc VALUES (E'tab\there', E'new\nline', 1, '\x00ff'),
  (E'back\\slash', NULL, NULL, E'\\x'), ('', E'\r\b\f\v', -2, NULL),
  (E'\\N', 'N', 3, '\x5c4e');
COPY esc TO STDOUT;
"""


def copytext_seeds():
    path = reset_dir("copytext")
    tables = ["kinds", "toasty", "\"Odd \"\"Q\"\" Tab\""]
    for table in tables:
        ncols = int(psql(f"SELECT count(*) FROM pg_attribute WHERE attrelid = "
                         f"'{table}'::regclass AND attnum > 0 AND NOT attisdropped;"))
        out = psql(f"COPY (SELECT * FROM {table} ORDER BY 1 LIMIT 3) TO STDOUT;")
        lines = out.encode().rstrip(b"\n").split(b"\n")
        for line in lines:
            if len(line) < 4096:
                write(path, "row", bytes([ncols]) + line)
        write(path, "rows", bytes([ncols]) + b"\n".join(l[:4096] for l in lines))
    out = psql(COPY_EXTRA).encode().rstrip(b"\n").split(b"\n")
    for line in out:
        write(path, "escapes", bytes([4]) + line)
    write(path, "escapes-all", bytes([4]) + b"\n".join(out))


# --- values -----------------------------------------------------------------

TEXT_VALUES = [
    (1007, b"{1,2,NULL}"), (1009, b'{"a b","c,d",NULL,"\\"q\\"",""}'),
    (1007, b"[0:1]={7,8}"), (1009, b"{{a,\"b c\"},{\"\",d}}"),
    (1009, b"{}"), (1009, b"  { a , b\\,c , \"NULL\" , null }  "),
    (1007, b"[1:2][1:1]={{1},{2}}"), (1009, b"{{{{{{x}}}}}}"),
    (17, b"\\x00ff10"), (17, b"\\x 0a 0B\n"), (17, b"a\\\\b\\001\\377"),
    (25, b"-9223372036854775808"), (701, b"1.5e-300"), (701, b"-Infinity"),
    (16, b"t"),
]


def values_seeds():
    path = reset_dir("values")
    for oid, text in TEXT_VALUES:
        write(path, f"text{oid}", struct.pack(">I", oid) + text)
    return path


# --- derived from the corpora above, and a few by hand ----------------------

JSON_BY_HAND = [
    b'{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
    b'[1,-0,0.5,1e308,-1e-308,12345678901234567890,-9223372036854775808]',
    b'"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/"',
    b'{"k":"v","k":"again"}',
    b'[' * 40 + b'1' + b']' * 40,
    b'{"x":' * 20 + b'[]' + b'}' * 20,
    b'  {"spaced" : [ 1 , 2 ] }  ',
    b'{"op":"insert","new":{"id":1},"key":["id"],"lsn":"0/1"}',
]

FIXTURE_BY_HAND = [
    b'{"op":"insert","schema":"s","table":"t","xid":5,"lsn":"0/10","commit_time":'
    b'"2026-01-01 00:00:00+00","new":{"id":1,"b":true,"n":null}}\n'
    b'{"op":"update","schema":"s","table":"t","xid":5,"lsn":"0/20","new":{"id":1},"old":{"id":1}}\n',
    b'# a comment\n\n{"op":"delete","table":"t","old":{"id":2}}\n',
    b'{"op":"truncate","relations":[{"schema":"s","table":"t"}],"cascade":true}\n',
    b'{"op":"message","prefix":"p","content":"c","transactional":false}\n'
    b'{"op":"message","prefix":"p","content":"c","xid":7}\n',
    b'{"op":"read","table":"t","new":{"id":3,"drop":1}}\r\n{"op":"bogus"}\n',
]


def derived_seeds():
    """Seeds for the targets whose input is what another corpus holds, or
    what a person writes: binary (the values corpus's binary values, without
    their OID), json (the JSON documents of the wal2json corpus, and some by
    hand) and fixture (lines of users.jsonl and some by hand, each set once
    without a script and once with one: the first byte)."""
    binary = reset_dir("binary")
    values = os.path.join(CORPUS, "values")
    for name in sorted(os.listdir(values)):
        if name.startswith("oid"):
            with open(os.path.join(values, name), "rb") as f:
                write(binary, name.split("-")[0], f.read()[4:])
    json_dir = reset_dir("json")
    w2j = os.path.join(CORPUS, "wal2json")
    docs = list(JSON_BY_HAND)
    for name in sorted(os.listdir(w2j)):
        with open(os.path.join(w2j, name), "rb") as f:
            docs += [d for d in f.read()[1:].split(b"\0") if 0 < len(d) < 4096]
    for i, doc in enumerate(docs[:60]):
        write(json_dir, "doc", doc)
    fixture = reset_dir("fixture")
    with open(os.path.join(HERE, "..", "..", "lua", "examples", "users.jsonl"), "rb") as f:
        users = f.read()
    for text in [users] + FIXTURE_BY_HAND:
        write(fixture, "plain", b"\0" + text)
        write(fixture, "script", b"\1" + text)


# --- main -------------------------------------------------------------------

def main():
    if sys.argv[1:] == ["--derived"]:
        derived_seeds()  # no server: from the corpora already made
        return
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py WALHOOK (e.g. build/walhook) | make_corpus.py --derived")
    walhook = os.path.abspath(sys.argv[1])
    if not os.environ.get("PGHOST"):
        sys.exit("make_corpus: PGHOST is unset (start scripts/sandbox and source its env)")
    psql(f"DROP DATABASE IF EXISTS {DB};", db="postgres")
    psql(f"CREATE DATABASE {DB};", db="postgres")
    tmp = tempfile.mkdtemp(prefix="walhook-corpus.")
    slots = [("fz_pgo", "pgoutput", True), ("fz_w2j", "wal2json", False),
             ("fz_td", "test_decoding", True), ("fz_dbufs", "decoderbufs", False),
             ("fz_rec_pgo", "pgoutput", True),
             ("fz_rec_w2j1", "wal2json", False), ("fz_rec_w2j2", "wal2json", False),
             ("fz_rec_td", "test_decoding", False)]
    try:
        psql(SCHEMA)
        ARRAY_OIDS.update(int(x) for x in psql(
            "SELECT oid FROM pg_type WHERE typcategory = 'A';").split())
        for slot, plugin, two_phase in slots:
            psql(f"SELECT pg_create_logical_replication_slot('{slot}', '{plugin}', "
                 f"false, {str(two_phase).lower()});")
        psql(ROW1 + PHASE_A + ORIGIN)
        endpos = psql("SELECT pg_current_wal_lsn();").strip()
        psql("INSERT INTO nokey VALUES (99, 'past the end');")
        psql(PHASE_B)

        values_dir = values_seeds()
        counts = pgoutput_seeds(values_dir)
        text_plugin_seeds()
        decoderbufs_seeds()
        record_seeds(walhook, endpos, tmp)
        copytext_seeds()
        derived_seeds()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for slot, _, _ in slots:
            psql(f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                 f"WHERE slot_name = '{slot}';", db="postgres")
        psql("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin "
             "WHERE roname = 'fz_origin';", db="postgres")
        psql(f"DROP DATABASE IF EXISTS {DB};", db="postgres")
    print("pgoutput message kinds:", " ".join(f"{k}:{n}" for k, n in sorted(counts.items())))
    for target in sorted(os.listdir(CORPUS)):
        d = os.path.join(CORPUS, target)
        files = os.listdir(d)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in files)
        print(f"{target}: {len(files)} files, {size} bytes")


if __name__ == "__main__":
    main()
