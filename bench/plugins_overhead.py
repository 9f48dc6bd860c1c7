#!/usr/bin/env python3
"""What the metrics and ratelimit plugins cost per request: wrk against two release servers
started side by side, one with both plugins and one with neither (each also loads hello-c),
in alternating rounds, medians. Two endpoints:

- `GET /api/v1/health`: metered by metrics, exempt from rate limiting (as health checks are);
- `GET /api/v1/hello` (hello-c, inline): metered and rate limited: one client key (so every
  request takes the same shard lock) spending a burst of 10 million that the run never
  exhausts, so the key stays in the table as a busy client's would.

Writes bench/results/plugins-overhead.md and regenerates BENCHMARKS.md.

usage: bench/plugins_overhead.py [--rounds 3] [--duration 8] [--connections 64] [--scratch-path DIR]
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BOTH = ["libPatternMetrics.so", "libPatternRateLimit.so", "libhello_c.so"]
NEITHER = ["libhello_c.so"]
CONFIG = """
[metrics]
access = "open"
[ratelimit.default]
requests = 10000000
window_seconds = 3600
burst = 10000000
"""
ENDPOINTS = ["/api/v1/health", "/api/v1/hello"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--scratch-path", type=Path, default=None)
    args = parser.parse_args()
    benchlib.raise_fd_limit()
    benchlib.require_tools()
    binary = benchlib.build_release(args.scratch_path)
    subprocess.run(["make", "-s", "-C", str(ROOT / "Examples" / "hello-c"), f"OUT={binary.parent}"], check=True)

    work = Path(tempfile.mkdtemp(prefix="bench-plugins-"))
    servers = {}
    try:
        for name, plugins, config in (("neither", NEITHER, None), ("both", BOTH, CONFIG)):
            (work / name).mkdir()
            port = benchlib.free_port()
            servers[name] = (port, benchlib.start_server(binary, work / name, port, plugins=plugins, config=config))
        results = {}
        for path in ENDPOINTS:
            for _ in range(args.rounds):
                for name, (port, _) in servers.items():
                    run = benchlib.wrk(f"http://127.0.0.1:{port}{path}", args.connections, args.duration)
                    results.setdefault((path, name), []).append(run)
        rss = {name: benchlib.rss_kib(process.pid) for name, (_, process) in servers.items()}
    finally:
        for _, process in servers.values():
            benchlib.stop(process)

    lines = [
        "## Plugins overhead: metrics + ratelimit vs neither",
        "",
        benchlib.machine_line(),
        f"wrk -t2 -c{args.connections}, {args.duration} s per round, {args.rounds} alternating rounds per server; "
        "medians. Both servers: release build, hello-c loaded, log level warn. `both` adds metrics (an observer "
        "middleware in LOG) and ratelimit (RATE_LIMIT; health is exempt, /api/v1/hello is limited "
        "with a quota it never reaches).",
        "",
        "| endpoint | plugins | req/s (median) | p50 | p99 | errors | ratio both/neither |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in ENDPOINTS:
        baseline = statistics.median(r["rps"] for r in results[(path, "neither")])
        for name in ("neither", "both"):
            runs = results[(path, name)]
            rps = statistics.median(r["rps"] for r in runs)
            lines.append(
                f"| `{path}` | {name} | {rps:,.0f} | {statistics.median(r['p50_ms'] for r in runs):.2f} ms "
                f"| {statistics.median(r['p99_ms'] for r in runs):.2f} ms | {sum(r['errors'] for r in runs)} "
                f"| {rps / baseline:.3f}× |")
    lines += ["", f"RSS after the run: neither {rss['neither'] / 1024:.1f} MiB, both {rss['both'] / 1024:.1f} MiB.",
              "Goal: ≥ 0.95× on the health endpoint.", ""]
    benchlib.write_section("plugins-overhead", "\n".join(lines))


if __name__ == "__main__":
    main()
