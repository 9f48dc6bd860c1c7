#!/usr/bin/env python3
"""Chat benchmarks against the release server with the auth, agents, providers and chat
plugins and a fake OpenAI-compatible model (bench/fake_model.py, its own process):

1. Concurrent streamed chats (200, then 1,000), each to its own agent, each answered by the fake
   with 50 tokens over 2 s: how many complete, the server's threads and RSS while they are all in
   flight, and the time from the fake writing a chat's first token to the client reading its first
   `text_delta` (p50/p99). The CPU time the server, the fake and the clients spent is reported, as
   all three share the machine's 2 cores.
2. Non-streamed turns with an instant fake reply, 64 connections over 64 agents (wrk,
   bench/chat_turn.lua), against `GET /api/v1/agents/{id}` in alternating rounds: turns/s, and the
   server's CPU time per turn.
3. One agent with a long history (100,000 messages, stored through the API by instant turns):
   `GET /messages` first and last page and a search, p99 of each; and a whole turn on it
   against one on a fresh agent (the difference is context building).

Writes bench/results/chat.md and regenerates BENCHMARKS.md.

usage: bench/chat.py [--chats 200,1000] [--rounds 3] [--duration 10] [--history 100000]
"""
import argparse
import asyncio
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN, PASSWORD = "bench-admin", "bench-password-123"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


