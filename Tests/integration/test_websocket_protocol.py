"""RFC 6455 rules, one by one, with hand-built frames against the ws-echo example plugin:
each asserts the exact echo or close code the rule requires."""
import signal
import struct
import time

import pytest

from conftest import WS_ECHO
from ws_support import (BINARY, CLOSE, CONTINUATION, PING, PONG, TEXT, RawWebSocket, accept_for, close_frame,
                        frame)


@pytest.fixture(scope="module")
def echo_server(start_server_module):
    return start_server_module(plugins=[WS_ECHO], config="[limits]\nws_max_message_bytes = 4096\n")


@pytest.fixture
def ws(echo_server):
    connection = RawWebSocket(echo_server.port)
    status, headers, _ = connection.handshake()
    assert status == 101, headers
    yield connection
    connection.close()


def test_handshake_answers_the_rfc_accept_value(echo_server):
    connection = RawWebSocket(echo_server.port)
    status, headers, _ = connection.handshake(key="dGhlIHNhbXBsZSBub25jZQ==")
    assert status == 101
    assert headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" == accept_for("dGhlIHNhbXBsZSBub25jZQ==")
    assert headers["upgrade"].lower() == "websocket" and headers["connection"].lower() == "upgrade"
    assert "sec-websocket-extensions" not in headers, "permessage-deflate must be declined"


def test_other_versions_get_426_naming_13(echo_server):
    connection = RawWebSocket(echo_server.port)
    status, headers, _ = connection.handshake({"Sec-WebSocket-Version": "8"})
    assert status == 426 and headers["sec-websocket-version"] == "13"


@pytest.mark.parametrize("key", [None, "short", "dGhlIHNhbXBsZSBub25jZQ", "!!!!!!!!!!!!!!!!!!!!!!=="])
def test_bad_keys_get_400(echo_server, key):
    connection = RawWebSocket(echo_server.port)
    status, _, body = connection.handshake({"Sec-WebSocket-Key": key}, key="unused") if key is None else \
        connection.handshake(key=key)
    assert status == 400 and b"bad_request" in body


def test_plain_get_of_a_websocket_route_is_400(echo_server):
    connection = RawWebSocket(echo_server.port)
    status, _, _ = connection.handshake({"Upgrade": None, "Connection": None})
    assert status == 400


def test_text_and_binary_are_echoed_with_their_type(ws):
    ws.send(frame(TEXT, "héllo".encode()))
    assert ws.recv_frame() == (TEXT, True, "héllo".encode())
    ws.send(frame(BINARY, bytes(range(256)) * 4))
    assert ws.recv_frame() == (BINARY, True, bytes(range(256)) * 4)


def test_fragments_are_joined_and_control_frames_may_interleave(ws):
    ws.send(frame(TEXT, b"Hel", fin=False))
    ws.send(frame(PING, b"in-between"))
    ws.send(frame(CONTINUATION, b"lo ", fin=False))
    ws.send(frame(CONTINUATION, b"world"))
    assert ws.recv_frame() == (PONG, True, b"in-between")
    assert ws.recv_frame() == (TEXT, True, b"Hello world")


def test_ping_gets_a_pong_with_the_same_payload(ws):
    ws.send(frame(PING, b"abc"))
    assert ws.recv_frame() == (PONG, True, b"abc")


