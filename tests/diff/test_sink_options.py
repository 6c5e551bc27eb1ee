#!/usr/bin/env python3
"""The postgres sink's session role, where no subscription can be the
oracle: with `replica_role = false` (replicate.lua's --set
replica_role=false), and as a role that may not set
session_replication_role, the target's ordinary triggers fire and its
ENABLE REPLICA ones do not; the second also says so, once, on stderr. As a
superuser by default, it is the other way round (the diff harness's
triggers scenario holds that against a subscription).

Runs against a sandbox of its own (source and target databases on one
server)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402

SOURCE = """
CREATE TABLE orders (id int PRIMARY KEY, v text);
CREATE PUBLICATION pub FOR TABLE orders;
"""

TARGET = """
CREATE TABLE orders (id int PRIMARY KEY, v text);
CREATE TABLE trig_log (what text);
CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.trig_log VALUES (TG_NAME || ' ' || NEW.id); RETURN NEW; END $$;
CREATE TRIGGER ordinary AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION log_it();
CREATE TRIGGER replica AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION log_it();
ALTER TABLE orders ENABLE REPLICA TRIGGER replica;
CREATE ROLE sink_plain LOGIN;
GRANT ALL ON ALL TABLES IN SCHEMA public TO sink_plain;
"""

WARNING = "may not set session_replication_role = replica"


def main(t, sb):
    target = f"{t.db}_target"
    t.psql(f"CREATE DATABASE {target}", db="postgres")
    t.psql(SOURCE)
    t.psql(TARGET, db=target)
    t.psql(f"GRANT CREATE ON DATABASE {target} TO sink_plain", db="postgres")
    script = os.path.normpath(os.path.join(HERE, "..", "..", "lua", "examples", "replicate.lua"))
    runs = [
        # slot, --set pairs, the trigger that fires, whether walhook warns
        ("wh_opt_super", [f"target=dbname={target}"], "replica", False),
        ("wh_opt_off", [f"target=dbname={target}", "replica_role=false"], "ordinary", False),
        ("wh_opt_plain", [f"target=dbname={target} user=sink_plain"], "ordinary", True),
    ]
    for slot, _, _, _ in runs:
        t.create_slot(slot)
    t.psql("INSERT INTO orders VALUES (1, 'a'), (2, 'b'); INSERT INTO orders VALUES (3, 'c')")
    end = t.stop_mark("INSERT INTO orders VALUES (100, 'past the end')")
    for slot, sets, fires, warns in runs:
        t.psql("TRUNCATE orders, trig_log", db=target)
        args = ["-S", slot, "--start", "--publication", "pub", "-E", end]
        for kv in sets:
            args += ["--set", kv]
        wh = t.run(*args, script=script)
        t.expect_exit(wh, 0)
        t.eq(t.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM orders", db=target),
             "1,2,3", f"{slot}: the rows applied")
        t.eq(t.psql("SELECT string_agg(what, ',' ORDER BY what) FROM trig_log", db=target),
             f"{fires} 1,{fires} 2,{fires} 3", f"{slot}: the triggers that fired")
        t.eq(wh.stderr.count(WARNING), 1 if warns else 0,
             f"{slot}: warnings about session_replication_role\n{wh.stderr}")


harness.run_sandboxed("sink_options", main)
