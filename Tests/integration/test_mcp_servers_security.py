"""Who may register what, and what never comes back: stdio servers only for admins and only
for an allowed command run by its exact path (never a symbolic link), another user's server
answers 404, env and header values are sealed at rest (bound to the row, re-sealed by
`secrets rotate-key`) and never returned or logged, loopback HTTP targets are refused by the
outbound policy unless allowed, and bad input names its field."""
from __future__ import annotations

import json
import re
import sqlite3

import pytest

from agents_support import ADMIN_ENV, World, field_of
from conftest import AUTH, make_plugin_dir
from mcp_support import (MCP, VENVS, call, get_server, http_peer, interpreter, mcp_config, register, register_http,
                         start_mcp, stdio_transport, wait_for_status)
from test_secrets import Site, python_open

SECRET_HEADER = "Bearer header-secret-5d1c9e7f0a"
SECRET_ENV = "env-secret-8b2a4c6e1f"
SYMLINKED_PYTHON = str(VENVS[2] / "bin" / "python")


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_mcp(start_server_module, config=mcp_config([interpreter(), SYMLINKED_PYTHON], max_servers_per_user=4))


def test_a_user_who_is_not_an_admin_cannot_register_a_stdio_server(world):
    user = world.user()
    response = user.post("/mcp/servers", {"name": "mine", "transport": stdio_transport(2)})
    assert response.status_code == 403 and response.json()["error"]["type"] == "forbidden"
    assert user.get("/mcp/servers").json()["total"] == 0


def test_a_command_not_allowed_is_a_validation_error_naming_it(world):
    transport = {**stdio_transport(2), "command": "/bin/sh", "args": ["-c", "id"]}
    response = world.admin.post("/mcp/servers", {"name": "shell", "transport": transport})
    assert response.status_code == 400 and field_of(response) == "transport.command"


def test_an_allowed_command_that_is_a_symbolic_link_is_not_run(world):
    server = register(world.admin, {**stdio_transport(2), "command": SYMLINKED_PYTHON})
    assert server["status"] == "error" and "cannot start" in server["last_error"]
    assert server["available_tools"] == []


def test_another_users_server_is_404_everywhere(world):
    with http_peer(2) as (url, _):
        owner, stranger = world.user(), world.user()
        server = register_http(owner, url)
        path = f"/mcp/servers/{server['id']}"
        assert stranger.get(path).status_code == 404
        assert stranger.patch(path, {"enabled": False}).status_code == 404
        assert call(stranger, server["id"], "add", a=1, b=2).status_code == 404
        assert stranger.delete(path).status_code == 404
        assert stranger.get("/mcp/servers").json()["items"] == []
        assert get_server(owner, server["id"])["status"] == "connected"


def test_writes_need_the_manage_mcp_servers_permission(world):
    user = world.user()
    reader = user.api_key(["read_agents"])
    with http_peer(2) as (url, _):
        response = reader.post("/mcp/servers", {"name": "x", "transport": {"type": "http", "url": url}})
        assert response.status_code == 403 and "manage_mcp_servers" in response.json()["error"]["message"]
        server = register_http(user, url)
        assert reader.get(f"/mcp/servers/{server['id']}").status_code == 200
        assert call(reader, server["id"], "add", a=1, b=2).status_code == 403


def test_header_and_env_values_are_never_returned_nor_logged(world):
    with http_peer(2) as (url, _):
        http = register_http(world.admin, url, headers={"Authorization": SECRET_HEADER})
        assert http["status"] == "connected", http["last_error"]
        transport = stdio_transport(2)
        transport["env"]["PATTERN_TEST_SECRET"] = SECRET_ENV
        stdio = register(world.admin, transport)
        assert stdio["status"] == "connected", stdio["last_error"]
        texts = [json.dumps(http), json.dumps(stdio), world.admin.get("/mcp/servers").text,
                 world.admin.get(f"/mcp/servers/{http['id']}").text, world.server.stderr()]
        for text in texts:
            assert SECRET_HEADER not in text and SECRET_ENV not in text and "PATTERN_TEST_SECRET" not in text


def test_the_header_values_are_sent_to_the_server(world):
    """The SDK server refuses a foreign Origin with 403: only a header that was sent can do that."""
    with http_peer(2) as (url, _):
        server = register_http(world.user(), url, headers={"Origin": "http://evil.example"})
        assert server["status"] == "error" and "403" in server["last_error"]


