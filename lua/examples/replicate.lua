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
--
-- As a subscription does, the sink finds rows by the target's replica
-- identity index or primary key (else by the whole row), and applies with
-- session_replication_role = replica: ordinary triggers and foreign key
-- checks on the target do not fire, ENABLE REPLICA / ALWAYS triggers do.
-- --set replica_role=false applies as an ordinary session instead. A column
-- added mid-stream is added on the target first, as for a subscription;
-- walhook waits for it and for a target that restarts.
--
-- With the DDL capture installed on the source (walhook --install-ddl-capture)
-- and -o messages=true, --set ddl=apply runs the source's ALTER TABLE,
-- CREATE TABLE, DROP TABLE and CREATE INDEX on the target too, in the same
-- target transaction as the rows around them (see "Schema changes" in the
-- README).

local walhook = require "walhook"

local conninfo = walhook.vars.target
if not conninfo then
  error("give the target database: --set target=CONNINFO")
end

local target = walhook.sink.postgres{
  conninfo = conninfo,
  replica_role = walhook.vars.replica_role ~= "false",
  ddl = walhook.vars.ddl or "ignore",
}

function handle_change(c)
  target:write(c)   -- insert, update, delete, or a snapshot "read" row
  return false      -- applied: print nothing
end

function handle_truncate(t)
  target:write(t)   -- TRUNCATE the same tables on the target
end

function handle_ddl(d)
  target:write(d)   -- run with ddl = "apply", skipped otherwise
end
