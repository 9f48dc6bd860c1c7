"""Refresh rotation with reuse detection, logout and password change, persisted in SQLite."""
from auth_support import auth_env, auth_server, decode, probe_plugin, start_auth  # noqa: F401
from conftest import assert_error


def refresh(server, token, in_body=False):
    if in_body:
        return server.post("/api/v1/auth/refresh", json={"refresh_token": token})
    return server.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {token}"})


def test_refresh_rotates_and_each_token_works_once(auth_server):
    first = auth_server.tokens()
    response = refresh(auth_server, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert set(second) == {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    assert second["refresh_token"] != first["refresh_token"]
    assert auth_server.principal(second["access_token"]).status_code == 200
    secret = auth_server.jwt_secret()
    assert decode(second["access_token"], secret)["sid"] == decode(first["access_token"], secret)["sid"]
    third = refresh(auth_server, second["refresh_token"], in_body=True)
    assert third.status_code == 200, third.text


def test_reuse_revokes_the_whole_family_including_its_newest_token(auth_server):
    first = auth_server.tokens()
    other_login = auth_server.tokens()
    second = refresh(auth_server, first["refresh_token"]).json()
    third = refresh(auth_server, second["refresh_token"]).json()
    # The first token comes back: someone kept a copy.
    reused = refresh(auth_server, first["refresh_token"])
    assert_error(reused, 401, "unauthorized")
    assert reused.headers["WWW-Authenticate"].startswith("Bearer")
    assert refresh(auth_server, third["refresh_token"]).status_code == 401
    assert auth_server.principal(third["access_token"]).status_code == 401
    assert auth_server.principal(first["access_token"]).status_code == 401
    # Another login of the same user is a different family and keeps working.
    assert auth_server.principal(other_login["access_token"]).status_code == 200
    assert refresh(auth_server, other_login["refresh_token"]).status_code == 200
    events = [e["payload"] for e in auth_server.events("auth.login") if e["payload"].get("reason")]
    assert any(e["reason"] == "refresh_token_reuse" for e in events)


def test_reuse_is_detected_across_a_restart(auth_server):
    first = auth_server.tokens()
    second = refresh(auth_server, first["refresh_token"]).json()
    auth_server.restart()
    assert refresh(auth_server, first["refresh_token"]).status_code == 401
    assert refresh(auth_server, second["refresh_token"]).status_code == 401


def test_logout_revokes_the_login(auth_server):
    pair = auth_server.tokens()
    other = auth_server.tokens()
    response = auth_server.as_user(pair["access_token"], "POST", "/api/v1/auth/logout")
    assert response.status_code == 204
    assert auth_server.principal(pair["access_token"]).status_code == 401
    assert refresh(auth_server, pair["refresh_token"]).status_code == 401
    assert auth_server.principal(other["access_token"]).status_code == 200
    assert auth_server.post("/api/v1/auth/logout").status_code == 401


def test_password_change_revokes_every_login_of_the_user(auth_server):
    user = auth_server.create_user("dave", "daves-password")
    one = auth_server.tokens("dave", "daves-password")
    two = auth_server.tokens("dave", "daves-password")
    response = auth_server.as_user(one["access_token"], "PATCH", f"/api/v1/users/{user['id']}",
                                   json={"password": "a-brand-new-password"})
    assert response.status_code == 200, response.text
    for pair in (one, two):
        assert auth_server.principal(pair["access_token"]).status_code == 401
        assert refresh(auth_server, pair["refresh_token"]).status_code == 401
    assert auth_server.login("dave", "daves-password").status_code == 401
    assert auth_server.login("dave", "a-brand-new-password").status_code == 200


def test_refresh_needs_a_token(auth_server):
    assert_error(auth_server.post("/api/v1/auth/refresh", json={}), 400, "validation_error")
    assert refresh(auth_server, "garbage").status_code == 401
