-- get.lua: a plain GET of the URL given to wrk; only adds the machine-readable
-- summary line (see report.lua) for scripts/bench.py.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

function done(summary, latency, requests)
  bench_report(summary, latency)
end
