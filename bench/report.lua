-- wrk reports what bench/run.py reads: requests, seconds, p50/p95/p99 (microseconds), errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %f %d %d %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
