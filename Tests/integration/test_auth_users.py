"""Users: registration switch, username and password rules, visibility, admin operations."""
import pytest

from auth_support import (ADMIN_NAME, auth_env, auth_server, probe_plugin, start_auth)  # noqa: F401
from conftest import assert_error


def test_registration_is_closed_by_default(auth_server):
    assert_error(auth_server.post("/api/v1/users", json={"username": "eve", "password": "eves-password"}), 401)
    token = auth_server.user_token("frank")
    assert_error(auth_server.as_user(token, "POST", "/api/v1/users",
                                     json={"username": "eve", "password": "eves-password"}), 403, "forbidden")


@pytest.mark.parametrize("how", ["config", "env"])
def test_open_registration_switch(start_auth, auth_env, how):
    if how == "env":
        auth_env.setenv("PATTERN_OPEN_REGISTRATION", "true")
        server = start_auth()
    else:
        server = start_auth(config="[auth]\nopen_registration = true\n")
    response = server.post("/api/v1/users", json={"username": "eve", "password": "eves-password",
                                                  "email": "eve@example.com", "display_name": "Eve"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["is_admin"] is False and body["email"] == "eve@example.com" and body["display_name"] == "Eve"
    assert_error(server.post("/api/v1/users", json={"username": "mallory", "password": "mallorys-pw",
                                                    "is_admin": True}), 403, "forbidden")
    assert server.login("eve", "eves-password").status_code == 200
    created = server.events("user.created")
    assert created and created[-1]["payload"]["user_id"] == body["id"]


def test_config_typo_is_refused(start_auth, server_binary, tmp_path):
    import subprocess
    from conftest import AUTH
    config = tmp_path / "typo.toml"
    config.write_text("[auth]\nopen_registation = true\n")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / AUTH).symlink_to(server_binary.parent / AUTH)
    out = subprocess.run([str(server_binary), "serve", "--config", str(config), "--plugin-dir", str(plugins),
                          "--data-dir", str(tmp_path / "data"), "--port", "0"], capture_output=True, text=True,
                         timeout=20)
    assert out.returncode == 1
    assert "open_registation" in out.stderr


@pytest.mark.parametrize("username", ["ab", "x" * 65, "has space", "ümlaut", "semi;colon", ""])
def test_username_rules(auth_server, username):
    token = auth_server.admin_token()
    body = assert_error(auth_server.as_user(token, "POST", "/api/v1/users",
                                            json={"username": username, "password": "long-enough"}),
                        400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "username"


def test_usernames_are_unique_case_insensitively(auth_server):
    token = auth_server.admin_token()
    auth_server.create_user("Grace.Hopper-1", token=token)
    response = auth_server.as_user(token, "POST", "/api/v1/users",
                                   json={"username": "grace.hopper-1", "password": "long-enough"})
    assert_error(response, 409, "conflict")
    assert_error(auth_server.as_user(token, "POST", "/api/v1/users",
                                     json={"username": ADMIN_NAME.upper(), "password": "long-enough"}), 409)


@pytest.mark.parametrize("password", ["short", "seven77", "x" * 1025])
def test_password_rules(auth_server, password):
    token = auth_server.admin_token()
    body = assert_error(auth_server.as_user(token, "POST", "/api/v1/users",
                                            json={"username": "heidi", "password": password}),
                        400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "password"


def test_long_passwords_count_in_full(auth_server):
    base = "p" * 100
    auth_server.create_user("ivan", base + "A")
    assert auth_server.login("ivan", base + "A").status_code == 200
    assert auth_server.login("ivan", base + "B").status_code == 401
    auth_server.create_user("judy", "j" * 1024)
    assert auth_server.login("judy", "j" * 1024).status_code == 200


def test_a_user_never_reads_another_users_record(auth_server):
    admin = auth_server.admin_token()
    alice = auth_server.create_user("alice", token=admin)
    bob = auth_server.create_user("bob", token=admin)
    token = auth_server.tokens("alice", "user-password-1")["access_token"]
    assert auth_server.as_user(token, "GET", f"/api/v1/users/{alice['id']}").status_code == 200
    other = auth_server.as_user(token, "GET", f"/api/v1/users/{bob['id']}")
    missing = auth_server.as_user(token, "GET", "/api/v1/users/user_01aaaaaaaaaaaaaaaaaaaaaaaa")
    assert_error(other, 404, "not_found")
    assert_error(missing, 404, "not_found")
    assert other.json()["error"] == missing.json()["error"]
    assert_error(auth_server.as_user(token, "PATCH", f"/api/v1/users/{bob['id']}", json={"display_name": "x"}), 404)
    assert_error(auth_server.as_user(token, "GET", "/api/v1/users"), 403)
    assert_error(auth_server.as_user(token, "DELETE", f"/api/v1/users/{bob['id']}"), 403)
    assert auth_server.as_user(admin, "GET", f"/api/v1/users/{bob['id']}").status_code == 200


def test_patch_self_and_admin_only_fields(auth_server):
    user = auth_server.create_user("kim")
    token = auth_server.tokens("kim", "user-password-1")["access_token"]
    response = auth_server.as_user(token, "PATCH", f"/api/v1/users/{user['id']}",
                                   json={"display_name": "Kim", "email": "kim@example.com"})
    assert response.status_code == 200 and response.json()["display_name"] == "Kim"
    response = auth_server.as_user(token, "PATCH", f"/api/v1/users/{user['id']}", json={"email": None})
    assert response.json()["email"] is None and response.json()["display_name"] == "Kim"
    assert_error(auth_server.as_user(token, "PATCH", f"/api/v1/users/{user['id']}", json={"is_admin": True}), 403)
    body = assert_error(auth_server.as_user(token, "PATCH", f"/api/v1/users/{user['id']}", json={"email": "nope"}),
                        400, "validation_error")
    assert body["error"]["fields"][0]["field"] == "email"
    admin = auth_server.admin_token()
    response = auth_server.as_user(admin, "PATCH", f"/api/v1/users/{user['id']}", json={"is_admin": True})
    assert response.json()["is_admin"] is True
    assert auth_server.as_user(token, "GET", "/api/v1/users").status_code == 200


def test_profile_changes_with_an_api_key_need_manage_users(auth_server):
    user = auth_server.create_user("keyed")
    token = auth_server.tokens("keyed", "user-password-1")["access_token"]
    path = f"/api/v1/users/{user['id']}"
    reader = auth_server.create_key(token, ["read_agents"])["key"]
    minted = auth_server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": reader}).json()["access_token"]
    for credential in (reader, minted):
        body = assert_error(auth_server.as_user(credential, "PATCH", path, json={"email": "thief@example.com"}),
                            403, "forbidden")
        assert "manage_users" in body["error"]["message"]
    assert auth_server.as_user(token, "GET", path).json()["email"] is None
    manager = auth_server.create_key(token, ["manage_users"])["key"]
    response = auth_server.as_user(manager, "PATCH", path, json={"email": "keyed@example.com"})
    assert response.status_code == 200 and response.json()["email"] == "keyed@example.com"
    response = auth_server.as_user(token, "PATCH", path, json={"display_name": "Keyed"})
    assert response.status_code == 200, "a password login edits its own profile without a key permission"


def test_list_users_paginates(auth_server):
    admin = auth_server.admin_token()
    for index in range(5):
        auth_server.create_user(f"member{index}", token=admin)
    body = auth_server.as_user(admin, "GET", "/api/v1/users?limit=2&page=2&sort_by=username").json()
    assert set(body) == {"items", "page", "limit", "total", "total_pages"}
    assert (body["page"], body["limit"], body["total"], body["total_pages"]) == (2, 2, 6, 3)
    assert [u["username"] for u in body["items"]] == ["member2", "member3"]
    body = auth_server.as_user(admin, "GET", "/api/v1/users?sort_by=created_at&sort_desc=true").json()
    assert body["items"][0]["username"] == "member4" and body["limit"] == 20
    for query, field in (("limit=101", "limit"), ("page=0", "page"), ("sort_by=password_hash", "sort_by"),
                         ("is_active=maybe", "is_active")):
        error = assert_error(auth_server.as_user(admin, "GET", f"/api/v1/users?{query}"), 400, "validation_error")
        assert error["error"]["fields"][0]["field"] == field
    assert auth_server.as_user(admin, "GET", "/api/v1/users?is_active=false").json()["total"] == 0


def test_delete_user(auth_server):
    admin = auth_server.admin_token()
    user = auth_server.create_user("leo", token=admin)
    token = auth_server.tokens("leo", "user-password-1")["access_token"]
    assert auth_server.as_user(admin, "DELETE", f"/api/v1/users/{user['id']}").status_code == 204
    assert auth_server.principal(token).status_code == 401
    assert auth_server.login("leo", "user-password-1").status_code == 401
    assert_error(auth_server.as_user(admin, "DELETE", f"/api/v1/users/{user['id']}"), 404)
    deleted = auth_server.events("user.deleted")
    assert deleted[-1]["payload"]["user_id"] == user["id"]


def test_the_last_admin_cannot_be_removed(auth_server):
    admin_pair = auth_server.tokens()
    me = admin_pair["user"]["id"]
    token = admin_pair["access_token"]
    assert_error(auth_server.as_user(token, "DELETE", f"/api/v1/users/{me}"), 409, "conflict")
    assert_error(auth_server.as_user(token, "PATCH", f"/api/v1/users/{me}", json={"is_admin": False}), 409)
    assert_error(auth_server.as_user(token, "PATCH", f"/api/v1/users/{me}", json={"is_active": False}), 409)


def test_first_admin_comes_only_from_the_environment_on_an_empty_table(start_auth, auth_env):
    auth_env.delenv("PATTERN_ADMIN_USERNAME")
    auth_env.delenv("PATTERN_ADMIN_PASSWORD")
    server = start_auth()
    assert server.login().status_code == 401
    assert server.wait_for_log(lambda line: "create-admin" in line)
    auth_env.setenv("PATTERN_ADMIN_USERNAME", "late-admin")
    auth_env.setenv("PATTERN_ADMIN_PASSWORD", "late-admin-password")
    server.restart()
    assert server.login("late-admin", "late-admin-password").status_code == 200
    auth_env.setenv("PATTERN_ADMIN_USERNAME", "second-admin")
    server.restart()
    assert server.login("second-admin", "late-admin-password").status_code == 401


def test_the_published_password_schema_states_the_rules(auth_server):
    """What test_password_rules refuses by count and NUL, the schema says, so clients agree with it."""
    import re
    document = auth_server.get("/api/v1/openapi.json").json()

    def resolved(schema):
        while "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    for path, method in (("/api/v1/users", "post"), ("/api/v1/users/{id}", "patch")):
        body = resolved(document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"])
        password = resolved(body["properties"]["password"])
        assert password["minLength"] == 8, (path, password)
        assert re.search(password["pattern"], "eight-ch") and not re.search(password["pattern"], "eight\x00ch")
