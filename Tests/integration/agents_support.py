"""Helpers for the agents, memory and groups tests: a server with auth + agents (+ groups),
users logged in through the auth plugin's real API, and small request wrappers."""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import requests
from websockets.sync.client import connect

from conftest import AUTH, IO_TIMEOUT, Server

AGENTS = "libPatternAgents.so"
GROUPS = "libPatternGroups.so"

ADMIN_USERNAME = "root"
ADMIN_PASSWORD = "admin-password-1"
ADMIN_ENV = {"PATTERN_ADMIN_USERNAME": ADMIN_USERNAME, "PATTERN_ADMIN_PASSWORD": ADMIN_PASSWORD}
# Cheap password hashing: these tests are about agents, not bcrypt.
FAST_AUTH = "[auth]\nbcrypt_cost = 5\n"

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@dataclass
class Client:
    """One caller: an access token (or API key) against one server."""
    server: Server
    token: str
    user_id: str = ""

    def request(self, method: str, path: str, body=None, headers: dict | None = None, **kwargs):
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        kwargs.setdefault("timeout", IO_TIMEOUT)
        return requests.request(method, self.server.url(f"/api/v1{path}"), json=body, headers=all_headers,
                                **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    # --- agents ---
    def create_agent(self, name: str | None = None, agent_type: str = "generic", **fields) -> dict:
        response = self.post("/agents", {"name": name or unique("agent"), "agent_type": agent_type, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def create_group(self, pattern: dict, members=(), name: str | None = None) -> dict:
        response = self.post("/groups", {"name": name or unique("group"), "description": "a group",
                                         "coordination_pattern": pattern, "members": list(members)})
        assert response.status_code == 201, response.text
        return response.json()

    def api_key(self, permissions: list[str]) -> "Client":
        """A client authenticated by a new API key of this user with exactly `permissions`."""
        response = self.post("/api-keys", {"name": unique("key"), "permissions": permissions})
        assert response.status_code == 201, response.text
        return Client(self.server, response.json()["key"], self.user_id)


def login(server: Server, username: str, password: str) -> Client:
    response = requests.post(server.url("/api/v1/auth/login"), json={"username": username, "password": password},
                             timeout=IO_TIMEOUT)
    assert response.status_code == 200, response.text
    body = response.json()
    return Client(server, body["access_token"], body["user"]["id"])


class World:
    """A started server plus its administrator; `user()` makes fresh users."""

    def __init__(self, server: Server):
        self.server = server
        self.admin = login(server, ADMIN_USERNAME, ADMIN_PASSWORD)

    def user(self, name: str | None = None) -> Client:
        username = name or unique("user")
        password = f"{username}-password"
        response = self.admin.post("/users", {"username": username, "password": password})
        assert response.status_code == 201, response.text
        return login(self.server, username, password)


def start_world(start, plugins=(AUTH, AGENTS, GROUPS), config: str = FAST_AUTH, env: dict | None = None) -> World:
    """Starts a server through a conftest factory (start_server or start_server_module)."""
    return World(start(plugins=list(plugins), config=config, env={**ADMIN_ENV, **(env or {})}))


# --- events, observed as a client would: through the event socket ----------------------

class EventSocket:
    """The caller's event socket, subscribed to some topics."""

    def __init__(self, client: Client):
        url = f"ws://127.0.0.1:{client.server.port}/api/v1/ws"
        self.connection = connect(url, additional_headers={"Authorization": f"Bearer {client.token}"},
                                  open_timeout=IO_TIMEOUT)

    def __enter__(self):
        self.socket = self.connection.__enter__()
        self.next("connected")
        return self

    def __exit__(self, *exc):
        self.connection.__exit__(*exc)

    def next(self, event_type: str, timeout: float = 5.0) -> dict:
        while True:
            event = json.loads(self.socket.recv(timeout=timeout))
            if event["type"] == event_type:
                return event

    def subscribe(self, kind: str, resource_id: str) -> dict:
        self.socket.send(json.dumps({"type": f"subscribe_{kind}", f"{kind}_id": resource_id}))
        return self.next("subscription")

    def drain_until_pong(self) -> list[dict]:
        """Every event that arrives before the answer to a ping."""
        self.socket.send(json.dumps({"type": "ping"}))
        events = []
        while True:
            event = json.loads(self.socket.recv(timeout=5.0))
            if event["type"] == "pong":
                return events
            events.append(event)


def field_of(response) -> str:
    """The first field a validation_error names."""
    body = response.json()
    assert body["error"]["type"] == "validation_error", body
    return body["error"]["fields"][0]["field"]
