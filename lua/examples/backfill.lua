-- backfill.lua: read tables again while the stream flows, asked for by
-- the script rather than the command line.
--
--   walhook -d "dbname=source_rep" -S demo_slot --start --publication pub \
--           -o messages=true --set tables=public.orders,public.users \
--           --set where="created > now() - interval '1 day'" --set chunk=500 \
--           lua/examples/backfill.lua
--
-- At every connect, each table of --set tables (schema.table, comma
-- separated) that walhook knows no backfill of yet (walhook.stats() has
-- those of the state file too) is asked for, with --set where and --set
-- chunk if given: so each is read once, not again after a restart. A
-- refused table (no primary key, not in the publication) is logged.
-- Changes and read rows go to the output as JSON lines; when walhook
-- stops, each backfill's state is logged.

local walhook = require "walhook"

function handle_connect(info)
  local known = walhook.stats().backfills
  for table in string.gmatch(walhook.vars.tables or "", "[^,]+") do
    if not known[table] then
      local ok, why = walhook.backfill{
        table = table,
        where = walhook.vars.where,
        chunk = tonumber(walhook.vars.chunk),
      }
      if not ok then
        walhook.log("not backfilled: " .. why)
      end
    end
  end
end

function terminate(reason)
  for table, b in pairs(walhook.stats().backfills) do
    walhook.log(string.format("%s: %s, %d rows in %d chunks", table, b.state,
                              b.rows, b.chunks))
  end
end
