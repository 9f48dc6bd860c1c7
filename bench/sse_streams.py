#!/usr/bin/env python3
"""Streamed responses benchmark (ABI 1.4): many concurrent Server-Sent Events streams, each
fed by a host timer, none holding a thread.

N clients (default 1,000) each open `GET /api/v1/defer-probe/ticks?every=50` (20 events/s per
stream, from the defer-probe test fixture, whose event data is the wall-clock µs it was sent)
and read for D seconds. Records event delivery latency (send → the client parsed it; p50, p99,
max over every event), events/s delivered, server threads (/proc/<pid>/status) and RSS idle,
with the streams open, and per stream. Clients run in several processes (raw asyncio sockets).

usage: bench/sse_streams.py [--streams 1000] [--seconds 20] [--processes 2]
Run with the test venv's Python (`.build/venv/bin/python`, plus `pip install uvloop` when it
is available, so the clients' own cost is small).
"""
import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

EVERY_MS = 50


async def stream(port: int, seconds: float, latencies: list, started: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(f"GET /api/v1/defer-probe/ticks?every={EVERY_MS} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    started.append(1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = await reader.readline()  # chunk sizes, event lines and blank lines alike
        if line.startswith(b"data: "):
            latencies.append(time.time() * 1e6 - int(line[6:]))
    writer.close()


def run_clients(port: int, count: int, seconds: float, queue: multiprocessing.Queue):
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    latencies: list = []
    started: list = []

    async def main():
        await asyncio.gather(*(stream(port, seconds, latencies, started) for _ in range(count)))

    asyncio.run(main())
    queue.put(latencies)


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    benchlib.raise_fd_limit()
    binary = benchlib.build_release()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        port = benchlib.free_port()
        server = benchlib.start_server(binary, work, port, plugins=["libdefer_probe.so"])
        try:
            time.sleep(1)
            idle_rss, idle_threads = benchlib.rss_kib(server.pid), threads(server.pid)
            queue: multiprocessing.Queue = multiprocessing.Queue()
            share = args.streams // args.processes
            clients = [multiprocessing.Process(target=run_clients, args=(port, share, args.seconds, queue))
                       for _ in range(args.processes)]
            for client in clients:
                client.start()
            time.sleep(min(5, args.seconds / 2))
            busy_rss, busy_threads = benchlib.rss_kib(server.pid), threads(server.pid)
            latencies = [value for _ in clients for value in queue.get()]
            for client in clients:
                client.join()
            after_rss = benchlib.rss_kib(server.pid)
        finally:
            benchlib.stop(server)
    latencies.sort()
    streams = share * args.processes
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000  # noqa: E731
    per_stream = (busy_rss - idle_rss) / streams
    text = f"""## Streams: {streams:,} concurrent Server-Sent Events streams

{benchlib.machine_line()}
Release build, the defer-probe fixture (`Tests/Fixtures/c-plugins/defer_probe.c`): each stream is a deferred response in events mode fed by a host timer every {EVERY_MS} ms (20 events/s per stream), no thread per stream. Clients: {args.processes} processes of raw asyncio sockets on the same 2 cores, each reading its streams for {args.seconds:.0f} s. Latency: the event's send time (wall clock, in its data) to the client parsing it, so it includes the clients' own scheduling on the shared cores.

| measure | value |
|---|---|
| events delivered | {len(latencies):,} ({len(latencies) / args.seconds:,.0f}/s; {streams * 1000 / EVERY_MS:,.0f}/s scheduled) |
| delivery latency p50 / p99 / max | {p(0.5):.2f} / {p(0.99):.2f} / {latencies[-1] / 1000:.2f} ms |
| server threads idle → with {streams:,} streams | {idle_threads} → {busy_threads} |
| server RSS idle → with the streams → after | {idle_rss / 1024:.1f} → {busy_rss / 1024:.1f} → {after_rss / 1024:.1f} MiB ({per_stream:.1f} KiB per stream) |

Goal: delivery p99 under 50 ms, threads bounded (no thread per stream), bounded RSS.
"""
    print(text)
    benchlib.write_section("sse-streams", text)


if __name__ == "__main__":
    main()
