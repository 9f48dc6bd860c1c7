"""Agents calling their owner's MCP tools in a chat turn: the scripted fake model
(fake_providers.py) asks for `mcp:<server>/<tool>`, the chat plugin calls it through the mcp
plugin's "mcp.v1" service on a real SDK server, and the tool's result reaches the model."""
from __future__ import annotations

import json
import re

import pytest

from agents_support import AGENTS, FAST_AUTH, start_world
from chat_support import CHAT, LOOPBACK, PROVIDERS, add_provider, model_agent, send, stream
from conftest import AUTH
from fake_providers import FakeProvider, text_reply, tool_call_reply
from mcp_support import MCP, http_peer, interpreter, register_http, register_stdio


@pytest.fixture(scope="module")
def world(start_server_module):
    config = (FAST_AUTH + LOOPBACK + "[chat]\nmodel_timeout_seconds = 20\n"
              + f'[mcp]\nstdio_commands = ["{interpreter()}"]\ncall_timeout_seconds = 5\n')
    return start_world(start_server_module, plugins=[AUTH, AGENTS, PROVIDERS, CHAT, MCP], config=config)


@pytest.fixture
def fake():
    with FakeProvider("openai") as provider:
        yield provider


@pytest.fixture
def admin(world, fake):
    add_provider(world.admin, fake)
    return world.admin


def wire_name(name: str) -> str:
    """What OpenAI and Anthropic accept ([A-Za-z0-9_-]{1,64}): the chat plugin's alias of an
    mcp: name, computed here independently (FNV-1a 32 of the UTF-8 name)."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        return name
    digest = 2166136261
    for byte in name.encode():
        digest = ((digest ^ byte) * 16777619) & 0xFFFFFFFF
    readable = re.sub(rb"[^A-Za-z0-9_-]", b"_", name.encode()[:55]).decode()
    return f"{readable}_{digest:08x}"


def chat_requests(fake) -> list[dict]:
    return [received.json for received in fake.calls()]


def offered(request: dict) -> dict:
    return {tool["function"]["name"]: tool["function"] for tool in request.get("tools", [])}


def test_an_agent_calls_an_mcp_tool_and_the_result_reaches_the_model(admin, fake):
    server = register_stdio(admin, 2, name="calc")
    agent = model_agent(admin, fake, tools=["send_message", "mcp:calc/add"])
    # The model calls the tool by the name it was offered.
    fake.enqueue(tool_call_reply(wire_name("mcp:calc/add"), json.dumps({"a": 2, "b": 40})), text_reply("It is 42."))
    response = send(admin, agent["id"], "what is 2 + 40?", timeout=30)
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "assistant"]
    [result] = messages[2]["tool_results"]
    assert result == {"tool_call_id": messages[1]["tool_calls"][0]["id"], "result": "42", "is_error": False}
    assert messages[1]["tool_calls"][0]["name"] == "mcp:calc/add"  # stored under the agent's name
    first, second = chat_requests(fake)[-2:]
    tools = offered(first)
    alias = wire_name("mcp:calc/add")
    assert alias.startswith("mcp_calc_add_") and set(tools) == {"send_message", alias}
    assert tools[alias]["description"] == "Add two integers."
    assert tools[alias]["parameters"]["properties"].keys() == {"a", "b"}
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == alias
    assert second["messages"][-1]["role"] == "tool" and second["messages"][-1]["content"] == "42"
    assert server["status"] == "connected"


def test_a_streamed_turn_reports_the_mcp_call_like_a_builtin(admin, fake):
    with http_peer(1) as (url, _):
        register_http(admin, url, name="remote")
        agent = model_agent(admin, fake, tools=["mcp:remote/echo"])
        fake.enqueue(tool_call_reply("mcp:remote/echo", json.dumps({"text": "over http"})), text_reply("done"))
        events = stream(admin, agent["id"], "echo it", timeout=30)
    started = [data for name, data in events if name == "tool_call_started"]
    completed = [data for name, data in events if name == "tool_call_completed"]
    assert [s["fn_name"] for s in started] == ["mcp:remote/echo"]
    assert completed[0]["result"] == "over http" and completed[0]["is_error"] is False
    assert chat_requests(fake)[-1]["messages"][-1]["content"] == "over http"


def test_a_failing_mcp_tool_is_an_error_result_the_model_reads(admin, fake):
    register_stdio(admin, 1, name="broken")
    agent = model_agent(admin, fake, tools=["mcp:broken/fail"])
    fake.enqueue(tool_call_reply("mcp:broken/fail", json.dumps({"message": "disk on fire"})), text_reply("sorry"))
    messages = send(admin, agent["id"], "try", timeout=30).json()["messages"]
    [result] = messages[2]["tool_results"]
    assert result["is_error"] is True and "disk on fire" in result["result"]
    assert "disk on fire" in chat_requests(fake)[-1]["messages"][-1]["content"]


def test_another_users_server_is_neither_offered_nor_called(world, admin, fake):
    register_stdio(admin, 2, name="private")
    other = world.user()
    add_provider(other, fake)
    agent = model_agent(other, fake, tools=["mcp:private/add"])
    fake.enqueue(tool_call_reply("mcp:private/add", json.dumps({"a": 1, "b": 1})), text_reply("no luck"))
    messages = send(other, agent["id"], "add", timeout=30).json()["messages"]
    [result] = messages[2]["tool_results"]
    assert result["is_error"] is True and "no enabled MCP server" in result["result"]
    assert "tools" not in chat_requests(fake)[-2] or not offered(chat_requests(fake)[-2])
