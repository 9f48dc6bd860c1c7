#!/usr/bin/env python3
"""HTTP benchmark: wrk against GET /api/v1/health of the release server and against nginx
serving the same body on loopback, in the same run, at 64 and 1,024 connections.

Rounds alternate between the two servers so machine noise hits both alike; the report quotes
medians, the ratio of medians, p99 latencies, errors and the server's RSS after the run.
Writes bench/results/http-health.md and regenerates BENCHMARKS.md.

usage: bench/http_health.py [--rounds 3] [--duration 10]
"""
import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    benchlib.raise_fd_limit()
    benchlib.require_tools()
    binary = benchlib.build_release()

    work = Path(tempfile.mkdtemp(prefix="bench-health-"))
    server_port, nginx_port = benchlib.free_port(), benchlib.free_port()
    server = benchlib.start_server(binary, work, server_port, plugins=[])
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{server_port}/api/v1/health").read()
        nginx = benchlib.start_nginx(work, nginx_port, "/api/v1/health", body)
        try:
            results = {}
            for connections in (64, 1024):
                for _ in range(args.rounds):
                    for name, port in (("pattern-server", server_port), ("nginx", nginx_port)):
                        run = benchlib.wrk(f"http://127.0.0.1:{port}/api/v1/health", connections, args.duration)
                        results.setdefault((name, connections), []).append(run)
            rss = benchlib.rss_kib(server.pid)
        finally:
            benchlib.stop_nginx(work)
    finally:
        benchlib.stop(server)

    lines = [
        "## HTTP: `GET /api/v1/health` vs nginx",
        "",
        f"{benchlib.machine_line()}",
        f"wrk -t2, {args.duration} s per round, {args.rounds} alternating rounds per server; medians. "
        f"nginx: 2 workers, access log off, `return 200` with the same {len(body)}-byte body. "
        "pattern-server: release build, no plugins, log level warn.",
        "",
        "| connections | server | req/s (median) | p50 | p99 | errors | ratio to nginx |",
        "|---|---|---|---|---|---|---|",
    ]
    for connections in (64, 1024):
        ours = results[("pattern-server", connections)]
        theirs = results[("nginx", connections)]
        ours_rps = statistics.median(r["rps"] for r in ours)
        theirs_rps = statistics.median(r["rps"] for r in theirs)
        for name, runs, rps in (("pattern-server", ours, ours_rps), ("nginx", theirs, theirs_rps)):
            lines.append(
                f"| {connections} | {name} | {rps:,.0f} | {statistics.median(r['p50_ms'] for r in runs):.2f} ms "
                f"| {statistics.median(r['p99_ms'] for r in runs):.2f} ms | {sum(r['errors'] for r in runs)} "
                f"| {rps / theirs_rps:.2f}× |"
            )
    lines += ["", f"pattern-server RSS after the run: {rss / 1024:.1f} MiB.", ""]
    benchlib.write_section("http-health", "\n".join(lines))


if __name__ == "__main__":
    main()
