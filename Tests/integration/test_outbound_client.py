"""The outbound HTTP client (ABI 1.4 `client`), judged by outside peers: nginx over HTTP and
HTTPS with a CA made here by openssl, `openssl s_server`, and Python servers that misbehave.
Calls go through Tests/Fixtures/c-plugins/client_probe.c, which reports what was delivered.
Everything listens on 127.0.0.1, which the config allows (the default refuses it)."""
import contextlib
import socket
import subprocess
import threading
import time

import pytest

from conftest import free_port, wait_until
from outbound_support import (CANCELLED, CONNECT, LOOPBACK_ONLY, OK, PROBE, PROTOCOL, SHUTDOWN, TIMEOUT, TLS,
                              TOO_LARGE, Nginx, ScriptedServer, CertificateAuthority, body_bytes, fnv1a64, openssl_binary, probe)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return CertificateAuthority(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def nginx(ca, tmp_path_factory):
    key, cert = ca.issue("nginx", "DNS:localhost,IP:127.0.0.1")
    server = Nginx(tmp_path_factory.mktemp("nginx"), key, cert)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(start_server_module, ca):
    """A server with the probe, loopback allowed, the test CA trusted, debug logging on."""
    return start_server_module(plugins=[PROBE], config=LOOPBACK_ONLY + f'ca_file = "{ca.cert}"\n[log]\nlevel = "debug"\n')


def served(behave, **kwargs):
    return ScriptedServer(behave, **kwargs)


def silent(server, conn):
    """Reads the request and never answers."""
    server.read_head(conn)
    time.sleep(5)


# ----- nginx ------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["http", "https"])
def test_nginx_small_body_and_keep_alive_reuse(client, nginx, scheme):
    port = nginx.http_port if scheme == "http" else nginx.https_port
    host = "localhost" if scheme == "https" else "127.0.0.1"
    before = len(nginx.log_lines())
    for _ in range(3):
        result = probe(client, f"{scheme}://{host}:{port}/small")
        assert (result["outcome"], result["status"], result["body"]) == (OK, 200, "hello from nginx\n"), result
        assert result["order_ok"] == 1 and result["head_calls"] == 1
    lines = nginx.log_lines()[before:]
    assert [uri for _, _, uri in lines] == ["/small"] * 3
    # One connection carried all three ($connection equal, $connection_requests 1, 2, 3).
    assert len({connection for connection, _, _ in lines}) == 1, lines
    assert [number for _, number, _ in lines] == [1, 2, 3], lines


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_nginx_large_body_arrives_whole(client, nginx, scheme):
    port = nginx.http_port if scheme == "http" else nginx.https_port
    result = probe(client, f"{scheme}://localhost:{port}/large.bin", body_limit=0)
    assert (result["outcome"], result["status"]) == (OK, 200), result
    assert result["body_len"] == len(nginx.large)
    assert result["body_fnv"] == fnv1a64(nginx.large)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_nginx_chunked_body_is_decoded(client, nginx, scheme):
    port = nginx.http_port if scheme == "http" else nginx.https_port
    result = probe(client, f"{scheme}://localhost:{port}/chunked.txt", body_limit=0)
    assert (result["outcome"], result["status"]) == (OK, 200), result
    names = {name.lower(): value for name, value in result["headers"]}
    assert names.get("transfer-encoding") == "chunked" and "content-length" not in names, names
    assert (result["body_len"], result["body_fnv"]) == (len(nginx.text), fnv1a64(nginx.text))


def test_https_by_ip_literal_checks_the_address(client, nginx):
    """An IP literal is verified against the certificate's IP SAN (no SNI is sent)."""
    result = probe(client, f"https://127.0.0.1:{nginx.https_port}/small")
    assert (result["outcome"], result["body"]) == (OK, "hello from nginx\n"), result


# ----- TLS failures -----------------------------------------------------------------------

@contextlib.contextmanager
def tls_server(ca_key_cert):
    """`openssl s_server -www` with this key and certificate; yields its port."""
    key, cert = ca_key_cert
    port = free_port()
    process = subprocess.Popen([openssl_binary(), "s_server", "-accept", f"127.0.0.1:{port}", "-key", str(key),
                                "-cert", str(cert), "-www", "-quiet"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: _listening(port), 10)
        yield port
    finally:
        process.kill()


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_openssl_s_server_answer_read_until_close(client, ca):
    with tls_server(ca.issue("s-server", "DNS:localhost")) as port:
        result = probe(client, f"https://localhost:{port}/")
    assert (result["outcome"], result["status"]) == (OK, 200), result
    assert "s_server" in result["body"] or "Ciphers" in result["body"], result["body"][:200]


@pytest.mark.parametrize("kind, needle", [
    ("wrong-host", "hostname mismatch"),
    ("expired", "certificate has expired"),
    ("self-signed", "self-signed certificate"),
])
def test_bad_certificates_are_refused_with_a_clear_message(client, ca, kind, needle):
    if kind == "wrong-host":
        pair = ca.issue("elsewhere", "DNS:elsewhere.example")
    elif kind == "expired":
        pair = ca.issue("expired", "DNS:localhost", expired=True)
    else:
        pair = ca.self_signed("self", "DNS:localhost")
    with tls_server(pair) as port:
        result = probe(client, f"https://localhost:{port}/")
    assert result["outcome"] == TLS, result
    assert needle in result["message"] and "localhost" in result["message"], result["message"]
    assert result["head_calls"] == 0


def test_plain_http_server_behind_https_url_is_a_tls_failure(client):
    def answer(server, conn):
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(0.5)
    with served(answer) as server:
        result = probe(client, f"https://127.0.0.1:{server.port}/")
    assert result["outcome"] == TLS, result


# ----- misbehaving peers ------------------------------------------------------------------

def test_connection_refused(client):
    port = free_port()
    result = probe(client, f"http://127.0.0.1:{port}/")
    assert result["outcome"] == CONNECT and "refused" in result["message"].lower(), result


def test_server_that_never_answers_hits_the_first_byte_timeout(client):
    with served(silent) as server:
        started = time.monotonic()
        result = probe(client, f"http://127.0.0.1:{server.port}/", first_byte_ms=600)
        elapsed = time.monotonic() - started
    assert result["outcome"] == TIMEOUT and "first-byte" in result["message"], result
    assert 0.5 < elapsed < 4, elapsed


def test_trickling_server_hits_the_idle_timeout(client):
    def trickle(server, conn):
        server.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(5):  # 1 byte every 200 ms keeps a 700 ms idle timeout at bay ...
            conn.sendall(b"x")
            time.sleep(0.2)
        time.sleep(5)       # ... until it stops
    with served(trickle) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/", idle_ms=700)
    assert result["outcome"] == TIMEOUT and "idle" in result["message"], result
    assert result["status"] == 200 and result["body_len"] == 5


def test_total_timeout(client):
    def slow(server, conn):
        server.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(50):
            conn.sendall(b"x")
            time.sleep(0.1)
    with served(slow) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/", total_ms=800)
    assert result["outcome"] == TIMEOUT and "total" in result["message"], result


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_oversized_body_is_refused(client, framing):
    def big(server, conn):
        server.read_head(conn)
        body = b"y" * 5000
        if framing == "length":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + body)
        elif framing == "chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         + b"".join(b"3e8\r\n" + body[:1000] + b"\r\n" for _ in range(5)) + b"0\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
        time.sleep(0.5)
    with served(big) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/", max_bytes=2000)
    assert result["outcome"] == TOO_LARGE and "max_response_bytes" in result["message"], result
    assert result["body_len"] <= 2000


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_abrupt_close_mid_body_is_a_protocol_failure(client, framing):
    def cut(server, conn):
        server.read_head(conn)
        if framing == "length":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"z" * 100)
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + b"z" * 100 + b"\r\n")
        time.sleep(0.2)
    with served(cut) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/")
    assert result["outcome"] == PROTOCOL and "mid-body" in result["message"], result
    assert result["body_len"] == 100


