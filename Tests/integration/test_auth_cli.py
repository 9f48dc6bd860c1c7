"""`pattern-server create-admin`, the OpenAPI operations, and secrets never reaching the log."""
import subprocess

from openapi_spec_validator import validate

from auth_support import (ADMIN_PASSWORD, auth_env, auth_server, probe_plugin, start_auth)  # noqa: F401
from conftest import AUTH, HELLO_C, make_plugin_dir


def create_admin(server_binary, workdir, plugins, username, stdin="", env=None):
    return subprocess.run([str(server_binary), "create-admin", "--username", username, "--plugin-dir", str(plugins),
                           "--data-dir", str(workdir / "data")], input=stdin, capture_output=True, text=True,
                          timeout=30, env=env)


def test_create_admin_from_stdin_or_environment(start_auth, auth_env, server_binary, plugin_files, tmp_path):
    import os
    auth_env.delenv("PATTERN_ADMIN_USERNAME")
    auth_env.delenv("PATTERN_ADMIN_PASSWORD")
    plugins = make_plugin_dir(tmp_path / "plugins", plugin_files, [AUTH])
    out = create_admin(server_binary, tmp_path, plugins, "ops-admin", stdin="stdin-password-1\nignored\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1 and "ops-admin" in lines[0] and "user_" in lines[0]
    assert "stdin-password-1" not in out.stdout + out.stderr

    env = {**os.environ, "PATTERN_ADMIN_PASSWORD": "env-password-12"}
    out = create_admin(server_binary, tmp_path, plugins, "env-admin", env=env)
    assert out.returncode == 0, out.stderr
    out = create_admin(server_binary, tmp_path, plugins, "OPS-ADMIN", stdin="another-password\n")
    assert out.returncode == 1 and "taken" in out.stderr
    out = create_admin(server_binary, tmp_path, plugins, "bad name", stdin="another-password\n")
    assert out.returncode == 1 and "username" in out.stderr
    out = create_admin(server_binary, tmp_path, plugins, "shorty", stdin="short\n")
    assert out.returncode == 1 and "password" in out.stderr
    out = create_admin(server_binary, tmp_path, plugins, "nopass", stdin="")
    assert out.returncode == 1 and "password" in out.stderr.lower()

    # The server started on the same data directory knows them.
    server = start_auth(probe=False)
    server.stop()
    server.workdir = tmp_path
    server.plugin_dir = plugins
    server.start()
    for name, password in (("ops-admin", "stdin-password-1"), ("env-admin", "env-password-12")):
        response = server.login(name, password)
        assert response.status_code == 200, response.text
        assert response.json()["user"]["is_admin"] is True


def test_create_admin_without_the_auth_plugin_says_so(server_binary, plugin_files, tmp_path):
    plugins = make_plugin_dir(tmp_path / "plugins", plugin_files, [HELLO_C])
    out = create_admin(server_binary, tmp_path, plugins, "someone", stdin="a-password-123\n")
    assert out.returncode == 1
    assert "auth plugin is not loaded" in out.stderr


def test_create_admin_needs_a_username(server_binary):
    out = subprocess.run([str(server_binary), "create-admin"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 2 and "--username" in out.stderr


def test_every_auth_route_is_in_the_openapi_document(auth_server):
    document = auth_server.get("/api/v1/openapi.json").json()
    validate(document)
    paths = document["paths"]
    for path, method in (("/api/v1/auth/login", "post"), ("/api/auth", "post"), ("/api/v1/auth/refresh", "post"),
                         ("/api/v1/auth/logout", "post"), ("/api/v1/auth/me", "get"), ("/api/v1/users", "post"),
                         ("/api/v1/users", "get"), ("/api/v1/users/{id}", "get"), ("/api/v1/users/{id}", "patch"),
                         ("/api/v1/users/{id}", "delete"), ("/api/v1/api-keys", "post"), ("/api/v1/api-keys", "get"),
                         ("/api/v1/api-keys/{id}", "get"), ("/api/v1/api-keys/{id}", "patch"),
                         ("/api/v1/api-keys/{id}", "delete")):
        operation = paths[path][method]
        assert operation["summary"] and operation["operationId"]
        assert operation["responses"]
    assert "requestBody" in paths["/api/v1/auth/login"]["post"]
    assert "security" not in paths["/api/v1/auth/login"]["post"] or paths["/api/v1/auth/login"]["post"]["security"] == []


def test_no_secret_reaches_the_log(start_auth, auth_env):
    auth_env.setenv("PATTERN_LOG_LEVEL", "debug")
    server = start_auth()
    pair = server.tokens()
    user = server.create_user("logged-user", "logged-user-password", token=pair["access_token"])
    user_pair = server.tokens("logged-user", "logged-user-password")
    refreshed = server.post("/api/v1/auth/refresh", json={"refresh_token": user_pair["refresh_token"]}).json()
    server.post("/api/v1/auth/refresh", json={"refresh_token": user_pair["refresh_token"]})  # reuse
    server.login("logged-user", "a-wrong-password-9")
    key = server.create_key(pair["access_token"], ["read_agents"])["key"]
    key_pair = server.post("/api/v1/auth/login", json={"type": "api_key", "api_key": key}).json()
    server.principal(key)
    server.as_user(pair["access_token"], "PATCH", f"/api/v1/users/{user['id']}", json={"password": "new-password-77"})
    server.get(f"/api/v1/ws?token={pair['access_token']}")
    server.stop()
    log = server.stderr() + (server.stdout_path.read_text() if server.stdout_path.exists() else "")
    assert "level=" in log
    secrets = [ADMIN_PASSWORD, "logged-user-password", "a-wrong-password-9", "new-password-77", key,
               server.jwt_secret().decode(), pair["access_token"], pair["refresh_token"],
               user_pair["access_token"], user_pair["refresh_token"], refreshed["access_token"],
               refreshed["refresh_token"], key_pair["access_token"], key_pair["refresh_token"]]
    for secret in secrets:
        assert isinstance(secret, str) and len(secret) >= 8
        assert secret not in log, f"a secret ({secret[:4]}…) appears in the log"
    # Nor their distinctive parts (a JWT's signature, the key's random part).
    for token in (pair["access_token"], refreshed["refresh_token"]):
        assert token.split(".")[2] not in log
    assert key[3:20] not in log
