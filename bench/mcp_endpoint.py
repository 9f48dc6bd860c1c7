#!/usr/bin/env python3
"""/mcp against the REST route it wraps: `tools/call list_agents` per second over the MCP
Streamable HTTP endpoint (one session, opened first; wrk with bench/mcp_endpoint.lua) against
`GET /api/v1/agents` (the same first page of 20 of 100 agents), 64 connections, alternating
rounds in the same run, release build with the auth, agents and mcp plugins. The difference
is the MCP layer: the session lookup, JSON-RPC framing, the agents.v1 service call and the
tool result (structured content plus the same JSON as text, so about twice the bytes).

Writes bench/results/mcp_endpoint.md and regenerates BENCHMARKS.md.

usage: bench/mcp_endpoint.py [--rounds 3] [--duration 10]
"""
import json
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN, PASSWORD = "bench-admin", "bench-password-123"
AGENTS = 100


def open_session(base: str, token: str) -> str:
    """initialize + notifications/initialized, as an MCP client does; the session id."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream"}
    body = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}
    request = urllib.request.Request(f"{base}/api/v1/mcp", json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        session = response.headers["Mcp-Session-Id"]
    notification = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    headers |= {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
    urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/mcp", json.dumps(notification).encode(), headers,
                                                  method="POST"), timeout=30).close()
    return session


def main() -> None:
    args, binary = benchlib.prepare()

    work = Path(tempfile.mkdtemp(prefix="bench-mcp-endpoint-"))
    port = benchlib.free_port()
    env = {"PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    plugins = ["libPatternAuth.so", "libPatternAgents.so", "libPatternMCP.so"]
    server = benchlib.start_server(binary, work, port, plugins=plugins, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        token = benchlib.call(base, "POST", "/api/v1/auth/login", {"username": ADMIN, "password": PASSWORD})["access_token"]
        for index in range(AGENTS):
            benchlib.call(base, "POST", "/api/v1/agents", {"name": f"bench-{index:03}", "agent_type": "generic"}, token)
        session = open_session(base, token)
        script = work / "mcp_endpoint.lua"
        script.write_text((ROOT / "bench" / "mcp_endpoint.lua").read_text().replace("__SESSION__", session))
        auth = [f"Authorization: Bearer {token}"]
        runs: dict[str, list[dict]] = {"rest": [], "mcp": []}
        for _ in range(args.rounds):
            runs["rest"].append(benchlib.wrk(f"{base}/api/v1/agents?limit=20", 64, args.duration, headers=auth))
            runs["mcp"].append(benchlib.wrk(f"{base}/api/v1/mcp", 64, args.duration, script=str(script), headers=auth))
        rss = benchlib.rss_kib(server.pid)
    finally:
        benchlib.stop(server)

    rest_rps = statistics.median(run["rps"] for run in runs["rest"])
    lines = ["## MCP endpoint: `tools/call list_agents` against the REST route", "", benchlib.machine_line(),
             f"Release build, auth + agents + mcp plugins, SQLite (WAL), a JWT. One user with {AGENTS} agents; both "
             "answer the first page of 20. wrk -t2, 64 connections, "
             f"{args.duration} s per round, {args.rounds} rounds alternating; medians. The MCP requests share one "
             "session (opened by initialize before the rounds) and each carries the session and protocol headers.",
             "", "| request | req/s (median) | p50 | p99 | errors | ratio to REST |", "|---|---|---|---|---|---|"]
    for name, key in (("`GET /api/v1/agents?limit=20`", "rest"), ("`POST /api/v1/mcp` tools/call list_agents", "mcp")):
        rps = statistics.median(run["rps"] for run in runs[key])
        lines.append(f"| {name} | {rps:,.0f} | {statistics.median(run['p50_ms'] for run in runs[key]):.2f} ms | "
                     f"{statistics.median(run['p99_ms'] for run in runs[key]):.2f} ms | "
                     f"{sum(run['errors'] for run in runs[key])} | **{rps / rest_rps:.2f}×** |")
    lines += ["", f"pattern-server RSS after the run: {rss / 1024:.1f} MiB.", ""]
    benchlib.write_section("mcp_endpoint", "\n".join(lines))


if __name__ == "__main__":
    main()
