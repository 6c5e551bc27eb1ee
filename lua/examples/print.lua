-- print.lua: show each change as one short, readable line.
--
--   walhook -d "dbname=source_rep" -S demo_slot --create-slot --if-not-exists \
--           --start --publication pub lua/examples/print.lua
--
-- prints lines such as
--   insert public.test_rep {id=1, name="data1"}
--   update public.test_rep {id=1, name="changed"} old {id=1}
--   delete public.test_rep {id=1}
-- and, when walhook stops, logs how many transactions it saw (on stderr).

local walhook = require "walhook"

local transactions = 0

-- One value, Lua-literal style: strings quoted, SQL NULL as null.
local function show(v)
  if v == walhook.null then
    return "null"
  elseif v == walhook.unchanged then
    return "<unchanged toast>"
  elseif type(v) == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end

-- A row as {col=value, ...}: the key columns first (in key order), then the
-- others by name, since a Lua table does not remember column order.
local function row(r, key)
  local names, seen = {}, {}
  for _, k in ipairs(key or {}) do
    if r[k] ~= nil then
      names[#names + 1] = k
      seen[k] = true
    end
  end
  local rest = {}
  for k in pairs(r) do
    if not seen[k] then rest[#rest + 1] = k end
  end
  table.sort(rest)
  for _, k in ipairs(rest) do names[#names + 1] = k end

  local parts = {}
  for i, k in ipairs(names) do
    parts[i] = k .. "=" .. show(r[k])
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function handle_change(c)
  local line = c.op .. " " .. c.schema .. "." .. c.table .. " "
  if c.op == "delete" then
    line = line .. row(c.old, c.key)
  else
    line = line .. row(c.new, c.key)
    if c.old then
      line = line .. " old " .. row(c.old, c.key)
    end
  end
  print(line)
  return false -- printed here: do not also print the JSON line
end

function handle_truncate(t)
  local names = {}
  for i, rel in ipairs(t.relations) do
    names[i] = rel.schema .. "." .. rel.table
  end
  print("truncate " .. table.concat(names, ", "))
  return false
end

function handle_message(m)
  print(string.format("message %s %s%s", m.prefix, show(m.content),
                      m.transactional and "" or " (not transactional)"))
  return false
end

function handle_commit(tx)
  transactions = transactions + 1
end

-- walhook.log writes to stderr, prefixed with the script's name.
function terminate(reason)
  walhook.log(string.format("%d transactions (%s)", transactions, tostring(reason)))
end
