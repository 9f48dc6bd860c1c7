#!/usr/bin/env python3
"""What the metrics and ratelimit plugins cost per request (bench/plugin_sets.py has the two
deployments and the endpoints): two release servers side by side, one with both plugins and
one with neither, measured two ways.

- Throughput: wrk against each server in short back-to-back pairs (the order alternating
  pair by pair), so both servers of a pair see the same moment of this noisy machine; the
  result is the median of the pairs' ratios, with its quartiles, and each server's median.
- Work: user-space instructions per request under callgrind (instructions_per_request.py),
  which do not move with the machine's noise.

Writes bench/results/plugins-overhead.md and regenerates BENCHMARKS.md.

usage: bench/plugins_overhead.py [--pairs 30] [--duration 3] [--connections 64] [--scratch-path DIR]
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
import instructions_per_request  # noqa: E402
from plugin_sets import BOTH, CONFIG, ENDPOINTS, NEITHER  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--duration", type=int, default=3)
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
        runs = {}
        for path in ENDPOINTS:
            for pair in range(args.pairs):
                order = ("neither", "both") if pair % 2 == 0 else ("both", "neither")
                for name in order:
                    run = benchlib.wrk(f"http://127.0.0.1:{servers[name][0]}{path}", args.connections, args.duration)
                    runs.setdefault((path, name), []).append(run)
        rss = {name: benchlib.rss_kib(process.pid) for name, (_, process) in servers.items()}
        failed = {key: sum(run["errors"] for run in results) for key, results in runs.items()}
        if any(failed.values()):
            sys.exit(f"runs with errors (429s mean the quota in plugin_sets.py ran out): {failed}")
    finally:
        for _, process in servers.values():
            benchlib.stop(process)
    instructions = instructions_per_request.measure_all(binary, 2000)

    lines = [
        "## Plugins overhead: metrics + ratelimit vs neither",
        "",
        benchlib.machine_line(),
        f"Both servers: release build, hello-c loaded, log level warn; `both` adds metrics (an observer "
        f"middleware in LOG) and ratelimit (RATE_LIMIT; health is exempt, /api/v1/hello is limited for one "
        f"client under a quota it never reaches). Throughput: wrk -t2 -c{args.connections}, {args.pairs} pairs of "
        f"{args.duration} s runs per endpoint, the two servers back to back in each pair (order alternating); "
        "ratio = median of the pairs' both/neither ratios (quartiles in brackets). Instructions: user space, "
        "per request, under callgrind (2,000 keep-alive requests after a warm-up; kernel time not included).",
        "",
        "| endpoint | req/s neither (median) | req/s both (median) | ratio both/neither | p99 neither / both "
        "| errors | instructions/request neither → both |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in ENDPOINTS:
        neither, both = runs[(path, "neither")], runs[(path, "both")]
        ratios = [b["rps"] / n["rps"] for n, b in zip(neither, both)]
        low, _, high = statistics.quantiles(ratios, n=4)
        lines.append(
            f"| `{path}` | {statistics.median(r['rps'] for r in neither):,.0f} "
            f"| {statistics.median(r['rps'] for r in both):,.0f} "
            f"| **{statistics.median(ratios):.3f}×** [{low:.3f}–{high:.3f}] "
            f"| {statistics.median(r['p99_ms'] for r in neither):.2f} / {statistics.median(r['p99_ms'] for r in both):.2f} ms "
            f"| {sum(r['errors'] for r in neither + both)} "
            f"| {instructions[(path, 'neither')]:,.0f} → {instructions[(path, 'both')]:,.0f} "
            f"({instructions[(path, 'neither')] / instructions[(path, 'both')]:.3f}×) |")
    lines += ["", f"RSS after the run: neither {rss['neither'] / 1024:.1f} MiB, both {rss['both'] / 1024:.1f} MiB.",
              "Goal: ≥ 0.95× on the health endpoint.", ""]
    benchlib.write_section("plugins-overhead", "\n".join(lines))


if __name__ == "__main__":
    main()
