"""An event socket (GET /api/v1/ws) lives as long as its login: auth names the login and its
expiry in the principal, and whenever a login ends (logout, password change, refresh-token
reuse, deactivation, deletion, a deleted or disabled API key) the sockets opened with it are
closed with 4401 "session_revoked" at once, while every other socket stays open."""
import datetime
import json
import time

import jwt
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from auth_support import auth_env, probe_plugin, start_auth  # noqa: F401

PASSWORD = "alice-password-1"


@pytest.fixture
def server(start_auth):
    server = start_auth()
    server.create_user("alice", PASSWORD)
    server.create_user("bob", "bob-password-1")
    return server


def alice(server) -> dict:
    return server.tokens("alice", PASSWORD)


def open_socket(server, credential: str):
    return connect(f"ws://127.0.0.1:{server.port}/api/v1/ws", open_timeout=10,
                   additional_headers={"Authorization": f"Bearer {credential}"})


def assert_revoked(socket, within: float = 1.0):
    """The server closes the socket with 4401 "session_revoked" within `within` seconds."""
    deadline = time.monotonic() + within
    try:
        while True:
            socket.recv(timeout=max(0.01, deadline - time.monotonic()))
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, "the server closed without a close frame"
        assert (closed.rcvd.code, closed.rcvd.reason) == (4401, "session_revoked")
    except TimeoutError:
        pytest.fail(f"the socket was still open {within} s after its login ended")


def assert_open(socket):
    socket.send(json.dumps({"type": "ping"}))
    while json.loads(socket.recv(timeout=5))["type"] != "pong":
        pass


def key_login(server, key: str) -> dict:
    response = server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": key})
    assert response.status_code == 200, response.text
    return response.json()


def in_an_hour() -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_the_principal_names_its_login_and_expiry(server):
    pair = alice(server)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    principal = server.principal(pair["access_token"]).json()
    assert principal["session_id"] == claims["sid"] and principal["session_id"].startswith("fam_")
    assert principal["expires_at"] == claims["exp"]
    forever = server.create_key(pair["access_token"], ["read_agents"])
    principal = server.principal(forever["key"]).json()
    assert principal["session_id"] == forever["id"] and principal["expires_at"] == 0
    expiry = in_an_hour()
    dated = server.create_key(pair["access_token"], ["read_agents"], expires_at=expiry)
    expires_at = int(datetime.datetime.fromisoformat(expiry.replace("Z", "+00:00")).timestamp())
    assert server.principal(dated["key"]).json()["expires_at"] == expires_at
    minted = key_login(server, dated["key"])["access_token"]
    principal = server.principal(minted).json()
    assert principal["session_id"] == jwt.decode(minted, options={"verify_signature": False})["sid"]
    assert principal["expires_at"] == min(expires_at, jwt.decode(minted, options={"verify_signature": False})["exp"])


def test_logout_closes_that_logins_sockets_only(server):
    first, second = alice(server), alice(server)
    with open_socket(server, first["access_token"]) as ended, open_socket(server, second["access_token"]) as other:
        assert server.as_user(first["access_token"], "POST", "/api/v1/auth/logout").status_code == 204
        assert_revoked(ended)
        assert_open(other)


def test_a_password_change_closes_every_login_it_revokes(server):
    first, second = alice(server), alice(server)
    key = server.create_key(first["access_token"], ["read_agents"])["key"]
    bob = server.tokens("bob", "bob-password-1")["access_token"]
    with open_socket(server, first["access_token"]) as one, open_socket(server, second["access_token"]) as two, \
            open_socket(server, key) as with_key, open_socket(server, bob) as bobs:
        response = server.as_user(first["access_token"], "PATCH", f"/api/v1/users/{first['user']['id']}",
                                  json={"password": "alice-password-2"})
        assert response.status_code == 200, response.text
        assert_revoked(one)
        assert_revoked(two)
        assert_open(with_key)  # a password change leaves API keys valid
        assert_open(bobs)


def test_refresh_token_reuse_closes_the_whole_family(server):
    stolen = alice(server)
    rotated = server.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]}).json()
    other = alice(server)
    with open_socket(server, stolen["access_token"]) as old, open_socket(server, rotated["access_token"]) as new, \
            open_socket(server, other["access_token"]) as unrelated:
        reused = server.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        assert reused.status_code == 401
        assert_revoked(old)
        assert_revoked(new)
        assert_open(unrelated)


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_deactivating_or_deleting_a_user_closes_all_their_sockets(server, change):
    admin = server.admin_token()
    pair = alice(server)
    key = server.create_key(pair["access_token"], ["read_agents"])["key"]
    bob = server.tokens("bob", "bob-password-1")["access_token"]
    path = f"/api/v1/users/{pair['user']['id']}"
    with open_socket(server, pair["access_token"]) as token_socket, open_socket(server, key) as key_socket, \
            open_socket(server, bob) as bobs, open_socket(server, admin) as admins:
        if change == "deactivate":
            response = server.as_user(admin, "PATCH", path, json={"is_active": False})
            assert response.status_code == 200, response.text
        else:
            assert server.as_user(admin, "DELETE", path).status_code == 204
        assert_revoked(token_socket)
        assert_revoked(key_socket)
        assert_open(bobs)
        assert_open(admins)


def test_a_demoted_administrators_sockets_close(server):
    admin = server.admin_token()
    pair = alice(server)
    path = f"/api/v1/users/{pair['user']['id']}"
    assert server.as_user(admin, "PATCH", path, json={"is_admin": True}).status_code == 200
    with open_socket(server, pair["access_token"]) as promoted, open_socket(server, admin) as admins:
        assert server.as_user(admin, "PATCH", path, json={"is_admin": False}).status_code == 200
        assert_revoked(promoted)  # its subscriptions were authorised as an administrator's
        assert_open(admins)


@pytest.mark.parametrize("change", ["delete", "disable", "narrow", "expire sooner"])
def test_an_api_key_change_closes_the_keys_sockets_and_its_logins(server, change):
    pair = alice(server)
    token = pair["access_token"]
    created = server.create_key(token, ["read_agents", "read_groups"])
    other_key = server.create_key(token, ["read_agents"])["key"]
    minted = key_login(server, created["key"])["access_token"]
    path = f"/api/v1/api-keys/{created['id']}"
    with open_socket(server, created["key"]) as direct, open_socket(server, minted) as via_login, \
            open_socket(server, token) as password_login, open_socket(server, other_key) as other:
        if change == "delete":
            assert server.as_user(token, "DELETE", path).status_code == 204
        else:
            body = {"disable": {"enabled": False}, "narrow": {"permissions": ["read_agents"]},
                    "expire sooner": {"expires_at": in_an_hour()}}[change]
            response = server.as_user(token, "PATCH", path, json=body)
            assert response.status_code == 200, response.text
        assert_revoked(direct)
        assert_revoked(via_login)  # its sockets held the key's old expiry (none)
        assert_open(password_login)
        assert_open(other)
    if change == "expire sooner":
        assert server.principal(minted).status_code == 200, "a sooner expiry ends sockets, not the login"
