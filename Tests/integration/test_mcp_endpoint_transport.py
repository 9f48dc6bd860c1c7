"""The Streamable HTTP transport of /api/v1/mcp, byte for byte (what the SDK clients
normalise away): sessions bound to their user, the headers the spec requires and their
refusals, the server/discover probe of 2026-era clients, JSON-RPC errors, pagination
cursors, the session bounds and idle expiry, and a deployment without the chat plugin."""
from __future__ import annotations

import json
import time

import pytest
import requests

from agents_support import AGENTS
from conftest import AUTH
from mcp_endpoint_support import MCP, call_tool, endpoint, initialize, rpc, start_mcp

TRUSTED_ORIGIN = "https://app.example.test"


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_mcp(start_server_module, mcp="endpoint_page_size = 4\nendpoint_max_sessions_per_user = 3\n",
                     extra=f'[cors]\nallowed_origins = ["{TRUSTED_ORIGIN}"]\n')


@pytest.fixture
def user(world):
    return world.user()


def error_code(response: requests.Response) -> int:
    body = response.json()
    assert body["jsonrpc"] == "2.0" and "result" not in body, body
    return body["error"]["code"]


# --- handshake and sessions ---------------------------------------------------------------

@pytest.mark.parametrize("version", ["2025-11-25", "2025-06-18", "2025-03-26"])
def test_initialize_echoes_a_supported_revision_and_opens_a_session(user, version):
    response = rpc(user, "initialize", {"protocolVersion": version, "capabilities": {},
                                        "clientInfo": {"name": "raw", "version": "1"}})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    result = response.json()["result"]
    assert result["protocolVersion"] == version
    assert result["capabilities"]["tools"] == {"listChanged": False}
    assert result["serverInfo"]["name"] == "pattern-server"
    session = response.headers["mcp-session-id"]
    assert len(session) == 64 and all(c in "0123456789abcdef" for c in session)


def test_initialize_with_an_unknown_revision_answers_the_latest(user):
    response = rpc(user, "initialize", {"protocolVersion": "2024-11-05", "capabilities": {},
                                        "clientInfo": {"name": "raw", "version": "1"}})
    assert response.json()["result"]["protocolVersion"] == "2025-11-25"


def test_session_ids_differ_and_a_notification_gets_202_without_a_body(user):
    first, second = initialize(user), initialize(user)
    assert first != second
    response = rpc(user, "notifications/initialized", id=None, session=first, version="2025-11-25")
    assert response.status_code == 202 and response.content == b""


def test_a_response_from_the_client_gets_202(user):
    session = initialize(user)
    response = rpc(user, session=session, version="2025-11-25", body={"jsonrpc": "2.0", "id": 7, "result": {}})
    assert response.status_code == 202 and response.content == b""


def test_ping_answers_an_empty_result(user):
    session = initialize(user)
    response = rpc(user, "ping", id="p-1", session=session, version="2025-11-25")
    assert response.status_code == 200 and response.json() == {"jsonrpc": "2.0", "id": "p-1", "result": {}}


def test_a_request_without_the_session_id_is_400(user):
    initialize(user)
    response = rpc(user, "tools/list", version="2025-11-25")
    assert response.status_code == 400 and error_code(response) == -32600
    assert response.json()["id"] == 1


def test_an_unknown_session_id_is_404(user):
    response = rpc(user, "tools/list", session="0" * 64, version="2025-11-25")
    assert response.status_code == 404 and error_code(response) == -32600


def test_another_users_token_with_the_first_users_session_id_is_404(world, user):
    session = initialize(user)
    other = world.user()
    response = rpc(other, "tools/list", session=session, version="2025-11-25")
    assert response.status_code == 404
    assert requests.delete(endpoint(other), headers={"Authorization": f"Bearer {other.token}",
                                                     "Mcp-Session-Id": session}, timeout=10).status_code == 404
    # Still the first user's, untouched.
    assert rpc(user, "ping", session=session, version="2025-11-25").status_code == 200


def test_delete_ends_the_session_and_its_id_is_then_404(user):
    session = initialize(user)
    headers = {"Authorization": f"Bearer {user.token}", "Mcp-Session-Id": session}
    assert requests.delete(endpoint(user), headers=headers, timeout=10).status_code == 204
    assert rpc(user, "ping", session=session, version="2025-11-25").status_code == 404
    assert requests.delete(endpoint(user), headers=headers, timeout=10).status_code == 404
    missing = requests.delete(endpoint(user), headers={"Authorization": f"Bearer {user.token}"}, timeout=10)
    assert missing.status_code == 400


def test_get_has_no_server_stream_405(user):
    response = requests.get(endpoint(user), headers={"Authorization": f"Bearer {user.token}",
                                                     "Accept": "text/event-stream"}, timeout=10)
    assert response.status_code == 405 and "POST" in response.headers["allow"]


def test_a_users_oldest_session_ends_when_they_open_one_past_the_bound(user):
    sessions = [initialize(user) for _ in range(4)]  # the bound is 3
    assert rpc(user, "ping", session=sessions[0], version="2025-11-25").status_code == 404
    for session in sessions[1:]:
        assert rpc(user, "ping", session=session, version="2025-11-25").status_code == 200


