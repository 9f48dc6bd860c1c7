"""A broken or malicious MCP server affects only its own calls: a stdio child killed mid-call
(the call fails at once, the child is restarted), an HTTP server that stops answering (the call
times out), a flood of notifications, lines that are not JSON-RPC, a result over the size
limit (refused, the server stays usable), too many calls at once; the same server registered
by two users stays two isolated registrations; and shutdown leaves no child behind."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import requests

from conftest import free_port
from mcp_support import (SDKS, call, children_of, get_server, http_peer, is_alive, mcp_config, register_http,
                         register_stdio, registered, start_mcp, text_of, wait_for_status, wait_until)

LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_mcp(start_server_module, config=mcp_config(call_timeout_seconds=3, max_concurrent_calls=2,
                                                            max_message_bytes=LIMIT))


@pytest.fixture(params=SDKS, ids=lambda sdk: f"sdk{sdk}")
def sdk(request):
    return request.param


@pytest.fixture(params=["stdio", "http"])
def server(request, world, sdk):
    with registered(world.admin, sdk, request.param) as registration:
        yield registration


def in_background(function, *args, **kwargs):
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(response=function(*args, **kwargs)))
    thread.start()
    return thread, outcome


def test_a_stdio_child_killed_mid_call_fails_the_call_and_is_restarted(world, sdk):
    server = register_stdio(world.admin, sdk)
    pid = int(text_of(call(world.admin, server["id"], "process_id").json()))
    thread, outcome = in_background(call, world.admin, server["id"], "slow", seconds=30)
    time.sleep(0.5)
    started = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    thread.join(10)
    response = outcome["response"]
    assert response.status_code == 503, response.text
    assert "ended" in response.json()["error"]["message"] and time.monotonic() - started < 3
    restarted = wait_for_status(world.admin, server["id"], "connected")
    assert restarted["connected_at"] != server["connected_at"]
    assert int(text_of(call(world.admin, server["id"], "process_id").json())) != pid
    assert text_of(call(world.admin, server["id"], "add", a=1, b=1).json()) == "2"


def test_a_server_without_auto_reconnect_stays_down_until_it_is_turned_on(world):
    server = register_stdio(world.admin, 2, auto_reconnect=False)
    pid = int(text_of(call(world.admin, server["id"], "process_id").json()))
    os.kill(pid, signal.SIGKILL)
    down = wait_for_status(world.admin, server["id"], "error")
    assert "ended" in down["last_error"]
    time.sleep(1.5)
    assert get_server(world.admin, server["id"])["status"] == "error"
    # Turning auto_reconnect on tries again at once.
    assert world.admin.patch(f"/mcp/servers/{server['id']}", {"auto_reconnect": True}).status_code == 200
    wait_for_status(world.admin, server["id"], "connected")


def test_an_http_server_that_stops_answering_times_out(world, sdk):
    with http_peer(sdk) as (url, process):
        server = register_http(world.admin, url)
        process.send_signal(signal.SIGSTOP)
        try:
            started = time.monotonic()
            response = call(world.admin, server["id"], "add", a=1, b=2)
            assert response.status_code == 504, response.text
            assert response.json()["error"]["type"] == "gateway_timeout"
            assert 2.5 < time.monotonic() - started < 8
        finally:
            process.send_signal(signal.SIGCONT)
        assert text_of(call(world.admin, server["id"], "add", a=1, b=2).json()) == "3"


def test_a_slow_tool_times_out_and_the_server_stays_usable(world, server):
    response = call(world.admin, server["id"], "slow", seconds=20)
    assert response.status_code == 504, response.text
    assert text_of(call(world.admin, server["id"], "echo", text="still here").json()) == "still here"


def test_a_call_that_times_out_is_cancelled_with_the_server(world, server, tmp_path):
    marker = tmp_path / "finished"
    response = call(world.admin, server["id"], "slow", seconds=4, marker=str(marker))
    assert response.status_code == 504, response.text
    time.sleep(2)
    assert not marker.exists(), "the server finished a call that notifications/cancelled should have stopped"


def test_an_expired_http_session_is_initialised_again(world, sdk):
    port = free_port()
    with http_peer(sdk, port) as (url, first):
        server = register_http(world.admin, url)
        first.kill()
        first.wait(10)
        with http_peer(sdk, port):
            # The new process knows no session: 404, and the connection initialises a new one.
            response = call(world.admin, server["id"], "add", a=1, b=2)
            assert response.status_code == 503 and "session" in response.json()["error"]["message"], response.text
            again = wait_for_status(world.admin, server["id"], "connected")
            assert again["connected_at"] != server["connected_at"]
            assert text_of(call(world.admin, server["id"], "add", a=1, b=2).json()) == "3"


def test_a_server_that_stops_answering_pings_is_reconnected(start_server):
    world = start_mcp(start_server, config=mcp_config(ping_interval_seconds=1, connect_timeout_seconds=2))
    with http_peer(2) as (url, process):
        server = register_http(world.admin, url)
        process.send_signal(signal.SIGSTOP)
        try:
            down = wait_for_status(world.admin, server["id"], "error", timeout=15)
            assert "ping" in down["last_error"] or "initialize" in down["last_error"]
        finally:
            process.send_signal(signal.SIGCONT)
        wait_for_status(world.admin, server["id"], "connected", timeout=30)


def test_a_thousand_notifications_in_a_burst(world, server):
    response = call(world.admin, server["id"], "chatter", count=1000, timeout=60)
    assert response.status_code == 200, response.text
    assert text_of(response.json()) == "sent 1000"
    assert get_server(world.admin, server["id"])["status"] == "connected"
    assert text_of(call(world.admin, server["id"], "add", a=20, b=22).json()) == "42"


def test_lines_that_are_not_json_rpc_are_skipped(world, sdk):
    server = register_stdio(world.admin, sdk)
    response = call(world.admin, server["id"], "scribble", lines=50)
    assert response.status_code == 200, response.text
    assert text_of(response.json()) == "wrote 50"
    warning = "wrote a line that is not JSON-RPC"
    assert world.server.wait_for_log(lambda line: warning in line)
    # Once per child, not once per line (one child per SDK in this module).
    assert sum(warning in line for line in world.server.stderr().splitlines()) <= len(SDKS)


def test_a_ten_megabyte_result_is_refused_at_the_limit(world, server):
    response = call(world.admin, server["id"], "big", size=10_000_000, timeout=60)
    assert response.status_code == 502, response.text
    assert str(LIMIT) in response.json()["error"]["message"]
    assert get_server(world.admin, server["id"])["status"] == "connected"
    assert len(text_of(call(world.admin, server["id"], "big", size=1000).json())) == 1000


def test_calls_beyond_the_concurrency_limit_are_refused_at_once(world):
    with http_peer(2) as (url, _):
        server = register_http(world.admin, url)
        running = [in_background(call, world.admin, server["id"], "slow", seconds=2) for _ in range(2)]
        time.sleep(0.8)
        refused = call(world.admin, server["id"], "add", a=1, b=1)
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "1"
        for thread, outcome in running:
            thread.join(10)
            assert outcome["response"].status_code == 200
        assert call(world.admin, server["id"], "add", a=1, b=1).status_code == 200


def test_a_caller_that_leaves_frees_its_slot_and_cancels_the_call(world, server, tmp_path):
    # The limit here is two calls at once: two callers that give up must not hold both slots.
    markers = [tmp_path / f"finished-{i}" for i in range(2)]
    for marker in markers:
        with pytest.raises(requests.exceptions.Timeout):
            call(world.admin, server["id"], "slow", timeout=0.5, seconds=2.5, marker=str(marker))  # < call_timeout_seconds
    time.sleep(0.3)
    answered = call(world.admin, server["id"], "add", a=2, b=3)
    assert answered.status_code == 200, answered.text
    time.sleep(3)
    assert not any(marker.exists() for marker in markers), "the server finished calls whose callers had left"


def test_the_same_server_registered_by_two_users_stays_isolated(world):
    with http_peer(1) as (url, _):
        alice, bob = world.user(), world.user()
        mine, theirs = register_http(alice, url, name="shared"), register_http(bob, url, name="shared")
        assert mine["id"] != theirs["id"]
        assert text_of(call(alice, mine["id"], "echo", text="alice").json()) == "alice"
        assert alice.delete(f"/mcp/servers/{mine['id']}").status_code == 204
        assert text_of(call(bob, theirs["id"], "echo", text="bob").json()) == "bob"
        assert [s["id"] for s in bob.get("/mcp/servers").json()["items"]] == [theirs["id"]]


def test_removing_a_stdio_server_stops_its_child(world):
    server = register_stdio(world.admin, 2)
    pid = int(text_of(call(world.admin, server["id"], "process_id").json()))
    assert world.admin.delete(f"/mcp/servers/{server['id']}").status_code == 204
    assert wait_until(lambda: not is_alive(pid), 10)


def test_shutdown_with_children_running_leaves_none(start_server):
    world = start_mcp(start_server)
    servers = [register_stdio(world.admin, sdk) for sdk in SDKS]
    pids = [int(text_of(call(world.admin, s["id"], "process_id").json())) for s in servers]
    assert set(pids) <= set(children_of(world.server.process.pid))
    busy, _ = in_background(call, world.admin, servers[0]["id"], "slow", seconds=30)
    time.sleep(0.3)
    world.server.terminate()
    assert world.server.wait(timeout=20) == 0
    busy.join(10)
    for pid in pids:
        assert not is_alive(pid), f"child {pid} outlived the server"
