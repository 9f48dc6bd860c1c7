"""The chat slots of the agents.v1 service, called from plain C (the agents_probe fixture):
the agent record with its core memory, finding an agent by name, state changes (a
suspension always wins), activity counts, and the memory tools with their error answers."""
from __future__ import annotations

import json

import pytest
import requests

from agents_support import AGENTS, EventSocket, start_world
from conftest import AUTH

PROBE = "libagents_probe.so"
OK, INVALID, NOT_FOUND, STATE = 0, 1, 2, 5


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_world(start_server_module, plugins=(AUTH, AGENTS, PROBE))


def slot(world, name: str, a: str = "", b: str = "", n: int = 0) -> tuple[int, object]:
    response = requests.post(world.server.url(f"/api/v1/test/agents/{name}"), json={"a": a, "b": b, "n": n},
                             timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["status"], body["json"]


def tool(world, agent, user, name: str, **arguments) -> tuple[int, object]:
    request = {"agent_id": agent["id"], "owner_id": user.user_id, "tool": name, "arguments": arguments}
    return slot(world, "memory_tool", json.dumps(request))


def test_the_agent_record_carries_the_agent_and_its_core_memory(world):
    user, other = world.user(), world.user()
    agent = user.create_agent(system_prompt="Be brief.", model_provider="openai", model_id="m", tools=["recall"])
    user.post(f"/agents/{agent['id']}/memory", {"memory_key": "persona", "operation": {"type": "append", "content": "calm"}})
    status, record = slot(world, "agent_record", agent["id"], user.user_id)
    assert status == OK
    assert (record["id"], record["owner_id"], record["name"]) == (agent["id"], user.user_id, agent["name"])
    assert (record["system_prompt"], record["model_provider"], record["model_id"]) == ("Be brief.", "openai", "m")
    assert record["tools"] == ["recall"] and record["state"] == "ready"
    assert record["memory"] == [{"label": "persona", "content": "calm"}]
    assert slot(world, "agent_record", agent["id"], other.user_id) == (NOT_FOUND, None)
    assert slot(world, "agent_record", agent["id"], "")[0] == OK
    assert slot(world, "find_agent_by_name", user.user_id, agent["name"])[1]["id"] == agent["id"]
    assert slot(world, "find_agent_by_name", other.user_id, agent["name"]) == (NOT_FOUND, None)


def test_set_state_publishes_and_a_suspension_wins(world):
    user = world.user()
    agent = user.create_agent()
    with EventSocket(user) as socket:
        socket.subscribe("agent", agent["id"])
        assert slot(world, "set_state", agent["id"], '"processing"')[0] == OK
        event = socket.next("agent_state_changed")
        assert (event["old_state"], event["new_state"]) == ("ready", "processing")
    error_state = '{"error": {"kind": "provider_error", "message": "refused"}}'
    assert slot(world, "set_state", agent["id"], error_state)[0] == OK
    assert user.get(f"/agents/{agent['id']}").json()["state"]["error"]["kind"] == "provider_error"
    assert slot(world, "set_state", agent["id"], '"sleepy"')[0] == INVALID
    assert slot(world, "set_state", "agent_01jdzzzzzzzzzzzzzzzzzzzzzz", '"ready"')[0] == NOT_FOUND
    user.patch(f"/agents/{agent['id']}", {"state": "suspended"})
    assert slot(world, "set_state", agent["id"], '"ready"')[0] == STATE
    assert user.get(f"/agents/{agent['id']}").json()["state"] == "suspended"


def test_record_activity_counts_messages(world):
    user = world.user()
    agent = user.create_agent()
    assert slot(world, "record_activity", agent["id"], n=3)[0] == OK
    assert slot(world, "record_activity", agent["id"], n=2)[0] == OK
    after = user.get(f"/agents/{agent['id']}").json()
    assert after["message_count"] == 5 and after["last_active_at"] is not None
    assert slot(world, "record_activity", "agent_01jdzzzzzzzzzzzzzzzzzzzzzz", n=1)[0] == NOT_FOUND


def test_memory_tools_edit_and_search_memory(world):
    user = world.user()
    agent = user.create_agent()
    status, answer = tool(world, agent, user, "block_edit", label="human", operation="append", content="likes jazz")
    assert status == OK and answer["is_error"] is False
    status, answer = tool(world, agent, user, "block_edit", label="human", operation="replace",
                          old_content="jazz", content="blues")
    assert answer["is_error"] is False
    blocks = user.get(f"/agents/{agent['id']}/memory").json()
    assert [(b["memory_key"], b["content"], b["version"]) for b in blocks] == [("human", "likes blues", 2)]
    assert tool(world, agent, user, "recall", op="insert", content="the cellar key is blue")[1]["is_error"] is False
    status, answer = tool(world, agent, user, "recall", op="search", query="cellar")
    assert [item["content"] for item in json.loads(answer["result"])] == ["the cellar key is blue"]
    status, answer = tool(world, agent, user, "search_archival", query="blue key", limit=3)
    assert len(json.loads(answer["result"])) == 1


@pytest.mark.parametrize("name, arguments", [
    ("block_edit", {"label": "missing", "operation": "replace", "old_content": "a", "content": "b"}),
    ("block_edit", {"label": "x", "operation": "delete", "content": "b"}),
    ("block_edit", {"operation": "append", "content": "b"}),
    ("recall", {"op": "insert", "content": ""}),
    ("recall", {"op": "search", "query": "   "}),
    ("teleport", {}),
])
def test_what_the_model_got_wrong_is_an_error_answer(world, name, arguments):
    user = world.user()
    agent = user.create_agent()
    status, answer = tool(world, agent, user, name, **arguments)
    assert status == OK
    assert answer["is_error"] is True and answer["result"]


def test_a_malformed_request_or_another_users_agent_is_refused(world):
    user, other = world.user(), world.user()
    agent = user.create_agent()
    assert slot(world, "memory_tool", "not json") == (INVALID, None)
    assert slot(world, "memory_tool", json.dumps({"agent_id": agent["id"], "tool": "recall"})) == (INVALID, None)
    request = {"agent_id": agent["id"], "owner_id": other.user_id, "tool": "recall",
               "arguments": {"op": "insert", "content": "sneaky"}}
    assert slot(world, "memory_tool", json.dumps(request)) == (NOT_FOUND, None)
    assert user.get(f"/agents/{agent['id']}/memory/archival").json()["total"] == 0
