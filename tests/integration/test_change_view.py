#!/usr/bin/env python3
"""The change handle_change gets is a view: it acts as its table (reads,
writes, pairs, next, #, json.encode, return c, inside a coroutine too),
keeps the same row table
at every read, may be kept past the hook, and a kept change is written
the same bytes whether the view was made whole or not, and whether it is
returned or handed to a file sink. A fixture's change (--replay of JSON
lines) is a view too."""

import os
import subprocess

import harness

SCHEMA = """
CREATE TABLE shapes (id int PRIMARY KEY, name text, price numeric, ratio float8,
                     ok bool, raw bytea, tags int[], empty int[], doc text);
ALTER TABLE shapes ALTER COLUMN doc SET STORAGE EXTERNAL;
CREATE TABLE whole (id int, name text);
ALTER TABLE whole REPLICA IDENTITY FULL;
CREATE PUBLICATION pub FOR TABLE shapes, whole;
"""

WORKLOAD = """
INSERT INTO shapes VALUES (1, 'one', 12.50, 0.1, true, '\\x00ff', '{1,NULL,3}', '{}', repeat('x', 9000)),
                          (2, NULL, NULL, 'NaN', false, NULL, NULL, NULL, NULL);
BEGIN;
UPDATE shapes SET name = 'uno' WHERE id = 1;
UPDATE shapes SET id = 3 WHERE id = 2;
INSERT INTO whole VALUES (1, 'a'), (2, 'b');
UPDATE whole SET name = 'c' WHERE id = 1;
DELETE FROM whole WHERE id = 2;
DELETE FROM shapes WHERE id = 3;
COMMIT;
"""

# Kept as the view is: written without making its table.
AS_IS = "function handle_change(c) return true end\n"
# The same changes made whole first (pairs), then written as tables are.
WHOLE = "function handle_change(c) for _ in pairs(c) do end return true end\n"
# Handed to a file sink as they are, and, rows read first, made whole.
ROUTED = """
local s = walhook.sink.file{ path = walhook.vars.path }
function handle_change(c)
  if walhook.vars.read == "rows" then local _ = c.new, c.old, c.key end
  if walhook.vars.read == "all" then for _ in pairs(c) do end end
  s:write(c)
  return false
end
"""

BEHAVES = r'''
local enc = walhook.json.encode
local kept, seen = {}, 0
local function say(t) print(enc(t)) end
function handle_change(c)
  seen = seen + 1
  local first = seen == 1
  kept[#kept + 1] = c
  if first then
    say{ type = type(c), meta = getmetatable(c), len = #c,
         same_row = rawequal(c.new, c.new), missing = c.nothing == nil,
         raw = pcall(rawget, c, "op") }
    local keys = {}
    for k in pairs(c) do keys[#keys + 1] = k end
    table.sort(keys)
    say{ pairs = keys, next = next(c) ~= nil }
    c.tag = "mine"
    c.commit_time = nil
    return c
  end
  if seen == 2 then
    -- read, and made whole, inside a coroutine: another Lua stack
    say{ coroutine = { coroutine.wrap(function()
      local id, op = c.new.id, c.op
      local keys = 0
      for _ in pairs(c) do keys = keys + 1 end
      return id, op, keys
    end)() } }
  end
  if c.op == "update" and c.new then c.new.name = "masked" end
  return c.op ~= "delete"
end
function handle_commit(tx)
  -- every change of the transaction, read after all of them went by
  for _, c in ipairs(kept) do say{ later = { op = c.op, id = (c.new or c.old).id, lsn = c.lsn } } end
  kept = {}
end
'''


