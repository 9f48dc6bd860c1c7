"""Bounded input: head size, body size, header read timeout, connection count."""
import socket
import time

import pytest

from conftest import HTTPParseError, assert_error, process_cpu_seconds, wait_until


def test_request_head_over_16_kib_is_431(server):
    with server.connect() as conn:
        conn.send(b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (17 * 1024)
                  + b"\r\n\r\n")
        response = conn.read_response()
    assert_error(response, 431)


def test_request_head_under_the_limit_is_fine(server):
    response = server.get("/api/v1/hello", headers={"X-Big": "a" * (12 * 1024)})
    assert response.status_code == 200


def test_content_length_over_1_mib_is_413_before_the_body(server):
    with server.connect(timeout=5) as conn:
        conn.send(b"POST /api/v1/hello-swift/upload HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/octet-stream\r\nContent-Length: 5000000\r\n\r\n")
        response = conn.read_response()  # no body sent: the answer must not wait for it
    assert_error(response, 413, "payload_too_large")


def test_body_of_exactly_1_mib_is_accepted(server):
    response = server.post("/api/v1/hello-swift/upload", data=b"b" * (1024 * 1024))
    assert response.status_code == 200
    assert response.json() == {"bytes": 1024 * 1024}


def test_chunked_body_over_1_mib_is_413(server):
    chunk = b"c" * 65536
    with server.connect() as conn:
        conn.send(b"POST /api/v1/hello-swift/upload HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(20):  # 1.25 MiB in all
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the client has finished
        response = conn.read_response()
    assert_error(response, 413, "payload_too_large")


def test_header_read_timeout_is_408_then_close(start_server):
    server = start_server(config="[limits]\nheader_timeout_seconds = 2\n")
    with server.connect(timeout=10) as conn:
        started = time.monotonic()
        conn.send(b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Half: ")
        response = conn.read_response()
        waited = time.monotonic() - started
        assert_error(response, 408)
        assert conn.is_closed()
    assert waited >= 1.5, f"answered 408 after {waited:.2f} s, before the 2 s timeout"
    # A complete request on a fresh connection is unaffected.
    assert server.get("/api/v1/hello").status_code == 200


def test_max_connections(start_server):
    limit = 4
    server = start_server(config=f"[limits]\nmax_connections = {limit}\n")
    held, extra = [], []
    try:
        def open_one_more() -> bool:
            # Retried: the start-up probe's connection may still be counted for a moment.
            try:
                conn = server.connect(timeout=2)
            except OSError:
                return False
            try:
                if conn.request("GET", "/api/v1/hello").status == 200:
                    held.append(conn)
                    return True
            except (OSError, HTTPParseError):
                pass
            conn.close()
            return False
        for _ in range(limit):
            assert wait_until(open_one_more, timeout=5), f"only {len(held)} connections served"
        for _ in range(5):
            extra.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))

        for i, sock in enumerate(extra):  # accepted, then closed: EOF or reset, quickly
            sock.settimeout(3)
            try:
                data = sock.recv(4096)
                assert data == b"" or data.startswith(b"HTTP/1.1 503"), data
            except ConnectionResetError:
                pass
            except socket.timeout:
                pytest.fail(f"connection {limit + i + 1} over max_connections = {limit} "
                            "was not closed within 3 s")

        # While the extra sockets are held open on our side, the server does not spin.
        before = process_cpu_seconds(server.process.pid)
        time.sleep(2)
        used = process_cpu_seconds(server.process.pid) - before
        assert used < 0.5, f"server used {used:.2f} s of CPU in 2 s at the connection limit"

        # The held connections still work.
        assert held[0].request("GET", "/api/v1/hello").status == 200
    finally:
        for sock in extra:
            sock.close()
        for conn in held:
            conn.close()

    def new_request_works():
        try:
            with server.connect(timeout=2) as conn:
                return conn.request("GET", "/api/v1/hello").status == 200
        except OSError:
            return False
    assert wait_until(new_request_works, timeout=5), "no new connection after closing old ones"
