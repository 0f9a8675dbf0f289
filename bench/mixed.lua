-- mixed.lua: a mixed read/write workload over a blog of BENCH_POSTS posts.
--
--   90% GET /<id>/       post pages, ids drawn Zipf-like (s = BENCH_ZIPF_S, default
--                        1.0): a few hot posts and a long tail. Rank r maps to
--                        id 1 + ((r - 1) * K mod N), K coprime to N, so the hot
--                        posts are scattered over the id range.
--    5% GET /            the index (first page)
--    3% GET /comments/   latest comments
--    2% POST /<id>/      a comment on a post drawn the same way (CSRF cookie and
--                        token from BENCH_CSRF_COOKIE / BENCH_CSRF_TOKEN)
--
-- The BENCH line carries per-kind counts and the statuses seen (n200, n303,
-- nother) so bench.py can check the POSTs were stored.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local N = tonumber(os.getenv("BENCH_POSTS") or "10000")
local S = tonumber(os.getenv("BENCH_ZIPF_S") or "1.0")
local cookie = os.getenv("BENCH_CSRF_COOKIE") or ""
local token = bench_urlencode(os.getenv("BENCH_CSRF_TOKEN") or "")
local post_headers = {
  ["Cookie"] = cookie,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

local function gcd(a, b)
  while b ~= 0 do a, b = b, a % b end
  return a
end

local K = 7919
while gcd(K, N) ~= 1 do K = K + 1 end

-- cumulative distribution of ranks 1..N, weight 1/r^S
local cdf = {}
do
  local total = 0
  for r = 1, N do
    total = total + 1 / (r ^ S)
    cdf[r] = total
  end
  for r = 1, N do cdf[r] = cdf[r] / total end
end

local function zipf_id()
  local u = math.random()
  local lo, hi = 1, N
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return 1 + ((lo - 1) * K) % N
end

counter = 0
n_post, n_index, n_comments, n_form = 0, 0, 0, 0
n200, n303, nother = 0, 0, 0

function setup(thread)
  bench_setup(thread)
end

function init(args)
  -- reproducible, but a different stream per thread
  math.randomseed(4242 + 7 * (thread_id or 0))
end

function request()
  local u = math.random()
  if u < 0.05 then
    n_index = n_index + 1
    return wrk.format("GET", "/")
  elseif u < 0.08 then
    n_comments = n_comments + 1
    return wrk.format("GET", "/comments/")
  elseif u < 0.10 then
    n_form = n_form + 1
    counter = counter + 1
    local n = (thread_id or 0) * 1000000 + counter
    return wrk.format("POST", "/" .. zipf_id() .. "/", post_headers,
      "content=bench+" .. n .. "&csrf=" .. token)
  else
    n_post = n_post + 1
    return wrk.format("GET", "/" .. zipf_id() .. "/")
  end
end

function response(status, hdrs, body)
  if status == 200 then
    n200 = n200 + 1
  elseif status == 303 then
    n303 = n303 + 1
  else
    nother = nother + 1
  end
end

function done(summary, latency, requests)
  bench_report(summary, latency, string.format(
    "n200=%d n303=%d nother=%d sent_post=%d sent_index=%d sent_comments=%d sent_form=%d",
    bench_sum("n200"), bench_sum("n303"), bench_sum("nother"), bench_sum("n_post"),
    bench_sum("n_index"), bench_sum("n_comments"), bench_sum("n_form")))
end
