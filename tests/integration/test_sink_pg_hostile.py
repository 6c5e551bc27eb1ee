#!/usr/bin/env python3
"""What a script hands the postgres sink is checked and copied, never
pointed at: a change whose fields come from an __index that makes fresh
strings and runs the garbage collector on every read is applied exactly
(under the sanitizer build, any read of a collected string fails it), and
every malformed table (a key that is not a list of column names, a table
name that is not a string, a row with a function in it, a truncate without
relations...) is an error naming what is wrong: exit 1, never a crash.

The target is a database of its own on the same server."""

import harness

PROXY = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target,
                                      progress_name = walhook.vars.progress }
-- A fresh copy of s, after a full collection. Names longer than 40 bytes
-- are not interned: each copy is a string of its own that nothing else
-- holds once the sink has it.
local function fresh(s)
  collectgarbage("collect")
  return table.concat({ s:sub(1, 1), s:sub(2) })
end
local schema, tbl = walhook.vars.schema, walhook.vars.table
local function proxy(c)
  local raw = { op = c.op, schema = schema, table = tbl }
  return setmetatable({ new = c.new, old = c.old,
                        key = { fresh("i") .. fresh("d") } }, {
    __index = function(_, k)
      local v = raw[k]
      if type(v) == "string" then return fresh(v) end
      return v
    end })
end
function handle_change(c)
  target:write(proxy(c))
  return false
end
function handle_truncate(t)
  local rels = {}
  for i, r in ipairs(t.relations) do
    local raw = { schema = schema, table = tbl }
    rels[i] = setmetatable({}, { __index = function(_, k) return fresh(raw[k]) end })
  end
  target:write(setmetatable({}, { __index = function(_, k)
    if k == "relations" then return rels end
    if k == "op" then return fresh("truncate") end
  end }))
  return false
end
'''

BAD = r'''
local target = walhook.sink.postgres{ conninfo = walhook.vars.target,
                                      progress_name = walhook.vars.progress }
local cases = {
  key_table = function(c) c.key = { {} } end,
  key_number = function(c) c.key = { 5 } end,
  key_string = function(c) c.key = "id" end,
  key_unknown = function(c) c.key = { "nosuch" } end,
  table_number = function(c) c.table = 42 end,
  table_missing = function(c) c.table = nil end,
  table_empty = function(c) c.table = "" end,
  schema_table = function(c) c.schema = {} end,
  schema_nul = function(c) c.schema = "pub\0lic" end,
  column_number = function(c) c.new[1] = 5 end,
  column_nul = function(c) c.new["na\0me"] = 1 end,
  value_function = function(c) c.new.name = print end,
  value_deep = function(c)
    local t = {} local cur = t
    for i = 1, 300 do cur[1] = {} cur = cur[1] end
    c.new.name = t
  end,
  value_cycle = function(c) local t = {} t[1] = t c.new.name = t end,
  new_string = function(c) c.new = "x" end,
  op_bad = function(c) c.op = "upsert" end,
  truncate_no_relations = function(c) c.op = "truncate" end,
  truncate_relations_string = function(c) c.op = "truncate"; c.relations = "items" end,
  truncate_relation_number = function(c) c.op = "truncate"; c.relations = { 7 } end,
  truncate_table_table = function(c) c.op = "truncate"; c.relations = { { table = {} } } end,
}
function handle_change(c)
  cases[walhook.vars.case](c)
  target:write(c)
  return false
