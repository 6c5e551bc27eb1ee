-- nats_subjects.lua: every change to NATS JetStream as a Debezium event,
-- on the subject <prefix>.<schema>.<table>.<op>, so that consumers pick
-- what they want by subject (pg.public.orders.* or pg.*.*.delete).
--
--   nats stream add PG --subjects 'pg.>' --dupe-window 2m     # once
--   walhook -d "dbname=source_rep" -S nats_slot --create-slot --if-not-exists \
--           --start --publication pub \
--           --set url=nats://127.0.0.1:4222 --set prefix=pg \
--           lua/examples/nats_subjects.lua
--
-- A transaction is confirmed once JetStream has acknowledged every
-- message of it. Each message carries Nats-Msg-Id <slot>:<end lsn>:<n>:
-- what walhook sends again after a crash or a lost connection is dropped
-- by the stream while its duplicate window lasts (2 minutes by default).

local walhook = require "walhook"
local prefix = walhook.vars.prefix or "walhook"

local js = walhook.sink.nats{
  url = walhook.vars.url or "nats://127.0.0.1:4222",
  format = "debezium",
  subject = function(c)
    return string.format("%s.%s.%s.%s", prefix, c.schema, c.table, c.op)
  end,
}

function handle_change(c)
  js:write(c)
  return false
end

function handle_truncate(t)
  return false   -- dropped: Debezium consumers seldom want them
end
