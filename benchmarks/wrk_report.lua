-- wrk prints one JSON line at the end: requests, seconds, errors and latency percentiles (ms).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f}\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
