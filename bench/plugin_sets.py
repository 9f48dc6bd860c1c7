"""The two deployments the plugins-overhead benchmarks compare, and the endpoints they hit:
`neither` loads hello-c only, `both` adds metrics and ratelimit.

- `GET /api/v1/health`: metered by metrics, exempt from rate limiting (as health checks are);
- `GET /api/v1/hello` (hello-c, inline): metered and rate limited: one client key (so every
  request takes the same shard lock) sending faster than its quota refills (33,333/s), so
  its bucket is never full and the key stays in the table as a busy client's would, while the
  burst of 10 million lasts a run of a few minutes (plugins_overhead.py refuses a run that
  got any 429).
"""
BOTH = ["libPatternMetrics.so", "libPatternRateLimit.so", "libhello_c.so"]
NEITHER = ["libhello_c.so"]
CONFIG = """
[metrics]
access = "open"
[ratelimit.default]
requests = 10000000
window_seconds = 300
burst = 10000000
"""
ENDPOINTS = ["/api/v1/health", "/api/v1/hello"]
