#!/usr/bin/env python3
"""--install-ddl-capture: schema changes reach handle_ddl in transaction
order, between the rows around them (ADD, DROP and RENAME COLUMN, CREATE
TABLE, a table added to the publication), inside a streamed transaction
too, and never handle_message; the default output writes them as lines; a
walhook.ddl message that is not the trigger's JSON stops walhook naming
its LSN; the postgres sink with ddl = "apply" keeps the target's schema
and rows equal to the source's; uninstalling leaves nothing behind; the
README shows the SQL walhook runs."""

import os
import subprocess

import harness

BIG = 3000

RECORD = r'''
local enc = walhook.json.encode
function handle_change(c)
  print(enc({op = c.op, table = c.table, new = c.new, xid = c.xid}))
  return false
end
function handle_ddl(d)
  print(enc({op = d.op, tag = d.tag, object_type = d.object_type,
             identity = d.identity, schema = d.schema, statement = d.statement,
             command = d.command, lsn = d.lsn, xid = d.xid,
             commit_time = d.commit_time}))
end
function handle_message(m)
  print(enc({op = "message", prefix = m.prefix}))
end
'''

WORKLOAD = """
    INSERT INTO t VALUES (1, 'one');
    ALTER TABLE t ADD COLUMN c int;
    INSERT INTO t VALUES (2, 'two', 20);
    BEGIN;
    INSERT INTO t VALUES (3, 'three', 30);
    ALTER TABLE t RENAME COLUMN c TO d;
    INSERT INTO t VALUES (4, 'four', 40);
    COMMIT;
    ALTER TABLE t DROP COLUMN name;
    INSERT INTO t VALUES (5, 50);
    CREATE TABLE u (id int PRIMARY KEY, v text);
    ALTER PUBLICATION pub ADD TABLE u;
    INSERT INTO u VALUES (1, 'u1');
    UPDATE t SET d = 51 WHERE id = 5;
"""

# What the workload reaches the hooks as: ("ddl", tag, object_type,
# identity) or (op, table, id).
EXPECTED = [
    ("insert", "t", 1),
    ("ddl", "ALTER TABLE", "table", "public.t"),
    ("insert", "t", 2),
    ("insert", "t", 3),
    ("ddl", "ALTER TABLE", "table column", "public.t.d"),
    ("insert", "t", 4),
    ("ddl", "ALTER TABLE", "table column", "public.t.name"),
    ("ddl", "ALTER TABLE", "table", "public.t"),
    ("insert", "t", 5),
    ("ddl", "CREATE TABLE", "table", "public.u"),
    ("ddl", "CREATE INDEX", "index", "public.u_pkey"),
    ("ddl", "ALTER PUBLICATION", "publication relation",
     "public.u in publication pub"),
    ("insert", "u", 1),
    ("update", "t", 5),
]


def summary(recs):
    out = []
    for r in recs:
        if r["op"] == "ddl":
            out.append(("ddl", r["tag"], r["object_type"], r["identity"]))
        elif r["op"] == "message":
            out.append(("message", r["prefix"]))
        else:
            out.append((r["op"], r["table"], r["new"]["id"]))
    return out


def install(t, *extra):
    wh = t.run("--install-ddl-capture", *extra)
    t.expect_exit(wh, 0)


