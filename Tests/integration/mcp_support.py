"""Helpers for the MCP tests: the official MCP Python SDK's servers as peers (2.x from the test
venv, 1.x from .build/venv-mcp1), a server with the mcp plugin that may spawn them, and the
registry's requests.

A stdio server must be registered by the exact path of a real executable (the host refuses a
symbolic link, and a venv's bin/python is one), so stdio peers run the interpreter the venvs
were made from, with the venv's site-packages on PYTHONPATH: the registration's `env`, which
also proves that env reaches the child."""
from __future__ import annotations

import os
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

from agents_support import FAST_AUTH, Client, World, start_world, unique
from conftest import AUTH, REPO, free_port, wait_until

MCP = "libPatternMCP.so"
PEERS = Path(__file__).resolve().parent / "mcp_peers"
TOOL_SERVER = PEERS / "tool_server.py"
VENVS = {2: REPO / ".build" / "venv", 1: REPO / ".build" / "venv-mcp1"}
SDKS = (2, 1)
LOOPBACK = '[outbound]\nallow = ["127.0.0.1/32"]\n'
TOOL_NAMES = {"add", "echo", "slow", "fail", "big", "process_id", "chatter", "scribble", "add_tool_later"}


def interpreter() -> str:
    """The real (not symlinked) Python both venvs were made from."""
    return os.path.realpath(VENVS[2] / "bin" / "python")


def site_packages(sdk: int) -> str:
    return str(next((VENVS[sdk] / "lib").glob("python3*/site-packages")))


def mcp_config(stdio_commands=None, outbound: str = LOOPBACK, **limits) -> str:
    commands = [interpreter()] if stdio_commands is None else stdio_commands
    section = f"stdio_commands = [{', '.join(repr_toml(c) for c in commands)}]\n"
    section += "".join(f"{key} = {value}\n" for key, value in limits.items())
    return FAST_AUTH + outbound + "[mcp]\n" + section


def repr_toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def start_mcp(start, plugins=(AUTH, MCP), config: str | None = None, env: dict | None = None) -> World:
    return start_world(start, plugins=plugins, config=config if config is not None else mcp_config(), env=env)


def stdio_transport(sdk: int, *args: str) -> dict:
    return {"type": "stdio", "command": interpreter(), "args": [str(TOOL_SERVER), "stdio", *args],
            "env": {"PYTHONPATH": site_packages(sdk)}}


def register(client: Client, transport: dict, name: str | None = None, expect: int = 201, **fields):
    response = client.post("/mcp/servers", {"name": name or unique("srv"), "transport": transport, **fields}, timeout=60)
    assert response.status_code == expect, response.text
    return response.json()


def register_stdio(client: Client, sdk: int, **fields) -> dict:
    return register(client, stdio_transport(sdk), **fields)


def register_http(client: Client, url: str, headers: dict | None = None, **fields) -> dict:
    transport = {"type": "http", "url": url}
    if headers is not None:
        transport["headers"] = headers
    return register(client, transport, **fields)


def call(client: Client, server_id: str, tool: str, timeout: float = 60, **arguments):
    return client.post(f"/mcp/servers/{server_id}/tools/{tool}/call", {"arguments": arguments}, timeout=timeout)


def text_of(result: dict) -> str:
    return "".join(item.get("text", "") for item in result["content"])


def get_server(client: Client, server_id: str) -> dict:
    response = client.get(f"/mcp/servers/{server_id}")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_status(client: Client, server_id: str, status: str, timeout: float = 30) -> dict:
    seen = {}

    def reached():
        seen.update(get_server(client, server_id))
        return seen["status"] == status

    assert wait_until(reached, timeout), f"status stayed {seen.get('status')}: {seen.get('last_error')}"
    return seen


@contextmanager
def http_peer(sdk: int, port: int | None = None):
    """The tool server under SDK `sdk` on Streamable HTTP; yields (its /mcp URL, its process)."""
    port = port or free_port()
    process = subprocess.Popen([str(VENVS[sdk] / "bin" / "python"), str(TOOL_SERVER), "http", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listening():
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0
        assert wait_until(listening, 20), "the SDK's HTTP server did not start"
        yield f"http://127.0.0.1:{port}/mcp", process
    finally:
        process.kill()
        process.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def is_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@contextmanager
def registered(client: Client, sdk: int, transport: str):
    """A connected registration of the tool server under `sdk` over `transport` ("stdio" or
    "http", whose peer runs for the block), by `client`."""
    if transport == "stdio":
        yield register_stdio(client, sdk)
    else:
        with http_peer(sdk) as (url, _):
            yield register_http(client, url)
