"""The MCP server registry against the official Python SDK's servers (2.x and 1.x), over stdio
and Streamable HTTP: registering connects and lists the tools, each tool is called through
`POST /mcp/servers/{id}/tools/{name}/call`, tool errors come back as `isError: true`, and
tools/list_changed refreshes `available_tools`."""
from __future__ import annotations

import pytest

from conftest import AUTH
from mcp_support import (MCP, SDKS, TOOL_NAMES, call, get_server, register_stdio, registered, start_mcp, text_of,
                         wait_until)


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_mcp(start_server_module)


@pytest.fixture(params=SDKS, ids=lambda sdk: f"sdk{sdk}")
def sdk(request):
    return request.param


@pytest.fixture(params=["stdio", "http"])
def server(request, world, sdk):
    """A connected registration of the tool server under `sdk`, over each transport, by the admin."""
    with registered(world.admin, sdk, request.param) as registration:
        yield registration


def test_registering_connects_and_lists_the_tools(server):
    assert server["id"].startswith("mcp_")
    assert server["status"] == "connected", server["last_error"]
    assert server["connected_at"] and server["last_error"] is None
    tools = {tool["name"]: tool for tool in server["available_tools"]}
    assert TOOL_NAMES <= set(tools)
    assert tools["add"]["description"] == "Add two integers."
    assert tools["add"]["input_schema"]["properties"].keys() == {"a", "b"}
    assert server["enabled"] is True and server["auto_reconnect"] is True


def test_each_tool_is_called_through_the_rest_route(world, server):
    admin = world.admin
    added = call(admin, server["id"], "add", a=2, b=3)
    assert added.status_code == 200, added.text
    assert text_of(added.json()) == "5" and not added.json().get("isError")
    assert added.json()["structuredContent"] == {"result": 5}
    assert text_of(call(admin, server["id"], "echo", text="héllo").json()) == "héllo"
    assert text_of(call(admin, server["id"], "slow", seconds=0.2).json()) == "slept 0.2"
    assert len(text_of(call(admin, server["id"], "big", size=100_000).json())) == 100_000
    assert int(text_of(call(admin, server["id"], "process_id").json())) > 1
    assert text_of(call(admin, server["id"], "chatter", count=20).json()) == "sent 20"


def test_a_failing_tool_is_a_result_with_is_error(world, server):
    failed = call(world.admin, server["id"], "fail", message="the tool broke")
    assert failed.status_code == 200, failed.text
    assert failed.json()["isError"] is True
    assert "the tool broke" in text_of(failed.json())


def test_bad_arguments_are_a_tool_error_not_a_crash(world, server):
    wrong = call(world.admin, server["id"], "add", a="not a number")
    assert wrong.status_code in (200, 502), wrong.text
    if wrong.status_code == 200:
        assert wrong.json()["isError"] is True


def test_an_unknown_tool_is_404(world, server):
    response = call(world.admin, server["id"], "no_such_tool")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"


def test_tools_list_changed_refreshes_available_tools(world, server):
    """Over HTTP the notification comes on the GET stream, which the client keeps open."""
    assert "late_tool" not in {tool["name"] for tool in server["available_tools"]}
    assert call(world.admin, server["id"], "add_tool_later").status_code == 200
    assert wait_until(lambda: "late_tool" in {t["name"] for t in get_server(world.admin, server["id"])["available_tools"]},
                      10)
    assert text_of(call(world.admin, server["id"], "late_tool", word="hi").json()) == "HI"


def test_openapi_documents_the_routes(world):
    from openapi_spec_validator import validate
    server = register_stdio(world.admin, 2)
    document = world.server.get("/api/v1/openapi.json").json()
    validate(document)
    paths = document["paths"]
    assert set(paths["/api/v1/mcp/servers"]) >= {"get", "post"}
    assert set(paths["/api/v1/mcp/servers/{id}"]) >= {"get", "patch", "delete"}
    assert "post" in paths["/api/v1/mcp/servers/{id}/tools/{name}/call"]
    created = paths["/api/v1/mcp/servers"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/MCPServer"}  # one shared component
    assert set(document["components"]["schemas"]["MCPServer"]["properties"]) == set(server)


@pytest.mark.parametrize("section, needle", [
    ('stdio_commands = ["npx"]', "mcp.stdio_commands"),
    ('stdio_commands = "/usr/bin/npx"', "mcp.stdio_commands"),
    ("max_message_bytes = 10", "mcp.max_message_bytes"),
    ('max_concurrent_calls = "8"', "mcp.max_concurrent_calls"),
])
def test_a_bad_mcp_setting_refuses_the_start_naming_it(run_cli, tmp_path, section, needle):
    path = tmp_path / "bad.toml"
    path.write_text(f"[mcp]\n{section}\n")
    result = run_cli("serve", "--config", str(path), plugins=(AUTH, MCP), serve=True)
    assert result.returncode != 0
    assert result.line_with(needle), result.stderr
