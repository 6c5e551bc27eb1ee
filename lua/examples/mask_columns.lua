-- mask_columns.lua: hide sensitive columns before changes leave the database.
--
--   walhook -d "dbname=source_rep" -S myslot --start --publication pub \
--           --set columns=email,phone lua/examples/mask_columns.lua
--
-- Every column named in --set columns (default: email) is replaced by "***"
-- in new and old rows; NULLs stay NULL. Everything else passes unchanged.

local walhook = require "walhook"

local masked = {}
for name in (walhook.vars.columns or "email"):gmatch("[^,%s]+") do
  masked[name] = true
end

local function mask(row)
  if not row then return end
  for name, value in pairs(row) do
    if masked[name] and value ~= walhook.null and value ~= walhook.unchanged then
      row[name] = "***"
    end
  end
end

function handle_change(c)
  mask(c.new)
  mask(c.old)
  -- returning nothing keeps the (now masked) change
end
