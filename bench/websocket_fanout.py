#!/usr/bin/env python3
"""WebSocket benchmark: 10,000 concurrent authenticated event-socket connections to one
server on loopback, all subscribed to one agent; then agent state changes are published.

Records server RSS at 10,000 idle connections (per connection, above the idle baseline),
fan-out latency from the PATCH that publishes an event to the last client receiving it
(p50/p99 over the events), and events/s delivered during a burst. Client connections are
spread over several processes (raw asyncio sockets, minimal RFC 6455 framing).

usage: bench/websocket_fanout.py [--connections 10000] [--processes 4] [--events 30] [--burst 40]
Run it with the test venv's Python (`.build/venv/bin/python`, plus `pip install uvloop`) so the
clients use uvloop: the clients' own per-frame cost is part of the measured latency.
"""
import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

PASSWORD = "bench-password-123"


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", await reader.readexactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await reader.readexactly(8))[0]
    return first & 0x0F, await reader.readexactly(length)


def masked_text(payload: bytes) -> bytes:
    key = os.urandom(4)
    return bytes([0x81, 0x80 | len(payload)]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


async def client(port, token, agent_id, ready: asyncio.Event, arrivals: list, subscribed: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 101 " in head.split(b"\r\n")[0], head
    writer.write(masked_text(json.dumps({"type": "subscribe_agent", "agent_id": agent_id}).encode()))
    while True:
        opcode, payload = await read_frame(reader)
        if opcode == 0x9:  # ping
            writer.write(bytes([0x8A, 0x80]) + os.urandom(4))
            continue
        event = json.loads(payload)
        if event.get("type") == "subscription":
            subscribed.append(event["success"])
            break
    ready.set()
    while True:
        opcode, payload = await read_frame(reader)
        now = time.monotonic()
        if opcode == 0x9:
            writer.write(bytes([0x8A, 0x80]) + os.urandom(4))
        elif opcode == 0x8:
            return
        elif b"agent_state_changed" in payload:
            arrivals.append(now)


def client_process(port, token, agent_id, count, ready_queue, stop_event, result_queue):
    async def main():
        arrivals_per_client = [[] for _ in range(count)]
        subscribed: list = []
        tasks = []
        for index in range(count):
            event = asyncio.Event()
            tasks.append(asyncio.create_task(client(port, token, agent_id, event, arrivals_per_client[index], subscribed)))
            if index % 200 == 199:
                await asyncio.sleep(0.05)
        while len(subscribed) < count:
            await asyncio.sleep(0.05)
            failed = [t for t in tasks if t.done() and t.exception()]
            if failed:
                raise failed[0].exception()
        ready_queue.put((count, sum(1 for s in subscribed if s)))
        while not stop_event.is_set():
            await asyncio.sleep(0.1)
        result_queue.put(arrivals_per_client)
        for task in tasks:
            task.cancel()
    try:  # the clients share the 2 cores with the server: the leaner event loop, when installed
        import uvloop
        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


def client_loop() -> str:
    try:
        import uvloop  # noqa: F401
        return "uvloop"
    except ImportError:
        return "asyncio"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--burst", type=int, default=40)
    args = parser.parse_args()
    benchlib.raise_fd_limit()
    binary = benchlib.build_release()
    work = Path(tempfile.mkdtemp(prefix="bench-ws-"))
    port = benchlib.free_port()
    server = benchlib.start_server(
        binary, work, port, plugins=["libPatternAuth.so", "libPatternAgents.so"],
        env={"PATTERN_ADMIN_USERNAME": "bench", "PATTERN_ADMIN_PASSWORD": PASSWORD, "BCRYPT_COST": "4"},
        limits="max_connections = 20000\n")
    base = f"http://127.0.0.1:{port}"
    try:
        token = benchlib.call(base, "POST", "/api/v1/auth/login", {"username": "bench", "password": PASSWORD})["access_token"]
        agent = benchlib.call(base, "POST", "/api/v1/agents", {"name": "fanout", "agent_type": "generic"}, token)
        time.sleep(1)
        baseline = benchlib.rss_kib(server.pid)

        per_process = args.connections // args.processes
        ready_queue, result_queue = multiprocessing.Queue(), multiprocessing.Queue()
        stop = multiprocessing.Event()
        workers = [multiprocessing.Process(target=client_process,
                                           args=(port, token, agent["id"], per_process, ready_queue, stop, result_queue))
                   for _ in range(args.processes)]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        ready = [ready_queue.get(timeout=600) for _ in workers]
        connect_seconds = time.monotonic() - started
        connected = sum(count for count, _ in ready)
        accepted = sum(ok for _, ok in ready)
        time.sleep(2)
        idle_rss = benchlib.rss_kib(server.pid)

        states = ["suspended", "ready"]
        publish_times = []
        for index in range(args.events):  # spaced events: latency of each fan-out
            publish_times.append(time.monotonic())
            benchlib.call(base, "PATCH", f"/api/v1/agents/{agent['id']}", {"state": states[index % 2]}, token)
            time.sleep(0.5)
        burst_start = time.monotonic()
        for index in range(args.events, args.events + args.burst):  # back to back: throughput
            publish_times.append(time.monotonic())
            benchlib.call(base, "PATCH", f"/api/v1/agents/{agent['id']}", {"state": states[index % 2]}, token)
        time.sleep(5)
        stop.set()
        arrivals = [client for _ in workers for client in result_queue.get(timeout=120)]
        for worker in workers:
            worker.join(timeout=30)
    finally:
        benchlib.stop(server)

    total_events = args.events + args.burst
    complete = [a for a in arrivals if len(a) == total_events]
    latencies = []
    for index in range(args.events):
        last = max(client[index] for client in complete)
        latencies.append((last - publish_times[index]) * 1000)
    burst_deliveries = sum(len(client) - args.events for client in arrivals)
    burst_end = max(client[-1] for client in complete)
    events_per_second = burst_deliveries / (burst_end - burst_start)
    per_connection = (idle_rss - baseline) / max(connected, 1)
    quantiles = statistics.quantiles(latencies, n=100)

    text = "\n".join([
        "## WebSocket: 10,000 subscribers of one agent",
        "",
        benchlib.machine_line(),
        f"{connected:,} event-socket connections ({accepted:,} subscriptions accepted) from {args.processes} client "
        f"processes ({client_loop()}, raw frames) to one release server with auth + agents, on loopback; "
        f"connected and subscribed in {connect_seconds:.1f} s. Events are `agent_state_changed` from "
        f"`PATCH /api/v1/agents/{{id}}`.",
        "",
        "| measure | result | goal |",
        "|---|---|---|",
        f"| server RSS idle baseline → with {connected:,} idle connections | {baseline / 1024:.1f} MiB → "
        f"{idle_rss / 1024:.1f} MiB | |",
        f"| RSS per connection above the baseline | {per_connection:.1f} KiB | < 40 KiB |",
        f"| fan-out latency, PATCH → last of {len(complete):,} clients ({args.events} events, p50) "
        f"| {statistics.median(latencies):.1f} ms | |",
        f"| fan-out latency p99 | {quantiles[98]:.1f} ms | < 250 ms |",
        f"| events delivered per second ({args.burst} back-to-back events × {connected:,}) | "
        f"{events_per_second:,.0f} | |",
        f"| clients that received every event | {len(complete):,} of {len(arrivals):,} | all |",
        "",
    ])
    benchlib.write_section("websocket-fanout", text)


if __name__ == "__main__":
    main()