def test_names_are_unique_per_user_and_servers_are_counted(world):
    user = world.user()
    with http_peer(2) as (url, _):
        register_http(user, url, name="same")
        assert register_http(user, url, name="same", expect=409)["error"]["type"] == "conflict"
        register_http(world.user(), url, name="same")  # another user's namespace
        register_http(user, url)
        register_http(user, url)
        register_http(user, url)
        assert "4 MCP servers" in register_http(user, url, expect=409)["error"]["message"]


@pytest.mark.parametrize("body, field", [
    ({"transport": {"type": "http", "url": "http://127.0.0.1/"}}, "name"),
    ({"name": "a b", "transport": {"type": "http", "url": "http://127.0.0.1/"}}, "name"),
    ({"name": "x"}, "transport"),
    ({"name": "x", "transport": {"type": "carrier-pigeon"}}, "transport.type"),
    ({"name": "x", "transport": {"type": "http", "url": "ftp://example.com/"}}, "transport.url"),
    ({"name": "x", "transport": {"type": "http", "url": "http://u:p@example.com/"}}, "transport.url"),
    ({"name": "x", "transport": {"type": "http", "url": "http://example.com/", "headers": {"Mcp-Session-Id": "1"}}},
     "transport.headers.Mcp-Session-Id"),
    ({"name": "x", "transport": {"type": "http", "url": "http://example.com/", "headers": {"X-A": "a\nb"}}},
     "transport.headers.X-A"),
    ({"name": "x", "transport": {"type": "stdio", "command": "python"}}, "transport.command"),
    ({"name": "x", "transport": {"type": "stdio", "command": "/usr/bin/python3", "env": {"1BAD": "x"}}},
     "transport.env.1BAD"),
    ({"name": "x", "transport": {"type": "stdio", "command": "/usr/bin/python3", "args": [1]}}, "transport.args[0]"),
    ({"name": "x", "transport": {"type": "http", "url": "http://example.com/"}, "auto_reconnect": "yes"},
     "auto_reconnect"),
    # The bounds, one past each.
    ({"name": "x" * 65, "transport": {"type": "http", "url": "http://example.com/"}}, "name"),
    ({"name": "x", "description": "d" * 2049, "transport": {"type": "http", "url": "http://example.com/"}},
     "description"),
    ({"name": "x", "transport": {"type": "http", "url": "http://example.com/" + "a" * 2030}}, "transport.url"),
    ({"name": "x", "transport": {"type": "http", "url": "http://example.com/",
                                 "headers": {f"X-H{index}": "v" for index in range(33)}}}, "transport.headers"),
    ({"name": "x", "transport": {"type": "http", "url": "http://example.com/", "headers": {"X-A": "v" * 8193}}},
     "transport.headers.X-A"),
    ({"name": "x", "transport": {"type": "stdio", "command": "/usr/bin/python3", "args": ["a"] * 65}},
     "transport.args"),
    ({"name": "x", "transport": {"type": "stdio", "command": "/usr/bin/python3", "args": ["a" * 4097]}},
     "transport.args[0]"),
    ({"name": "x", "transport": {"type": "stdio", "command": "/usr/bin/python3",
                                 "env": {f"V{index}": "v" for index in range(65)}}}, "transport.env"),
    ({"name": "x", "transport": {"type": "stdio", "command": "/usr/bin/python3", "env": {"A": "v" * 8193}}},
     "transport.env.A"),
])
def test_bad_input_names_the_field(world, body, field):
    response = world.admin.post("/mcp/servers", body)
    assert response.status_code == 400, response.text
    assert field_of(response) == field


def test_patch_refuses_null_and_transport(world):
    user = world.user()
    with http_peer(2) as (url, _):
        server = register_http(user, url)
        path = f"/mcp/servers/{server['id']}"
        assert field_of(user.patch(path, {"enabled": None})) == "enabled"
        assert field_of(user.patch(path, {"transport": {"type": "http", "url": url}})) == "transport"


