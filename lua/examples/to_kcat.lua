-- to_kcat.lua: feed every change, one JSON line each, to a Kafka topic through
-- kcat (a process that reads JSON lines on its standard input).
--
--   walhook -d "dbname=source_rep" -S kafka_slot --create-slot --if-not-exists \
--           --start --publication pub \
--           --set broker=localhost:9092 --set topic=changes \
--           lua/examples/to_kcat.lua
--
-- Any command that reads JSON lines on stdin works the same way: give it
-- with --set command=..., e.g. --set command="cat >> /tmp/changes.jsonl".
--
-- The command runs under /bin/sh for as long as walhook does. walhook
-- confirms a transaction once its lines are written into the command's
-- stdin; if the command exits, walhook stops (exit 1) at its next write, and
-- a restart sends everything after the last confirmed transaction again.

local walhook = require "walhook"
local vars = walhook.vars

local command = vars.command or string.format("kcat -P -b %s -t %s",
  vars.broker or "localhost:9092", vars.topic or "walhook")

local out = walhook.sink.exec{ command = command }

function handle_change(c)
  out:write(c)
  return false
end

function handle_truncate(t)
  out:write(t)   -- {"op":"truncate","relations":[...],...}
end
