"""/mcp's chat tools against the scripted fake provider, raw: a turn answered through a
deferred response (slow turns hold no worker: with two workers, four turns in flight and a
ping still answered), and every way a turn can fail coming back as a tool error, not a
protocol error: a provider refusing, an unknown target, a full queue, a suspended agent."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from chat_support import model_agent, user_with_provider
from fake_providers import FakeProvider, error_reply, text_reply
from mcp_endpoint_support import initialize, rpc, start_mcp

SLOW_WORDS = ["one ", "two ", "three ", "four ", "five ", "six"]


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_mcp(start_server_module, extra="[server]\nworkers = 2\n", model_timeout_seconds=20,
                     max_queued_per_agent=0)


@pytest.fixture
def fake():
    with FakeProvider("openai") as provider:
        yield provider


@pytest.fixture
def user(world, fake):
    return user_with_provider(world, fake)


def send(user, session: str, target: str, content: str = "hello", tool: str = "send_message") -> dict:
    arguments = {"group_id": target} if tool == "send_group_message" else {"target": target}
    response = rpc(user, "tools/call", {"name": tool, "arguments": {**arguments, "content": content}},
                   session=session, version="2025-11-25")
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_slow_turns_hold_no_worker(user, fake):
    agents = [model_agent(user, fake) for _ in range(4)]
    fake.enqueue(*[text_reply("".join(SLOW_WORDS), chunks=SLOW_WORDS, delay=0.4) for _ in agents])
    session = initialize(user)
    with ThreadPoolExecutor(max_workers=4) as pool:
        turns = [pool.submit(send, user, session, agent["id"]) for agent in agents]
        time.sleep(1.0)  # every turn is waiting on the model by now, more turns than workers
        started = time.monotonic()
        assert rpc(user, "ping", session=session, version="2025-11-25").status_code == 200
        assert time.monotonic() - started < 1.0
        assert not any(turn.done() for turn in turns)
        results = [turn.result() for turn in turns]
    for result in results:
        assert result["isError"] is False
        assert result["structuredContent"]["messages"][-1]["content"] == {"Text": "".join(SLOW_WORDS)}


def test_a_provider_refusal_is_a_tool_error_and_the_users_message_is_kept(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(error_reply(401))
    session = initialize(user)
    result = send(user, session, agent["id"], "are you there")
    assert result["isError"] is True and "structuredContent" not in result
    assert result["content"][0]["text"]
    history = user.get("/messages", params={"target": agent["id"]}).json()["items"]
    assert [m["role"] for m in history] == ["user"]


def test_an_unknown_target_and_a_bad_group_id_are_tool_errors(user):
    session = initialize(user)
    missing = send(user, session, "nobody-by-this-name")
    assert missing["isError"] is True and "No agent" in missing["content"][0]["text"]
    bad = send(user, session, "agent_not_a_group", tool="send_group_message")
    assert bad["isError"] is True and "group_id" in bad["content"][0]["text"]
    empty = rpc(user, "tools/call", {"name": "send_message", "arguments": {"target": "x"}}, session=session,
                version="2025-11-25").json()["result"]
    assert empty["isError"] is True and "content" in empty["content"][0]["text"]


def test_a_full_queue_and_a_suspended_agent_are_tool_errors(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("".join(SLOW_WORDS), chunks=SLOW_WORDS, delay=0.3))
    session = initialize(user)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(send, user, session, agent["id"])
        time.sleep(0.5)
        refused = send(user, session, agent["id"])  # max_queued_per_agent = 0
        assert refused["isError"] is True and "waiting" in refused["content"][0]["text"]
        assert first.result()["isError"] is False
    assert user.patch(f"/agents/{agent['id']}", {"state": "suspended"}).status_code == 200
    suspended = send(user, session, agent["id"])
    assert suspended["isError"] is True and "suspended" in suspended["content"][0]["text"]
