-- post.lua: POST a comment, as a browser submitting the form would.
--
-- Environment (set by scripts/bench.py, which fetched them from the
-- post page: the Set-Cookie blogd_csrf and the form's hidden input "csrf"):
--   BENCH_CSRF_COOKIE  the cookie pair, e.g. "blogd_csrf=0123..."
--   BENCH_CSRF_TOKEN   the form token
--   BENCH_POST_PATH    the post to comment on (default /2/)
-- Each request sends content=bench+<counter>&csrf=<token>. response() counts the
-- 303 answers (and anything else) so bench.py can compare them with the rows
-- the database gained: printed as "n303=N nother=N" on the BENCH line.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local cookie = os.getenv("BENCH_CSRF_COOKIE") or ""
local token = bench_urlencode(os.getenv("BENCH_CSRF_TOKEN") or "")
local path = os.getenv("BENCH_POST_PATH") or "/2/"
local headers = {
  ["Cookie"] = cookie,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

counter = 0
n303 = 0
nother = 0

function setup(thread)
  bench_setup(thread)
end

function request()
  counter = counter + 1
  -- unique over threads: thread 1 sends 1000001, 1000002, ...; thread 2 2000001, ...
  local n = (thread_id or 0) * 1000000 + counter
  return wrk.format("POST", path, headers, "content=bench+" .. n .. "&csrf=" .. token)
end

function response(status, hdrs, body)
  if status == 303 then
    n303 = n303 + 1
  else
    nother = nother + 1
  end
end

function done(summary, latency, requests)
  bench_report(summary, latency,
    string.format("n303=%d nother=%d", bench_sum("n303"), bench_sum("nother")))
end
