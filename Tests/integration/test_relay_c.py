"""Examples/relay-c: a plain-C plugin that relays a configured upstream through the host's
outbound client with a deferred, streamed response."""
import socket
import threading
import time

import pytest

from conftest import RELAY_C, HTTPParseError, assert_config_refused
from outbound_support import LOOPBACK_ONLY, ScriptedServer, loopback_nginx

def relay_config(upstream: str) -> str:
    return LOOPBACK_ONLY + f'\n[relay]\nupstream = "{upstream}"\n'


def test_relay_needs_an_upstream(run_cli, tmp_path):
    assert_config_refused(run_cli, tmp_path, RELAY_C, "[relay]\n", "relay", "upstream")


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    with loopback_nginx(tmp_path_factory, "relay") as server:
        yield server


def test_relay_streams_the_upstream_body(start_server, nginx):
    server = start_server(plugins=[RELAY_C], config=relay_config(f"http://127.0.0.1:{nginx.http_port}/large.bin"))
    response = server.get("/api/v1/relay")
    assert response.status_code == 200
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert response.content == nginx.large


def test_relay_keeps_the_upstream_connection_alive(start_server, nginx):
    server = start_server(plugins=[RELAY_C], config=relay_config(f"http://127.0.0.1:{nginx.http_port}/small"))
    before = len(nginx.log_lines())
    for _ in range(5):
        assert server.get("/api/v1/relay").text == "hello from nginx\n"
    lines = nginx.log_lines()[before:]
    assert len(lines) == 5 and max(number for _, number, _ in lines) >= 3, lines


def test_relay_answers_502_when_the_upstream_is_down(start_server):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    dead = port.getsockname()[1]
    port.close()
    server = start_server(plugins=[RELAY_C], config=relay_config(f"http://127.0.0.1:{dead}/"))
    response = server.get("/api/v1/relay")
    assert response.status_code == 502 and response.json()["error"]["type"] == "bad_gateway"


def test_a_client_that_leaves_cancels_the_upstream_call(start_server):
    closed = threading.Event()

    def endless(peer, conn):
        peer.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while True:
                conn.sendall(b"5\r\ntick\n\r\n")
                time.sleep(0.05)
        except OSError:
            closed.set()

    upstream = ScriptedServer(endless)
    try:
        server = start_server(plugins=[RELAY_C], config=relay_config(f"http://127.0.0.1:{upstream.port}/"))
        with server.connect() as conn:
            conn.send(b"GET /api/v1/relay HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b"tick" in conn.sock.recv(4096) + conn.sock.recv(4096)
        assert closed.wait(10), "the upstream connection was not closed after the client left"
    finally:
        upstream.close()


def test_a_stalled_reader_costs_bounded_memory(start_server, nginx):
    # One malloc arena: otherwise each worker thread's arena keeps what it once held, which
    # hides what this stream needs.
    server = start_server(plugins=[RELAY_C], config=relay_config(f"http://127.0.0.1:{nginx.http_port}/huge.bin"),
                          env={"MALLOC_ARENA_MAX": "1"})

    def rss_kib():
        return int(next(line.split()[1] for line in open(f"/proc/{server.process.pid}/status") if line.startswith("VmRSS")))

    baseline = rss_kib()
    with server.connect(timeout=30) as conn:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        conn.send(b"GET /api/v1/relay HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(2)  # the relay must pause the upstream rather than hold the whole body
        grown = rss_kib() - baseline
        head = conn.sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head
    # (That the whole body arrives is test_relay_streams_the_upstream_body's.) The stream's queue (1 MiB), the client's delivery buffer (1 MiB) and allocator slack:
    # a bound that does not move with the 12 MiB body.
    assert grown < 6 * 1024, f"RSS grew by {grown} KiB while the reader stalled"


def test_an_upstream_that_breaks_mid_body_gives_a_truncated_response(start_server):
    def breaks(peer, conn):
        peer.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
        time.sleep(0.2)
        conn.close()  # 900 bytes short

    upstream = ScriptedServer(breaks)
    try:
        server = start_server(plugins=[RELAY_C], config=relay_config(f"http://127.0.0.1:{upstream.port}/"))
        with server.connect(timeout=10) as conn:
            conn.send(b"GET /api/v1/relay HTTP/1.1\r\nHost: x\r\n\r\n")
            # The relayed stream never ends with the last chunk: the connection just closes.
            with pytest.raises(HTTPParseError, match="closed"):
                conn.read_response()
    finally:
        upstream.close()
