"""The example plugins in C (Examples/hello-c, built with cc against the header alone) and in
Rust (Examples/hello-rust, rustc with hand-written bindings, no crates): the same behaviour,
the same tests."""
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import HELLO_C, HELLO_SWIFT, REPO, Server, assert_error, assert_standard_headers, make_plugin_dir

HELLO_RUST = "libhello_rust.so"


@dataclass
class Hello:
    server: Server
    name: str      # the plugin's name, in its log lines
    greeting: str  # GET /api/v1/hello's message
    header: str    # what its RESPONSE middleware adds to every response


def rustc() -> str:
    """rustc on PATH, else rustup's; `make test-deps` installs Debian's when there is none."""
    found = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")
    if not os.access(found, os.X_OK):
        pytest.fail("no rustc: install it (apt-get install rustc, or `make test-deps`)")
    return found


def build_hello_rust(out: Path) -> Path:
    result = subprocess.run(["make", "-C", str(REPO / "Examples" / "hello-rust"), f"OUT={out}", f"RUSTC={rustc()}"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"building hello-rust failed:\n{result.stdout}{result.stderr}")
    return out / HELLO_RUST


@pytest.fixture(scope="module", params=["c", "rust"])
def hello(request, server_binary, plugin_files, tmp_path_factory):
    if request.param == "c":
        plugin, hello = HELLO_C, Hello(None, "hello-c", "hello from C", "X-Hello-C")
    else:
        plugin_files.setdefault(HELLO_RUST, build_hello_rust(tmp_path_factory.mktemp("rust")))
        plugin, hello = HELLO_RUST, Hello(None, "hello-rust", "hello from Rust", "X-Hello-Rust")
    workdir = tmp_path_factory.mktemp(f"hello-{request.param}")
    hello.server = Server(server_binary, workdir, make_plugin_dir(workdir / "plugins", plugin_files, (plugin, HELLO_SWIFT)))
    hello.server.start()
    yield hello
    hello.server.stop()


def test_hello(hello):
    response = hello.server.get("/api/v1/hello")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"message": hello.greeting}
    assert response.headers[hello.header] == "1"
    assert_standard_headers(response)


@pytest.mark.parametrize("name", [
    "world",
    "J\u00f6rg \U0001F44B",
    'quote " and backslash \\',
    "control \x01 \n \t \x7f chars",
    "<b>&amp; 'single'",
])
def test_hello_name_is_json_escaped(hello, name):
    response = hello.server.get("/api/v1/hello/" + quote(name, safe=""))
    assert response.status_code == 200, response.text
    assert response.headers[hello.header] == "1"
    # json.loads is strict about control characters in strings: raw ones would fail here.
    assert json.loads(response.content.decode("utf-8")) == {"message": f"hello, {name}"}


def test_hello_name_with_malformed_utf8_still_answers_valid_json(hello):
    response = hello.server.get("/api/v1/hello/%FFa%C0%AF")
    if response.status_code == 400:  # the host may refuse a non-UTF-8 parameter itself
        return
    assert response.status_code == 200
    message = json.loads(response.content.decode("utf-8"))["message"]
    assert message.startswith("hello, ") and "a" in message


def test_hello_name_with_malformed_percent_encoding_is_refused(hello):
    with hello.server.connect() as connection:
        response = connection.request("GET", "/api/v1/hello/a%zz")
    body = assert_error(response, 400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "name"


def test_long_name(hello):
    name = "x" * 3000 + '"'
    response = hello.server.get("/api/v1/hello/" + quote(name, safe=""))
    assert response.status_code == 200
    assert response.json() == {"message": f"hello, {name}"}


def test_response_middleware_tags_other_plugins_responses(hello):
    assert hello.server.get("/api/v1/hello-swift/greetings/x").headers.get(hello.header) == "1"
    echo = hello.server.post("/api/v1/hello-swift/echo", data="{", headers={
        "Content-Type": "application/json"})
    assert echo.status_code == 400
    assert echo.headers.get(hello.header) == "1"


def test_init_logged_one_info_line(hello):
    line = hello.server.wait_for_log(lambda l: hello.name in l and "ready" in l)
    assert line is not None, hello.server.stderr()
    assert "level=info" in line
