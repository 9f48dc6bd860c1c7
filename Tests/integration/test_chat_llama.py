"""Against a real model: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct
on loopback (llama_support.py). The scripted fakes prove every path; this proves that what our
client sends is what a real server accepts, and that its answers, whole and streamed, come back
as stored messages."""
import json

import pytest

from agents_support import AGENTS, start_world
from chat_support import CHAT, PROVIDERS, chat_config, history, send, stream, texts
from conftest import AUTH
from llama_support import llama_server  # noqa: F401 (a fixture)
from providers_support import PROBE, complete

# The model's window is 2,048 tokens (llama_support); a 512-token context keeps the reply
# reserve (a quarter) small, so a turn takes seconds on two cores.
CONFIG = chat_config(model_timeout_seconds=120, context_tokens=512)
WEATHER_TOOL = {"name": "get_weather", "description": "The weather in a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


@pytest.fixture(scope="module")
def world(start_server_module, llama_server):  # noqa: F811
    return start_world(start_server_module, plugins=[AUTH, AGENTS, PROVIDERS, CHAT, PROBE], config=CONFIG)


@pytest.fixture(scope="module")
def user(world, llama_server):  # noqa: F811
    client = world.user()
    response = client.post("/providers", {"provider": "openai", "name": "llama", "set_as_default": True,
                                          "config": {"type": "api_key", "api_key": "sk-local-llama",
                                                     "base_url": llama_server.base_url}}, timeout=60)
    assert response.status_code == 201, response.text
    client.provider = response.json()
    return client


def test_the_provider_lists_the_real_servers_model(user, llama_server):  # noqa: F811
    provider = user.provider
    assert provider["status"] == "ok", provider
    assert llama_server.model in [model["id"] for model in provider["available_models"]]


def real_agent(user, llama_server, **fields):  # noqa: F811
    return user.create_agent(model_provider=user.provider["id"], model_id=llama_server.model,
                             system_prompt="You are a helpful assistant. Answer in one short sentence.", **fields)


def test_a_turn_stores_a_non_empty_reply(user, llama_server):  # noqa: F811
    agent = real_agent(user, llama_server)
    response = send(user, agent["id"], "What is the capital of France?", timeout=120)
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    reply = texts(messages)[1]
    assert reply.strip(), messages
    # llama.cpp's server sends no usage in a stream (stream_options.include_usage is ignored),
    # and turns always stream (for the WebSocket deltas): usage is null, as the contract allows.
    assert response.json()["usage"] is None or response.json()["usage"]["output_tokens"] > 0
    stored = history(user, agent["id"])
    assert texts(stored["items"]) == ["What is the capital of France?", reply]


def test_a_streamed_turn_relays_deltas_that_add_up_to_the_stored_reply(user, llama_server):  # noqa: F811
    agent = real_agent(user, llama_server)
    events = stream(user, agent["id"], "Name a colour.", timeout=120)
    deltas = [data["text"] for name, data in events if name == "text_delta"]
    assert len(deltas) >= 2, events  # streamed as the model produced it, not in one piece
    name, done = events[-1]
    assert name == "done", events[-1]
    reply = texts(done["messages"])[-1]
    assert "".join(deltas) == reply and reply.strip()
    assert texts(history(user, agent["id"])["items"])[-1] == reply


def test_a_forced_tool_call_and_its_result_are_accepted_by_the_real_server(world, user, llama_server):  # noqa: F811
    """The forced tool_choice gives a deterministic call; the follow-up carries the assistant's
    call with content "" (a null content is refused by real servers) and the tool's result."""
    question = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = complete(world.server, user.user_id, user.provider["id"], question, model=llama_server.model,
                     tools=[WEATHER_TOOL], tool_choice={"name": "get_weather"}, max_tokens=64, timeout=120)
    assert first["status"] == 0, first
    calls = first["result"]["tool_calls"]
    assert [call["name"] for call in calls] == ["get_weather"], first
    assert isinstance(json.loads(calls[0]["arguments"]).get("city"), str)
    assert first["result"]["finish_reason"] == "tool_calls"

    follow_up = question + [
        {"role": "assistant", "content": "", "tool_calls": calls},
        {"role": "tool", "tool_call_id": calls[0]["id"], "content": "Sunny, 21 degrees."},
    ]
    second = complete(world.server, user.user_id, user.provider["id"], follow_up, model=llama_server.model,
                      tools=[WEATHER_TOOL], max_tokens=48, timeout=120)
    assert second["status"] == 0, second
    assert second["result"]["content"].strip() or second["result"]["tool_calls"], second