@pytest.mark.parametrize("name, data, code", [
    ("unmasked client frame", frame(TEXT, b"x", mask=False), 1002),
    ("reserved bit", frame(TEXT, b"x", rsv=1), 1002),
    ("reserved opcode 3", frame(0x3, b"x"), 1002),
    ("reserved control opcode 0xB", frame(0xB, b""), 1002),
    ("control frame over 125 bytes", frame(PING, b"x" * 126), 1002),
    ("fragmented control frame", frame(PING, b"x", fin=False), 1002),
    ("continuation without a message", frame(CONTINUATION, b"x"), 1002),
    ("new message inside a fragmented one", frame(TEXT, b"a", fin=False) + frame(TEXT, b"b"), 1002),
    ("invalid UTF-8", frame(TEXT, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xed\xa0\x80"), 1007),
    ("overlong UTF-8", frame(TEXT, b"\xc0\xaf"), 1007),
    ("UTF-8 cut at the end of the message", frame(TEXT, b"ok\xe2\x82"), 1007),
    ("close payload of one byte", frame(CLOSE, b"\x03"), 1002),
    ("close code 1005 may not be sent", close_frame(1005), 1002),
    ("close code 999", close_frame(999), 1002),
    ("close code 2000", close_frame(2000), 1002),
    ("close reason not UTF-8", close_frame(1000, b"\xff"), 1007),
    ("message over the limit", frame(BINARY, b"x" * 5000), 1009),
    ("fragments over the limit", frame(BINARY, b"x" * 3000, fin=False) + frame(CONTINUATION, b"x" * 3000), 1009),
])
def test_violations_close_with_the_right_code(ws, name, data, code):
    ws.send(data)
    assert ws.recv_close_code() == code, name
    assert ws.is_closed(), "the server closes the TCP connection after its Close"


def test_invalid_utf8_fails_at_the_first_bad_fragment(ws):
    ws.send(frame(TEXT, b"\xf4\x90\x80", fin=False))  # above U+10FFFF: invalid already
    assert ws.recv_close_code() == 1007


def test_utf8_split_across_fragments_is_valid(ws):
    euro = "€".encode()
    ws.send(frame(TEXT, euro[:1], fin=False) + frame(CONTINUATION, euro[1:2], fin=False) + frame(CONTINUATION, euro[2:]))
    assert ws.recv_frame() == (TEXT, True, euro)


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1011, 3000, 4999])
def test_close_is_echoed_and_the_server_closes_tcp(ws, code):
    ws.send(close_frame(code, b"bye"))
    assert ws.recv_close_code() == code
    assert ws.is_closed()


def test_empty_close_is_answered_with_1000(ws):
    ws.send(frame(CLOSE, b""))
    assert ws.recv_close_code() == 1000


def test_slow_reader_is_closed_with_1008_and_memory_stays_bounded(start_server):
    server = start_server(plugins=[WS_ECHO], config="[limits]\nws_send_queue_bytes = 65536\n")
    ws = RawWebSocket(server.port, rcvbuf=4096, timeout=20)
    assert ws.handshake()[0] == 101
    chunk = frame(BINARY, b"y" * 60000)
    closed_early = False
    try:
        for _ in range(400):  # 24 MB of echoes nobody reads
            ws.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        closed_early = True
    rss_kib = int(next(l for l in open(f"/proc/{server.process.pid}/status") if l.startswith("VmRSS:")).split()[1])
    assert rss_kib < 200 * 1024, f"server RSS {rss_kib} KiB: the send queue is not bounded"
    if not closed_early:
        assert ws.recv_close_code() == 1008


def test_idle_connections_are_pinged(start_server):
    server = start_server(plugins=[WS_ECHO], config="[limits]\nws_ping_interval_seconds = 1\n")
    ws = RawWebSocket(server.port)
    assert ws.handshake()[0] == 101
    opcode, _, _ = ws.recv_frame()
    assert opcode == PING
    # Not answering the ping: the connection is dropped after another interval.
    assert ws.is_closed(timeout=5)


def test_shutdown_sends_1001(start_server):
    server = start_server(plugins=[WS_ECHO])
    ws = RawWebSocket(server.port)
    assert ws.handshake()[0] == 101
    server.terminate(signal.SIGTERM)
    assert ws.recv_close_code() == 1001
    ws.send(close_frame(1001))
    assert server.wait(timeout=10) == 0


def test_event_socket_without_credentials_is_401(start_server):
    server = start_server(plugins=[WS_ECHO])
    ws = RawWebSocket(server.port, path="/api/v1/ws")
    status, headers, body = ws.handshake()
    assert status == 401 and headers.get("www-authenticate") == "Bearer" and b"unauthorized" in body
