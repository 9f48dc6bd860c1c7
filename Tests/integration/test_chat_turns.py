"""Agent turns against the real providers plugin and the scripted fake model servers
(fake_providers.py): replies stored and streamed, every built-in tool and tool error, the
step limit, provider failures and their statuses, context truncation, the per-agent queue,
a client leaving mid-stream, and the WebSocket events of a turn."""
from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from agents_support import AGENTS, EventSocket, start_world
from chat_support import (CHAT, FAKE_KEY, PROVIDERS, add_provider, chat_config, history, model_agent, read_events,
                          send, start_chat, stream, texts, user_with_provider)
from conftest import AUTH, HTTPParseError, RawConnection
from fake_providers import (FakeProvider, broken_stream_reply, error_reply, hang_reply, text_reply,
                            tool_call_reply)

TIMEOUT_SECONDS = 3


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_chat(start_server_module, model_timeout_seconds=20, max_steps=3)


@pytest.fixture
def fake():
    with FakeProvider("openai") as provider:
        yield provider


@pytest.fixture
def user(world, fake):
    return user_with_provider(world, fake)


def bodies(fake) -> list[dict]:
    """The chat requests the fake received (its model listings left out), as JSON."""
    return [received.json for received in fake.calls()]


def call(name: str, **arguments):
    return tool_call_reply(name, json.dumps(arguments))


def tool_results(messages) -> list[dict]:
    return [result for m in messages if m["role"] == "tool" for result in m["tool_results"]]


def test_a_turn_stores_the_users_message_first_then_the_reply(user, fake):
    agent = model_agent(user, fake, system_prompt="You are terse.")
    assert user.post(f"/agents/{agent['id']}/memory",
                     {"memory_key": "persona", "operation": {"type": "append", "content": "I like tea."}}).status_code == 200
    fake.enqueue(text_reply("Hello, human.", usage=(10, 5)))
    response = send(user, agent["id"], "hi there")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    assert texts(body["messages"]) == ["hi there", "Hello, human."]
    assert body["usage"]["input_tokens"] == 10 and body["usage"]["output_tokens"] == 5
    assert body["usage"]["total_tokens"] == 15
    assert body["messages"][1]["metadata"]["usage"]["output_tokens"] == 5
    assert [m["id"] for m in history(user, agent["id"])["items"]] == [m["id"] for m in body["messages"]]
    after = user.get(f"/agents/{agent['id']}").json()
    assert after["message_count"] == 2 and after["last_active_at"] is not None and after["state"] == "ready"
    sent = bodies(fake)[-1]
    system = " ".join(m["content"] for m in sent["messages"] if m["role"] == "system")
    assert "You are terse." in system and "persona" in system and "I like tea." in system
    assert sent["messages"][-1]["content"] == "hi there"


def test_a_streamed_turn_relays_deltas_that_add_up_to_the_stored_reply(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("Hello streaming world", chunks=["Hello ", "streaming ", "world"]))
    events = stream(user, agent["id"], "stream please")
    names = [name for name, _ in events]
    assert names[-1] == "done"
    deltas = "".join(data["text"] for name, data in events if name == "text_delta")
    assert deltas == "Hello streaming world"
    stored = [data for name, data in events if name == "message"]
    assert texts(stored) == ["stream please", "Hello streaming world"]
    done = events[-1][1]
    assert set(done) == {"messages", "usage"}
    assert done["messages"] == history(user, agent["id"])["items"]
    assert names.index("message") < names.index("text_delta")


def test_reasoning_is_streamed_apart_and_kept_in_the_metadata(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("42", reasoning="Let me think."))
    events = stream(user, agent["id"], "the answer?")
    assert "".join(d["text"] for n, d in events if n == "reasoning_delta") == "Let me think."
    assert "".join(d["text"] for n, d in events if n == "text_delta") == "42"
    reply = history(user, agent["id"])["items"][-1]
    assert reply["content"] == {"Text": "42"} and reply["metadata"]["reasoning"] == "Let me think."


