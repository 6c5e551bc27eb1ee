-- replicate.lua: apply every published change to another PostgreSQL, exactly
-- once: walhook's stand-in for CREATE SUBSCRIPTION from pg1 to pg2.
--
--   walhook -d "host=pg1 dbname=source_rep user=repuser" -S walhook_slot \
--           --create-slot --snapshot --start --publication pub \
--           --set target="host=pg2 dbname=target_rep user=postgres" \
--           lua/examples/replicate.lua
--
-- --snapshot (only together with --create-slot, i.e. on the first run) first
-- copies the rows the tables already hold, as op "read"; later runs use just
-- --start and resume where the target left off.
--
-- The target needs the same tables (same names and columns; CREATE TABLE
-- them first, e.g. from pg_dump --schema-only). Each batch of source
-- transactions is applied in one target transaction together with the
-- source position reached (a replication origin "walhook_<slot>", or the
-- walhook.progress table when the role may not use origins), so a crash or
-- kill -9 anywhere neither loses nor repeats a transaction.

local walhook = require "walhook"

local conninfo = walhook.vars.target
if not conninfo then
  error("give the target database: --set target=CONNINFO")
end

local target = walhook.sink.postgres{ conninfo = conninfo }

function handle_change(c)
  target:write(c)   -- insert, update, delete, or a snapshot "read" row
  return false      -- applied: print nothing
end

function handle_truncate(t)
  target:write(t)   -- TRUNCATE the same tables on the target
end
