-- Printed by wrk at the end of a run: latency percentiles in microseconds, read by bench/load.py.
done = function(summary, latency, requests)
  io.write(string.format("BENCH-LATENCY p50=%d p90=%d p95=%d p99=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99)))
end
