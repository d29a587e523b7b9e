-- wrk script: the request Genesys sends for a data action call, and a machine-readable summary.
-- BENCH_SECRET and BENCH_ORG come from the environment (run.sh sets them).
wrk.method = "POST"
wrk.body = '{"userId":"1"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_SECRET") or "")
wrk.headers["ININ-Organization-Id"] = os.getenv("BENCH_ORG") or ""
wrk.headers["ININ-Home-Organization-Id"] = os.getenv("BENCH_ORG") or ""
wrk.headers["ININ-Correlation-Id"] = "0b9e2f4c-bench-4a1d-9c3e-5f7a2b8d6e10"

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
