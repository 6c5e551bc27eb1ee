-- walhook.test: unit tests for walhook scripts, run by `walhook --test FILE`.
--
-- A test file registers tests with t.test(name, fn); walhook runs them in
-- order, prints TAP and a last line "N passed, N failed", and exits 1 when
-- a test failed. t.load (written in C) gives a script under test in a Lua
-- state of its own, fed with events or a recording, returning what it wrote.

local walhook = require "walhook"

local M = {}
local tests = {}

function M.test(name, fn)
  assert(type(name) == "string", "t.test(name, fn): name must be a string")
  assert(type(fn) == "function", "t.test(name, fn): fn must be a function")
  tests[#tests + 1] = { name = name, fn = fn }
end

-- A value as a person reads it in a failure message.
local function show(v)
  if v == walhook.null then return "null" end
  if v == walhook.unchanged then return "unchanged" end
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "table" then
    local ok, text = pcall(walhook.json.encode, v)
    if ok then return text end
  end
  return tostring(v)
end

-- Where two values differ ("" when they do not); tables compare by content.
local function diff(a, b, path)
  if type(a) ~= "table" or type(b) ~= "table" then
    if a == b then return "" end
    return string.format("%s: expected %s, got %s", path, show(b), show(a))
  end
  for k, v in pairs(b) do
    local d = diff(a[k], v, path .. "." .. tostring(k))
    if d ~= "" then return d end
  end
  for k, v in pairs(a) do
    if b[k] == nil then
      return string.format("%s.%s: not expected, got %s", path, tostring(k), show(v))
    end
  end
  return ""
end

function M.eq(actual, expected, what)
  local d = diff(actual, expected, what or "value")
  if d ~= "" then error(d, 2) end
end

function M.ok(value, what)
  if not value then error((what or "expected a true value") .. ", got " .. show(value), 2) end
end

function M.fail(what)
  error(what or "failed", 2)
end

-- The failure and where it happened in the test file: the traceback
-- without the frames of this module and of error() itself.
local function report(err)
  local lines = {}
  for line in debug.traceback(tostring(err), 2):gmatch("[^\n]+") do
    if not line:find("walhook/test.lua", 1, true) and not line:find("%[C%]") then
      lines[#lines + 1] = line
    end
  end
  return table.concat(lines, "\n")
end

-- Called by walhook once the test file has run.
function M.run()
  local passed, failed = 0, 0
  for i, t in ipairs(tests) do
    local ok, err = xpcall(t.fn, report)
    if ok then
      passed = passed + 1
      print(string.format("ok %d - %s", i, t.name))
    else
      failed = failed + 1
      print(string.format("not ok %d - %s", i, t.name))
      for line in tostring(err):gmatch("[^\n]+") do print("#   " .. line) end
    end
  end
  print(string.format("1..%d", #tests))
  print(string.format("%d passed, %d failed", passed, failed))
  return failed == 0
end

return M
