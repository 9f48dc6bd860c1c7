"""One hostile client against the transport's bounds (SECURITY.md): each test replays an attack
from the hardening audit against the real binary over raw sockets and checks that the
server's memory stays bounded, slow clients are cut off, and other clients are unaffected."""
import json
import socket
import threading
import time
from pathlib import Path

import requests

from conftest import AUTH, WS_ECHO, RawConnection, assert_error, wait_until
from ws_support import CLOSE, PING, TEXT, RawWebSocket, frame

MIB = 1 << 20
# Memory a hostile client may cost the server (findings 1, 3, 5: at least 1 GB offered or 20 s).
RSS_BUDGET = 64 * MIB
OFFERED = 1 << 30
FLOOD_SECONDS = 20.0


def rss(server) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def flood(sock: socket.socket, chunk: bytes) -> int:
    """Sends `chunk` again and again until OFFERED bytes, FLOOD_SECONDS, or the server closes;
    returns the bytes the kernel took. Never reads."""
    sock.settimeout(0.2)
    sent = 0
    deadline = time.monotonic() + FLOOD_SECONDS
    while sent < OFFERED and time.monotonic() < deadline:
        try:
            sent += sock.send(chunk)
        except socket.timeout:
            continue  # the server stopped reading: exactly what a bound looks like from here
        except (BrokenPipeError, ConnectionResetError):
            break
    return sent


# ----- finding 1: control frames ---------------------------------------------------------

def test_pings_from_a_peer_that_never_reads_are_bounded_and_it_is_closed_1008(start_server):
    server = start_server(plugins=[WS_ECHO])
    before = rss(server)
    ws = RawWebSocket(server.port, rcvbuf=4096)
    status, _, _ = ws.handshake()
    assert status == 101
    pings = b"".join(frame(PING, b"p" * 125) for _ in range(512))
    flood(ws.sock, pings)
    grown = rss(server) - before
    assert grown < RSS_BUDGET, f"RSS grew by {grown / MIB:.1f} MiB"
    # The server answered pongs until the send queue was full, then closed with 1008.
    ws.sock.settimeout(10)
    assert ws.recv_close_code() == 1008
    assert server.get("/api/v1/health").status_code == 200


def test_a_peer_that_reads_its_pongs_is_served_normally(start_server):
    server = start_server(plugins=[WS_ECHO])
    ws = RawWebSocket(server.port)
    assert ws.handshake()[0] == 101
    for index in range(200):
        ws.send(frame(PING, b"%d" % index))
        opcode, _, payload = ws.recv_frame()
        assert (opcode, payload) == (0xA, b"%d" % index)
    ws.send(frame(TEXT, b"still here"))
    assert ws.recv_frame()[2] == b"still here"


# ----- finding 3: pipelining without reading ---------------------------------------------

