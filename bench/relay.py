#!/usr/bin/env python3
"""Relay benchmarks: work that waits, through Examples/relay-c (a deferred response fed by the
host's outbound client).

1. 1,000 concurrent requests to the relay route whose upstream (a local asyncio server) answers
   after 2 s: wall time until all are answered, the server's thread count (/proc/<pid>/status)
   while they wait, and RSS growth per request in flight.
2. Relay throughput: wrk against the relay route in front of nginx, and wrk against nginx
   directly, alternating rounds in the same run (keep-alive to the upstream: no per-request
   TLS or DNS).
Writes bench/results/relay.md and regenerates BENCHMARKS.md.

usage: bench/relay.py [--requests 1000] [--delay 2] [--rounds 3] [--duration 10]
"""
import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def delayed_upstream(port: int, delay: float) -> None:
    """An asyncio HTTP/1.1 server on its own thread answering every request after `delay` s."""
    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                await asyncio.sleep(delay)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()


async def concurrent_requests(port: int, count: int, sample) -> tuple[float, int]:
    """`count` simultaneous GET /api/v1/relay on their own connections; (wall s, answered 200)."""
    async def one():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /api/v1/relay HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        await writer.drain()
        data = await reader.read()
        writer.close()
        return data.startswith(b"HTTP/1.1 200")

    started = time.monotonic()
    tasks = [asyncio.create_task(one()) for _ in range(count)]
    await asyncio.sleep(1.0)  # all sent and waiting on the upstream by now
    sample()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return time.monotonic() - started, sum(1 for r in results if r is True)


def status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    benchlib.raise_fd_limit()
    benchlib.require_tools()
    binary = benchlib.build_release()
    subprocess.run(["make", "-s", "-C", str(benchlib.ROOT / "Examples" / "relay-c"), f"OUT={binary.parent}"], check=True)

    work = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    # (benchlib spares 127.0.0.1 the per-address connection cap.)
    outbound = "[outbound]\nallow = [\"127.0.0.1/32\"]\n"

    # 1. Many requests waiting at once.
    upstream_port, server_port = benchlib.free_port(), benchlib.free_port()
    delayed_upstream(upstream_port, args.delay)
    config = outbound + f'[relay]\nupstream = "http://127.0.0.1:{upstream_port}/slow"\n'
    (work / "waiting").mkdir()
    server = benchlib.start_server(binary, work / "waiting", server_port, plugins=["librelay_c.so"], config=config)
    try:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{server_port}/api/v1/relay", timeout=10).read()
        except urllib.error.HTTPError as error:
            sys.exit(f"the relay route answered {error.code}: this build cannot defer responses yet")
        baseline_rss = benchlib.rss_kib(server.pid)
        threads_before = status_field(server.pid, "Threads")
        sampled = {}

        def sample():
            sampled["threads"] = status_field(server.pid, "Threads")
            sampled["rss"] = benchlib.rss_kib(server.pid)

        wall, answered = asyncio.run(concurrent_requests(server_port, args.requests, sample))
    finally:
        benchlib.stop(server)

    # 2. Throughput through the pool vs nginx directly.
    nginx_port, server_port = benchlib.free_port(), benchlib.free_port()
    (work / "throughput").mkdir()
    benchlib.start_nginx(work / "throughput", nginx_port, "/small", b'{"relayed":true}')
    config = outbound + f'[relay]\nupstream = "http://127.0.0.1:{nginx_port}/small"\n'
    server = benchlib.start_server(binary, work / "throughput", server_port, plugins=["librelay_c.so"], config=config)
    results: dict[str, list] = {"relay": [], "nginx": []}
    try:
        for _ in range(args.rounds):
            results["relay"].append(benchlib.wrk(f"http://127.0.0.1:{server_port}/api/v1/relay", 64, args.duration))
            results["nginx"].append(benchlib.wrk(f"http://127.0.0.1:{nginx_port}/small", 64, args.duration))
    finally:
        benchlib.stop(server)
        benchlib.stop_nginx(work / "throughput")

    relay_rps = statistics.median(r["rps"] for r in results["relay"])
    nginx_rps = statistics.median(r["rps"] for r in results["nginx"])
    per_request = (sampled["rss"] - baseline_rss) / args.requests
    lines = [
        "## Relay: work that waits (`Examples/relay-c`)",
        "",
        benchlib.machine_line(),
        "",
        f"{args.requests} concurrent `GET /api/v1/relay`, each on its own connection, upstream (asyncio) answering "
        f"after {args.delay:g} s; release build, default 16 workers.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| answered 200 | {answered} of {args.requests} |",
        f"| wall time for all | {wall:.2f} s (upstream delay {args.delay:g} s) |",
        f"| server threads idle / with all in flight | {threads_before} / {sampled['threads']} |",
        f"| RSS idle / with all in flight | {baseline_rss / 1024:.1f} MiB / {sampled['rss'] / 1024:.1f} MiB |",
        f"| RSS growth per request in flight | {per_request:.1f} KiB |",
        "",
        f"Throughput, wrk -t2 -c64, {args.duration} s, {args.rounds} alternating rounds, medians: relay route "
        f"(keep-alive pool to nginx `return 200`) vs the same nginx location directly.",
        "",
        "| target | req/s | p50 | p99 | errors |",
        "|---|---|---|---|---|",
    ]
    for name, rps in (("relay → nginx", relay_rps), ("nginx directly", nginx_rps)):
        runs = results["relay" if name.startswith("relay") else "nginx"]
        lines.append(f"| {name} | {rps:,.0f} | {statistics.median(r['p50_ms'] for r in runs):.2f} ms "
                     f"| {statistics.median(r['p99_ms'] for r in runs):.2f} ms | {sum(r['errors'] for r in runs)} |")
    lines += ["", f"Relay / nginx: {relay_rps / nginx_rps:.2f}×.", ""]
    benchlib.write_section("relay", "\n".join(lines))


if __name__ == "__main__":
    main()
