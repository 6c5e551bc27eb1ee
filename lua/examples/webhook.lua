-- webhook.lua: POST every change to an HTTP endpoint as JSON.
--
--   walhook -d "dbname=source_rep" -S hook_slot --create-slot --if-not-exists \
--           --start --publication pub \
--           --set url=https://example.com/ingest --set token=SECRET \
--           lua/examples/webhook.lua
--
-- Changes are sent in batches, a JSON array per request, with the header
-- "Authorization: Bearer <token>". A transaction is confirmed only once the
-- endpoint answered 2xx: network errors, 5xx and 429 are retried (10 times,
-- then walhook exits 1), any other answer stops walhook at once (exit 1).
-- Either way the unconfirmed changes are sent again at the next start, so
-- the endpoint may see a change more than once (at-least-once).

local walhook = require "walhook"

local url = walhook.vars.url or error("give the endpoint: --set url=URL")

local headers = {}
if walhook.vars.token then
  headers["Authorization"] = "Bearer " .. walhook.vars.token
end

local hook = walhook.sink.http{
  url = url,
  headers = headers,
  batch_transactions = 100,   -- at most 100 transactions a request
  batch_seconds = 1,          -- or whatever one second gathered
}

function handle_change(c)
  hook:write(c)
  return false   -- sent: nothing on stdout
end

function handle_truncate(t)
  hook:write(t)  -- {"op":"truncate","relations":[...],...}
end