end
'''

CASES = {
    "key_table": "write: key[1] must be a string, not a table",
    "key_number": "write: key[1] must be a string, not a number",
    "key_string": "write: key must be a list of column names, not a string",
    "key_unknown": 'write: key column "nosuch" is in neither new nor old',
    "table_number": "write: table must be a string, not a number",
    "table_missing": "write: the change has no table",
    "table_empty": "write: table is an empty string",
    "schema_table": "write: schema must be a string, not a table",
    "schema_nul": "write: schema has a NUL byte in it",
    "column_number": "write: new has a key that is a number: columns are named by strings",
    "column_nul": "write: a column name of new has a NUL byte in it",
    "value_function": "write: new.name is a function",
    "value_deep": "write: new.name holds arrays nested more than 6 deep",
    "value_cycle": "write: new.name holds arrays nested more than 6 deep",
    "new_string": "write: new must be a table of columns, not a string",
    "op_bad": "write: op must be insert, update, delete, read, truncate or ddl",
    "truncate_no_relations": "write: a truncate needs relations",
    "truncate_relations_string": "write: a truncate needs relations",
    "truncate_relation_number": "write: relations[1] is a number, not a table",
    "truncate_table_table": "write: relations[1].table must be a string, not a table",
}


def main(t):
    slot = "wh_sink_pg_hostile"
    origins = ("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
               " WHERE roname IN ('wh_hostile_proxy', 'wh_hostile_bad')")
    t.psql(origins, db="postgres")
    try:
        harness.with_target(t, slot, lambda t, target: body(t, target, slot))
    finally:
        t.psql(origins, db="postgres")


# On the target, names past 40 bytes (see PROXY).
LONG_SCHEMA = "a_schema_whose_name_is_longer_than_forty_bytes"
LONG_TABLE = "a_table_whose_name_is_longer_than_forty_bytes"


def body(t, target, slot):
    schema = "CREATE TABLE items (id int PRIMARY KEY, name text);"
    t.psql(schema + f"CREATE SCHEMA {LONG_SCHEMA};"
           f"CREATE TABLE {LONG_SCHEMA}.{LONG_TABLE} (id int PRIMARY KEY, name text);",
           db=target)
    long_name = f"{LONG_SCHEMA}.{LONG_TABLE}"
    names = ["--set", f"schema={LONG_SCHEMA}", "--set", f"table={LONG_TABLE}"]
    t.psql(schema + "CREATE PUBLICATION pub FOR TABLE items;")
    conninfo = f"dbname={target}"
    t.create_slot(slot)
    t.create_slot(f"{slot}_bad")
    t.psql("""
        INSERT INTO items VALUES (1, 'one');
        INSERT INTO items VALUES (2, 'two');
        UPDATE items SET name = 'zwei' WHERE id = 2;
        DELETE FROM items WHERE id = 1;
        INSERT INTO items VALUES (3, 'three');
    """)
    t.eq(t.rows("SELECT id, name FROM items ORDER BY id"), [["2", "zwei"], ["3", "three"]],
         "the source")
    mid = t.stop_mark("TRUNCATE items")
    t.psql("INSERT INTO items VALUES (4, 'four')")
    end = t.stop_mark("INSERT INTO items VALUES (5, 'past the end')")

    proxy = t.script("proxy.lua", PROXY)
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", mid,
               "--set", f"target={conninfo}", "--set", "progress=wh_hostile_proxy",
               *names, script=proxy)
    t.expect_exit(wh, 0)
    t.check("AddressSanitizer" not in wh.stderr, wh.describe())
    t.eq(t.rows(f"SELECT id, name FROM {long_name} ORDER BY id", db=target),
         [["2", "zwei"], ["3", "three"]], "the target after changes read through __index")
    wh = t.run("-S", slot, "--start", "--publication", "pub", "-E", end,
               "--set", f"target={conninfo}", "--set", "progress=wh_hostile_proxy",
               *names, script=proxy)
    t.expect_exit(wh, 0)
    t.check("AddressSanitizer" not in wh.stderr, wh.describe())
    t.eq(t.rows(f"SELECT id, name FROM {long_name} ORDER BY id", db=target), [["4", "four"]],
         "the target after a truncate read through __index")
    print("changes and a truncate read through __index and the collector: applied")

    bad = t.script("bad.lua", BAD)
    for case, want in CASES.items():
        # Each run stops at the first change, confirming nothing: the
        # next case starts from the same place.
        wh = t.run("-S", f"{slot}_bad", "--start", "--publication", "pub", "-E", end,
                   "--no-loop", "--set", f"target={conninfo}", "--set", f"case={case}",
                   "--set", "progress=wh_hostile_bad", script=bad)
        t.expect_exit(wh, 1)
        err = wh.stderr
        t.check(f"postgres: {want}" in err and err.startswith("walhook: in handle_change"),
                f"case {case}: expected {want!r}\n{wh.describe()}")
        t.check("AddressSanitizer" not in err and "runtime error" not in err, wh.describe())
    t.eq(t.rows("SELECT id, name FROM items ORDER BY id", db=target), [],
         "rows the bad cases applied")
    print(f"{len(CASES)} malformed changes: refused with a clear error")


harness.run("sink_pg_hostile", main)
