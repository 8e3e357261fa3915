-- wrk script: cycle through the paths given after "--", report percentiles as JSON.
local paths = {}
local n = 0

init = function(args)
  for i, a in ipairs(args) do paths[i] = a end
  n = math.random(1, #paths)
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
