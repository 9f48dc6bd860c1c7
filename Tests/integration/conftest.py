"""Black-box harness: starts the real pattern-server binary on a free loopback port with a
temporary plugin directory and data directory, and talks HTTP to it.

The binary comes from $PATTERN_BIN_DIR, else from `swift build --show-bin-path` in the repo
root. C plugins (Examples/hello-c and Tests/Fixtures/c-plugins/*.c) are compiled with cc
into a temporary directory once per session.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
ABI_INCLUDE = REPO / "Sources" / "PluginABI" / "include"
C_FLAGS = ["-shared", "-fPIC", "-fvisibility=hidden", "-O2", "-Wall", "-Wextra", "-Werror",
           "-I", str(ABI_INCLUDE)]
START_TIMEOUT = 15.0
IO_TIMEOUT = 10.0

# File names of the two example plugins a default server loads.
HELLO_C = "libhello_c.so"
HELLO_SWIFT = "libHelloSwift.so"
ABI_1_0_FIXTURE = "libhello_c_abi_1_0.so"
WS_ECHO = "libws_echo.so"
SSE_C = "libsse_c.so"
RELAY_C = "librelay_c.so"
NOTES_C = "libnotes_c.so"
# First-party plugins (SwiftPM products beside the binary).
AUTH = "libPatternAuth.so"
METRICS = "libPatternMetrics.so"
RATELIMIT = "libPatternRateLimit.so"
# Every first-party plugin: what a default start loads.
ALL_FIRST_PARTY = [AUTH, METRICS, RATELIMIT, "libPatternAgents.so", "libPatternGroups.so", "libPatternProviders.so",
                   "libPatternChat.so", "libPatternMCP.so"]


def pytest_collection_modifyitems(config, items):
    """A hung server must fail one test, not the run: 120 s per test when pytest-timeout is
    installed (it is in requirements.txt)."""
    if config.pluginmanager.hasplugin("timeout"):
        for item in items:
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(120))


# ----- the binary and the plugins -------------------------------------------------------

@pytest.fixture(scope="session")
def bin_dir() -> Path:
    env = os.environ.get("PATTERN_BIN_DIR")
    if env:
        path = Path(env)
    else:
        out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, text=True,
                             capture_output=True, timeout=300)
        if out.returncode != 0:
            pytest.fail(f"swift build --show-bin-path failed:\n{out.stderr}")
        path = Path(out.stdout.strip())
    binary = path / "pattern-server"
    if not binary.is_file():
        pytest.fail(f"{binary} does not exist: run `swift build` first (or set PATTERN_BIN_DIR)")
    return path


@pytest.fixture(scope="session")
def server_binary(bin_dir) -> Path:
    return bin_dir / "pattern-server"


def compile_c_plugin(source: Path, output: Path) -> Path:
    cc = os.environ.get("CC", "cc")
    result = subprocess.run([cc, *C_FLAGS, str(source), "-o", str(output)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"compiling {source.name} failed:\n{result.stderr}")
    return output


@pytest.fixture(scope="session")
def plugin_files(bin_dir, tmp_path_factory) -> dict[str, Path]:
    """Every plugin file a test may put in a plugin dir, by file name: the Swift example from
    the build, the C example and the C fixtures compiled here (fixture X.c -> libX.so)."""
    out = tmp_path_factory.mktemp("c-plugins")
    files = {name: bin_dir / name for name in (HELLO_SWIFT, AUTH, METRICS, RATELIMIT, "libPatternAgents.so", "libPatternGroups.so",
                                                "libPatternChat.so", "libPatternProviders.so",
                                                "libPatternMCP.so")}
    files[HELLO_C] = compile_c_plugin(REPO / "Examples" / "hello-c" / "hello.c", out / HELLO_C)
    files[WS_ECHO] = compile_c_plugin(REPO / "Examples" / "ws-echo" / "ws_echo.c", out / WS_ECHO)
    files[SSE_C] = compile_c_plugin(REPO / "Examples" / "sse-c" / "count.c", out / SSE_C)
    files[RELAY_C] = compile_c_plugin(REPO / "Examples" / "relay-c" / "relay.c", out / RELAY_C)
    files[NOTES_C] = compile_c_plugin(REPO / "Examples" / "notes-c" / "notes.c", out / NOTES_C)
    # Built once against the ABI 1.0 header and committed: later hosts must keep loading it.
    files[ABI_1_0_FIXTURE] = REPO / "Tests" / "Fixtures" / "abi-1.0" / "libhello_c.so"
    for source in sorted((REPO / "Tests" / "Fixtures" / "c-plugins").glob("*.c")):
        name = f"lib{source.stem}.so"
        files[name] = compile_c_plugin(source, out / name)
    return files


# ----- a running server -----------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_plugin_dir(directory: Path, plugin_files: dict[str, Path], names) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = plugin_files[name]
        if not source.is_file():
            pytest.fail(f"plugin {source} does not exist (was it built?)")
        (directory / name).symlink_to(source)
    return directory


@dataclass
class Server:
    binary: Path
    workdir: Path
    plugin_dir: Path
    config_text: str | None = None
    env: dict[str, str] | None = None
    port: int = 0
    process: subprocess.Popen | None = None
    stderr_path: Path = field(init=False)
    stdout_path: Path = field(init=False)
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self):
        self.stderr_path = self.workdir / "server.stderr"
        self.stdout_path = self.workdir / "server.stdout"

    # --- lifecycle ---
    def start(self) -> "Server":
        self.port = free_port()
        data_dir = self.workdir / "data"
        data_dir.mkdir(mode=0o700, exist_ok=True)
        args = [str(self.binary), "serve", "--plugin-dir", str(self.plugin_dir),
                "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(data_dir)]
        if self.config_text is not None:
            config = self.workdir / "pattern.toml"
            config.write_text(self.config_text)
            args += ["--config", str(config)]
        with open(self.stderr_path, "wb") as err, open(self.stdout_path, "wb") as out:
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=err, cwd=self.workdir, env={**os.environ, **(self.env or {})})
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"pattern-server exited with {self.process.returncode} during "
                            f"start; stderr:\n{self.stderr()}")
            try:
                # A raw one-shot request: the probe holds no pooled connection afterwards.
                with RawConnection(self.port, timeout=1.0) as conn:
                    conn.send(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Connection: close\r\n\r\n")
                    if conn.read_response().status == 200:
                        return
            except (OSError, HTTPParseError):
                pass
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"pattern-server did not answer GET /api/health within {START_TIMEOUT} s; "
                    f"stderr:\n{self.stderr()}")

    def terminate(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self):
        self.http.close()
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self):
        """SIGTERM, then SIGKILL if the drain takes longer than 10 s."""
        self.http.close()
        if self.process and self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    # --- talking to it ---
    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", IO_TIMEOUT)
        return self.http.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def connect(self, timeout: float = IO_TIMEOUT) -> "RawConnection":
        return RawConnection(self.port, timeout=timeout)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(self, predicate, timeout: float = 3.0) -> str | None:
        """The first stderr line for which predicate(line) holds, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.stderr().splitlines():
                if predicate(line):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


