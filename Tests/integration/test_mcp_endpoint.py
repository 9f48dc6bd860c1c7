"""Pattern Server as an MCP server at /api/v1/mcp, judged by the official MCP Python SDK
clients: 2.x (the main venv; its default mode, which probes server/discover first, and its
legacy mode) and 1.30 (.build/venv-mcp1). Initialize, list the tools, call each tool (the
chat ones against the scripted fake provider), read a memory resource, end the session, and
the refusals a client must see (401, a permission the API key lacks)."""
from __future__ import annotations

import pytest
import requests

from chat_support import model_agent, user_with_provider
from fake_providers import FakeProvider, text_reply
from mcp_endpoint_support import endpoint, rpc, run_peer, start_mcp

TOOLS = {"list_agents", "get_agent", "create_agent", "send_message", "get_messages", "search_messages",
         "read_memory", "update_memory", "list_groups", "send_group_message"}
PEERS = [pytest.param(2, "auto", id="sdk2-auto"), pytest.param(2, "legacy", id="sdk2-legacy"),
         pytest.param(1, "legacy", id="sdk1")]


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_mcp(start_server_module, model_timeout_seconds=20)


@pytest.fixture(scope="module")
def fake():
    with FakeProvider("openai") as provider:
        yield provider


@pytest.fixture
def user(world, fake):
    return user_with_provider(world, fake)


def call(tool: str, /, **arguments) -> dict:
    return {"op": "call", "name": tool, "arguments": arguments}


def structured(result: dict) -> dict:
    assert result.get("isError") is not True, result
    return result["structuredContent"]


@pytest.mark.parametrize("sdk,mode", PEERS)
def test_the_sdk_client_initializes_and_lists_every_tool_with_schemas(user, sdk, mode):
    report = run_peer(user, [{"op": "list_tools"}], sdk=sdk, mode=mode)
    assert "error" not in report, report
    assert report["protocol_version"] == "2025-11-25"
    tools = report["results"][0]["tools"]
    assert {tool["name"] for tool in tools} == TOOLS
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object" and tool["outputSchema"]["type"] == "object"
        assert tool["description"]


@pytest.mark.parametrize("sdk,mode", PEERS)
def test_the_sdk_client_calls_every_tool(user, fake, sdk, mode):
    agent = model_agent(user, fake, name=f"helper-{sdk}-{mode}")
    group = user.create_group({"type": "round_robin", "current_index": 0, "skip_unavailable": True},
                              members=[{"agent_id": agent["id"], "role": "regular"}])
    fake.enqueue(text_reply("Hi from the agent."), text_reply("Hi from the group."))
    report = run_peer(user, [
        call("create_agent", name=f"made-{sdk}-{mode}", agent_type="generic", description="via MCP"),
        call("list_agents", limit=100),
        call("get_agent", agent_id=agent["id"]),
        call("update_memory", agent_id=agent["id"], memory_key="persona",
             operation={"type": "append", "content": "Likes tea."}),
        call("read_memory", agent_id=agent["id"]),
        call("send_message", target=agent["name"], content="hello agent"),
        call("get_messages", target=agent["id"], limit=10),
        call("search_messages", query="hello"),
        call("list_groups"),
        call("send_group_message", group_id=group["id"], content="hello group"),
    ], sdk=sdk, mode=mode)
    assert "error" not in report, report
    created, listed, got, updated, memory, sent, messages, found, groups, group_sent = map(
        structured, report["results"])
    assert created["name"] == f"made-{sdk}-{mode}" and created["id"].startswith("agent_")
    assert user.get(f"/agents/{created['id']}").json()["description"] == "via MCP"
    assert {agent["id"], created["id"]} <= {item["id"] for item in listed["items"]}
    assert got["id"] == agent["id"] and "memory" not in got
    assert updated["memory_key"] == "persona" and "Likes tea." in updated["content"]
    assert memory["agent_id"] == agent["id"]
    assert [b["content"] for b in memory["blocks"] if b["memory_key"] == "persona"] == [updated["content"]]
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant"]
    assert sent["messages"][1]["content"] == {"Text": "Hi from the agent."}
    assert [m["id"] for m in messages["items"]] == [m["id"] for m in sent["messages"]]
    assert sent["messages"][0]["id"] in {m["id"] for m in found["items"]}
    assert group["id"] in {item["id"] for item in groups["items"]}
    assert group_sent["messages"][-1]["content"] == {"Text": "Hi from the group."}
    assert group_sent["messages"][0]["metadata"]["group_id"] == group["id"]


