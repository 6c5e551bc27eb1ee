-- redis_streams.lua: every change into a Redis stream per table,
-- <prefix>.<schema>.<table>, each entry with the fields op, table, lsn,
-- xid, key (the replica identity's columns as JSON) and value (the change
-- as JSON).
--
--   walhook -d "dbname=source_rep" -S redis_slot --create-slot --if-not-exists \
--           --start --publication pub \
--           --set url=redis://127.0.0.1:6379 --set prefix=pg \
--           lua/examples/redis_streams.lua
--
-- Entry IDs come from the transaction's end LSN and the change's place in
-- it, so a change walhook sends again (after a crash or a lost
-- connection) is refused by Redis as already there: each change is in its
-- stream once. Streams are trimmed to about a million entries.
--
--   redis-cli XRANGE pg.public.test_rep - +

local walhook = require "walhook"

local streams = walhook.sink.redis{
  url = walhook.vars.url or "redis://127.0.0.1:6379",
  prefix = walhook.vars.prefix or "walhook",
  maxlen = 1000000,
}

function handle_change(c)
  streams:write(c)
  return false
end

function handle_truncate(t)
  streams:write(t)   -- into the stream of its first table
end
