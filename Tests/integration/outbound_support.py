"""Peers for the outbound-client tests: a test CA made with the `openssl` command, nginx over
HTTP and HTTPS with an access log that shows connection reuse, `openssl s_server`, and small
Python servers that misbehave on purpose. Everything listens on loopback only."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import free_port, wait_until

PROBE = "libclient_probe.so"
# The PATTERN_CLIENT_* outcomes of pattern_plugin.h.
OK, REFUSED, DNS, CONNECT, TLS, TIMEOUT, TOO_LARGE, PROTOCOL, CANCELLED, SHUTDOWN = (
    0, 100, 101, 102, 103, 104, 105, 106, 107, 108)
LOOPBACK_ONLY = '[outbound]\nallow = ["127.0.0.1/32"]\n'


def probe(server, url: str, timeout: float = 30.0, header_line: str = "", **params) -> dict:
    """One outbound call through the client-probe fixture: what the client delivered.
    `header_line` ("Name: value") may hold what no query value can (control characters)."""
    response = server.get("/probe", params={"url": url, **{k: str(v) for k, v in params.items()}},
                          data=header_line.encode(), timeout=timeout)
    assert response.status_code == 200, response.text
    return response.json()


def body_bytes(result: dict) -> bytes:
    """The probe's body text back as bytes (it escapes every byte outside printable ASCII)."""
    return result["body"].encode("latin-1")


def fnv1a64(data: bytes) -> str:
    value = 0xcbf29ce484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def openssl_binary() -> str:
    path = shutil.which("openssl")
    if path is None:
        pytest.skip("openssl is not installed (make test-deps installs it)")
    return path


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if path is None:
        pytest.skip("nginx is not installed (make test-deps installs it)")
    return path


class CertificateAuthority:
    """A certificate authority made for one test run, issuing leaf certificates with openssl
    (`openssl ca`, so a leaf may also be issued already expired)."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.openssl = openssl_binary()
        directory.mkdir(parents=True, exist_ok=True)
        self.key, self.cert = directory / "ca.key", directory / "ca.pem"
        self._run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-keyout", self.key, "-out", self.cert, "-days", "2", "-subj", "/CN=Pattern test CA")
        (directory / "index.txt").write_text("")
        (directory / "serial").write_text("1000\n")
        (directory / "ca.cnf").write_text(f"""
[ca]
default_ca = test
[test]
dir = {directory}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
""")

    def _run(self, *args):
        subprocess.run([self.openssl, *map(str, args)], check=True, capture_output=True)

    def issue(self, name: str, san: str, expired: bool = False) -> tuple[Path, Path]:
        """A key and certificate for `san` ("DNS:localhost,IP:127.0.0.1"), signed by this CA."""
        key, csr, cert = self.dir / f"{name}.key", self.dir / f"{name}.csr", self.dir / f"{name}.pem"
        self._run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-keyout", key, "-out", csr, "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}")
        dates = ["-startdate", "20200101000000Z", "-enddate", "20200201000000Z"] if expired else ["-days", "2"]
        self._run("ca", "-batch", "-notext", "-config", self.dir / "ca.cnf", "-cert", self.cert, "-keyfile", self.key,
                  "-in", csr, "-out", cert, *dates)
        return key, cert

    def self_signed(self, name: str, san: str) -> tuple[Path, Path]:
        key, cert = self.dir / f"{name}.key", self.dir / f"{name}.pem"
        self._run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}")
        return key, cert


class Nginx:
    """nginx on two loopback ports (HTTP and HTTPS with a leaf of the test CA), serving a small
    body, a large file, the same file chunked (SSI drops the length), and logging
    `$connection $connection_requests $request_uri` per request."""

    def __init__(self, directory: Path, key: Path, cert: Path):
        self.dir = directory
        self.binary = nginx_binary()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "www").mkdir(exist_ok=True)
        self.large = bytes((i * 7 + i // 251) % 256 for i in range(3 * 1024 * 1024 + 17))
        (directory / "www" / "large.bin").write_bytes(self.large)
        # For memory bounds: large enough that holding it would show far above the buffers.
        self.huge = os.urandom(12 * 1024 * 1024)  # under the client's 16 MiB response limit
        (directory / "www" / "huge.bin").write_bytes(self.huge)
        self.text = b"".join(b"line %06d of a body that nginx sends chunked\n" % i for i in range(40000))
        (directory / "www" / "chunked.txt").write_bytes(self.text)
        self.http_port, self.https_port = free_port(), free_port()
        self.log = directory / "access.log"
        (directory / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{ worker_connections 256; }}
http {{
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  log_format reuse '$connection $connection_requests $request_uri $status';
  access_log {self.log} reuse;
  keepalive_timeout 60s;
  keepalive_requests 1000;
  server {{
    listen 127.0.0.1:{self.http_port};
    listen 127.0.0.1:{self.https_port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {directory}/www;
    location = /small {{ default_type text/plain; return 200 "hello from nginx\\n"; }}
    location = /chunked.txt {{ ssi on; ssi_types text/plain; }}
  }}
}}
""")
        self.process = subprocess.Popen([self.binary, "-c", str(directory / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not wait_until(lambda: _accepts(self.http_port) and _accepts(self.https_port), 10):
            self.stop()
            pytest.fail(f"nginx did not start: {(directory / 'error.log').read_text(errors='replace')}")

    def log_lines(self) -> list[tuple[str, int, str]]:
        """(connection serial, request number on it, request URI) per logged request."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [(c, int(n), uri) for c, n, uri, _ in (line.split(" ") for line in lines)]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class ScriptedServer:
    """A loopback TCP server that runs `behave(connection)` for each accepted connection on its
    own thread, and counts connections: for peers that misbehave on purpose."""

    def __init__(self, behave, host: str = "127.0.0.1", family=socket.AF_INET):
        self.behave = behave
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.requests: list[bytes] = []
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            self.behave(self, conn)
        except OSError:
            pass
        finally:
            conn.close()

    def read_head(self, conn) -> bytes:
        data = b""
        conn.settimeout(10)
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        self.requests.append(data)
        return data

    def close(self):
        self._stop = True
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@contextmanager
def loopback_nginx(tmp_path_factory, name: str):
    """An Nginx whose HTTPS leaf (localhost, 127.0.0.1) comes from a fresh test CA, stopped after
    the block."""
    ca = CertificateAuthority(tmp_path_factory.mktemp(f"{name}-ca"))
    key, cert = ca.issue("nginx", "DNS:localhost,IP:127.0.0.1")
    server = Nginx(tmp_path_factory.mktemp(f"{name}-nginx"), key, cert)
    try:
        yield server
    finally:
        server.stop()