@pytest.mark.parametrize("sdk,mode", PEERS)
def test_the_sdk_client_reads_a_core_memory_block_as_a_resource(user, sdk, mode):
    agent = user.create_agent()
    assert user.post(f"/agents/{agent['id']}/memory", {"memory_key": "human", "operation": {
        "type": "append", "content": "The user's name is Ada."}}).status_code == 200
    uri = f"pattern://agents/{agent['id']}/memory/human"
    report = run_peer(user, [{"op": "list_resources"}, {"op": "read_resource", "uri": uri}], sdk=sdk, mode=mode)
    assert "error" not in report, report
    listed, read = report["results"]
    assert uri in {resource["uri"] for resource in listed["resources"]}
    assert read["contents"] == [{"uri": uri, "mimeType": "text/plain", "text": "The user's name is Ada."}]


def test_the_sdk2_client_ends_its_session_with_delete_and_the_id_is_then_unknown(user):
    report = run_peer(user, [{"op": "list_tools"}])
    assert "error" not in report, report
    deletes = [exchange for exchange in report["exchanges"] if exchange[0] == "DELETE"]
    assert len(deletes) == 1 and deletes[0][1] == 204
    session = deletes[0][2]
    assert rpc(user, "ping", session=session, version="2025-11-25").status_code == 404


def test_the_sdk1_client_ends_its_session_and_the_id_is_then_unknown(user):
    report = run_peer(user, [{"op": "ping"}], sdk=1)
    assert "error" not in report, report
    assert rpc(user, "ping", session=report["session_id"], version="2025-11-25").status_code == 404


@pytest.mark.parametrize("sdk,mode", PEERS)
def test_a_bad_token_is_refused_with_401(user, sdk, mode):
    report = run_peer(user, [], sdk=sdk, mode=mode, token="not-a-valid-token")
    assert "error" in report, report
    if sdk == 2:  # it says only "error response": its HTTP exchanges show which
        assert report["exchanges"] and {status for _, status, _ in report["exchanges"]} == {401}, report
    else:
        assert "401" in report["error"], report
    raw = requests.post(endpoint(user), json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                        headers={"Authorization": "Bearer nope"}, timeout=10)
    assert raw.status_code == 401 and raw.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("sdk,mode", PEERS)
def test_a_read_only_api_key_calling_create_agent_gets_a_tool_error_naming_the_permission(user, sdk, mode):
    key = user.api_key(["read_agents"])
    report = run_peer(key, [call("create_agent", name="nope", agent_type="generic"), call("list_agents")],
                      sdk=sdk, mode=mode)
    assert "error" not in report, report
    refused, listed = report["results"]
    assert refused["isError"] is True and "write_agents" in refused["content"][0]["text"]
    assert "nope" not in {item["name"] for item in structured(listed)["items"]}


@pytest.mark.parametrize("sdk,mode", PEERS)
def test_bad_arguments_are_tool_errors_naming_the_field(user, sdk, mode):
    report = run_peer(user, [call("create_agent", agent_type="generic"), call("get_agent"),
                             call("list_agents", limit=1000),
                             call("update_memory", agent_id="agent_x", memory_key="persona", operation={"type": "x"})],
                      sdk=sdk, mode=mode)
    assert "error" not in report, report
    texts = []
    for result in report["results"]:
        assert result["isError"] is True, result
        texts.append(result["content"][0]["text"])
    assert "name" in texts[0] and "agent_id" in texts[1] and "limit" in texts[2]
    assert "operation" in texts[3] or "No agent" in texts[3]