def test_accept_event_stream_streams_too(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("via accept"))
    response = user.request("POST", "/chat/messages", {"target": agent["id"], "content": "x"},
                            headers={"Accept": "text/event-stream"}, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert read_events(response)[-1][0] == "done"


def test_block_edit_appends_and_replaces_core_memory(user, fake):
    agent = model_agent(user, fake, tools=["block_edit"])
    fake.enqueue(call("block_edit", label="human", operation="append", content="Name: Ada"))
    fake.enqueue(call("block_edit", label="human", operation="replace", old_content="Ada", content="Grace"))
    fake.enqueue(text_reply("Noted."))
    body = send(user, agent["id"], "I am Grace").json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert [r["is_error"] for r in tool_results(body["messages"])] == [False, False]
    memory = user.get(f"/agents/{agent['id']}/memory").json()
    assert [(b["memory_key"], b["content"]) for b in memory] == [("human", "Name: Grace")]
    # The next call saw the edited block in its system message.
    assert "Name: Grace" in bodies(fake)[-1]["messages"][0]["content"]


def test_tool_arguments_streamed_in_fragments_are_reassembled(user, fake):
    agent = model_agent(user, fake, tools=["block_edit"])
    arguments = json.dumps({"label": "notes", "operation": "append", "content": "split \u00e9verywhere"})
    fake.enqueue(tool_call_reply("block_edit", arguments, fragments=list(range(1, len(arguments)))))
    fake.enqueue(text_reply("ok"))
    body = send(user, agent["id"], "note it").json()
    assert body["messages"][1]["tool_calls"][0]["arguments"] == json.loads(arguments)
    [result] = tool_results(body["messages"])
    assert result["is_error"] is False
    memory = user.get(f"/agents/{agent['id']}/memory").json()
    assert [(b["memory_key"], b["content"]) for b in memory] == [("notes", "split \u00e9verywhere")]


def test_recall_inserts_and_searches_archival_memory(user, fake):
    agent = model_agent(user, fake, tools=["recall"])
    fake.enqueue(call("recall", op="insert", content="The launch code is tangerine"))
    fake.enqueue(call("recall", op="search", query="tangerine"))
    fake.enqueue(text_reply("Found it."))
    results = tool_results(send(user, agent["id"], "remember").json()["messages"])
    assert [r["is_error"] for r in results] == [False, False]
    assert "tangerine" in results[1]["result"]
    archival = user.get(f"/agents/{agent['id']}/memory/archival").json()["items"]
    assert [item["content"] for item in archival] == ["The launch code is tangerine"]


def test_search_looks_in_conversations_archival_memory_or_both(user, fake):
    agent = model_agent(user, fake, tools=["search"])
    user.post(f"/agents/{agent['id']}/memory/archival", {"content": "archived zebra facts"})
    fake.enqueue(text_reply("ok"))
    send(user, agent["id"], "zebras are striped")
    fake.enqueue(call("search", domain="conversations", query="zebras"))
    fake.enqueue(call("search", domain="archival_memory", query="zebra"))
    fake.enqueue(call("search", domain="all", query="zebra"))
    fake.enqueue(text_reply("done"))
    results = tool_results(send(user, agent["id"], "what about stripes").json()["messages"])
    assert [r["is_error"] for r in results] == [False, False, False]
    assert "zebras are striped" in results[0]["result"]
    assert "archived zebra facts" in results[1]["result"]
    both = json.loads(results[2]["result"])
    assert both["archival_memory"] and "conversations" in both


def test_send_message_is_the_reply_and_ends_the_turn(user, fake):
    agent = model_agent(user, fake, tools=["send_message"])
    fake.enqueue(call("send_message", content="Here you go."))
    fake.enqueue(text_reply("never asked for"))
    body = send(user, agent["id"], "answer me").json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert body["messages"][-1]["content"] == {"Text": "Here you go."}
    assert len(bodies(fake)) == 1


@pytest.mark.parametrize("name, arguments", [
    ("block_edit", json.dumps({"label": "nope", "operation": "replace", "old_content": "x", "content": "y"})),
    ("block_edit", json.dumps({"label": "human"})),
    ("recall", json.dumps({"op": "teleport"})),
    ("search", json.dumps({"domain": "dreams", "query": "x"})),
    ("send_message", json.dumps({"content": ""})),
    ("block_edit", "{not json"),
    ("no_such_tool", "{}"),
    ("mcp:files/read", "{}"),
])
def test_a_failing_tool_is_an_error_result_and_the_turn_goes_on(user, fake, name, arguments):
    agent = model_agent(user, fake, tools=["block_edit", "recall", "search", "send_message", "mcp:files/read"])
    fake.enqueue(tool_call_reply(name, arguments))
    fake.enqueue(text_reply("recovered"))
    response = send(user, agent["id"], "try it")
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    [result] = tool_results(messages)
    assert result["is_error"] is True and result["result"]
    assert texts(messages)[-1] == "recovered"
    # The model saw the error as the call's result.
    assert bodies(fake)[-1]["messages"][-1]["role"] == "tool"


def test_an_mcp_tool_without_the_mcp_plugin_says_so(user, fake):
    agent = model_agent(user, fake, tools=["mcp:files/read"])
    fake.enqueue(tool_call_reply("mcp:files/read", "{}"))
    fake.enqueue(text_reply("ok"))
    [result] = tool_results(send(user, agent["id"], "read").json()["messages"])
    assert result["is_error"] and "MCP plugin" in result["result"]


def test_a_turn_stops_after_max_steps_model_calls(user, fake):
    agent = model_agent(user, fake, tools=["recall"])
    for index in range(5):
        fake.enqueue(call("recall", op="insert", content=f"fact {index}"))
    response = send(user, agent["id"], "loop forever")
    assert response.status_code == 200, response.text
    assert len(bodies(fake)) == 3
    assert [m["role"] for m in response.json()["messages"]] == ["user"] + ["assistant", "tool"] * 3


def test_a_refused_key_is_502_and_the_key_is_never_shown(world):
    user = world.user()
    # The fake wants another key, and its 401 quotes the one it got, as OpenAI's does.
    with FakeProvider("openai", api_key="sk-the-right-one") as fake:
        add_provider(user, fake)
        agent = model_agent(user, fake)
        response = send(user, agent["id"], "hello?")
        assert FAKE_KEY in fake.calls()[-1].headers["authorization"]
        assert response.status_code == 502, response.text
        assert response.json()["error"]["type"] == "provider_error"
        assert FAKE_KEY not in response.text
        assert FAKE_KEY not in world.server.stderr()
        assert texts(history(user, agent["id"])["items"]) == ["hello?"]
        state = user.get(f"/agents/{agent['id']}").json()["state"]
        assert state["error"]["kind"] == "provider_error"
        assert FAKE_KEY not in json.dumps(state)
        # The provider takes the key now: the next success clears the error state.
        fake.api_key = FAKE_KEY
        fake.enqueue(text_reply("better now"))
        assert send(user, agent["id"], "again").status_code == 200
        assert user.get(f"/agents/{agent['id']}").json()["state"] == "ready"


def test_a_provider_failing_after_its_retries_is_503(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(*[error_reply(503, headers={"Retry-After": "0"}) for _ in range(12)])
    response = send(user, agent["id"], "are you there", timeout=60)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["type"] == "service_unavailable"
    assert len(bodies(fake)) >= 2  # retried before giving up
    assert user.get(f"/agents/{agent['id']}").json()["state"]["error"]["kind"] == "service_unavailable"


def test_a_provider_that_hangs_is_504_within_the_model_timeout(start_server, fake):
    # A server of its own: a call abandoned at its deadline must not touch the other tests.
    user = start_chat(start_server, model_timeout_seconds=TIMEOUT_SECONDS).user()
    add_provider(user, fake)
    agent = model_agent(user, fake)
    fake.enqueue(hang_reply())
    started = time.monotonic()
    response = send(user, agent["id"], "anyone?", timeout=TIMEOUT_SECONDS + 20)
    elapsed = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert response.json()["error"]["type"] == "provider_timeout"
    assert elapsed < TIMEOUT_SECONDS + 2
    assert user.get(f"/agents/{agent['id']}").json()["state"]["error"]["kind"] == "provider_timeout"


def test_a_stream_that_breaks_midway_ends_with_an_error_event(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(broken_stream_reply("this will not finish", after_chunks=2))
    events = stream(user, agent["id"], "go")
    assert events[-1][0] == "error"
    assert events[-1][1]["error"]["type"] in {"service_unavailable", "provider_error"}
    assert "done" not in [name for name, _ in events]
    assert texts(history(user, agent["id"])["items"]) == ["go"]


def test_without_a_usable_provider_the_answer_is_409(world, fake):
    lonely = world.user()
    agent = model_agent(lonely, fake)
    response = send(lonely, agent["id"], "hello")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["type"] == "conflict"
    assert texts(history(lonely, agent["id"])["items"]) == ["hello"]


def test_history_beyond_the_window_is_dropped_oldest_first_and_memory_kept(start_server, fake):
    small = start_chat(start_server, context_tokens=400)
    client = small.user()
    add_provider(client, fake)
    agent = model_agent(client, fake)
    client.post(f"/agents/{agent['id']}/memory",
                {"memory_key": "persona", "operation": {"type": "append", "content": "Block kept always."}})
    for index in range(8):
        fake.enqueue(text_reply(f"reply {index} " + "r" * 200))
        assert send(client, agent["id"], f"question {index} " + "q" * 200).status_code == 200
    sent = bodies(fake)[-1]["messages"]
    assert "Block kept always." in sent[0]["content"]
    contents = [m["content"] for m in sent[1:]]
    assert contents[-1].startswith("question 7")
    assert not any(c.startswith("question 0") for c in contents)
    # What is kept is the newest history, without gaps.
    assert len(contents) < 15
    window = [c.split(" ")[0] + " " + c.split(" ")[1] for c in contents]
    expected_tail = [f"{kind} {i}" for i in range(8) for kind in ("question", "reply")][:-1][-len(window):]
    assert window == expected_tail


def test_a_history_that_fits_is_sent_whole_and_in_order(user, fake):
    agent = model_agent(user, fake)
    for index in range(40):
        fake.enqueue(text_reply(f"a{index}"))
        assert send(user, agent["id"], f"q{index}").status_code == 200
    sent = [m["content"] for m in bodies(fake)[-1]["messages"]]
    expected = [text for index in range(40) for text in (f"q{index}", f"a{index}")][:-1]
    assert sent == expected


def test_sends_to_one_agent_run_one_at_a_time_in_arrival_order(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("first", delay=1.0))
    fake.enqueue(text_reply("second"))
    fake.enqueue(text_reply("third"))
    answers = {}

    def post(label):
        answers[label] = send(user, agent["id"], label, timeout=30)

    threads = []
    for label in ("one", "two", "three"):
        thread = threading.Thread(target=post, args=(label,))
        thread.start()
        threads.append(thread)
        time.sleep(0.3)
    for thread in threads:
        thread.join()
    assert all(answer.status_code == 200 for answer in answers.values())
    assert texts(history(user, agent["id"])["items"]) == ["one", "first", "two", "second", "three", "third"]


def test_with_one_turn_running_and_16_waiting_the_next_send_gets_429(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("slow", delay=1.0))
    for _ in range(16):
        fake.enqueue(text_reply("quick"))
    answers = []
    lock = threading.Lock()

    def post(label):
        try:
            answer = send(user, agent["id"], label, timeout=60)
        except requests.RequestException as error:
            answer = error
        with lock:
            answers.append(answer)

    first = threading.Thread(target=post, args=("running",))
    first.start()
    time.sleep(0.5)
    others = [threading.Thread(target=post, args=(f"waiting {i}",)) for i in range(17)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    assert all(isinstance(a, requests.Response) for a in answers), answers
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 1, [a.status_code for a in answers]
    assert refused[0].json()["error"]["type"] == "rate_limit"
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert sorted(a.status_code for a in answers) == [200] * 17 + [429], [a.text for a in answers if a.status_code != 200]


def test_a_client_that_leaves_mid_stream_does_not_cancel_the_turn(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("one two three four", chunks=["one ", "two ", "three ", "four"], delay=0.5))
    response = user.request("POST", "/chat/messages", {"target": agent["id"], "content": "bye", "stream": True},
                            stream=True)
    assert response.status_code == 200
    response.close()
    deadline = time.monotonic() + 10
    while texts(history(user, agent["id"])["items"]) != ["bye", "one two three four"]:
        assert time.monotonic() < deadline, history(user, agent["id"])
        time.sleep(0.1)
    assert user.get(f"/agents/{agent['id']}").json()["state"] == "ready"


def test_suspending_an_agent_mid_turn_wins_over_the_turns_end(user, fake):
    agent = model_agent(user, fake)
    fake.enqueue(text_reply("slow answer", chunks=["slow ", "answer"], delay=0.5))
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("r", send(user, agent["id"], "hi", timeout=30)))
    thread.start()
    deadline = time.monotonic() + 10
    while user.get(f"/agents/{agent['id']}").json()["state"] != "processing":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert user.patch(f"/agents/{agent['id']}", {"state": "suspended"}).status_code == 200
    thread.join()
    assert outcome["r"].status_code == 200
    assert user.get(f"/agents/{agent['id']}").json()["state"] == "suspended"
    assert send(user, agent["id"], "still there?").status_code == 409


def processing_turn(client, fake) -> dict:
    """An agent of `client` whose turn waits on a model that never answers: it is `processing`."""
    add_provider(client, fake)
    agent = model_agent(client, fake)
    fake.enqueue(hang_reply())
    threading.Thread(target=lambda: send_quietly(client, agent["id"]), daemon=True).start()
    deadline = time.monotonic() + 10
    while client.get(f"/agents/{agent['id']}").json()["state"] != "processing":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return agent


def test_an_agent_left_processing_by_a_crash_is_ready_after_a_restart(start_server, fake):
    crashed = start_chat(start_server)
    client = crashed.user()
    agent = processing_turn(client, fake)
    crashed.server.kill()
    crashed.server.start()
    # The same login: the token and its session outlive the restart.
    assert client.get(f"/agents/{agent['id']}").json()["state"] == "ready"


def send_quietly(client, target):
    try:
        send(client, target, "hello", timeout=30)
    except requests.RequestException:
        pass


def test_a_slow_reader_gets_every_event_in_order(start_server, fake):
    """A client that reads nothing while the turn runs: the host holds at most 1 KiB for it
    and the kernel little more (a 4 KiB receive buffer), so most events wait in the chat's own
    buffer and follow, in order and ending with done, once the client reads."""
    world = start_world(start_server, plugins=[AUTH, AGENTS, PROVIDERS, CHAT],
                        config=chat_config() + "[limits]\nstream_queue_bytes = 1024\n")
    client = world.user()
    add_provider(client, fake)
    agent = model_agent(client, fake)
    words = [f"word{index:04d} " for index in range(3000)]
    fake.enqueue(text_reply("".join(words), chunks=words))
    body = json.dumps({"target": agent["id"], "content": "talk", "stream": True}).encode()
    with RawConnection(world.server.port, timeout=30, rcvbuf=4096) as connection:
        connection.send(f"POST /api/v1/chat/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {client.token}\r\n"
                        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        deadline = time.monotonic() + 20
        while texts(history(client, agent["id"])["items"])[-1:] != ["".join(words)]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        answer = connection.read_response("POST")
    assert answer.status == 200
    events = parse_events(answer.body.decode())
    assert "".join(d["text"] for n, d in events if n == "text_delta") == "".join(words)
    assert events[-1][0] == "done"


def test_a_client_that_never_reads_is_dropped_past_the_buffer_bound_and_a_reader_is_not(start_server):
    """A client that reads nothing while its turn streams more than the chat's 1 MiB buffer for
    it: its stream is cut (no `done`, the connection closed) and the turn goes on and is stored;
    another client streaming at the same time gets its whole stream."""
    world = start_world(start_server, plugins=[AUTH, AGENTS, PROVIDERS, CHAT],
                        config=chat_config() + "[limits]\nstream_queue_bytes = 1024\n")
    with FakeProvider("openai") as silent_fake, FakeProvider("openai") as reader_fake:
        silent, reader = user_with_provider(world, silent_fake), user_with_provider(world, reader_fake)
        silent_agent, reader_agent = model_agent(silent, silent_fake), model_agent(reader, reader_fake)
        pieces = [f"{index:04d}" + "x" * 4092 for index in range(400)]  # 1.6 MB of text_delta
        silent_fake.enqueue(text_reply("".join(pieces), chunks=pieces))
        words = [f"word{index} " for index in range(50)]
        reader_fake.enqueue(text_reply("".join(words), chunks=words, delay=0.02))
        body = json.dumps({"target": silent_agent["id"], "content": "talk", "stream": True}).encode()
        with RawConnection(world.server.port, timeout=30, rcvbuf=4096) as connection:
            connection.send(f"POST /api/v1/chat/messages HTTP/1.1\r\nHost: x\r\n"
                            f"Authorization: Bearer {silent.token}\r\nContent-Type: application/json\r\n"
                            f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            events = stream(reader, reader_agent["id"], "talk too")
            deadline = time.monotonic() + 20
            while texts(history(silent, silent_agent["id"])["items"])[-1:] != ["".join(pieces)]:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            with pytest.raises((HTTPParseError, ConnectionResetError)):  # cut before the last chunk
                connection.read_response("POST")
        assert "".join(d["text"] for n, d in events if n == "text_delta") == "".join(words)
        assert events[-1][0] == "done"


def parse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
        events.append((name, json.loads(data)))
    return events


def test_a_server_stopping_mid_turn_exits_cleanly(start_server, fake):
    world = start_chat(start_server)
    processing_turn(world.user(), fake)
    world.server.terminate()
    assert world.server.wait(timeout=20) == 0, world.server.stderr()[-3000:]
    assert "Fatal error" not in world.server.stderr()


def test_subscribers_see_the_turn_as_websocket_events(user, fake):
    agent = model_agent(user, fake, tools=["recall"])
    fake.enqueue(call("recall", op="insert", content="a fact"))
    fake.enqueue(text_reply("All done", chunks=["All ", "done"]))
    with EventSocket(user) as socket:
        assert socket.subscribe("agent", agent["id"])["success"] is True
        assert send(user, agent["id"], "watch this").status_code == 200
        events = socket.drain_until_pong()
        deadline = time.monotonic() + 5
        while not any(e["type"] == "agent_typing" and e["is_typing"] is False for e in events):
            assert time.monotonic() < deadline, events
            events += socket.drain_until_pong()
    kinds = [e["type"] for e in events]
    states = [e["new_state"] for e in events if e["type"] == "agent_state_changed"]
    assert states == ["processing", "ready"]
    typing = [e["is_typing"] for e in events if e["type"] == "agent_typing"]
    assert typing == [True, False]
    received = [e for e in events if e["type"] == "message_received"]
    assert [e["role"] for e in received] == ["user", "assistant", "tool", "assistant"]
    assert received[0]["content"] == {"Text": "watch this"} and received[0]["agent_id"] == agent["id"]
    assert "".join(e["text"] for e in events if e["type"] == "message_delta") == "All done"
    started = [e for e in events if e["type"] == "tool_execution_started"]
    completed = [e for e in events if e["type"] == "tool_execution_completed"]
    assert [e["tool_name"] for e in started] == ["recall"] and completed[0]["success"] is True
    assert started[0]["tool_call_id"] == completed[0]["tool_call_id"]
    assert kinds.index("tool_execution_started") < kinds.index("tool_execution_completed")


def test_an_anthropic_provider_answers_a_turn(world):
    client = world.user()
    with FakeProvider("anthropic") as anthropic:
        add_provider(client, anthropic)
        agent = model_agent(client, anthropic)
        anthropic.enqueue(text_reply("Bonjour", chunks=["Bon", "jour"]))
        events = stream(client, agent["id"], "salut")
    assert "".join(d["text"] for n, d in events if n == "text_delta") == "Bonjour"
    assert texts(history(client, agent["id"])["items"]) == ["salut", "Bonjour"]
