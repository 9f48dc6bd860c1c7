"""Deferred and streamed responses and timers (ABI 1.4), judged by curl and httpx: a handler
that hands its response over frees its worker; streams arrive in order as chunks or
Server-Sent Events; a slow reader gets back-pressure, a client that leaves cancels the
work, a response never finished is answered 504, and shutdown cancels what is still open."""
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import SSE_C, assert_error, wait_until

PROBE = "libdefer_probe.so"
MIB = 1 << 20


@pytest.fixture(scope="module")
def server(start_server_module):
    # Two workers: twenty waiting responses would starve them if waiting held a worker.
    return start_server_module(plugins=[PROBE, SSE_C],
                               config="[server]\nworkers = 2\n[limits]\npending_timeout_seconds = 2\n")


def stats(server) -> dict:
    return server.get("/api/v1/defer-probe/stats").json()


def test_a_deferred_response_is_finished_later_with_its_status_headers_and_body(server):
    started = time.monotonic()
    response = server.get("/api/v1/defer-probe/later", params={"ms": 300})
    waited = time.monotonic() - started
    assert (response.status_code, response.text, response.headers["x-later"]) == (201, "ready", "yes")
    assert response.headers["content-length"] == "5"
    assert 0.25 <= waited < 2, waited


def test_waiting_responses_do_not_hold_workers(server):
    results = []
    # One client for all (a client per call spends the test's time building TLS contexts).
    client = httpx.Client(limits=httpx.Limits(max_connections=25), timeout=10)

    def call():
        results.append(client.get(server.url("/api/v1/defer-probe/later?ms=1000")).status_code)

    threads = [threading.Thread(target=call) for _ in range(20)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    # While twenty responses wait on two workers, other requests are still served at once.
    assert server.get("/api/v1/defer-probe/stats").status_code == 200
    for thread in threads:
        thread.join()
    client.close()
    assert results == [201] * 20
    assert time.monotonic() - started < 2.5


def test_a_response_never_finished_is_a_504_and_its_handle_goes_stale(server):
    before = stats(server)["cancels"]
    started = time.monotonic()
    response = server.get("/api/v1/defer-probe/never")
    assert_error(response, 504, "gateway_timeout")
    assert 1.5 <= time.monotonic() - started < 4
    assert wait_until(lambda: stats(server)["cancels"] == before + 1, timeout=2)
    assert server.get("/api/v1/defer-probe/stale").text == "2"  # PATTERN_NOT_FOUND, not a crash


def test_defer_is_refused_twice_and_allowed_on_inline_routes(server):
    assert server.get("/api/v1/defer-probe/twice").text == "5"  # PATTERN_STATE
    # ABI 1.5: an inline handler may defer (and here finishes at once, on the loop).
    response = server.get("/api/v1/defer-probe/inline")
    assert (response.status_code, response.text) == (200, "0")


def test_a_stream_arrives_whole_in_chunks_with_curl(server):
    out = subprocess.run(["curl", "-sS", "-N", "-D", "-", server.url("/api/v1/defer-probe/flood?kib=5000")],
                         capture_output=True, timeout=30)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    assert out.returncode == 0, out.stderr
    assert b"transfer-encoding: chunked" in head.lower() and b"content-length" not in head.lower()
    assert body == b"x" * (5000 * 1024)


def test_a_slow_reader_gets_back_pressure_and_bounded_memory(server):
    before_rss = rss(server)
    before = stats(server)
    received = 0
    with httpx.stream("GET", server.url("/api/v1/defer-probe/flood?kib=65536"), timeout=30) as response:
        for chunk in response.iter_bytes(65536):
            received += len(chunk)
            if received < 8 * MIB:
                time.sleep(0.002)  # slower than the plugin writes
    assert received == 64 * MIB
    after = stats(server)
    assert after["busy"] > before["busy"] and after["drains"] > before["drains"]
    grown = rss(server) - before_rss
    assert grown < 32 * MIB, f"RSS grew {grown / MIB:.1f} MiB streaming 64 MiB to a slow reader"


def test_finished_deferred_exchanges_are_freed(server):
    """Every deferred exchange used to stay in memory (the response and its request held each
    other): thousands of them must not grow the server."""
    with httpx.Client(timeout=10) as client:
        def run(count: int):
            for i in range(count):
                path = "/api/v1/defer-probe/inline" if i % 2 else "/api/v1/defer-probe/later?ms=0"
                assert client.get(server.url(path)).status_code in (200, 201)
        run(500)  # warm-up: caches, allocator arenas
        before = rss(server)
        run(6000)
        grown = rss(server) - before
    assert grown < 4 * MIB, f"RSS grew {grown / MIB:.1f} MiB over 6,000 deferred exchanges"


def rss(server) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def events(lines, count: int) -> list[dict]:
    """The next `count` events from an SSE response's `iter_lines()`, parsed by hand (comments
    kept). Keep the iterator: a dropped one closes the response, and the server sees a client
    that left."""
    parsed, current = [], {}
    for line in lines:
        if line == "":
            if current:
                parsed.append(current)
                current = {}
            if len(parsed) == count:
                return parsed
        elif line.startswith(":"):
            parsed.append({"comment": line[1:].strip()})
            if len(parsed) == count:
                return parsed
        else:
            name, _, value = line.partition(":")
            current[name] = value[1:] if value.startswith(" ") else value
    return parsed


def test_the_sse_example_counts_in_order_and_ends(server):
    with httpx.stream("GET", server.url("/api/v1/count?to=5&every=20"), timeout=10) as response:
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        received = events(response.iter_lines(), 6)
    assert [e.get("data") for e in received[:5]] == ["1", "2", "3", "4", "5"]
    assert [e.get("id") for e in received[:5]] == ["1", "2", "3", "4", "5"]
    assert received[5]["event"] == "done"


def test_the_sse_example_refuses_bad_parameters(server):
    assert_error(server.get("/api/v1/count", params={"to": "0"}), 400, "validation_error")


def test_idle_event_streams_are_pinged(server):
    # A tick a second, pings after 200 ms of silence: pings come between the ticks.
    with httpx.stream("GET", server.url("/api/v1/defer-probe/ticks?every=1000"), timeout=10) as response:
        received = events(response.iter_lines(), 5)
    assert {"comment": "ping"} in received[:4], received
    assert any(e.get("event") == "tick" for e in received), received


def test_a_client_that_leaves_mid_stream_cancels_the_work(server):
    before = stats(server)["cancels"]
    with httpx.stream("GET", server.url("/api/v1/defer-probe/ticks"), timeout=10) as response:
        events(response.iter_lines(), 3)
    assert wait_until(lambda: stats(server)["cancels"] == before + 1, timeout=3)
    assert server.wait_for_log(lambda line: "/api/v1/defer-probe/ticks" in line and "status=200" in line)


def test_timers_fire_repeat_and_stop_when_cancelled(server):
    before = stats(server)["timer_fires"]
    assert server.post("/api/v1/defer-probe/timer", params={"delay": 10, "interval": 10, "cancel_after": 5}).status_code == 200
    assert wait_until(lambda: stats(server)["timer_fires"] == before + 5, timeout=3)
    time.sleep(0.3)
    assert stats(server)["timer_fires"] == before + 5  # cancelled from its fifth call: no sixth
    server.post("/api/v1/defer-probe/timer", params={"delay": 50})
    assert wait_until(lambda: stats(server)["timer_fires"] == before + 6, timeout=3)


def test_shutdown_waits_for_streams_then_cancels_them(start_server):
    server = start_server(plugins=[PROBE], config="[limits]\nshutdown_grace_seconds = 1\n")
    with httpx.stream("GET", server.url("/api/v1/defer-probe/ticks"), timeout=10) as response:
        lines = response.iter_lines()
        events(lines, 1)
        server.terminate(signal.SIGTERM)
        started = time.monotonic()
        assert server.wait(timeout=10) == 0
        # The stream went on during the grace period, until the host cancelled it.
        with pytest.raises(httpx.RemoteProtocolError):
            events(lines, 1000)
    assert time.monotonic() - started < 4
    assert server.wait_for_log(lambda line: "grace period over" in line)
