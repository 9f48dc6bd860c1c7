"""Helpers for the /mcp endpoint tests: a server with every plugin the tools reach (auth,
agents, groups, providers, chat, mcp), the MCP SDK clients run as peers (2.x from the main
venv, 1.x from .build/venv-mcp1), and raw JSON-RPC posts for what the SDKs normalise away."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests

from agents_support import AGENTS, GROUPS, Client, start_world
from chat_support import CHAT, PROVIDERS, chat_config
from conftest import AUTH, IO_TIMEOUT, REPO

MCP = "libPatternMCP.so"
PEERS = Path(__file__).resolve().parent / "mcp_peers"
SDK2_PYTHON = sys.executable
SDK1_PYTHON = str(REPO / ".build" / "venv-mcp1" / "bin" / "python")
ACCEPT = "application/json, text/event-stream"
PEER_TIMEOUT = 60


FULL_PLUGINS = (AUTH, AGENTS, GROUPS, PROVIDERS, CHAT, MCP)


def start_mcp(start, mcp: str = "", extra: str = "", plugins=FULL_PLUGINS, **chat):
    """A world with /mcp; `mcp` is `[mcp]` TOML (e.g. a small page size), `extra` more sections."""
    return start_world(start, plugins=list(plugins), config=chat_config(**chat) + extra + "[mcp]\n" + mcp)


def endpoint(client: Client) -> str:
    return client.server.url("/api/v1/mcp")


def run_peer(client: Client, steps: list[dict], sdk: int = 2, mode: str = "auto", token: str | None = None) -> dict:
    """Runs an SDK client against /mcp as `client` (or `token`); its JSON report."""
    if sdk == 2:
        argv = [SDK2_PYTHON, str(PEERS / "endpoint_client.py"), endpoint(client), mode]
    else:
        argv = [SDK1_PYTHON, str(PEERS / "endpoint_client_v1.py"), endpoint(client)]
    env = {**os.environ, "MCP_TOKEN": token or client.token}
    done = subprocess.run(argv, input=json.dumps(steps), capture_output=True, text=True, env=env,
                          timeout=PEER_TIMEOUT)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def rpc(client: Client, method: str | None = None, params: dict | None = None, *, id=1, session: str | None = None,
        version: str | None = None, headers: dict | None = None, body=None, token: str | None = None
        ) -> requests.Response:
    """One raw POST to /mcp: a request (or, with id=None, a notification), or `body` as given."""
    if body is None:
        body = {"jsonrpc": "2.0", "method": method}
        if id is not None:
            body["id"] = id
        if params is not None:
            body["params"] = params
    all_headers = {"Authorization": f"Bearer {token or client.token}", "Accept": ACCEPT,
                   "Content-Type": "application/json"}
    if session:
        all_headers["Mcp-Session-Id"] = session
    if version:
        all_headers["MCP-Protocol-Version"] = version
    all_headers.update(headers or {})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return requests.post(endpoint(client), data=data, headers=all_headers, timeout=IO_TIMEOUT)


def initialize(client: Client, version: str = "2025-11-25", token: str | None = None) -> str:
    """A new session of `client` (the handshake done by hand); its id."""
    response = rpc(client, "initialize", {"protocolVersion": version, "capabilities": {},
                                          "clientInfo": {"name": "raw", "version": "1"}}, token=token)
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    assert rpc(client, "notifications/initialized", id=None, session=session, version=version,
               token=token).status_code == 202
    return session


def call_tool(client: Client, session: str, name: str, arguments: dict | None = None) -> dict:
    """A raw tools/call's result."""
    response = rpc(client, "tools/call", {"name": name, "arguments": arguments or {}}, session=session,
                   version="2025-11-25")
    assert response.status_code == 200, response.text
    return response.json()["result"]
