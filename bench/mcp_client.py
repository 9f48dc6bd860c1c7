#!/usr/bin/env python3
"""The MCP client against the SDK's own: `tools/call` round trips per second to a local MCP
server built with the official Python SDK (Tests/integration/mcp_peers/tool_server.py, SDK 2.x
from .build/venv), once over stdio and once over Streamable HTTP, each called two ways in
alternating rounds of the same run:

- through Pattern Server: `POST /api/v1/mcp/servers/{id}/tools/add/call` `{"arguments": {"a": 2,
  "b": 3}}` from wrk (-t2, 64 connections, a JWT), so each request is one `tools/call` the mcp
  plugin sends to the server and whose result it answers. `[mcp] max_concurrent_calls` is raised
  from 8 to 64 to match the connections (at 8, the rest would be 429s, not calls).
- directly: the SDK's own client (`mcp.ClientSession` over `stdio_client` or
  `streamable_http_client`, their defaults), 64 `call_tool("add", ...)` kept in flight at once
  on one session (asyncio tasks that each call again as soon as their answer arrives). Over
  HTTP also a variant that is not the baseline: the SDK's default httpx2 client keeps only 20
  idle connections, so at 64 in flight it reopens some; the variant passes one that keeps 64.

The stdio server is the same program on the same interpreter both ways (Pattern Server's child
and the SDK client's child, each with the venv's site-packages on PYTHONPATH); the HTTP server
is one process that both clients call, each in its own session. Each way is measured for the
same duration after its session is open and warm (initialize, tools/list, a few calls), and
counts the calls answered with a result that is not `isError` (wrk: 2xx answers; the result is
checked before and after the rounds). Each round runs every measurement once, one after the
other, in an order reversed every other round. The ratio is a row's calls/s over the SDK
client's with its defaults, the baseline. All of it (wrk, pattern-server, the Python
client and the Python servers) shares the machine's cores, so both sides are bound by the
Python server, and the SDK side also by its own Python client. The section also gives
pattern-server's RSS before and after the rounds.

Writes bench/results/mcp_client.md and regenerates BENCHMARKS.md.

usage: bench/mcp_client.py [--rounds 3] [--duration 10] [--concurrency 64]
"""
import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".build" / "venv"
TOOL_SERVER = ROOT / "Tests" / "integration" / "mcp_peers" / "tool_server.py"
ADMIN, PASSWORD = "bench-admin", "bench-password-123"
TOOL, ARGUMENTS, EXPECTED = "add", {"a": 2, "b": 3}, "5"


def interpreter() -> str:
    """The real Python the venv was made from: the host runs a stdio command by its exact path
    and refuses a symbolic link, which the venv's bin/python is."""
    return os.path.realpath(VENV / "bin" / "python")


def site_packages() -> str:
    return str(next((VENV / "lib").glob("python3*/site-packages")))


def stdio_command() -> tuple[str, list[str], dict]:
    return interpreter(), [str(TOOL_SERVER), "stdio"], {"PYTHONPATH": site_packages()}


# -- the SDK's own client: runs under the venv's Python (`--sdk-direct stdio|URL`), prints JSON --

async def sdk_direct(target: str, duration: float, concurrency: int, pooled: bool = False) -> dict:
    """`pooled`: over HTTP, an httpx2 client that keeps `concurrency` idle connections (the SDK's
    default keeps httpx2's 20, so at 64 in flight it reopens some); otherwise the SDK's defaults."""
    from contextlib import AsyncExitStack

    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client
    from mcp.client.streamable_http import streamable_http_client

    latencies: list[float] = []
    errors = 0
    async with AsyncExitStack() as stack:
        if target == "stdio":
            command, args, env = stdio_command()
            errlog = stack.enter_context(open(os.devnull, "w"))
            streams = await stack.enter_async_context(
                stdio_client(StdioServerParameters(command=command, args=args, env=env), errlog=errlog))
        else:
            http_client = None
            if pooled:
                import httpx2
                from mcp.shared._httpx_utils import create_mcp_http_client
                timeout = create_mcp_http_client().timeout
                http_client = await stack.enter_async_context(httpx2.AsyncClient(timeout=timeout, limits=httpx2.Limits(
                    max_connections=max(100, concurrency), max_keepalive_connections=concurrency)))
            streams = await stack.enter_async_context(streamable_http_client(target, http_client=http_client))
        session = await stack.enter_async_context(ClientSession(*streams))
        await session.initialize()
        await session.list_tools()
        for _ in range(20):
            await session.call_tool(TOOL, ARGUMENTS)

        deadline = time.monotonic() + duration

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    result = await session.call_tool(TOOL, ARGUMENTS)
                    ok = not result.is_error and result.content[0].text == EXPECTED
                except Exception:  # noqa: BLE001 - a failed call is counted, not fatal
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "errors": errors,
            "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else 0.0}