async def streamed_chat(port: int, token: str, agent: str, key: str) -> tuple[float | None, bool]:
    """One streamed chat on its own connection: (monotonic time of the first text_delta, done?)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"target": agent, "content": key, "stream": True}).encode()
    writer.write(b"POST /api/v1/chat/messages HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
                 b"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                 b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    await writer.drain()
    first, done = None, False
    buffer = b""
    while True:
        data = await reader.read(65536)
        if not data:
            break
        if first is None and b"event: text_delta" in buffer[-32:] + data:
            first = time.monotonic()
        buffer = buffer[-32:] + data
        if b"event: done" in buffer:
            done = True
        if b"event: error" in buffer:
            break
    writer.close()
    return first, done


async def concurrent_chats(port: int, token: str, agents: list[str], round_name: str, sample) -> dict:
    started = time.monotonic()
    tasks = [asyncio.create_task(streamed_chat(port, token, agent, f"slow:{round_name}-{i}")) for i, agent in enumerate(agents)]
    await asyncio.sleep(1.0)  # every chat is streaming by now (2 s each)
    sample()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    firsts = {f"slow:{round_name}-{i}": r[0] for i, r in enumerate(results) if isinstance(r, tuple) and r[0] is not None}
    return {"wall": time.monotonic() - started, "done": sum(1 for r in results if isinstance(r, tuple) and r[1]),
            "firsts": firsts}


def login(base: str, username: str, password: str) -> str:
    return benchlib.call(base, "POST", "/api/v1/auth/login", {"username": username, "password": password})["access_token"]


def make_agents(base: str, token: str, count: int, prefix: str) -> list[str]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda i: benchlib.call(base, "POST", "/api/v1/agents", {
            "name": f"{prefix}-{i:04}", "agent_type": "generic", "system_prompt": "You are a benchmark.",
            "model_provider": "openai", "model_id": "fake-model"}, token)["id"], range(count)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", default="200,1000")
    parser.add_argument("--history", type=int, default=100_000)
    args, binary = benchlib.prepare(parser=parser)

    work = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    fake_port, port = benchlib.free_port(), benchlib.free_port()
    fake = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_model.py"), str(fake_port)])
    config = ('[outbound]\nallow = ["127.0.0.1/32"]\n'
              "[chat]\nmodel_timeout_seconds = 60\n")
    env = {"PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    plugins = ["libPatternAuth.so", "libPatternAgents.so", "libPatternProviders.so", "libPatternChat.so"]
    server = benchlib.start_server(binary, work, port, plugins=plugins, env=env, config=config)
    base = f"http://127.0.0.1:{port}"
    lines = ["## Chat: streamed turns, turn cost, long histories", "", benchlib.machine_line(), ""]
    try:
        token = login(base, ADMIN, PASSWORD)
        benchlib.call(base, "POST", "/api/v1/providers", {
            "provider": "openai", "name": "fake", "set_as_default": True,
            "config": {"type": "api_key", "api_key": "sk-bench", "base_url": f"http://127.0.0.1:{fake_port}/v1"}}, token)

        # 1. Concurrent streamed chats.
        lines += ["Concurrent streamed chats, each on its own connection and agent; the fake model streams 50 tokens "
                  "over 2 s. *First token* is the time from the fake writing a chat's first token to the client "
                  "reading the first `text_delta`. CPU is what each process spent during the round.", "",
                  "| chats | completed | wall | threads idle / in flight | RSS growth per chat | first token p50 / p99 "
                  "| CPU server / fake / clients |", "|---|---|---|---|---|---|---|"]
        counts = [int(c) for c in args.chats.split(",")]
        agents = make_agents(base, token, max(counts), "stream")
        for count in counts:
            threads_idle, rss_idle = status_field(server.pid, "Threads"), benchlib.rss_kib(server.pid)
            sampled = {}

            def sample():
                sampled["threads"] = status_field(server.pid, "Threads")
                sampled["rss"] = benchlib.rss_kib(server.pid)

            cpu = (cpu_seconds(server.pid), cpu_seconds(fake.pid), own_cpu_seconds())
            result = asyncio.run(concurrent_chats(port, token, agents[:count], f"c{count}", sample))
            cpu = (cpu_seconds(server.pid) - cpu[0], cpu_seconds(fake.pid) - cpu[1], own_cpu_seconds() - cpu[2])
            written = benchlib.call(f"http://127.0.0.1:{fake_port}", "GET", "/stats")["first_token"]
            delays = [(seen - written[key]) * 1000 for key, seen in result["firsts"].items() if key in written]
            lines.append(f"| {count} | {result['done']} | {result['wall']:.2f} s | {threads_idle} / {sampled['threads']} "
                         f"| {(sampled['rss'] - rss_idle) / count:.1f} KiB | {percentile(delays, 0.5):.1f} / "
                         f"{percentile(delays, 0.99):.1f} ms | {cpu[0]:.2f} / {cpu[1]:.2f} / {cpu[2]:.2f} s |")

        # 2. Non-streamed turns vs GET /agents/{id}.
        turn_agents = make_agents(base, token, 64, "turn")
        script = work / "chat_turn.lua"
        script.write_text((ROOT / "bench" / "chat_turn.lua").read_text().replace("__AGENTS__", ",".join(
            f'"{agent}"' for agent in turn_agents)))
        results: dict[str, list[dict]] = {"agent": [], "turn": []}
        turn_cpu: list[float] = []
        auth = [f"Authorization: Bearer {token}"]
        for _ in range(args.rounds):
            results["agent"].append(benchlib.wrk(f"{base}/api/v1/agents/{turn_agents[0]}", 64, args.duration, headers=auth))
            before = cpu_seconds(server.pid)
            run = benchlib.wrk(f"{base}/api/v1/chat/messages", 64, args.duration, script=str(script), headers=auth)
            results["turn"].append(run)
            turn_cpu.append((cpu_seconds(server.pid) - before) / max(run["rps"] * args.duration, 1) * 1e6)
        agent_rps = statistics.median(r["rps"] for r in results["agent"])
        turn_rps = statistics.median(r["rps"] for r in results["turn"])
        lines += ["", f"Non-streamed turns with an instant fake reply, wrk -t2 -c64 over 64 agents, {args.duration} s, "
                  f"{args.rounds} alternating rounds, medians.", "",
                  "| route | req/s | p50 | p99 | non-2xx or errors |", "|---|---|---|---|---|"]
        for name, key in (("GET /api/v1/agents/{id}", "agent"), ("POST /api/v1/chat/messages (one turn)", "turn")):
            runs = results[key]
            lines.append(f"| {name} | {statistics.median(r['rps'] for r in runs):,.0f} | "
                         f"{statistics.median(r['p50_ms'] for r in runs):.2f} ms | "
                         f"{statistics.median(r['p99_ms'] for r in runs):.2f} ms | {sum(r['errors'] for r in runs)} |")
        lines += ["", f"Turn / agent read: {turn_rps / agent_rps:.2f}×; server CPU per turn: "
                  f"{statistics.median(turn_cpu):.0f} µs.", ""]

        # 3. A long history.
        history_agent = make_agents(base, token, 1, "history")[0]
        fill_history(base, token, history_agent, work / "data" / "pattern.db", args.history)
        quoted = urllib.parse.quote(history_agent)
        total = benchlib.call(base, "GET", f"/api/v1/messages?target={quoted}&limit=1", token=token)["total"]
        last_offset = max(total - 50, 0)
        probes = {
            "`GET /messages` latest 50": f"/api/v1/messages?target={quoted}&limit=50",
            "`GET /messages` oldest 50": f"/api/v1/messages?target={quoted}&limit=50&offset={last_offset}",
            "`GET /messages/search` one word": f"/api/v1/messages/search?query=needle&agent_id={quoted}&limit=20",
        }
        lines += [f"One agent with {total:,} stored messages: each request 200 times in a row (one connection).", "",
                  "| request | p50 | p99 |", "|---|---|---|"]
        for name, path in probes.items():
            timings = []
            for _ in range(200):
                started = time.perf_counter()
                benchlib.call(base, "GET", path, token=token)
                timings.append((time.perf_counter() - started) * 1000)
            lines.append(f"| {name} | {percentile(timings, 0.5):.2f} ms | {percentile(timings, 0.99):.2f} ms |")
        # Context building reads the history back until the model's window is full: a turn on the
        # long history against a turn on a fresh agent, both answered at once by the fake.
        fresh_agent = make_agents(base, token, 1, "fresh")[0]
        turn_ms = {}
        for label, agent in (("fresh", fresh_agent), ("long", history_agent)):
            timings = []
            for index in range(100):
                started = time.perf_counter()
                benchlib.call(base, "POST", "/api/v1/chat/messages", {"target": agent, "content": f"hay {index}"}, token)
                timings.append((time.perf_counter() - started) * 1000)
            turn_ms[label] = (percentile(timings, 0.5), percentile(timings, 0.99))
        lines += ["", "A whole turn (instant fake reply), 100 in a row: on a fresh agent, and on the long history, "
                  "whose context is built from the newest messages that fit the 8,192-token window.", "",
                  "| agent | p50 | p99 |", "|---|---|---|",
                  f"| fresh (no history) | {turn_ms['fresh'][0]:.2f} ms | {turn_ms['fresh'][1]:.2f} ms |",
                  f"| {total:,} messages | {turn_ms['long'][0]:.2f} ms | {turn_ms['long'][1]:.2f} ms |", "",
                  f"Context building on the long history costs {turn_ms['long'][0] - turn_ms['fresh'][0]:.2f} ms more "
                  "per turn (p50 difference).", ""]
    finally:
        benchlib.stop(server)
        fake.terminate()
    benchlib.write_section("chat", "\n".join(lines))


def fill_history(base: str, token: str, agent: str, database: Path, messages: int) -> None:
    """`messages` stored messages on `agent`: 100 real turns (user message and reply each),
    then copies of their rows written straight into the chat table (its full-text triggers index
    them as for any insert) until there are `messages`; every 1,000th user message carries the
    word the search looks for. Through the API alone, at one turn at a time per agent whose
    context grows to the window, this took 20 minutes."""
    for index in range(100):
        benchlib.call(base, "POST", "/api/v1/chat/messages", {"target": agent, "content": f"hay {index}"}, token)
    connection = sqlite3.connect(database, timeout=30)
    real = connection.execute("SELECT owner_id, role, content, text, metadata FROM chat_messages WHERE agent_id = ? "
                              "ORDER BY seq", (agent,)).fetchall()
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    rows = []
    for index in range(len(real), messages):
        owner, role, content, text, metadata = real[index % len(real)]
        if role == "user":
            text = f"{'needle' if index % 1000 == 0 else 'hay'} {index}"
            content = json.dumps({"Text": text})
        rows.append((resource_id("msg"), owner, agent, role, content, text, metadata, now))
    with connection:
        connection.executemany("INSERT INTO chat_messages (id, owner_id, agent_id, role, content, text, metadata, created_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.close()


def resource_id(prefix: str) -> str:
    """A time-ordered id as the server makes them: 48 bits of milliseconds, 80 random bits, in
    lower-case Crockford base32."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    return prefix + "_" + "".join(alphabet[(value >> shift) & 31] for shift in range(125, -1, -5))


if __name__ == "__main__":
    main()