def main(t):
    t.psql(SCHEMA)
    routes = ("none", "rows", "all")
    for slot in ["wh_view_as_is", "wh_view_whole", "wh_view_behaves"] + \
            ["wh_view_routed_" + r for r in routes]:
        t.create_slot(slot)
    t.psql(WORKLOAD)
    endpos = t.stop_mark("INSERT INTO shapes (id) VALUES (99)")

    outputs = {}
    for name, text in (("as_is", AS_IS), ("whole", WHOLE)):
        script = t.script(name + ".lua", text)
        wh = t.run("-S", "wh_view_" + name, "--start", "--publication", "pub",
                   "-E", endpos, script=script)
        t.expect_exit(wh, 0)
        outputs[name] = wh.lines
    t.eq(len(outputs["as_is"]), 9, "changes kept")
    t.eq(outputs["as_is"], outputs["whole"],
         "a view written as it is, and made whole first: the same lines")

    script = t.script("routed.lua", ROUTED)
    for read in routes:
        path = os.path.join(t.tmp, f"routed-{read}.jsonl")
        wh = t.run("-S", "wh_view_routed_" + read, "--start", "--publication",
                   "pub", "-E", endpos, "--set", "path=" + path,
                   "--set", "read=" + read, script=script)
        t.expect_exit(wh, 0)
        with open(path) as f:
            t.eq(f.read().splitlines(), outputs["as_is"],
                 f"a view handed to a file sink ({read} read first): "
                 "the lines it is written as when returned")

    script = t.script("behaves.lua", BEHAVES)
    wh = t.run("-S", "wh_view_behaves", "--start", "--publication", "pub",
               "-E", endpos, script=script)
    t.expect_exit(wh, 0)
    recs = wh.records()
    t.eq(recs[0], {"type": "userdata", "meta": "walhook.change", "len": 0,
                   "same_row": True, "missing": True, "raw": False},
         "what a view is")
    t.eq(recs[1], {"pairs": ["commit_time", "key", "lsn", "new", "op", "relid",
                             "schema", "table", "xid"], "next": True},
         "pairs and next see the change's fields")
    t.eq(recs[3], {"coroutine": [2, "insert", 9]}, "a view read inside a coroutine")
    t.eq(recs[2].get("tag"), "mine", "an assigned field is kept")
    t.check("commit_time" not in recs[2], "a field assigned nil is gone")
    t.eq(recs[2]["new"]["tags"], [1, None, 3], "an array column")
    changes = [r for r in recs if "op" in r]
    updates = [r for r in changes if r["op"] == "update"]
    t.eq([u["new"].get("name") for u in updates], ["masked"] * 3,
         "a row changed through the view is what is written")
    t.eq([r["op"] for r in changes if r["op"] == "delete"], [],
         "false drops")
    later = [r["later"] for r in recs if "later" in r]
    t.eq([(l["op"], l["id"]) for l in later],
         [("insert", 1), ("insert", 2), ("update", 1), ("update", 3),
          ("insert", 1), ("insert", 2), ("update", 1), ("delete", 2),
          ("delete", 3)],
         "changes kept past their hook still read as they were")
    t.check(all(isinstance(l["lsn"], str) for l in later), f"lsn of each: {later}")

    fixture = t.script("fixture.jsonl", '{"op":"insert","schema":"public",'
                       '"table":"t","relid":1,"key":["id"],"lsn":"0/1",'
                       '"xid":5,"new":{"id":1,"name":"a"}}\n')
    script = t.script("fixture.lua", r'''
function handle_change(c)
  print(walhook.json.encode{ type = type(c), meta = getmetatable(c),
                             raw = pcall(rawget, c, "op") })
  c.new.name = "b"
  return c
end
''')
    res = subprocess.run([t.walhook_path, "--replay", fixture, script],
                         capture_output=True, text=True, timeout=60)
    t.eq((res.returncode, res.stdout.splitlines()),
         (0, ['{"meta":"walhook.change","raw":false,"type":"userdata"}',
              '{"op":"insert","schema":"public","table":"t","relid":1,'
              '"key":["id"],"lsn":"0/1","xid":5,"new":{"id":1,"name":"b"}}']),
         f"a fixture's change is a view (stderr: {res.stderr})")


harness.run("change_view", main)