# --- headers ----------------------------------------------------------------------------------

def test_an_unsupported_protocol_version_header_is_400(user):
    session = initialize(user)
    response = rpc(user, "tools/list", session=session, version="1999-01-01")
    assert response.status_code == 400 and error_code(response) == -32600
    assert "1999-01-01" in response.json()["error"]["message"]


def test_no_protocol_version_header_is_taken_as_2025_03_26(user):
    session = initialize(user, version="2025-03-26")
    assert rpc(user, "ping", session=session).status_code == 200


def test_the_server_discover_probe_gets_an_error_clients_fall_back_from(user):
    response = rpc(user, "server/discover", {}, version="2026-07-28",
                   headers={"Mcp-Method": "server/discover"})
    assert response.status_code == 400
    code = error_code(response)
    assert code == -32600 and not -32022 <= code <= -32020


def test_accept_must_list_json_and_event_stream(user):
    for accept in ("application/json", "text/event-stream", "*/*"):
        response = rpc(user, "initialize", {}, headers={"Accept": accept})
        assert response.status_code == 406, accept
        assert error_code(response) == -32600


def test_the_headers_the_transport_requires_are_published_as_required(user):
    """schemathesis sends only what the document requires: Accept (406 without both types) and,
    on DELETE, Mcp-Session-Id (400 without it) are required header parameters."""
    operations = requests.get(user.server.url("/api/v1/openapi.json"), timeout=10).json()["paths"]["/api/v1/mcp"]

    def header(method, name):
        return next(p for p in operations[method]["parameters"] if p["in"] == "header" and p["name"] == name)

    accept = header("post", "Accept")
    assert accept["required"] is True and accept["schema"]["enum"] == ["application/json, text/event-stream"]
    assert header("post", "Mcp-Session-Id").get("required", False) is False  # initialize opens the session
    assert header("delete", "Mcp-Session-Id")["required"] is True



def test_a_null_id_is_refused_and_not_published_as_allowed(user):
    document = requests.get(user.server.url("/api/v1/openapi.json"), timeout=10).json()
    body = document["paths"]["/api/v1/mcp"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"type": "null"} not in body["properties"]["id"]["oneOf"]
    response = rpc(user, body={"jsonrpc": "2.0", "id": None, "method": "ping"}, session=initialize(user))
    assert response.status_code == 400 and error_code(response) == -32600


def test_a_body_that_is_not_json_is_415_or_a_parse_error(user):
    assert rpc(user, body="{}", headers={"Content-Type": "text/plain"}).status_code == 415
    response = rpc(user, body="{not json")
    assert response.status_code == 400 and error_code(response) == -32700


def test_a_batch_is_refused_with_32600(user):
    session = initialize(user)
    response = rpc(user, session=session, version="2025-11-25",
                   body=[{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "ping"}])
    assert response.status_code == 400 and error_code(response) == -32600


def test_an_unknown_method_is_32601(user):
    session = initialize(user)
    response = rpc(user, "prompts/get", {"name": "x"}, session=session, version="2025-11-25")
    assert response.status_code == 200 and error_code(response) == -32601


def test_an_unknown_tool_is_32602(user):
    session = initialize(user)
    response = rpc(user, "tools/call", {"name": "rm_rf", "arguments": {}}, session=session, version="2025-11-25")
    assert error_code(response) == -32602


# --- Origin (DNS rebinding) -----------------------------------------------------------------

