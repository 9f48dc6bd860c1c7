"""The outbound (SSRF) policy: by default every internal target is refused before any
connection is tried, and only loopback is opened by config in these tests. Listeners on the
target port prove that nothing arrived; no test sends traffic beyond loopback (refused
targets such as 10.0.0.1 never get a packet: the refusal comes before the socket)."""
import socket

import pytest

from conftest import assert_config_refused
from outbound_support import OK, PROBE, REFUSED, probe


class Listener:
    """A listening socket that counts the connections that reached it."""

    def __init__(self, family, host):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def reached(self) -> bool:
        try:
            conn, _ = self.sock.accept()
            conn.close()
            return True
        except BlockingIOError:
            return False


@pytest.fixture
def listeners():
    v4 = Listener(socket.AF_INET, "127.0.0.1")
    v6 = Listener(socket.AF_INET6, "::1")
    yield v4, v6
    v4.sock.close()
    v6.sock.close()


@pytest.fixture(scope="module")
def default_policy(start_server_module):
    return start_server_module(plugins=[PROBE])


def resolvable(name: str) -> bool:
    try:
        socket.getaddrinfo(name, None)
        return True
    except socket.gaierror:
        return False


LOOPBACK_TARGETS = ["localhost", "127.0.0.1", "[::1]", "127.1.2.3", "[::ffff:127.0.0.1]",
                    "0x7f.0.0.1",  # a name the resolver maps to 127.0.0.1
                    "ip6-localhost"]


@pytest.mark.parametrize("host", LOOPBACK_TARGETS)
def test_loopback_is_refused_by_default_without_a_connection(default_policy, listeners, host):
    if host == "ip6-localhost" and not resolvable(host):
        pytest.skip("ip6-localhost does not resolve on this machine")
    v4, v6 = listeners
    port = v6.port if "::1" in host or host == "ip6-localhost" else v4.port
    result = probe(default_policy, f"http://{host}:{port}/")
    assert result["outcome"] == REFUSED, result
    assert "loopback" in result["message"] and "[outbound] allow" in result["message"], result["message"]
    assert not v4.reached() and not v6.reached()


@pytest.mark.parametrize("host, kind", [
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("100.64.0.1", "carrier-grade NAT"), ("0.0.0.0", "unspecified"),
    ("[fd00::1]", "unique-local"), ("[fe80::1]", "link-local"), ("[::ffff:10.0.0.1]", "private"),
    ("[64:ff9b::a9fe:a9fe]", "link-local"),
])
def test_internal_ranges_are_refused_by_default(default_policy, host, kind):
    result = probe(default_policy, f"http://{host}/latest/meta-data/")
    assert result["outcome"] == REFUSED and kind in result["message"], result
    assert result["head_calls"] == 0


def test_refused_over_https_too(default_policy):
    result = probe(default_policy, "https://169.254.169.254/")
    assert result["outcome"] == REFUSED


def answering_listener(sock):
    """Answers one request on a Listener socket (for the allowed cases)."""
    import threading

    def serve():
        sock.setblocking(True)
        sock.settimeout(10)
        conn, _ = sock.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_allow_private_networks_opens_loopback(start_server, listeners):
    server = start_server(plugins=[PROBE], config="[outbound]\nallow_private_networks = true\n")
    v4, _ = listeners
    answering_listener(v4.sock)
    result = probe(server, f"http://localhost:{v4.port}/")
    assert (result["outcome"], result["body"]) == (OK, "ok"), result


def test_allow_list_opens_only_its_ranges(start_server, listeners):
    server = start_server(plugins=[PROBE], config='[outbound]\nallow = ["127.0.0.1/32"]\n')
    v4, v6 = listeners
    answering_listener(v4.sock)
    assert probe(server, f"http://127.0.0.1:{v4.port}/")["outcome"] == OK
    result = probe(server, f"http://[::1]:{v6.port}/")
    assert result["outcome"] == REFUSED and not v6.reached(), result


def test_deny_all_refuses_even_allowed_targets(start_server, listeners):
    server = start_server(plugins=[PROBE], config='[outbound]\ndeny_all = true\nallow_private_networks = true\n')
    v4, _ = listeners
    result = probe(server, f"http://127.0.0.1:{v4.port}/")
    assert result["outcome"] == REFUSED and "deny_all" in result["message"], result
    assert not v4.reached()
    assert probe(server, "https://example.com/")["outcome"] == REFUSED  # not even a DNS query


@pytest.mark.parametrize("config, needles", [
    ('[outbound]\nallow = ["not-a-range"]\n', ("outbound.allow", "CIDR", ":2")),
    ('[outbound]\nallow = ["10.0.0.0/33"]\n', ("outbound.allow", "CIDR")),
    ('[outbound]\nca_file = "/nonexistent/ca.pem"\n', ("outbound.ca_file", "readable")),
    ('[outbound]\nmax_connections_per_origin = 0\n', ("outbound.max_connections_per_origin",)),
    ('[outbound]\nallow_private = true\n', ("unknown key", "allow_private")),
])
def test_bad_outbound_config_stops_the_start(run_cli, tmp_path, config, needles):
    assert_config_refused(run_cli, tmp_path, PROBE, config, *needles)


def test_a_ca_file_without_certificates_stops_the_start(run_cli, tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    assert_config_refused(run_cli, tmp_path, PROBE, f'[outbound]\nca_file = "{bogus}"\n', "ca_file", "PEM")
