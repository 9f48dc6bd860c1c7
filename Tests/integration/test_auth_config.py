"""[auth] belongs to the auth plugin: it checks the section and its environment overrides
itself (the host no longer knows the keys), and no other plugin can read the section."""
import os
import subprocess

import jwt
import pytest

from auth_support import ADMIN_NAME, ADMIN_PASSWORD, auth_env, probe_plugin, start_auth  # noqa: F401
from conftest import AUTH, make_plugin_dir

SECRET = "s" * 40
SETTINGS_PROBE = "libsettings_probe.so"


def start_failure(server_binary, plugin_files, tmp_path, config="", env=None) -> subprocess.CompletedProcess:
    """Runs `serve` with the auth plugin, expecting it to refuse to start."""
    (tmp_path / "pattern.toml").write_text(config)
    plugins = make_plugin_dir(tmp_path / "plugins", plugin_files, [AUTH])
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("JWT_SECRET", "BCRYPT_COST", "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL")}
    out = subprocess.run([str(server_binary), "serve", "--config", str(tmp_path / "pattern.toml"),
                          "--plugin-dir", str(plugins), "--data-dir", str(tmp_path / "data"), "--port", "0"],
                         capture_output=True, text=True, timeout=20, env={**environment, **(env or {})})
    assert out.returncode == 1, out.stderr
    return out


@pytest.mark.parametrize("config, env, message", [
    ("[auth]\nbcrypt_cost = 3\n", {}, "auth.bcrypt_cost: expected an integer from 4 to 31, got 3"),
    ("[auth]\naccess_token_ttl = 0\n", {}, "auth.access_token_ttl: expected an integer from 1 to 86400, got 0"),
    ('[auth]\njwt_secret = "too-short"\n', {}, "auth.jwt_secret: expected at least 32 bytes, got 9"),
    ("", {"BCRYPT_COST": "40"}, 'environment BCRYPT_COST: expected an integer from 4 to 31, got "40"'),
    ("", {"ACCESS_TOKEN_TTL": "0"}, 'environment ACCESS_TOKEN_TTL: expected an integer from 1 to 86400, got "0"'),
    ("", {"REFRESH_TOKEN_TTL": "1w"},
     'environment REFRESH_TOKEN_TTL: expected an integer from 1 to 31536000, got "1w"'),
    ("", {"JWT_SECRET": "hunter2"}, "environment JWT_SECRET: expected at least 32 bytes, got 7"),
    ("", {"PATTERN_OPEN_REGISTRATION": "maybe"}, 'PATTERN_OPEN_REGISTRATION: expected true or false, got "maybe"'),
])
def test_bad_values_stop_the_start_naming_the_key(server_binary, plugin_files, tmp_path, config, env, message):
    out = start_failure(server_binary, plugin_files, tmp_path, config, env)
    assert message in out.stderr
    assert "hunter2" not in out.stderr.replace(message, "")


def test_the_host_without_the_auth_plugin_ignores_the_auth_section(start_server):
    # The host no longer checks [auth]: a bare host starts whatever the section holds.
    server = start_server(plugins=[], config="[auth]\nbcrypt_cost = 3\nwhatever = 1\n")
    assert server.get("/api/health").status_code == 200


def test_environment_overrides_the_section(start_auth, auth_env):
    auth_env.setenv("JWT_SECRET", SECRET)
    auth_env.setenv("ACCESS_TOKEN_TTL", "120")
    auth_env.setenv("REFRESH_TOKEN_TTL", "300")
    server = start_auth(config=f'[auth]\njwt_secret = "{"f" * 40}"\naccess_token_ttl = 60\n')
    pair = server.tokens(ADMIN_NAME, ADMIN_PASSWORD)
    access = jwt.decode(pair["access_token"], SECRET, algorithms=["HS256"], audience="pattern-api")
    refresh = jwt.decode(pair["refresh_token"], SECRET, algorithms=["HS256"], audience="pattern-api")
    assert access["exp"] - access["iat"] == 120
    assert refresh["exp"] - refresh["iat"] == 300


def test_another_plugin_cannot_read_the_auth_section(start_auth, auth_env):
    auth_env.setenv("JWT_SECRET", SECRET)
    server = start_auth(config='[auth]\nbcrypt_cost = 4\n[cors]\nallowed_origins = ["https://app.example.com"]\n'
                               '[settings_probe]\nflag = true\n', extra=(SETTINGS_PROBE,))
    seen = server.get("/api/v1/settings-probe").json()
    # Shared host settings are readable...
    assert seen["server.port"] == server.port
    assert seen["cors.allowed_origins"] == ["https://app.example.com"]
    # ...a plugin's section is not: neither auth's (nor the secret in it), nor even its own
    # (a plugin reads its own through plugin_config).
    assert seen["auth"] is None and seen["auth.jwt_secret"] is None and seen["auth.bcrypt_cost"] is None
    assert seen["settings_probe.flag"] is None
    # The auth plugin itself still got the secret from its environment.
    token = server.tokens()["access_token"]
    jwt.decode(token, SECRET, algorithms=["HS256"], audience="pattern-api")