def test_null_maps_and_arguments_are_published_as_allowed_and_an_empty_command_as_refused(world):
    document = world.server.get("/api/v1/openapi.json").json()
    create = document["paths"]["/api/v1/mcp/servers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    stdio, http = create["properties"]["transport"]["oneOf"][:2]
    assert "null" in http["properties"]["headers"]["type"] and "null" in stdio["properties"]["args"]["type"]
    assert re.search(stdio["properties"]["command"]["pattern"], "") is None
    response = world.admin.post("/mcp/servers", {"name": "x", "transport": {"type": "stdio", "command": ""}})
    assert field_of(response) == "transport.command"


def test_patch_publishes_transport_as_a_member_not_to_send(world):
    document = world.server.get("/api/v1/openapi.json").json()
    patch = document["paths"]["/api/v1/mcp/servers/{id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert patch["properties"]["transport"]["not"] == {}


@pytest.mark.parametrize("url", [
    "0" * 64, "http://\u00fc.example/mcp", "http://example.com/\U0001F600", "http://ex ample/", "http://example.com/%zz",
    "http://example.com:123456/", "http://example.com/#f",
])
def test_a_url_the_check_refuses_its_published_pattern_refuses_too(world, url):
    """schemathesis sends what the published pattern admits, so the pattern is the check."""
    document = world.server.get("/api/v1/openapi.json").json()
    create = document["paths"]["/api/v1/mcp/servers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    http = next(choice for choice in create["properties"]["transport"]["oneOf"] if "url" in choice.get("properties", {}))
    pattern = http["properties"]["url"]["pattern"]
    assert re.search(pattern, "http://example.com:8080/mcp?x=1")
    assert re.search(pattern, url) is None
    response = world.admin.post("/mcp/servers", {"name": "x", "transport": {"type": "http", "url": url}})
    assert response.status_code == 400, response.text
    assert field_of(response) == "transport.url"


def test_a_loopback_url_is_refused_when_private_networks_are_not_allowed(start_server):
    world = start_mcp(start_server, config=mcp_config(outbound=""))
    with http_peer(2) as (url, _):
        server = register_http(world.admin, url)
        assert server["status"] == "error"
        assert "outbound policy" in server["last_error"]
        response = call(world.admin, server["id"], "add", a=1, b=2)
        assert response.status_code == 503


def test_disabling_disconnects_and_enabling_connects_again(world):
    user = world.user()
    with http_peer(2) as (url, _):
        server = register_http(user, url)
        path = f"/mcp/servers/{server['id']}"
        disabled = user.patch(path, {"enabled": False}).json()
        assert disabled["enabled"] is False and disabled["status"] == "disconnected"
        assert call(user, server["id"], "add", a=1, b=2).status_code == 503
        assert user.patch(path, {"enabled": True, "name": "renamed"}).json()["name"] == "renamed"
        wait_for_status(user, server["id"], "connected")
        assert user.delete(path).status_code == 204
        assert user.get(path).status_code == 404


# ----- at rest ---------------------------------------------------------------------------

@pytest.fixture
def site(server_binary, plugin_files, tmp_path):
    instance = Site(server_binary, tmp_path, make_plugin_dir(tmp_path / "plugins", plugin_files, [AUTH, MCP]))
    yield instance
    for server in instance.servers:
        server.stop()


def sealed_secrets(site: Site) -> dict[str, str]:
    connection = sqlite3.connect(site.data / "pattern.db")
    try:
        return dict(connection.execute("SELECT id, secrets FROM mcp_servers").fetchall())
    finally:
        connection.close()


def test_env_is_sealed_to_its_row_and_re_sealed_by_rotate_key(site):
    world = World(site.start(env=ADMIN_ENV, config=mcp_config()))
    transport = stdio_transport(1)
    transport["env"]["PATTERN_TEST_SECRET"] = SECRET_ENV
    server = register(world.admin, transport)
    assert server["status"] == "connected", server["last_error"]
    world.server.stop()
    before = sealed_secrets(site)[server["id"]]
    assert SECRET_ENV not in before
    opened = json.loads(python_open(site.kek(), before, f"mcp:{server['id']}:secrets".encode()))
    assert opened["env"]["PATTERN_TEST_SECRET"] == SECRET_ENV

    result = site.rotate()
    assert result.returncode == 0, result.stderr
    assert SECRET_ENV not in result.stdout + result.stderr
    after = sealed_secrets(site)[server["id"]]
    assert after != before
    assert json.loads(python_open(site.kek(), after, f"mcp:{server['id']}:secrets".encode())) == opened

    # The child needs PYTHONPATH from the sealed env to start at all: connecting proves it opens.
    world = World(site.start(env=ADMIN_ENV, config=mcp_config()))
    assert wait_for_status(world.admin, server["id"], "connected")["available_tools"]