def in_order(t):
    """The workload through handle_ddl and handle_change, in order."""
    t.psql("""
        CREATE TABLE t (id int PRIMARY KEY, name text);
        CREATE PUBLICATION pub FOR TABLE t;
    """)
    install(t)
    install(t)  # twice is the same as once
    t.eq(t.scalar("SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'walhook%'"),
         "2", "event triggers after installing twice")
    slot = "wh_ddl_order"
    t.create_slot(slot)
    # The same stream again for default_output and text_plugin.
    t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', 'wh_ddl_lines')")
    t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', 'wh_ddl_text', false,"
           " 'test_decoding')")
    for copy in ("wh_ddl_apply", "wh_ddl_refused"):
        t.psql(f"SELECT pg_copy_logical_replication_slot('{slot}', '{copy}')")
    t.psql(WORKLOAD)
    endpos = t.stop_mark("INSERT INTO t VALUES (99, 99)")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
               "-E", endpos, script=t.script("rec.lua", RECORD))
    t.expect_exit(wh, 0)
    recs = wh.records()
    t.eq(summary(recs), EXPECTED, "hooks in transaction order")
    ddl = [r for r in recs if r["op"] == "ddl"]
    add = ddl[0]
    t.eq((add["statement"], add["schema"], add["command"]),
         ("ALTER TABLE t ADD COLUMN c int;", "public", 1), "the ADD COLUMN's fields")
    t.eq([(d["tag"], d["command"]) for d in ddl[2:4]],
         [("ALTER TABLE", 1), ("ALTER TABLE", 2)],
         "a DROP COLUMN's two commands, numbered")
    t.check("schema" not in ddl[6], f"a publication relation has no schema: {ddl[6]!r}")
    inside = [r for r in recs if r["op"] != "ddl" and r["new"]["id"] in (3, 4)]
    t.eq({r["xid"] for r in inside}, {ddl[1]["xid"]},
         "the RENAME's xid is that of the rows around it")
    t.check(all(d.get("commit_time") for d in ddl), "every ddl has a commit_time")
    harness.parse_lsn(ddl[0]["lsn"])
    return endpos


def default_output(t, endpos):
    """No script: the same as JSON lines."""
    slot = "wh_ddl_lines"
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
               "-E", endpos)
    t.expect_exit(wh, 0)
    recs = wh.records()
    ops = [r["op"] for r in recs]
    t.eq(ops.count("ddl"), sum(e[0] == "ddl" for e in EXPECTED), "ddl lines")
    t.eq(ops.count("message"), 0, "no message lines")
    first = next(r for r in recs if r["op"] == "ddl")
    t.eq(sorted(first), sorted(["op", "tag", "object_type", "identity", "schema",
                                "statement", "command", "lsn", "xid", "commit_time"]),
         "a ddl line's members")
    # The lines replay through handle_ddl (--replay of JSON lines).
    lines = os.path.join(t.tmp, "ddl.jsonl")
    with open(lines, "w") as f:
        f.write("".join(line + "\n" for line in wh.lines if '"op":"ddl"' in line))
    replay = t.run("--replay", lines, script=t.script("rec.lua", RECORD))
    t.expect_exit(replay, 0)
    t.eq(summary(replay.records()), [e for e in EXPECTED if e[0] == "ddl"],
         "ddl lines replayed through handle_ddl")


def text_plugin(t, endpos):
    """test_decoding's messages take the same route."""
    wh = t.run("-S", "wh_ddl_text", "--start", "-P", "test_decoding", "-E", endpos,
               script=t.script("rec.lua", RECORD))
    t.expect_exit(wh, 0)
    t.eq([s for s in summary(wh.records()) if s[0] == "ddl"],
         [e for e in EXPECTED if e[0] == "ddl"], "test_decoding's ddl")


SCHEMA_OF = """
    SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name IN ('t', 'u')
     ORDER BY table_name, ordinal_position
"""
INDEXES_OF = """
    SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1
"""


def replicate(t, slot, target, endpos, expect_exit):
    example = os.path.join(t.examples, "replicate.lua")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
               "-E", endpos, "--no-loop", "--set", f"target=dbname={target}",
               "--set", "ddl=apply", script=example)
    t.expect_exit(wh, expect_exit)
    return wh


def applied(t, endpos):
    """ddl = "apply": the target's schema and rows follow the source's."""
    def body(t, target):
        t.psql("CREATE TABLE t (id int PRIMARY KEY, name text)", db=target)
        replicate(t, "wh_ddl_apply", target, endpos, 0)
        t.eq(t.rows(SCHEMA_OF, db=target), t.rows(SCHEMA_OF), "the target's columns")
        t.eq(t.rows(INDEXES_OF, db=target), t.rows(INDEXES_OF), "the target's indexes")
        for table in ("t", "u"):
            rows = f"SELECT * FROM {table} WHERE id <> 99 ORDER BY id"
            t.eq(t.rows(rows, db=target), t.rows(rows), f"the target's rows of {table}")
    harness.with_target(t, "wh_ddl_apply", body)


