#!/usr/bin/env python3
"""Agents benchmark, in one run against the release server with the auth and agents plugins,
at 64 connections, each as a ratio to `GET /api/v1/health` of the same server:

1. `GET /api/v1/agents?limit=20`, authenticated with a JWT, for a user with 1,000 agents in
   the database (count + one indexed page per request).
2. `POST /api/v1/agents` with a unique name per request (bench/agents_create.lua), by another
   user, so the list's user keeps exactly 1,000 agents.

Rounds alternate health and the measured endpoint so machine noise hits both alike.
Writes bench/results/agents.md and regenerates BENCHMARKS.md.

usage: bench/agents.py [--rounds 3] [--duration 10] [--scratch-path DIR]
"""
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN, PASSWORD = "bench-admin", "bench-password-123"
AGENTS_IN_DB = 1000
CONNECTIONS = 64


def login(base: str, username: str, password: str) -> str:
    return benchlib.call(base, "POST", "/api/v1/auth/login", {"username": username, "password": password})["access_token"]


def user(base: str, admin: str, username: str) -> str:
    benchlib.call(base, "POST", "/api/v1/users", {"username": username, "password": f"{username}-password"}, admin)
    return login(base, username, f"{username}-password")


def main() -> None:
    args, binary = benchlib.prepare()

    work = Path(tempfile.mkdtemp(prefix="bench-agents-"))
    port = benchlib.free_port()
    env = {"PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    server = benchlib.start_server(binary, work, port, plugins=["libPatternAuth.so", "libPatternAgents.so"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        admin = login(base, ADMIN, PASSWORD)
        reader, writer = user(base, admin, "bench-reader"), user(base, admin, "bench-writer")
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda i: benchlib.call(base, "POST", "/api/v1/agents",
                                         {"name": f"agent-{i:04}", "agent_type": "generic",
                                          "description": "benchmark agent", "tools": ["search"],
                                          "metadata": {"index": i}}, reader), range(AGENTS_IN_DB)))
        page = benchlib.call(base, "GET", "/api/v1/agents?limit=20", token=reader)
        assert page["total"] == AGENTS_IN_DB and len(page["items"]) == 20, page["total"]

        results: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            results.setdefault("health", []).append(benchlib.wrk(f"{base}/api/v1/health", CONNECTIONS, args.duration))
            results.setdefault("list", []).append(benchlib.wrk(
                f"{base}/api/v1/agents?limit=20", CONNECTIONS, args.duration, headers=[f"Authorization: Bearer {reader}"]))
            results.setdefault("create", []).append(benchlib.wrk(
                f"{base}/api/v1/agents", CONNECTIONS, args.duration, script=str(ROOT / "bench" / "agents_create.lua"),
                headers=[f"Authorization: Bearer {writer}"]))
        created = benchlib.call(base, "GET", "/api/v1/agents?limit=1", token=writer)["total"]
        rss = benchlib.rss_kib(server.pid)
    finally:
        benchlib.stop(server)

    health = statistics.median(r["rps"] for r in results["health"])

    def row(name, runs, ratio=None):
        rps = statistics.median(r["rps"] for r in runs)
        return (f"| {name} | {rps:,.0f} | {statistics.median(r['p50_ms'] for r in runs):.2f} ms | "
                f"{statistics.median(r['p99_ms'] for r in runs):.2f} ms | {sum(r['errors'] for r in runs)} | "
                f"{ratio or f'**{rps / health:.2f}×**'} |")

    lines = [
        "## Agents: listing and creating agents",
        "",
        benchlib.machine_line(),
        f"Release build, auth + agents plugins, SQLite (WAL) under a temporary data directory, log level warn. "
        f"wrk -t2, {CONNECTIONS} connections, {args.duration} s per round, {args.rounds} rounds alternating with "
        "health; medians. Authenticated with a JWT. The list is the first page (20 agents) of a user with "
        f"{AGENTS_IN_DB:,} agents: a COUNT and one indexed page query per request on pooled readers. "
        "Creates go through the single writer, one transaction each, with a unique name per request "
        "(`bench/agents_create.lua`).",
        "",
        "| benchmark | req/s (median) | p50 | p99 | errors | ratio to health |",
        "|---|---|---|---|---|---|",
        row("`GET /api/v1/health`", results["health"], "1.00×"),
        row(f"`GET /api/v1/agents?limit=20` ({AGENTS_IN_DB:,} agents)", results["list"]),
        row("`POST /api/v1/agents`", results["create"]),
        "",
        f"Agents created during the run: {created:,}. pattern-server RSS after the run: {rss / 1024:.1f} MiB.",
        "",
    ]
    benchlib.write_section("agents", "\n".join(lines))


if __name__ == "__main__":
    main()
