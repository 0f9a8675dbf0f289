-- junk.lua: the second client of the flood scenarios: GETs of BENCH_SIDE_PATH (default /2/)
-- with a new junk query string on every request, as a client flooding the page cache would
-- send them (tracking parameters, made-up names, unreadable cursors), or, with BENCH_JUNK=0,
-- the plain path every time (the reference: the same client reading a cached page). Both
-- build each request in request(), so the two cost the client the same.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local path = os.getenv("BENCH_SIDE_PATH") or "/2/"
local junk = (os.getenv("BENCH_JUNK") or "1") ~= "0"
counter = 0

function setup(thread)
  bench_setup(thread)
end

function init(args)
  -- a different stream per thread and per run, so no query string comes back
  math.randomseed(os.time() * 1000 + 7 * (thread_id or 0))
end

function request()
  counter = counter + 1
  if not junk then
    -- built anew like the junk ones, so both clients do the same work per request
    return wrk.format("GET", path .. "")
  end
  local n = (thread_id or 0) * 100000000 + counter
  local r = math.random(1, 2147483646)
  local k = counter % 4
  local q
  if k == 0 then
    q = "utm_source=" .. n .. "-" .. r
  elseif k == 1 then
    q = "utm_source=news&utm_medium=" .. r .. "&fbclid=" .. n
  elseif k == 2 then
    q = "x" .. r .. "=" .. n
  else
    q = "after=x" .. n .. "&before=" .. r .. "y" -- cursors that do not read as ids
  end
  return wrk.format("GET", path .. "?" .. q)
end

function done(summary, latency, requests)
  bench_report(summary, latency, string.format("sent=%d", bench_sum("counter")))
end