def _server_factory(server_binary, plugin_files, new_workdir):
    """Yields start(plugins=[...], config="TOML text", env={...}) -> a started Server; stops (and if need
    be kills) every server it started when the fixture ends."""
    started: list[Server] = []

    def start(plugins=(HELLO_C, HELLO_SWIFT), config: str | None = None, env: dict | None = None) -> Server:
        workdir = new_workdir()
        server = Server(server_binary, workdir,
                        make_plugin_dir(workdir / "plugins", plugin_files, plugins), config, env)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def start_server(server_binary, plugin_files, tmp_path):
    """Factory: start_server(plugins=[...], config="TOML text") -> a started Server, stopped
    when the test ends."""
    counter = iter(range(1000))

    def new_workdir() -> Path:
        workdir = tmp_path / f"server{next(counter)}"
        workdir.mkdir()
        return workdir

    yield from _server_factory(server_binary, plugin_files, new_workdir)


@pytest.fixture(scope="module")
def start_server_module(server_binary, plugin_files, tmp_path_factory):
    """Like start_server, but its servers live for the whole test module."""
    yield from _server_factory(server_binary, plugin_files, lambda: tmp_path_factory.mktemp("module-server"))


@pytest.fixture(scope="session")
def server(server_binary, plugin_files, tmp_path_factory):
    """One shared server with hello-c and hello-swift, for tests that only read."""
    workdir = tmp_path_factory.mktemp("shared-server")
    instance = Server(server_binary, workdir,
                      make_plugin_dir(workdir / "plugins", plugin_files, (HELLO_C, HELLO_SWIFT)))
    instance.start()
    yield instance
    instance.stop()


@dataclass
class CLIResult:
    returncode: int
    stdout: str
    stderr: str

    def line_with(self, *needles: str) -> str | None:
        """The first output line (stderr, then stdout) containing every needle."""
        for line in (self.stderr + "\n" + self.stdout).splitlines():
            if all(n in line for n in needles):
                return line
        return None


@pytest.fixture
def run_cli(server_binary, plugin_files, tmp_path):
    """run_cli(*args, plugins=None, timeout=20) runs pattern-server to completion. With
    `plugins`, a fresh plugin dir holding exactly those files is passed as --plugin-dir;
    serve-like runs also get a free port and a temporary data dir. A run that outlives the
    timeout (a server that started instead of refusing) is killed and fails the test."""
    counter = iter(range(1000))

    def run(*args: str, plugins=None, timeout: float = 20.0, serve: bool = False) -> CLIResult:
        workdir = tmp_path / f"cli{next(counter)}"
        workdir.mkdir()
        argv = [str(server_binary), *args]
        if plugins is not None:
            argv += ["--plugin-dir", str(make_plugin_dir(workdir / "plugins", plugin_files,
                                                         plugins))]
        if serve:
            (workdir / "data").mkdir()
            argv += ["--host", "127.0.0.1", "--port", str(free_port()),
                     "--data-dir", str(workdir / "data")]
        try:
            out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 errors="replace", timeout=timeout, cwd=workdir)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"`{' '.join(argv)}` still running after {timeout} s; stderr:\n"
                        f"{(e.stderr or b'').decode(errors='replace')}")
        return CLIResult(out.returncode, out.stdout, out.stderr)

    return run


