"""HTTP/1.1 as the transport speaks it: keep-alive, pipelining, HTTP/1.0, chunked bodies,
Expect: 100-continue, and the request-smuggling defences (RFC 9112)."""
import pytest

from conftest import assert_error, assert_standard_headers, build_request

UPLOAD = "/api/v1/hello-swift/upload"


def test_keep_alive_serves_several_requests_on_one_socket(server):
    with server.connect() as conn:
        for i in range(5):
            response = conn.request("GET", f"/api/v1/hello/n{i}")
            assert response.status == 200
            assert response.json() == {"message": f"hello, n{i}"}
            assert (response.header("Connection") or "").lower() != "close"


def test_keep_alive_survives_a_large_answer_from_a_worker(server):
    # Over the output backlog bound (256 KiB) yet written in one go: reading must resume.
    text = "x" * (300 * 1024)
    with server.connect() as conn:
        big = conn.request("POST", "/api/v1/hello-swift/echo", {"Content-Type": "application/json"},
                           ('{"text":"%s"}' % text).encode())
        assert big.status == 200 and big.json()["length"] == len(text)
        assert conn.request("GET", "/api/health").status == 200


def test_pipelined_requests_are_answered_in_order(server):
    with server.connect() as conn:
        conn.send(build_request("GET", "/api/v1/hello-swift/slow?ms=200")
                  + build_request("GET", "/api/v1/hello/second")
                  + build_request("GET", "/api/v1/hello-swift/greetings/third"))
        first, second, third = (conn.read_response() for _ in range(3))
    assert first.json() == {"slept_ms": 200}
    assert second.json() == {"message": "hello, second"}
    assert third.json() == {"message": "hello, third"}
    ids = {r.header("X-Request-Id") for r in (first, second, third)}
    assert len(ids) == 3


def test_pipelined_post_bodies_stay_separate(server):
    with server.connect() as conn:
        conn.send(build_request("POST", UPLOAD, body=b"abc")
                  + build_request("POST", UPLOAD, body=b"GET / HTTP/1.1\r\n\r\n")
                  + build_request("GET", "/api/v1/hello"))
        responses = [conn.read_response() for _ in range(3)]
    assert [r.json() for r in responses] == [{"bytes": 3}, {"bytes": 18},
                                             {"message": "hello from C"}]


def test_http_1_0_without_keep_alive_closes(server):
    with server.connect() as conn:
        conn.send(b"GET /api/v1/hello HTTP/1.0\r\n\r\n")
        response = conn.read_response()
        assert response.status == 200
        assert response.json() == {"message": "hello from C"}
        assert conn.is_closed()


def test_connection_close_is_honoured(server):
    with server.connect() as conn:
        response = conn.request("GET", "/api/v1/hello", {"Connection": "close"})
        assert response.status == 200
        assert conn.is_closed()


def chunked(*parts: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_chunked_request_body(server):
    with server.connect() as conn:
        response = conn.request("POST", UPLOAD, {"Transfer-Encoding": "chunked"},
                                chunked(b"hello", b" ", b"world" * 1000))
        assert response.status == 200
        assert response.json() == {"bytes": 5006}
        # The connection stays usable after a chunked body.
        assert conn.request("GET", "/api/v1/hello").status == 200


def test_chunked_body_with_extensions_and_trailers(server):
    body = b"5;name=value\r\nhello\r\n3\r\nabc\r\n0\r\nX-Trailer: yes\r\n\r\n"
    with server.connect() as conn:
        response = conn.request("POST", UPLOAD, {"Transfer-Encoding": "chunked"}, body)
        assert response.json() == {"bytes": 8}


def test_chunked_body_through_requests(server):
    response = server.post(UPLOAD, data=(b"x" * 1000 for _ in range(50)))
    assert response.status_code == 200
    assert response.json() == {"bytes": 50_000}


def test_expect_100_continue(server):
    with server.connect() as conn:
        conn.send(b"POST " + UPLOAD.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        interim = conn.read_response()
        assert (interim.version, interim.status) == ("HTTP/1.1", 100)
        conn.send(b"hello world")
        final = conn.read_response()
        assert final.status == 200
        assert final.json() == {"bytes": 11}


# Each of these is answered 400 and the connection closed (RFC 9112 §6.1, §6.3, §5, §2.2).
SMUGGLING = {
    "content-length-and-transfer-encoding":
        b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n" % UPLOAD.encode(),
    "two-different-content-lengths":
        b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
        % UPLOAD.encode(),
    "content-length-list":
        b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!" % UPLOAD.encode(),
    "negative-content-length":
        b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" % UPLOAD.encode(),
    "chunk-size-zz":
        b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
        % UPLOAD.encode(),
    "chunk-size-negative":
        b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nhello\r\n0\r\n\r\n"
        % UPLOAD.encode(),
    "chunk-size-0x-prefix":
        b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n%s\r\n0\r\n\r\n"
        % (UPLOAD.encode(), b"a" * 16),
    "obs-fold":
        b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
    "bare-cr-in-header":
        b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n",
    "bare-lf-line-ending":
        b"GET /api/v1/hello HTTP/1.1\r\nHost: x\nX-Other: y\r\n\r\n",
    "missing-host":
        b"GET /api/v1/hello HTTP/1.1\r\nUser-Agent: test\r\n\r\n",
    "two-hosts":
        b"GET /api/v1/hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "space-before-colon":
        b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Spaced : y\r\n\r\n",
    "space-before-colon-transfer-encoding":
        b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc"
        % UPLOAD.encode(),
}


@pytest.mark.parametrize("raw", SMUGGLING.values(), ids=SMUGGLING.keys())
def test_smuggling_defence(server, raw):
    with server.connect() as conn:
        conn.send(raw)
        response = conn.read_response()
        assert response.status == 400, (response.status, response.body)
        assert_error(response, 400)
        assert_standard_headers(response)
        assert conn.is_closed(), "the connection must close after a malformed request"


def test_unknown_transfer_coding_before_chunked_is_501(server):
    with server.connect() as conn:
        conn.send(b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                  b"0\r\n\r\n" % UPLOAD.encode())
        response = conn.read_response()
        assert response.status == 501, (response.status, response.body)
        assert_error(response, 501)


@pytest.mark.parametrize("coding", ["gzip", "chunked, gzip"])
def test_transfer_coding_not_ending_in_chunked_is_400(server, coding):
    # RFC 9112 §6.3: the body length cannot be determined, so 400 and close (not 501).
    with server.connect() as conn:
        conn.send(b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: %s\r\n\r\nabc"
                  % (UPLOAD.encode(), coding.encode()))
        assert_error(conn.read_response(), 400)
        assert conn.is_closed()


def test_server_keeps_serving_after_malformed_requests(server):
    for raw in SMUGGLING.values():
        with server.connect() as conn:
            conn.send(raw)
            conn.read_response()
    assert server.get("/api/v1/hello").status_code == 200
