"""The host's side of WebSocket sessions (ABI 1.3): a socket lives only as long as the login it
was opened with. Driven by the session-probe fixture, whose credentials state their user,
session and expiry, so each rule is tested without a real login (the auth plugin's own
revocations are tested in test_auth_*.py)."""
import json
import struct
import time

import pytest

from ws_support import CLOSE, TEXT, RawWebSocket, frame

PROBE = "libsession_probe.so"


@pytest.fixture(scope="module")
def server(start_server_module):
    return start_server_module(plugins=[PROBE])


def credential(user: str, session: str, expires_at: int = 0) -> str:
    return f"probe.{user}.{session}.{expires_at}"


def open_socket(server, token: str) -> RawWebSocket:
    ws = RawWebSocket(server.port, path="/api/v1/ws")
    status, _, body = ws.handshake({"Authorization": f"Bearer {token}"})
    assert status == 101, body
    return ws


def next_event(ws: RawWebSocket) -> dict:
    while True:
        opcode, _, payload = ws.recv_frame()
        if opcode == TEXT:
            return json.loads(payload)
        assert opcode != CLOSE, payload


def command(ws: RawWebSocket, message: dict) -> dict:
    ws.send(frame(TEXT, json.dumps(message).encode()))
    return next_event(ws)


def close_of(ws: RawWebSocket, timeout: float) -> tuple[int, str]:
    """(code, reason) of the server's Close, skipping data frames."""
    ws.sock.settimeout(timeout)
    while True:
        opcode, _, payload = ws.recv_frame()
        if opcode == CLOSE:
            return struct.unpack("!H", payload[:2])[0], payload[2:].decode()


def stays_open(ws: RawWebSocket, seconds: float) -> bool:
    """True when a ping is still answered after `seconds`."""
    time.sleep(seconds)
    return command(ws, {"type": "ping"})["type"] == "pong"


def revoke(server, user: str, session: str | None = None):
    params = {"user": user, **({"session": session} if session else {})}
    assert server.post("/api/v1/session-probe/revoke", params=params).status_code == 204


def test_connected_event_says_when_the_credential_expires(server):
    expires = int(time.time()) + 3600
    ws = open_socket(server, credential("u-conn", "s1", expires))
    connected = next_event(ws)
    assert connected["type"] == "connected"
    assert connected["expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(expires))
    forever = open_socket(server, credential("u-conn", "s2"))
    assert next_event(forever)["expires_at"] is None


def test_socket_closes_4401_token_expired_when_its_credential_expires(server):
    ws = open_socket(server, credential("u-expiry", "s1", int(time.time()) + 2))
    next_event(ws)
    started = time.monotonic()
    assert close_of(ws, timeout=5) == (4401, "token_expired")
    assert time.monotonic() - started < 3.5


def test_authenticate_with_a_fresh_token_keeps_the_socket_open(server):
    ws = open_socket(server, credential("u-renew", "s1", int(time.time()) + 2))
    next_event(ws)
    fresh = int(time.time()) + 60
    answer = command(ws, {"type": "authenticate", "token": credential("u-renew", "s2", fresh)})
    assert answer["type"] == "authenticated"
    assert answer["expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(fresh))
    assert stays_open(ws, 3)
    # Revocations now follow the new login: ending the old one leaves it open, the new one closes it.
    revoke(server, "u-renew", "s1")
    assert stays_open(ws, 0.5)
    revoke(server, "u-renew", "s2")
    assert close_of(ws, timeout=1) == (4401, "session_revoked")


@pytest.mark.parametrize("token, why", [
    (credential("someone-else", "s9", 0), "another user"),
    ("probe.broken", "invalid"),
    ("not a token\r\nX-Evil: 1", "invalid"),
    ("", "must be a non-empty string"),
])
def test_authenticate_with_a_bad_token_is_refused_and_expiry_stands(server, token, why):
    ws = open_socket(server, credential("u-bad", "s1", int(time.time()) + 2))
    next_event(ws)
    answer = command(ws, {"type": "authenticate", "token": token})
    assert answer["type"] == "error" and why in answer["message"], answer
    assert close_of(ws, timeout=5) == (4401, "token_expired")


def test_ending_one_session_closes_its_sockets_within_a_second_and_no_other(server):
    first = open_socket(server, credential("u-rev", "s1"))
    second = open_socket(server, credential("u-rev", "s2"))
    other_user = open_socket(server, credential("u-other", "s1"))
    for ws in (first, second, other_user):
        next_event(ws)
    started = time.monotonic()
    revoke(server, "u-rev", "s1")
    assert close_of(first, timeout=1) == (4401, "session_revoked")
    assert time.monotonic() - started < 1
    assert stays_open(second, 0.3) and stays_open(other_user, 0)


def test_ending_every_session_of_a_user_closes_all_their_sockets(server):
    sockets = [open_socket(server, credential("u-all", f"s{n}")) for n in range(3)]
    bystander = open_socket(server, credential("u-bystander", "s1"))
    for ws in (*sockets, bystander):
        next_event(ws)
    revoke(server, "u-all")
    for ws in sockets:
        assert close_of(ws, timeout=1) == (4401, "session_revoked")
    assert stays_open(bystander, 0.3)


def test_close_sessions_needs_a_user(server):
    assert server.post("/api/v1/session-probe/revoke").status_code == 400