def test_garbage_instead_of_http_is_a_protocol_failure(client):
    def garbage(server, conn):
        server.read_head(conn)
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        time.sleep(0.2)
    with served(garbage) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/")
    assert result["outcome"] == PROTOCOL and "status line" in result["message"], result


def redirecting(target: str):
    def behave(server, conn):
        head = server.read_head(conn)
        if head.startswith(b"GET /final"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
        else:
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + target.encode() + b"\r\nContent-Length: 3\r\n\r\nbye")
        time.sleep(0.2)
    return behave


def test_redirect_is_not_followed_without_the_flag(client):
    with served(redirecting("/final")) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/start")
    assert (result["outcome"], result["status"], result["body"]) == (OK, 302, "bye"), result
    assert len(server.requests) == 1


def test_redirect_is_followed_with_the_flag_and_drops_credentials_across_origins(client):
    with served(redirecting("/final")) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/start", redirects=1,
                       header1="Authorization: Bearer same-origin-keeps-it")
    assert (result["outcome"], result["status"], result["body"]) == (OK, 200, "final"), result
    assert [r.split(b" ")[1] for r in server.requests] == [b"/start", b"/final"]
    assert b"same-origin-keeps-it" in server.requests[1]


def test_redirect_to_a_refused_address_is_refused(client):
    with served(redirecting("http://169.254.169.254/latest/meta-data/")) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/start", redirects=1)
    assert result["outcome"] == 100 and "link-local" in result["message"], result