def run_sdk_direct(target: str, duration: int, concurrency: int, pooled: bool = False) -> dict:
    output = subprocess.run([str(VENV / "bin" / "python"), __file__, "--sdk-direct", target, "--duration",
                             str(duration), "--concurrency", str(concurrency)] + (["--pooled"] if pooled else []),
                            check=True, capture_output=True, text=True, timeout=duration + 120).stdout
    return json.loads(output.strip().splitlines()[-1])


# -- the run --

def start_http_peer(port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen([str(VENV / "bin" / "python"), str(TOOL_SERVER), "http", str(port)],
                               stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    deadline = time.time() + 20
    while time.time() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the SDK's HTTP server did not start: " + log.read_text())


def register(base: str, token: str, name: str, transport: dict) -> str:
    server = benchlib.call(base, "POST", "/api/v1/mcp/servers", {"name": name, "transport": transport}, token)
    if server.get("status") != "connected":
        raise RuntimeError(f"{name} did not connect: {server}")
    return server["id"]


def check_call(base: str, token: str, server_id: str) -> None:
    result = benchlib.call(base, "POST", f"/api/v1/mcp/servers/{server_id}/tools/{TOOL}/call",
                           {"arguments": ARGUMENTS}, token)
    text = "".join(item.get("text", "") for item in result["content"])
    if result.get("isError") or text != EXPECTED:
        raise RuntimeError(f"unexpected tool result: {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--scratch-path", type=Path, default=None)
    parser.add_argument("--sdk-direct", metavar="stdio|URL", help=argparse.SUPPRESS)
    parser.add_argument("--pooled", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sdk_direct:
        print(json.dumps(asyncio.run(sdk_direct(args.sdk_direct, args.duration, args.concurrency, args.pooled))))
        return

    benchlib.raise_fd_limit()
    benchlib.require_tools()
    if not (VENV / "bin" / "python").exists():
        sys.exit(f"{VENV} is missing: make venv (the MCP SDK the peers and the baseline client run on)")
    binary = benchlib.build_release(args.scratch_path)

    work = Path(tempfile.mkdtemp(prefix="bench-mcp-client-"))
    peer_port, port = benchlib.free_port(), benchlib.free_port()
    peer = start_http_peer(peer_port, work / "http-peer.log")
    peer_url = f"http://127.0.0.1:{peer_port}/mcp"
    command, command_args, command_env = stdio_command()
    config = ('[outbound]\nallow = ["127.0.0.1/32"]\n'
              f'[mcp]\nstdio_commands = ["{command}"]\nmax_concurrent_calls = {args.concurrency}\n')
    env = {"PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    server = None
    try:
        server = benchlib.start_server(binary, work, port, plugins=["libPatternAuth.so", "libPatternMCP.so"],
                                       env=env, config=config)
        base = f"http://127.0.0.1:{port}"
        token = benchlib.call(base, "POST", "/api/v1/auth/login", {"username": ADMIN, "password": PASSWORD})["access_token"]
        ids = {"stdio": register(base, token, "bench-stdio", {"type": "stdio", "command": command,
                                                              "args": command_args, "env": command_env}),
               "http": register(base, token, "bench-http", {"type": "http", "url": peer_url})}
        script = work / "mcp_client_call.lua"
        script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                          f"wrk.body = '{json.dumps({'arguments': ARGUMENTS})}'\n")
        auth = [f"Authorization: Bearer {token}"]
        for transport in ids:
            check_call(base, token, ids[transport])
        rss_before = benchlib.rss_kib(server.pid)
        ways = {"stdio": ("pattern", "sdk"), "http": ("pattern", "sdk", "sdk-pooled")}
        runs: dict[str, list[dict]] = {f"{t}/{way}": [] for t in ids for way in ways[t]}
        for round_index in range(args.rounds):
            for transport, target in (("stdio", "stdio"), ("http", peer_url)):
                url = f"{base}/api/v1/mcp/servers/{ids[transport]}/tools/{TOOL}/call"
                measure = {"pattern": lambda: benchlib.wrk(url, args.concurrency, args.duration, script=str(script),
                                                           headers=auth),
                           "sdk": lambda: run_sdk_direct(target, args.duration, args.concurrency),
                           "sdk-pooled": lambda: run_sdk_direct(target, args.duration, args.concurrency, pooled=True)}
                # Who goes first alternates from round to round, so a drift in the machine's load
                # favours neither.
                for way in ways[transport] if round_index % 2 == 0 else reversed(ways[transport]):
                    runs[f"{transport}/{way}"].append(measure[way]())
        for transport in ids:
            check_call(base, token, ids[transport])
        rss = benchlib.rss_kib(server.pid)
    finally:
        if server:
            benchlib.stop(server)
        peer.kill()
        peer.wait(timeout=10)

    def median(key: str, field: str) -> float:
        return statistics.median(run[field] for run in runs[key])

    calls = sum(run["rps"] * args.duration for t in ids for run in runs[f"{t}/pattern"])
    lines = ["## MCP client: `tools/call` through Pattern Server against the SDK's own client", "",
             benchlib.machine_line(),
             "Release build, auth + mcp plugins. The server is the official Python SDK's (2.x, "
             "`Tests/integration/mcp_peers/tool_server.py`), its `add` tool; over stdio (a child process) and over "
             "Streamable HTTP (one local process both clients call). Through Pattern Server: wrk -t2, "
             f"{args.concurrency} connections, `POST /api/v1/mcp/servers/{{id}}/tools/add/call` with a JWT, "
             f"`[mcp] max_concurrent_calls = {args.concurrency}` (default 8). SDK direct: `mcp.ClientSession` over "
             f"`stdio_client` / `streamable_http_client` (defaults), {args.concurrency} concurrent `call_tool` on one "
             f"session; its HTTP default is an httpx2 client that keeps 20 idle connections, so the last HTTP row "
             f"gives it a pool of {args.concurrency} (a variant, not the baseline). "
             f"{args.duration} s per measurement, {args.rounds} rounds alternating (who goes first too); "
             "medians. Everything shares the 2 cores: the Python server bounds both sides, and SDK direct "
             "also spends them on the SDK's Python client.",
             "", "| transport | client | calls/s (median) | p50 | p99 | errors | ratio to SDK direct |",
             "|---|---|---|---|---|---|---|"]
    for transport in ids:
        sdk_rps = median(f"{transport}/sdk", "rps")
        labels = {"pattern": "Pattern Server (REST → mcp plugin)", "sdk": "SDK `ClientSession` direct",
                  "sdk-pooled": f"SDK direct, httpx2 keeping {args.concurrency} connections"}
        for way in ways[transport]:
            key, label = f"{transport}/{way}", labels[way]
            rps = median(key, "rps")
            lines.append(f"| {transport} | {label} | {rps:,.0f} | {median(key, 'p50_ms'):.2f} ms | "
                         f"{median(key, 'p99_ms'):.2f} ms | {sum(run['errors'] for run in runs[key])} | "
                         f"**{rps / sdk_rps:.2f}×** |")
    lines += ["", "Per round (calls/s): " + "; ".join(
        f"{key} " + ", ".join(f"{run['rps']:,.0f}" for run in runs[key]) for key in runs) + ".",
              "", f"pattern-server RSS: {rss_before / 1024:.1f} MiB with both servers connected, {rss / 1024:.1f} MiB "
              f"after the rounds (about {calls:,.0f} calls through it).", ""]
    benchlib.write_section("mcp_client", "\n".join(lines))


if __name__ == "__main__":
    main()
