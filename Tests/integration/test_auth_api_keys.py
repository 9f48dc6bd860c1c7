"""API keys: shown once, stored hashed, scoped permissions, expiry, enabled flag, key logins."""
import datetime
import re

from auth_support import (ALL_PERMISSIONS, auth_env, auth_server, decode, probe_plugin, start_auth)  # noqa: F401
from conftest import RFC3339, assert_error


def iso(delta_seconds: int) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_create_shows_the_key_once_and_stores_only_a_hash(auth_server):
    token = auth_server.admin_token()
    created = auth_server.create_key(token, ["read_agents", "read_agents", "write_groups"], rate_limit=120,
                                     name="ci")
    assert set(created) >= {"id", "name", "key", "permissions", "created_at", "expires_at", "rate_limit"}
    assert created["id"].startswith("key_") and created["name"] == "ci"
    assert re.fullmatch(r"pk_[A-Za-z0-9_-]{43,}", created["key"])
    assert created["permissions"] == ["read_agents", "write_groups"]
    assert created["rate_limit"] == 120 and created["expires_at"] is None
    assert RFC3339.fullmatch(created["created_at"])
    listed = auth_server.as_user(token, "GET", "/api/v1/api-keys").json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert set(item) == {"id", "name", "key_prefix", "permissions", "created_at", "expires_at", "last_used_at",
                         "rate_limit", "enabled"}
    assert created["key"].startswith(item["key_prefix"]) and len(item["key_prefix"]) < 16
    assert created["key"] not in str(listed)
    one = auth_server.as_user(token, "GET", f"/api/v1/api-keys/{created['id']}").json()
    assert "key" not in one and one["enabled"] is True
    database = (auth_server.data_dir / "pattern.db").read_bytes()
    for suffix in ("-wal",):
        path = auth_server.data_dir / f"pattern.db{suffix}"
        if path.exists():
            database += path.read_bytes()
    assert created["key"].encode() not in database


def test_a_key_sets_the_principal_with_its_permissions_and_rate_limit(auth_server):
    token = auth_server.user_token("ops")
    created = auth_server.create_key(token, ["read_agents"], rate_limit=30)
    principal = auth_server.principal(created["key"]).json()
    assert principal["permissions"] == ["read_agents"]
    assert principal["api_key_id"] == created["id"] and principal["rate_limit"] == 30
    assert principal["is_admin"] is False
    full = auth_server.principal(token).json()
    assert sorted(full["permissions"]) == sorted(ALL_PERMISSIONS) and full["api_key_id"] is None
    used = auth_server.as_user(token, "GET", f"/api/v1/api-keys/{created['id']}").json()
    assert RFC3339.fullmatch(used["last_used_at"])


def test_a_read_agents_key_is_refused_a_write_with_403(auth_server):
    token = auth_server.user_token("reader")
    key = auth_server.create_key(token, ["read_agents"])["key"]
    response = auth_server.as_user(key, "POST", "/api/v1/auth-probe/agents", json={})
    body = assert_error(response, 403, "forbidden")
    assert "write_agents" in body["error"]["message"]
    assert auth_server.as_user(token, "POST", "/api/v1/auth-probe/agents", json={}).status_code == 201
    # Nor may it manage keys.
    body = assert_error(auth_server.as_user(key, "POST", "/api/v1/api-keys",
                                            json={"name": "x", "permissions": ["read_agents"]}), 403)
    assert "manage_api_keys" in body["error"]["message"]


def test_an_admins_narrow_key_is_not_an_admin(auth_server):
    admin = auth_server.admin_token()
    narrow = auth_server.create_key(admin, ["read_agents"])["key"]
    assert auth_server.principal(narrow).json()["is_admin"] is False
    assert_error(auth_server.as_user(narrow, "GET", "/api/v1/users"), 403)
    assert_error(auth_server.as_user(narrow, "POST", "/api/v1/auth-probe/agents", json={}), 403)
    wide = auth_server.create_key(admin, ["manage_users"])["key"]
    assert auth_server.as_user(wide, "GET", "/api/v1/users").status_code == 200


def test_an_admins_key_holds_only_its_permissions(auth_server):
    admin = auth_server.admin_token()
    users_only = auth_server.create_key(admin, ["manage_users"])["key"]
    minted = auth_server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": users_only}).json()
    for credential in (users_only, minted["access_token"]):
        assert auth_server.as_user(credential, "GET", "/api/v1/users").status_code == 200, "admin + manage_users"
        body = assert_error(auth_server.as_user(credential, "POST", "/api/v1/auth-probe/agents", json={}),
                            403, "forbidden")
        assert "write_agents" in body["error"]["message"]
        body = assert_error(auth_server.as_user(credential, "POST", "/api/v1/api-keys",
                                                json={"name": "x", "permissions": ["manage_users"]}), 403)
        assert "manage_api_keys" in body["error"]["message"]
    assert auth_server.as_user(admin, "POST", "/api/v1/auth-probe/agents", json={}).status_code == 201


