-- wrk script: cycle through the paths given after "--", report percentiles as JSON.
local paths = {}
local n = 0
local threads = 0

setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end

init = function(args)
  for i, a in ipairs(args) do paths[i] = a end
  -- each thread starts at its own place: paths read once stay read once
  n = (id or 0) * math.floor(#paths / 4) + math.random(1, 7)
end

request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "errors": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