# ----- SSE, pause, cancel -----------------------------------------------------------------

def test_server_sent_events_are_delivered_whole(client):
    stream = (b": a comment\r\n"
              b"event: greeting\r\ndata: hello\r\nid: 1\r\n\r\n"
              b"data: line one\ndata: line two\n\n"
              b"retry: 3000\rdata:no space\r\r"
              b"event: last\ndata\n\n")
    def sse(server, conn):
        server.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        for index in range(0, len(stream), 7):  # events split across writes anywhere
            piece = stream[index:index + 7]
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            time.sleep(0.01)
        conn.sendall(b"0\r\n\r\n")
        time.sleep(0.2)
    with served(sse) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/events", events=1)
    assert result["outcome"] == OK, result
    assert result["events"] == [
        {"event": "greeting", "data": "hello", "id": "1"},
        {"event": "", "data": "line one\nline two", "id": "1"},
        {"event": "", "data": "no space", "id": "1"},
        {"event": "last", "data": "", "id": "1"},
    ]


def test_events_flag_passes_a_json_answer_through_as_data(client):
    # A Streamable HTTP (MCP) POST may be answered either way: only an event stream is events.
    def json_answer(server, conn):
        server.read_head(conn)
        body = b'{"jsonrpc":"2.0","id":1,"result":{}}\n\n'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        time.sleep(0.2)
    with served(json_answer) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/mcp", events=1)
    assert (result["outcome"], result["status"], result["events"]) == (OK, 200, []), result
    assert result["body"] == '{"jsonrpc":"2.0","id":1,"result":{}}\n\n'


def test_an_event_over_max_event_bytes_ends_the_call_without_waiting_for_it(client):
    def oversized(server, conn):
        server.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: Text/Event-Stream; charset=utf-8\r\n\r\n")
        conn.sendall(b"data: small\n\n")
        time.sleep(0.3)
        with contextlib.suppress(OSError):
            conn.sendall(b"data: " + b"x" * 200_000)  # the line never ends
            time.sleep(5)
    with served(oversized) as server:
        started = time.monotonic()
        result = probe(client, f"http://127.0.0.1:{server.port}/events", events=1, max_event_bytes=1000)
        elapsed = time.monotonic() - started
    assert result["outcome"] == TOO_LARGE and "max_event_bytes (1000)" in result["message"], result
    assert result["events"] == [{"event": "", "data": "small", "id": ""}]
    assert elapsed < 3


def test_pause_holds_delivery_and_resume_completes_the_body(client):
    def pieces(server, conn):
        server.read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n")
        for _ in range(20):
            time.sleep(0.05)
            conn.sendall(b"p")
        time.sleep(0.5)
    with served(pieces) as server:
        result = probe(client, f"http://127.0.0.1:{server.port}/", pause_ms=1500, idle_ms=500)
    # Paused longer than the idle timeout: no timeout, nothing delivered meanwhile, all of it after.
    assert result["outcome"] == OK, result
    assert result["data_while_paused"] == 0 and result["body"] == "p" * 20


def test_cancel_ends_the_call_and_the_handle_goes_stale(client):
    with served(silent) as server:
        started = time.monotonic()
        result = probe(client, f"http://127.0.0.1:{server.port}/", cancel_ms=300)
        elapsed = time.monotonic() - started
    assert (result["outcome"], result["cancel"], result["message"]) == (CANCELLED, 0, "cancelled"), result
    assert result["cancel_after_complete"] == 2 and result["complete_calls"] == 1  # PATTERN_NOT_FOUND
    assert elapsed < 3