def test_a_key_cannot_grant_more_than_it_holds(auth_server):
    token = auth_server.user_token("delegator")
    manager = auth_server.create_key(token, ["manage_api_keys", "read_agents"])["key"]
    assert auth_server.create_key(manager, ["read_agents"])["permissions"] == ["read_agents"]
    body = assert_error(auth_server.as_user(manager, "POST", "/api/v1/api-keys",
                                            json={"name": "x", "permissions": ["write_agents"]}), 403)
    assert "write_agents" in body["error"]["message"]
    body = assert_error(auth_server.as_user(token, "POST", "/api/v1/api-keys",
                                            json={"name": "x", "permissions": ["fly"]}), 400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "permissions[0]"
    user = auth_server.tokens("delegator", "user-password-1")["user"]
    assert_error(auth_server.as_user(manager, "PATCH", f"/api/v1/users/{user['id']}",
                                     json={"password": "stolen-key-password"}), 403)


def test_login_with_a_key_returns_tokens_carrying_its_permissions(auth_server):
    token = auth_server.user_token("bot-owner")
    created = auth_server.create_key(token, ["read_agents", "read_memory"], rate_limit=7)
    for kind in ("api_key", "ApiKey"):
        response = auth_server.post("/api/v1/auth/login", json={"type": kind, "api_key": created["key"]})
        assert response.status_code == 200, response.text
    pair = response.json()
    claims = decode(pair["access_token"], auth_server.jwt_secret())
    assert claims["permissions"] == ["read_agents", "read_memory"]
    principal = auth_server.principal(pair["access_token"]).json()
    assert principal["permissions"] == ["read_agents", "read_memory"]
    assert principal["api_key_id"] == created["id"] and principal["rate_limit"] == 7
    assert_error(auth_server.as_user(pair["access_token"], "POST", "/api/v1/auth-probe/agents", json={}), 403)
    refreshed = auth_server.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).json()
    assert decode(refreshed["access_token"], auth_server.jwt_secret())["permissions"] == ["read_agents", "read_memory"]
    # Deleting the key ends the logins made with it.
    assert auth_server.as_user(token, "DELETE", f"/api/v1/api-keys/{created['id']}").status_code == 204
    assert auth_server.principal(refreshed["access_token"]).status_code == 401
    assert auth_server.principal(created["key"]).status_code == 401
    bad = auth_server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": created["key"]})
    assert_error(bad, 401, "unauthorized")


def test_disabled_expired_and_changed_keys(auth_server):
    token = auth_server.user_token("keeper")
    created = auth_server.create_key(token, ["read_agents", "write_agents"], expires_at=iso(3600))
    key, key_id = created["key"], created["id"]
    assert RFC3339.fullmatch(created["expires_at"])
    pair = auth_server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": key}).json()
    response = auth_server.as_user(token, "PATCH", f"/api/v1/api-keys/{key_id}", json={"enabled": False})
    assert response.status_code == 200 and response.json()["enabled"] is False
    assert auth_server.principal(key).status_code == 401
    assert auth_server.principal(pair["access_token"]).status_code == 401
    auth_server.as_user(token, "PATCH", f"/api/v1/api-keys/{key_id}", json={"enabled": True})
    assert auth_server.principal(key).status_code == 200
    response = auth_server.as_user(token, "PATCH", f"/api/v1/api-keys/{key_id}",
                                   json={"permissions": ["read_agents"], "rate_limit": None, "name": "renamed"})
    assert response.json()["permissions"] == ["read_agents"] and response.json()["name"] == "renamed"
    assert auth_server.principal(key).json()["permissions"] == ["read_agents"]
    body = assert_error(auth_server.as_user(token, "PATCH", f"/api/v1/api-keys/{key_id}",
                                            json={"expires_at": iso(-60)}), 400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "expires_at"
    body = assert_error(auth_server.as_user(token, "POST", "/api/v1/api-keys",
                                            json={"name": "x", "permissions": [], "expires_at": "tomorrow"}),
                        400, "datetime_error")
    assert body["error"]["fields"][0]["field"] == "expires_at"


def test_an_expired_key_is_refused(auth_server):
    token = auth_server.user_token("shortlived")
    created = auth_server.create_key(token, ["read_agents"], expires_at=iso(2))
    assert auth_server.principal(created["key"]).status_code == 200
    import time
    time.sleep(2.5)
    assert_error(auth_server.principal(created["key"]), 401, "unauthorized")


def test_another_users_key_is_invisible(auth_server):
    alice = auth_server.user_token("alice")
    bob = auth_server.user_token("bob")
    created = auth_server.create_key(alice, ["read_agents"])
    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"name": "mine"}} if method == "PATCH" else {}
        assert_error(auth_server.as_user(bob, method, f"/api/v1/api-keys/{created['id']}", **kwargs), 404)
    assert auth_server.as_user(bob, "GET", "/api/v1/api-keys").json()["total"] == 0
    assert auth_server.principal(created["key"]).status_code == 200


def test_unknown_and_malformed_keys_are_401(auth_server):
    for key in ("pk_" + "A" * 43, "pk_", "pk_" + "x" * 400):
        response = auth_server.principal(key)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
