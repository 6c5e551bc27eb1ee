-- mask_columns_test.lua: tests for mask_columns.lua, with no database.
--
--   walhook --test lua/examples/mask_columns_test.lua --replay lua/examples/users.jsonl
--
-- prints TAP and "N passed, N failed"; exits 1 when a test fails.

local t = require "walhook.test"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local script = here .. "mask_columns.lua"

t.test("email is masked by default", function()
  local s = t.load(script)
  local out = s:feed({
    { op = "insert", schema = "public", table = "users",
      new = { id = 1, email = "ann@example.com", name = "Ann" } },
  })
  t.eq(#out, 1, "lines written")
  t.eq(out[1].new, { id = 1, email = "***", name = "Ann" }, "new row")
end)

t.test("--set columns names the masked columns; NULL stays NULL", function()
  local s = t.load(script, { vars = { columns = "email,phone" } })
  local out = s:replay()  -- the fixture given with --replay
  t.eq(#out, 4, "lines written")
  t.eq(out[1].new.phone, "***", "phone")
  t.eq(out[2].new.email, walhook.null, "a NULL email")
  t.eq(out[3].old, { id = 1 }, "old key of the update")
  t.eq(out[4].op, "delete", "last change")
end)
