#!/usr/bin/env python3
"""Full deployment benchmark (issue 15): the routes users call, with every first-party plugin
loaded, against the bare host's health in the same run.

Two release servers on one data-free machine: `bare` (no plugins) and `full` (every
first-party plugin; a rate-limit quota never reached; metrics open). Measured with wrk -t2 at
64 connections, each endpoint once per round, rounds interleaved so machine noise hits all
alike; medians, and each as a ratio to the bare server's health:

- `GET /api/v1/health` on bare and on full;
- `GET /api/v1/auth/me` with a JWT;
- `GET /api/v1/agents/{id}` with a JWT and with an API key;
- `GET /api/v1/agents?limit=20` for a user with 1,000 agents, and its ceiling: bench/list_ceiling.c
  running the one statement a list request runs on the same database file, from as many reader
  threads as cores, as fast as it can, in each round.

RSS is read idle (after start) and after the run. Writes bench/results/full-deployment.md and
regenerates BENCHMARKS.md.

usage: bench/full_deployment.py [--rounds 3] [--duration 8] [--scratch-path DIR]
"""
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ADMIN, PASSWORD = "bench-admin", "bench-password-123"
AGENTS_IN_DB = 1000
CONNECTIONS = 64
FIRST_PARTY = ["libPatternAuth.so", "libPatternAgents.so", "libPatternGroups.so", "libPatternMetrics.so",
               "libPatternRateLimit.so", "libPatternProviders.so", "libPatternChat.so", "libPatternMCP.so"]
# A quota no run reaches (per principal), as a deployment's generous default would be.
CONFIG = """
[metrics]
access = "open"
[ratelimit.default]
requests = 10000000
window_seconds = 600
burst = 10000000
"""


def list_ceiling() -> Path:
    out = benchlib.ROOT / ".build" / "bench-plugins" / "list_ceiling"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cc", "-O2", "-pthread", str(benchlib.ROOT / "bench" / "list_ceiling.c"), "-lsqlite3", "-o", str(out)],
                   check=True)
    return out


def login(base: str) -> str:
    return benchlib.call(base, "POST", "/api/v1/auth/login", {"username": ADMIN, "password": PASSWORD})["access_token"]


def main() -> None:
    args, binary = benchlib.prepare(duration=8)
    plugins = [name for name in FIRST_PARTY if (binary.parent / name).exists()]

    work = Path(tempfile.mkdtemp(prefix="bench-full-"))
    (work / "bare").mkdir()
    (work / "full").mkdir()
    bare_port, full_port = benchlib.free_port(), benchlib.free_port()
    env = {"PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    bare = benchlib.start_server(binary, work / "bare", bare_port, plugins=[])
    full = benchlib.start_server(binary, work / "full", full_port, plugins=plugins, env=env, config=CONFIG)
    rss_idle = {"bare": benchlib.rss_kib(bare.pid), "full": benchlib.rss_kib(full.pid)}
    base = f"http://127.0.0.1:{full_port}"
    try:
        token = login(base)
        key = benchlib.call(base, "POST", "/api/v1/api-keys", {"name": "bench", "permissions": ["read_agents"]}, token)["key"]
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(lambda i: benchlib.call(base, "POST", "/api/v1/agents",
                                                        {"name": f"agent-{i:04}", "agent_type": "generic",
                                                         "description": "benchmark agent"}, token)["id"],
                                range(AGENTS_IN_DB)))
        one = ids[len(ids) // 2]
        jwt, api_key = [f"Authorization: Bearer {token}"], [f"Authorization: Bearer {key}"]
        targets = {
            "bare health": (f"http://127.0.0.1:{bare_port}/api/v1/health", []),
            "full health": (f"{base}/api/v1/health", []),
            "auth/me (JWT)": (f"{base}/api/v1/auth/me", jwt),
            "agents/{id} (JWT)": (f"{base}/api/v1/agents/{one}", jwt),
            "agents/{id} (API key)": (f"{base}/api/v1/agents/{one}", api_key),
            "agents?limit=20 (JWT)": (f"{base}/api/v1/agents?limit=20", jwt),
        }
        ceiling = list_ceiling()
        owner = benchlib.call(base, "GET", "/api/v1/auth/me", token=token)["id"]
        readers = os.cpu_count() or 1
        results: dict[str, list[dict]] = {name: [] for name in targets}
        ceilings: list[float] = []
        for _ in range(args.rounds):
            for name, (url, headers) in targets.items():
                results[name].append(benchlib.wrk(url, CONNECTIONS, args.duration, headers=headers))
            ceilings.append(float(subprocess.run(
                [str(ceiling), str(work / "full" / "data" / "pattern.db"), owner, str(readers), str(args.duration)],
                check=True, capture_output=True, text=True).stdout))
        rss_after = {"bare": benchlib.rss_kib(bare.pid), "full": benchlib.rss_kib(full.pid)}
    finally:
        benchlib.stop(full)
        benchlib.stop(bare)

    def median(name, field):
        return statistics.median(r[field] for r in results[name])

    bare_rps, bare_p99 = median("bare health", "rps"), median("bare health", "p99_ms")
    lines = [
        "## Full deployment: the routes users call, every plugin loaded",
        "",
        benchlib.machine_line(),
        f"Release build. `bare`: no plugins; `full`: {', '.join(p.removeprefix('libPattern').removesuffix('.so') for p in plugins)} "
        f"(rate-limit quota never reached, metrics open). wrk -t2, {CONNECTIONS} connections, {args.duration} s per "
        f"endpoint, {args.rounds} interleaved rounds; medians. The caller has {AGENTS_IN_DB:,} agents.",
        "",
        "| endpoint | req/s | p50 | p99 | errors | vs bare health | p99 vs bare |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in targets:
        rps = median(name, "rps")
        lines.append(f"| {name} | {rps:,.0f} | {median(name, 'p50_ms'):.2f} ms | {median(name, 'p99_ms'):.2f} ms | "
                     f"{sum(r['errors'] for r in results[name])} | **{rps / bare_rps:.2f}×** | "
                     f"{median(name, 'p99_ms') / bare_p99:.2f}× |")
    lines += [
        "",
        f"API key / JWT on `agents/{{id}}`: {median('agents/{id} (API key)', 'rps') / median('agents/{id} (JWT)', 'rps'):.2f}×.",
        f"List ceiling (bench/list_ceiling.c: the list's one statement, {readers} reader threads, same database): "
        f"{statistics.median(ceilings):,.0f} statements/s; the list route reaches "
        f"**{median('agents?limit=20 (JWT)', 'rps') / statistics.median(ceilings):.2f}×** of it.",
        f"RSS idle / after the run: bare {rss_idle['bare'] / 1024:.1f} / {rss_after['bare'] / 1024:.1f} MiB, "
        f"full {rss_idle['full'] / 1024:.1f} / {rss_after['full'] / 1024:.1f} MiB.",
        "",
    ]
    benchlib.write_section("full-deployment", "\n".join(lines))


if __name__ == "__main__":
    main()
