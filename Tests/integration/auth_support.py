"""Helpers shared by the auth plugin's integration tests (test_auth_*.py): a server with the
auth plugin (and the auth-probe test plugin, which shows the principal and the events auth
publishes), logins, users, keys and forged tokens."""
from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import jwt
import pytest

from conftest import AUTH, REPO, compile_c_plugin, make_plugin_dir, Server

PROBE = "libauth_probe.so"
ADMIN_NAME = "root-admin"
ADMIN_PASSWORD = "correct horse battery"
ISSUER = "pattern-server"
AUDIENCE = "pattern-api"
ALL_PERMISSIONS = [
    "read_agents", "write_agents", "read_groups", "write_groups", "read_messages", "send_messages",
    "read_memory", "update_memory", "manage_users", "manage_mcp_servers", "manage_model_providers",
    "manage_api_keys",
]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="session")
def probe_plugin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("auth-probe") / PROBE
    return compile_c_plugin(REPO / "Tests" / "Fixtures" / "auth" / "auth_probe.c", out)


@pytest.fixture
def auth_env(monkeypatch):
    """The environment of an auth server: bcrypt cost 4 (fast tests) and the first admin."""
    monkeypatch.setenv("BCRYPT_COST", "4")
    monkeypatch.setenv("PATTERN_ADMIN_USERNAME", ADMIN_NAME)
    monkeypatch.setenv("PATTERN_ADMIN_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("PATTERN_OPEN_REGISTRATION", raising=False)
    return monkeypatch


@pytest.fixture
def start_auth(server_binary, plugin_files, probe_plugin, tmp_path, auth_env):
    """Factory: start_auth(config="TOML", probe=True, extra=(other plugin files,)) -> a started AuthServer."""
    started: list[AuthServer] = []

    def start(config: str | None = None, probe: bool = True, extra=()) -> "AuthServer":
        workdir = tmp_path / f"auth{len(started)}"
        workdir.mkdir()
        plugin_dir = make_plugin_dir(workdir / "plugins", plugin_files, [AUTH, *extra])
        if probe:
            (plugin_dir / PROBE).symlink_to(probe_plugin)
        server = AuthServer(server_binary, workdir, plugin_dir, config)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def auth_server(start_auth):
    return start_auth()


class AuthServer(Server):
    """A Server with the auth plugin, plus helpers."""

    def restart(self, config: str | None = None) -> "AuthServer":
        self.stop()
        if config is not None:
            self.config_text = config
        self.process = None
        self.start()
        return self

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    def jwt_secret(self) -> bytes:
        """The generated signing secret (mode 0600 in the data directory)."""
        return (self.data_dir / "jwt_secret").read_text().strip().encode()

    def login(self, username=ADMIN_NAME, password=ADMIN_PASSWORD, **extra):
        return self.post("/api/v1/auth/login", json={"username": username, "password": password, **extra})

    def tokens(self, username=ADMIN_NAME, password=ADMIN_PASSWORD) -> dict:
        response = self.login(username, password)
        assert response.status_code == 200, response.text
        return response.json()

    def admin_token(self) -> str:
        return self.tokens()["access_token"]

    def as_user(self, token: str, method: str, path: str, **kwargs):
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
        return self.request(method, path, headers=headers, **kwargs)

    def create_user(self, username: str, password: str = "user-password-1", token: str | None = None, **fields):
        response = self.as_user(token or self.admin_token(), "POST", "/api/v1/users",
                                json={"username": username, "password": password, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def user_token(self, username: str, password: str = "user-password-1") -> str:
        self.create_user(username, password)
        return self.tokens(username, password)["access_token"]

    def create_key(self, token: str, permissions, **fields) -> dict:
        response = self.as_user(token, "POST", "/api/v1/api-keys",
                                json={"name": fields.pop("name", "test key"), "permissions": permissions, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def principal(self, token: str):
        return self.as_user(token, "GET", "/api/v1/auth-probe/principal")

    def events(self, topic: str | None = None) -> list[dict]:
        events = self.get("/api/v1/auth-probe/events").json()
        return [e for e in events if topic is None or e["topic"] == topic]


def decode(token: str, key: bytes, **options) -> dict:
    """PyJWT's strict decode of one of our access tokens."""
    return jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, leeway=30,
                      options={"require": ["exp", "iat", "jti", "sub", "iss", "aud"], **options})


def header_of_token(token: str) -> dict:
    return jwt.get_unverified_header(token)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict, claims: dict, signature: bytes = b"") -> str:
    """A token from raw parts (for `alg: none` and malformed cases PyJWT refuses to build)."""
    return ".".join([b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature)])


def without_timestamp(body: bytes) -> bytes:
    """An error body with its timestamp value blanked (the only part allowed to differ)."""
    return re.sub(rb'"timestamp":"[^"]*"', b'"timestamp":""', body)


def now() -> int:
    return int(time.time())