def test_pipelined_requests_from_a_client_that_never_reads_are_bounded(start_server):
    server = start_server(plugins=[])
    before = rss(server)
    conn = RawConnection(server.port, rcvbuf=4096)
    request = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
    offered = flood(conn.sock, request * (MIB // len(request)))
    grown = rss(server) - before
    assert grown < RSS_BUDGET, f"RSS grew by {grown / MIB:.1f} MiB after {offered / MIB:.0f} MiB offered"
    # The server stopped reading once its answers backed up: it took far less than was offered.
    assert offered < 256 * MIB, f"{offered / MIB:.0f} MiB were taken from a client that never reads"
    # Reading again resumes: the first answers arrive, in order.
    conn.sock.settimeout(10)
    with conn:
        for _ in range(3):
            assert conn.read_response().status == 200
    assert server.get("/api/v1/health").status_code == 200


# ----- finding 4: slow bodies and the per-address connection cap --------------------------

def test_a_body_that_trickles_gets_408_at_the_total_body_deadline(start_server):
    server = start_server(plugins=[], config="[limits]\nbody_timeout_seconds = 2\nheader_timeout_seconds = 10\n")
    with server.connect(timeout=15) as conn:
        conn.send(b"POST /api/v1/anything HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        started = time.monotonic()
        conn.sock.settimeout(0.5)
        response = None
        while response is None and time.monotonic() - started < 10:
            try:
                conn.send(b"x")  # one byte every half second: each read alone is "progress"
                response = conn.read_response()
            except (socket.timeout, TimeoutError):
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        waited = time.monotonic() - started
    assert response is not None, "no answer to a body that never completes"
    assert_error(response, 408)
    assert 1.5 <= waited <= 4.0, f"answered after {waited:.1f} s"


def open_idle(port: int, count: int) -> list[RawConnection]:
    return [RawConnection(port, timeout=5) for _ in range(count)]


def closed_at_once(conn: RawConnection) -> bool:
    return conn.is_closed(timeout=2)


def test_connections_beyond_the_per_address_cap_are_closed_and_logged_once(start_server):
    server = start_server(plugins=[], config="[limits]\nmax_connections_per_ip = 5\n")
    held = open_idle(server.port, 5)
    time.sleep(0.2)
    refused = open_idle(server.port, 3)
    assert all(closed_at_once(sock) for sock in refused)
    # The five admitted connections are served.
    held[0].send(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert held[0].read_response().status == 200
    assert server.wait_for_log(lambda line: "too many from one address" in line)
    refusals = [line for line in server.stderr().splitlines() if "too many from one address" in line]
    assert len(refusals) == 1, refusals  # three refusals in one second: one log line
    assert "127.0.0.1" in refusals[0]
    # A slot frees when a connection closes.
    for sock in held[1:]:
        sock.close()
    assert wait_until(lambda: server_answers(server), timeout=5)


def server_answers(server) -> bool:
    try:
        return requests.get(server.url("/api/v1/health"), timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_exempt_addresses_are_not_capped(start_server):
    server = start_server(plugins=[], config='[limits]\nmax_connections_per_ip = 2\n'
                                             'connection_cap_exempt = ["127.0.0.1"]\n')
    held = open_idle(server.port, 6)
    time.sleep(0.2)
    assert not closed_at_once(held[-1])
    assert server_answers(server)


# ----- finding 5: event-socket commands waiting for workers ------------------------------

def admin_event_socket(start_server):
    """A server with the auth plugin and an administrator's open event socket."""
    server = start_server(plugins=[AUTH], config="[auth]\nbcrypt_cost = 4\n",
                          env={"PATTERN_ADMIN_USERNAME": "root", "PATTERN_ADMIN_PASSWORD": "root-password-1"})
    login = server.post("/api/v1/auth/login", json={"username": "root", "password": "root-password-1"})
    ws = RawWebSocket(server.port, path="/api/v1/ws")
    assert ws.handshake({"Authorization": f"Bearer {login.json()['access_token']}"})[0] == 101
    assert json.loads(ws.recv_frame()[2])["type"] == "connected"
    return server, ws


def test_commands_faster_than_workers_are_bounded_and_none_is_lost(start_server):
    server, ws = admin_event_socket(start_server)
    before = rss(server)

    pongs = 0
    reader_done = threading.Event()

    def read_answers():
        nonlocal pongs
        ws.sock.settimeout(60)
        try:
            while True:
                opcode, _, payload = ws.recv_frame()
                if opcode == TEXT and json.loads(payload)["type"] == "pong":
                    pongs += 1
                if opcode == CLOSE:
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            reader_done.set()

    reader = threading.Thread(target=read_answers, daemon=True)
    reader.start()
    # Small commands: the loop reads thousands per read, a worker answers them one by one.
    command = frame(TEXT, json.dumps({"type": "ping", "padding": "x" * 200}).encode())
    batch = command * 4096
    sent = 0
    peak = 0
    deadline = time.monotonic() + FLOOD_SECONDS
    while sent * len(command) < OFFERED and time.monotonic() < deadline:
        ws.sock.sendall(batch)
        sent += 4096
        peak = max(peak, rss(server) - before)
    assert wait_until(lambda: pongs == sent, timeout=60), f"{pongs} answers to {sent} commands"
    peak = max(peak, rss(server) - before)
    assert peak < RSS_BUDGET, f"RSS grew by {peak / MIB:.1f} MiB with {sent} commands waiting"
    ws.send(frame(CLOSE, b"\x03\xe8"))
    reader_done.wait(10)


def test_subscriptions_per_connection_are_bounded(start_server):
    _, ws = admin_event_socket(start_server)
    for index in range(1025):
        ws.send(frame(TEXT, json.dumps({"type": "subscribe_user", "user_id": f"user-{index}"}).encode()))
    answers = [json.loads(ws.recv_frame()[2]) for _ in range(1025)]
    assert all(answer["success"] for answer in answers[:1024])
    assert not answers[1024]["success"] and "1024" in answers[1024]["message"]
    # Following a topic again, or after leaving one, is still possible.
    ws.send(frame(TEXT, json.dumps({"type": "subscribe_user", "user_id": "user-0"}).encode()))
    assert json.loads(ws.recv_frame()[2])["success"]
