-- route_by_table.lua: write the changes of some tables to one file and of
-- other tables to another; drop the changes of every other table.
--
--   walhook -d "dbname=source_rep" -S route_slot --create-slot --if-not-exists \
--           --start --publication pub \
--           --set main=/var/log/walhook/main.jsonl \
--           --set other=/var/log/walhook/other.jsonl \
--           lua/examples/route_by_table.lua
--
-- Each file gets one JSON line per change, fsynced before walhook confirms
-- the transaction; SIGHUP reopens the files (for log rotation). On the way,
-- test_rep is renamed "main" and its column "secret" is left out.

local walhook = require "walhook"

local main  = walhook.sink.file{ path = walhook.vars.main or "main.jsonl" }
local other = walhook.sink.file{ path = walhook.vars.other or "other.jsonl" }

-- Source table -> the sink its changes go to. Tables not listed are dropped.
local routes = {
  test_rep       = main,
  test_rep_other = other,
}

-- Source table -> the name written instead.
local renames = { test_rep = "main" }

-- Source table -> columns left out.
local dropped = { test_rep = { "secret" } }

function handle_change(c)
  local sink = routes[c.table]
  if not sink then
    return false                          -- not routed: dropped
  end
  for _, column in ipairs(dropped[c.table] or {}) do
    if c.new then c.new[column] = nil end
    if c.old then c.old[column] = nil end
  end
  c.table = renames[c.table] or c.table
  sink:write(c)
  return false                            -- written to its file: not to stdout
end

-- Truncates are dropped too. (Without this hook walhook would print them
-- as JSON lines.)
function handle_truncate(t)
end