def test_invalid_requests_are_refused_at_start(client):
    for url, extra in [("ftp://127.0.0.1/", {}), ("http://user:pw@127.0.0.1/", {}), ("http://127.0.0.1:99999/", {}),
                       ("http://127.0.0.1/", {"method": "GET X"}), ("http://127.0.0.1/", {"header1": "Host: evil"}),
                       ("http://127.0.0.1/", {"header_line": "X-Ok: a\u0001b"}), ("http://[::1/", {})]:
        result = probe(client, url, **extra)
        assert result["start"] == 1, (url, extra, result)  # PATTERN_INVALID, no callback
        assert result["complete_calls"] == 0


def test_secrets_never_reach_the_log(client, nginx):
    probe(client, f"http://127.0.0.1:{nginx.http_port}/small?api_key=query-secret",
          header1="Authorization: Bearer header-secret")
    assert wait_until(lambda: "outbound call" in client.stderr(), 3)
    assert "header-secret" not in client.stderr() and "query-secret" not in client.stderr()


def test_shutdown_completes_outstanding_calls(start_server):
    server = start_server(plugins=[PROBE], config=LOOPBACK_ONLY + "[limits]\nshutdown_grace_seconds = 1\n")
    peer = served(silent)
    results = {}
    def call():
        try:
            results["value"] = probe(server, f"http://127.0.0.1:{peer.port}/", first_byte_ms=60000)
        except Exception as error:  # the connection may close as the process exits
            results["error"] = error
    thread = threading.Thread(target=call)
    thread.start()
    assert wait_until(lambda: peer.accepted == 1, 5)
    started = time.monotonic()
    server.terminate()
    assert server.wait(timeout=15) == 0
    thread.join(timeout=10)
    peer.close()
    assert time.monotonic() - started < 8
    assert "outbound calls still completing" not in server.stderr()
    if "value" in results:
        assert results["value"]["outcome"] == SHUTDOWN, results


# ----- proxies ----------------------------------------------------------------------------

def connect_proxy(allow: bool):
    """A CONNECT proxy on loopback that records what it was asked and tunnels (or answers 403)."""

    def behave(server, conn):
        head = server.read_head(conn)
        if not allow:
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = head.split(b" ")[1].rsplit(b":", 1)
        upstream = socket.create_connection((host.decode().strip("[]"), int(port)), timeout=5)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pump(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                sink.close()
        threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()
        pump(conn, upstream)
    return ScriptedServer(behave)


def test_https_goes_through_the_proxy_with_connect(start_server, nginx, ca):
    with connect_proxy(allow=True) as proxy:
        server = start_server(plugins=[PROBE], config=f'[outbound]\nca_file = "{ca.cert}"\n',
                              env={"HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}", "NO_PROXY": ""})
        result = probe(server, f"https://localhost:{nginx.https_port}/small")
        direct = probe(server, f"http://127.0.0.1:{nginx.http_port}/small")  # no http_proxy: direct, and judged
    assert (result["outcome"], result["body"]) == (OK, "hello from nginx\n"), result
    assert proxy.requests and proxy.requests[0].startswith(f"CONNECT localhost:{nginx.https_port} HTTP/1.1".encode())
    assert direct["outcome"] == 100, direct


def test_no_proxy_and_a_refusing_proxy(start_server, nginx, ca):
    with connect_proxy(allow=False) as proxy:
        server = start_server(plugins=[PROBE], config=f'[outbound]\nallow = ["127.0.0.1/32"]\nca_file = "{ca.cert}"\n',
                              env={"HTTPS_PROXY": f"127.0.0.1:{proxy.port}", "NO_PROXY": "127.0.0.1"})
        refused = probe(server, f"https://localhost:{nginx.https_port}/small")
        bypassed = probe(server, f"https://127.0.0.1:{nginx.https_port}/small")
    assert refused["outcome"] == CONNECT and "403" in refused["message"], refused
    assert (bypassed["outcome"], bypassed["body"]) == (OK, "hello from nginx\n"), bypassed
    assert len(proxy.requests) == 1