def test_an_evil_origin_is_403(user):
    response = rpc(user, "initialize", {}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and error_code(response) == -32600
    session = initialize(user)
    assert rpc(user, "ping", session=session, headers={"Origin": "http://evil.example"}).status_code == 403


def test_the_servers_own_origin_and_a_cors_origin_are_allowed(user):
    own = f"http://127.0.0.1:{user.server.port}"
    for origin in (own, TRUSTED_ORIGIN):
        response = rpc(user, "initialize", {"protocolVersion": "2025-11-25"}, headers={"Origin": origin})
        assert response.status_code == 200, origin
    assert rpc(user, "initialize", {}, headers={"Origin": "http://127.0.0.1:1"}).status_code == 403


# --- pagination -------------------------------------------------------------------------------

def test_tools_list_pages_with_an_opaque_cursor(user):
    session = initialize(user)
    names, cursor, pages = [], None, 0
    while True:
        params = {"cursor": cursor} if cursor else {}
        result = rpc(user, "tools/list", params, session=session, version="2025-11-25").json()["result"]
        pages += 1
        assert len(result["tools"]) <= 4
        names += [tool["name"] for tool in result["tools"]]
        cursor = result.get("nextCursor")
        if not cursor:
            break
        assert not cursor.isdigit()
    assert pages == 3 and len(names) == len(set(names)) == 10
    bad = rpc(user, "tools/list", {"cursor": "not-a-cursor"}, session=session, version="2025-11-25")
    assert error_code(bad) == -32602


def test_resources_list_pages_through_every_agents_blocks_and_read_refuses_another_users(world, user):
    uris = set()
    for _ in range(5):
        agent = user.create_agent()
        assert user.post(f"/agents/{agent['id']}/memory", {"memory_key": "persona", "operation": {
            "type": "append", "content": f"I am {agent['name']}."}}).status_code == 200
        uris.add(f"pattern://agents/{agent['id']}/memory/persona")
    session = initialize(user)
    listed, cursor = set(), None
    while True:
        result = rpc(user, "resources/list", {"cursor": cursor} if cursor else {}, session=session,
                     version="2025-11-25").json()["result"]
        listed |= {resource["uri"] for resource in result["resources"]}
        cursor = result.get("nextCursor")
        if not cursor:
            break
    assert listed == uris
    templates = rpc(user, "resources/templates/list", {}, session=session, version="2025-11-25").json()["result"]
    assert templates["resourceTemplates"][0]["uriTemplate"] == "pattern://agents/{agent_id}/memory/{label}"
    other = world.user()
    other_session = initialize(other)
    refused = rpc(other, "resources/read", {"uri": sorted(uris)[0]}, session=other_session, version="2025-11-25")
    assert error_code(refused) == -32002


def test_a_tool_result_carries_structured_content_and_the_same_json_as_text(user):
    session = initialize(user)
    agent = user.create_agent()
    result = call_tool(user, session, "get_agent", {"agent_id": agent["id"]})
    assert result["isError"] is False and result["structuredContent"]["id"] == agent["id"]
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


def test_a_missing_permission_names_it_for_every_tool(user):
    key = user.api_key(["read_agents"])
    session = initialize(key)
    for tool, permission in [("create_agent", "write_agents"), ("send_message", "send_messages"),
                             ("get_messages", "read_messages"), ("search_messages", "read_messages"),
                             ("read_memory", "read_memory"), ("update_memory", "update_memory"),
                             ("list_groups", "read_groups"), ("send_group_message", "send_messages")]:
        result = call_tool(key, session, tool, {})
        assert result["isError"] is True and permission in result["content"][0]["text"], (tool, result)


# --- bounds, expiry, deployments ------------------------------------------------------------

def test_the_total_session_bound_refuses_a_new_session_with_503(start_server):
    world = start_mcp(start_server, mcp="endpoint_max_sessions = 2\n")
    user = world.user()
    initialize(user)
    initialize(user)
    response = rpc(user, "initialize", {"protocolVersion": "2025-11-25"})
    assert response.status_code == 503 and response.headers["retry-after"]
    assert "maximum of 2" in response.json()["error"]["message"]


def test_an_idle_session_expires_on_the_timer(start_server):
    world = start_mcp(start_server, mcp="endpoint_session_idle_seconds = 1\n")
    user = world.user()
    session = initialize(user)
    deadline = time.monotonic() + 10
    while rpc(user, "ping", session=session, version="2025-11-25").status_code == 200:
        assert time.monotonic() < deadline, "the idle session never expired"
        time.sleep(1.5)  # more than the idle limit: the ping itself marks the session used


def test_without_the_chat_and_groups_plugins_those_tools_say_which_plugin_they_need(start_server):
    world = start_mcp(start_server, plugins=(AUTH, AGENTS, MCP))
    user = world.user()
    session = initialize(user)
    agent = user.create_agent()
    sent = call_tool(user, session, "send_message", {"target": agent["id"], "content": "hi"})
    assert sent["isError"] is True and "chat plugin" in sent["content"][0]["text"]
    groups = call_tool(user, session, "list_groups", {})
    assert groups["isError"] is True and "groups plugin" in groups["content"][0]["text"]
    assert call_tool(user, session, "get_agent", {"agent_id": agent["id"]})["isError"] is False


@pytest.mark.parametrize("setting", ["endpoint_max_sessions = 0", "endpoint_session_idle_seconds = -1",
                                     'endpoint_page_size = "ten"', "endpoint_max_sessions_per_user = 1.5"])
def test_a_bad_endpoint_config_value_refuses_the_start(run_cli, tmp_path, setting):
    config = tmp_path / "bad.toml"
    config.write_text(f"[mcp]\n{setting}\n")
    result = run_cli("serve", "--config", str(config), plugins=[AUTH, AGENTS, MCP], serve=True)
    assert result.returncode != 0
    assert result.line_with(setting.split(" = ")[0]) is not None, result.stderr


def test_permissions_are_the_requests_credentials_not_the_sessions(user):
    session = initialize(user)  # opened with a full login
    key = user.api_key(["read_agents"])  # the same user, fewer permissions
    refused = rpc(key, "tools/call", {"name": "create_agent", "arguments": {"name": "x", "agent_type": "generic"}},
                  session=session, version="2025-11-25").json()["result"]
    assert refused["isError"] is True and "write_agents" in refused["content"][0]["text"]
    assert call_tool(user, session, "create_agent", {"name": "made-by-login", "agent_type": "generic"})["isError"] is False
