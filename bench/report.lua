-- report.lua: shared by the wrk scripts of scripts/bench.py (loaded with dofile).
--
-- bench_report(summary, latency, extra) prints one machine-readable line that
-- bench.py parses (wrk's own --latency text is kept in the log for people):
--   BENCH requests=N duration_us=N rps=X p50_us=N p99_us=N errors=N non2xx3xx=N [extra]
-- "errors" counts socket errors (connect, read, write, timeout) plus HTTP
-- statuses above 399; extra is a string of further key=value pairs.

function bench_report(summary, latency, extra)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local rps = 0
  if secs > 0 then rps = summary.requests / secs end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.2f p50_us=%d p99_us=%d errors=%d sockerr=%d status=%d%s\n",
    summary.requests, summary.duration, rps,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status,
    e.connect + e.read + e.write + e.timeout, e.status,
    extra and (" " .. extra) or ""))
end

-- Thread bookkeeping: setup() is called once per wrk thread in the main Lua
-- state, so done() (also run there) can read each thread's counters.
bench_threads = {}

function bench_setup(thread)
  thread:set("thread_id", #bench_threads + 1)
  table.insert(bench_threads, thread)
end

-- Sum a global counter over every thread.
function bench_sum(name)
  local n = 0
  for _, t in ipairs(bench_threads) do
    n = n + (t:get(name) or 0)
  end
  return n
end

-- application/x-www-form-urlencoded value
function bench_urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end
