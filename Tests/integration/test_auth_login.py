"""Password and API-key logins, the /api/auth alias, /auth/me, failures that reveal nothing."""
import statistics
import time

from auth_support import (ADMIN_NAME, ADMIN_PASSWORD, auth_env, auth_server, decode, probe_plugin,  # noqa: F401
                          start_auth, without_timestamp)
from conftest import RFC3339, assert_error

USER_KEYS = {"id", "username", "display_name", "email", "created_at", "updated_at", "is_active", "is_admin"}


def test_login_returns_the_documented_pair_and_user(auth_server):
    response = auth_server.login()
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["username"] == ADMIN_NAME and body["user"]["is_admin"] is True
    assert body["user"]["id"].startswith("user_")
    assert RFC3339.fullmatch(body["user"]["created_at"]) and body["user"]["created_at"].endswith("Z")


def test_username_is_case_insensitive_and_type_variants_are_accepted(auth_server):
    assert auth_server.login(ADMIN_NAME.upper()).status_code == 200
    for kind in ("password", "Password"):
        assert auth_server.login(type=kind).status_code == 200


def test_alias_post_api_auth(auth_server):
    response = auth_server.post("/api/auth", json={"username": ADMIN_NAME, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    assert auth_server.principal(response.json()["access_token"]).status_code == 200


def test_me_returns_the_caller(auth_server):
    token = auth_server.user_token("alice")
    response = auth_server.as_user(token, "GET", "/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["username"] == "alice" and response.json()["is_admin"] is False
    assert set(response.json()) == USER_KEYS


def test_unknown_user_and_wrong_password_give_identical_401s(auth_server):
    auth_server.create_user("bob", "bobs-password-1")
    wrong = auth_server.login("bob", "not-the-password")
    unknown = auth_server.login("nobody-here", "not-the-password")
    for response in (wrong, unknown):
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert without_timestamp(wrong.content) == without_timestamp(unknown.content)
    assert {k: v for k, v in wrong.headers.items() if k not in ("Date", "X-Request-Id")} == \
        {k: v for k, v in unknown.headers.items() if k not in ("Date", "X-Request-Id")}


def test_login_validation_errors_name_the_field(auth_server):
    body = assert_error(auth_server.post("/api/v1/auth/login", json={"password": "x"}), 400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "username"
    body = assert_error(auth_server.post("/api/v1/auth/login", json={"username": "x"}), 400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "password"
    body = assert_error(auth_server.post("/api/v1/auth/login", json={"type": "magic", "username": "a", "password": "b"}),
                        400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "type"
    body = assert_error(auth_server.post("/api/v1/auth/login", json={"username": 5, "password": "b"}), 400,
                        "validation_error")
    assert body["error"]["fields"][0]["field"] == "username"
    assert_error(auth_server.post("/api/v1/auth/login", data="{", headers={"Content-Type": "application/json"}),
                 400, "json_error")
    assert_error(auth_server.post("/api/v1/auth/login", data="username=a", headers={"Content-Type": "text/plain"}),
                 415)


def test_inactive_user_cannot_log_in_and_their_tokens_stop_working(auth_server):
    admin = auth_server.admin_token()
    user = auth_server.create_user("carol", "carols-password")
    pair = auth_server.tokens("carol", "carols-password")
    key = auth_server.create_key(pair["access_token"], ["read_agents"])["key"]
    assert auth_server.principal(key).status_code == 200
    response = auth_server.as_user(admin, "PATCH", f"/api/v1/users/{user['id']}", json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert auth_server.principal(pair["access_token"]).status_code == 401
    assert auth_server.principal(key).status_code == 401
    assert auth_server.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    denied = auth_server.login("carol", "carols-password")
    assert_error(denied, 401, "unauthorized")
    assert without_timestamp(denied.content) == without_timestamp(auth_server.login("carol", "wrong-password").content)
    assert auth_server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": key}).status_code == 401
    auth_server.as_user(admin, "PATCH", f"/api/v1/users/{user['id']}", json={"is_active": True})
    assert auth_server.login("carol", "carols-password").status_code == 200


def test_login_publishes_events_without_secrets(auth_server):
    auth_server.login()
    auth_server.login(ADMIN_NAME, "wrong-password")
    events = auth_server.events("auth.login")
    assert [e["payload"]["success"] for e in events][-2:] == [True, False]
    assert events[-1]["payload"]["reason"] == "invalid_credentials"
    assert events[-2]["payload"]["user_id"].startswith("user_")
    text = str(events)
    assert ADMIN_PASSWORD not in text and "wrong-password" not in text


def test_unknown_user_and_wrong_password_take_the_same_time(start_auth, auth_env):
    """Median of 10 logins each at a real bcrypt cost: within 20 % of each other."""
    auth_env.setenv("BCRYPT_COST", "10")
    server = start_auth(probe=False)
    server.create_user("timed-user", "the-real-password")

    def timed(username):
        started = time.perf_counter()
        response = server.login(username, "a-wrong-password")
        elapsed = time.perf_counter() - started
        assert response.status_code == 401
        return elapsed

    timed("timed-user"), timed("no-such-user")  # warm up
    wrong, unknown = [], []
    for _ in range(10):
        wrong.append(timed("timed-user"))
        unknown.append(timed("no-such-user"))
    a, b = statistics.median(wrong), statistics.median(unknown)
    assert abs(a - b) / max(a, b) < 0.2, (wrong, unknown)
    assert min(a, b) > 0.01, "bcrypt at cost 10 cannot be this fast: was the password checked?"


def test_failed_logins_are_throttled_per_username_by_the_ratelimit_plugin(start_auth, plugin_files):
    from conftest import RATELIMIT
    import pytest
    if not plugin_files[RATELIMIT].is_file():
        pytest.skip("the ratelimit plugin is not built")
    server = start_auth(config="[ratelimit.policies.auth]\nenabled = false\n[ratelimit.login]\nmax_failures = 3\n"
                        "window_seconds = 60\n", extra=[RATELIMIT])
    server.create_user("target", "target-password")
    for _ in range(3):
        assert server.login("target", "guess-password").status_code == 401
    throttled = server.login("target", "target-password")
    body = assert_error(throttled, 429, "rate_limit")
    assert body["error"]["message"] == "Too many failed logins; try again later."  # auth's, not the per-IP policy
    assert int(throttled.headers["Retry-After"]) > 0
    reasons = [e["payload"]["reason"] for e in server.events("auth.login")]
    assert reasons[-1] == "throttled"