def refused(t, endpos):
    """A statement the target refuses stops the sink with its message."""
    def body(t, target):
        t.psql("CREATE TABLE t (id int PRIMARY KEY, name text);"
               " CREATE TABLE u (id int)", db=target)
        wh = replicate(t, "wh_ddl_refused", target, endpos, 1)
        t.check("applying CREATE TABLE public.u" in wh.stderr and
                'relation "u" already exists' in wh.stderr,
                "the target's refusal in walhook's error:\n" + wh.stderr)
    harness.with_target(t, "wh_ddl_refused", body)


def streamed(t):
    """An ALTER TABLE inside a transaction streamed in chunks comes at its
    place between the rows, when the transaction commits."""
    slot = "wh_ddl_stream"
    t.create_slot(slot)
    t.psql(f"""
        BEGIN;
        INSERT INTO u SELECT g, repeat('x', 200) FROM generate_series(100, 100 + {BIG}) g;
        ALTER TABLE u ADD COLUMN w int;
        INSERT INTO u VALUES (-1, 'after', 7);
        COMMIT;
    """)
    endpos = t.stop_mark("INSERT INTO t VALUES (98, 98)")
    conninfo = f"dbname={t.db} options='-c logical_decoding_work_mem=64kB'"
    proc = harness.Walhook([t.walhook_path, "-d", conninfo, "-S", slot, "--start",
                            "--publication", "pub", "-o", "messages=true",
                            "-o", "streaming=on", "-E", endpos,
                            t.script("rec.lua", RECORD)])
    t.procs.append(proc)
    proc.wait()
    t.expect_exit(proc, 0)
    s = summary(proc.records())
    t.eq(len(s), BIG + 3, "the streamed transaction's hooks")
    t.eq(s[BIG + 1], ("ddl", "ALTER TABLE", "table", "public.u"),
         "the ALTER TABLE after the big insert")
    t.eq(s[BIG + 2], ("insert", "u", -1), "the row after it")


def malformed(t):
    """A hand-made walhook.ddl message that is not the trigger's JSON."""
    slot = "wh_ddl_bad"
    t.create_slot(slot)
    lsn = t.scalar("SELECT pg_logical_emit_message(true, 'walhook.ddl', '{\"tag\": 1}')")
    endpos = t.stop_mark("INSERT INTO t VALUES (97, 97)")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-o", "messages=true",
               "-E", endpos, "--no-loop")
    t.expect_exit(wh, 1)
    t.check(f"walhook.ddl message at {lsn}" in wh.stderr and
            "\"tag\" must be a string" in wh.stderr,
            "the error names the message, its LSN and what is wrong:\n" + wh.stderr)


def uninstall(t):
    before = t.scalar("SELECT count(*) FROM pg_proc")
    wh = t.run("--uninstall-ddl-capture")
    t.expect_exit(wh, 0)
    t.eq(t.scalar("SELECT count(*) FROM pg_event_trigger"), "0", "event triggers left")
    t.eq(t.scalar("SELECT count(*) FROM pg_proc WHERE proname LIKE 'walhook%'"), "0",
         "functions left")
    t.eq(int(t.scalar("SELECT count(*) FROM pg_proc")), int(before) - 1,
         "exactly the one function removed")
    slot = "wh_ddl_after"
    t.create_slot(slot, "test_decoding")
    t.psql("ALTER TABLE t ADD COLUMN e int")
    t.eq(t.scalar(f"SELECT count(*) FROM pg_logical_slot_peek_changes('{slot}', NULL, NULL)"
                  " WHERE data LIKE 'message%'"), "0", "messages after uninstalling")
    wh = t.run("--uninstall-ddl-capture")
    t.expect_exit(wh, 0)


def readme_shows_the_sql(t):
    out = subprocess.run([t.walhook_path, "--print-ddl-capture-sql"],
                         capture_output=True, text=True, timeout=10)
    t.eq(out.returncode, 0, "--print-ddl-capture-sql's exit")
    readme = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
    with open(readme) as f:
        text = f.read()
    t.check("```sql\n" + out.stdout + "```\n" in text,
            "README's \"Schema changes\" shows what --print-ddl-capture-sql prints")


def main(t):
    readme_shows_the_sql(t)
    endpos = in_order(t)
    default_output(t, endpos)
    text_plugin(t, endpos)
    applied(t, endpos)
    refused(t, endpos)
    streamed(t)
    malformed(t)
    uninstall(t)


harness.run("ddl_capture", main)