# ----- raw HTTP over a socket -----------------------------------------------------------

class HTTPParseError(Exception):
    pass


@dataclass
class RawResponse:
    version: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def json(self):
        import json
        return json.loads(self.body)


class RawConnection:
    """A client socket with a small HTTP/1.1 response reader (status line, headers,
    Content-Length or chunked body), for what `requests` cannot send or observe."""

    def __init__(self, port: int, timeout: float = IO_TIMEOUT, rcvbuf: int | None = None):
        """`rcvbuf` shrinks the receive buffer, for clients that stop reading."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buffer = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            if not self._fill():
                raise HTTPParseError(f"connection closed before {marker!r}; got {self.buffer!r}")
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _read_exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self._fill():
                raise HTTPParseError(f"connection closed after {len(self.buffer)} of {n} bytes")
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_response(self, method: str = "GET") -> RawResponse:
        """Reads one response. 1xx responses are returned too (call again for the final)."""
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        match = re.fullmatch(r"(HTTP/\d\.\d) (\d{3})(?: (.*))?", lines[0])
        if not match:
            raise HTTPParseError(f"bad status line {lines[0]!r}")
        headers = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise HTTPParseError(f"bad header line {line!r}")
            headers.append((name, value.strip()))
        response = RawResponse(match.group(1), int(match.group(2)), match.group(3) or "",
                               headers, b"")
        if method == "HEAD" or response.status < 200 or response.status in (204, 304):
            return response
        if (response.header("Transfer-Encoding") or "").lower() == "chunked":
            response.body = self._read_chunked()
        elif response.header("Content-Length") is not None:
            response.body = self._read_exactly(int(response.header("Content-Length")))
        else:
            while self._fill():
                pass
            response.body, self.buffer = self.buffer, b""
        return response

    def _read_chunked(self) -> bytes:
        body = b""
        while True:
            size = int(self._read_until(b"\r\n").split(b";")[0], 16)
            if size == 0:
                while self._read_until(b"\r\n"):  # trailers end with an empty line
                    pass
                return body
            body += self._read_exactly(size)
            self._read_exactly(2)

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes = b"") -> RawResponse:
        """Sends one keep-alive HTTP/1.1 request and reads its response."""
        self.send(build_request(method, path, headers, body))
        return self.read_response(method)

    def is_closed(self, timeout: float = 3.0) -> bool:
        """True when the peer closes (EOF or reset) within `timeout` and sent nothing more."""
        if self.buffer:
            return False
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def build_request(method: str, path: str, headers: dict[str, str] | None = None,
                  body: bytes = b"") -> bytes:
    headers = headers or {}
    all_headers = {"Host": "127.0.0.1"}
    if body and not any(k.lower() == "transfer-encoding" for k in headers):
        all_headers["Content-Length"] = str(len(body))
    all_headers.update(headers)
    head = f"{method} {path} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in all_headers.items())
    return head.encode("latin-1") + b"\r\n" + body


# ----- assertions shared by the tests ---------------------------------------------------

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def status_of(response) -> int:
    """The status of a requests.Response or a RawResponse."""
    return response.status_code if isinstance(response, requests.Response) else response.status


def header_of(response, name: str) -> str | None:
    if isinstance(response, requests.Response):
        return response.headers.get(name)
    return response.header(name)


def body_text(response) -> str:
    raw = response.content if isinstance(response, requests.Response) else response.body
    return raw[:500].decode("utf-8", errors="replace")


def assert_error(response, status: int, error_type: str | None = None) -> dict:
    """The standard error body of API.md, from a requests.Response or a RawResponse."""
    code = status_of(response)
    assert code == status, f"expected {status}, got {code}: {body_text(response)}"
    content_type = header_of(response, "Content-Type") or ""
    assert content_type.startswith("application/json"), content_type
    body = response.json()
    assert set(body) >= {"error", "timestamp"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    assert RFC3339.fullmatch(body["timestamp"]), body["timestamp"]
    if error_type is not None:
        assert body["error"]["type"] == error_type, body
    return body


def assert_standard_headers(response):
    """Every response carries X-Request-Id, Date and Server."""
    for name in ("X-Request-Id", "Date", "Server"):
        assert header_of(response, name), f"{name} missing in {status_of(response)} response"


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return ticks / os.sysconf("SC_CLK_TCK")


def process_memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the peak so far) of a process, in KiB, from /proc/<pid>/status."""
    memory = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            memory[name] = int(value.split()[0])
    return memory


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def assert_config_refused(run_cli, tmp_path, plugin: str, config: str, *needles: str):
    """Starting with `plugin` and this config must fail with a line naming every needle."""
    path = tmp_path / "bad.toml"
    path.write_text(config)
    result = run_cli("serve", "--config", str(path), plugins=(plugin,), serve=True)
    assert result.returncode != 0
    assert result.line_with(*needles), result.stderr
