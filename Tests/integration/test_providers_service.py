"""The providers.v1 service end to end, through the providers-probe fixture (which calls it as
the chat plugin will) against the scripted OpenAI-compatible and Anthropic fakes: whole and
streamed replies, the requests each wire format gets, tool calls with arguments split at every
boundary, usage, finish reasons, provider errors without keys, retries honouring Retry-After,
timeouts, broken streams, cancel, resolve, and calls with no usable provider."""
import email.utils
import json
import time

import pytest
import requests

from conftest import free_port
from fake_providers import (FakeProvider, broken_stream_reply, error_reply, hang_reply, stream_error_reply,
                            text_reply, tool_call_reply)
from providers_support import (BUSY, INVALID, NOT_FOUND, OK, STATE, add_provider, complete, complete_streamed,
                               resolve, start_providers)

KINDS = ["openai", "anthropic"]
ARGUMENTS = '{"query": "café au lait", "limit": 3, "tags": ["a", "b"]}'


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_providers(start_server_module)


@pytest.fixture(params=KINDS)
def fake(request):
    with FakeProvider(request.param) as fake:
        yield fake


@pytest.fixture
def user(world):
    return world.user()


@pytest.fixture
def provider(user, fake) -> dict:
    created = add_provider(user, fake)
    assert created["status"] == "ok", created
    return created


def run(world, user, provider, messages="hi", **fields) -> dict:
    answer = complete(world.server, user.user_id, provider["id"], messages, **fields)
    assert answer["violations"] == 0, "a sink callback came early or overlapped another"
    return answer


def streamed(world, user, provider, messages="hi", **fields):
    deltas, final = complete_streamed(world.server, user.user_id, provider["id"], messages, **fields)
    assert final["violations"] == 0, "a sink callback came early or overlapped another"
    return deltas, final


def error_of(answer: dict) -> tuple[str, str]:
    assert answer["status"] != OK, answer
    return answer["result"]["type"], answer["result"]["message"]


# ----- replies ---------------------------------------------------------------------------

def test_a_whole_reply_is_the_result(world, user, provider, fake):
    fake.enqueue(text_reply("The answer is 42.", usage=(31, 7)))
    answer = run(world, user, provider, "What is the answer?")
    assert answer["status"] == OK, answer
    assert answer["result"] == {
        "content": "The answer is 42.", "reasoning": None, "tool_calls": [], "finish_reason": "stop",
        "usage": {"input_tokens": 31, "output_tokens": 7}, "model": "fake-small", "provider_id": provider["id"]}
    assert answer["deltas"] == 0, "no deltas without stream"
    assert fake.calls()[-1].json["stream"] is False


def test_streamed_deltas_concatenate_to_the_content(world, user, provider, fake):
    text = "Streaming, one piece at a time — with ünïcödé and emoji 🎉 too."
    fake.enqueue(text_reply(text, chunks=9, usage=(12, 34)))
    deltas, final = streamed(world, user, provider, "stream please")
    assert final["status"] == OK, final
    assert [kind for kind, _ in deltas] == ["text"] * 9
    assert "".join(piece for _, piece in deltas) == text == final["result"]["content"] == final["text"]
    assert final["result"]["usage"] == {"input_tokens": 12, "output_tokens": 34}
    assert final["result"]["finish_reason"] == "stop"


def test_reasoning_is_reported_apart_from_the_text(world, user, provider, fake):
    fake.enqueue(text_reply("Paris.", reasoning="The capital of France is Paris."))
    deltas, final = streamed(world, user, provider, "capital of France?")
    assert final["result"]["reasoning"] == "The capital of France is Paris."
    assert final["result"]["content"] == "Paris."
    assert ("reasoning", "The capital of France is Paris.") in deltas
    fake.enqueue(text_reply("Paris.", reasoning="Thinking about it."))
    assert run(world, user, provider)["result"]["reasoning"] == "Thinking about it."


@pytest.mark.parametrize("kind,wire,normalised", [
    ("openai", "length", "length"), ("openai", "content_filter", "content_filter"),
    ("anthropic", "max_tokens", "length"), ("anthropic", "stop_sequence", "stop"),
    ("anthropic", "refusal", "content_filter")])
def test_finish_reasons_are_normalised(world, user, kind, wire, normalised):
    with FakeProvider(kind) as fake:
        provider = add_provider(user, fake)
        for stream in (False, True):
            fake.enqueue(text_reply("cut", finish=wire))
            if stream:
                _, answer = streamed(world, user, provider)
            else:
                answer = run(world, user, provider)
            assert answer["result"]["finish_reason"] == normalised, (stream, answer)


# ----- the requests each format gets --------------------------------------------------------

CONVERSATION = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Find coffee."},
    {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "name": "search", "arguments": ARGUMENTS}]},
    {"role": "tool", "content": "3 results", "tool_call_id": "call_1"},
    {"role": "user", "content": "Thanks. And tea?"},
]
TOOLS = [{"name": "search", "description": "Searches", "parameters": {
    "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}]


def test_openai_request_carries_history_tools_and_the_key(world, user):
    with FakeProvider("openai") as fake:
        provider = add_provider(user, fake, api_key="sk-openai-request-key-1234")
        run(world, user, provider, CONVERSATION, tools=TOOLS, tool_choice={"name": "search"}, max_tokens=77,
            temperature=0.25)
        sent = fake.calls()[-1]
        assert sent.path == "/v1/chat/completions"
        assert sent.headers["authorization"] == "Bearer sk-openai-request-key-1234"
        body = sent.json
        assert body["model"] == "fake-small" and body["max_tokens"] == 77 and body["temperature"] == 0.25
        assert body["messages"] == [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Find coffee."},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": ARGUMENTS}}]},
            {"role": "tool", "content": "3 results", "tool_call_id": "call_1"},
            {"role": "user", "content": "Thanks. And tea?"},
        ]
        assert body["tools"] == [{"type": "function", "function": TOOLS[0]}]
        assert body["tool_choice"] == {"type": "function", "function": {"name": "search"}}
        for choice, wire in (("auto", "auto"), ("none", "none"), ("required", "required")):
            run(world, user, provider, "x", tools=TOOLS, tool_choice=choice, stream=True)
            assert fake.calls()[-1].json["tool_choice"] == wire
            assert fake.calls()[-1].json["stream_options"] == {"include_usage": True}


def test_anthropic_request_has_top_level_system_blocks_and_max_tokens(world, user):
    with FakeProvider("anthropic") as fake:
        provider = add_provider(user, fake, api_key="sk-ant-request-key-5678")
        run(world, user, provider, CONVERSATION, tools=TOOLS, tool_choice="required")
        sent = fake.calls()[-1]
        assert sent.path == "/v1/messages"
        assert sent.headers["x-api-key"] == "sk-ant-request-key-5678"
        assert sent.headers["anthropic-version"] == "2023-06-01"
        assert "authorization" not in sent.headers
        body = sent.json
        assert body["system"] == "You are terse."
        assert body["max_tokens"] == 1024, "Anthropic requires max_tokens: the default is sent"
        assert body["messages"] == [
            {"role": "user", "content": [{"type": "text", "text": "Find coffee."}]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "call_1", "name": "search",
                 "input": {"query": "café au lait", "limit": 3, "tags": ["a", "b"]}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "3 results"},
                {"type": "text", "text": "Thanks. And tea?"}]},
        ]
        assert body["tools"] == [{"name": "search", "description": "Searches", "input_schema": TOOLS[0]["parameters"]}]
        assert body["tool_choice"] == {"type": "any"}
        for choice, wire in (("auto", {"type": "auto"}), ("none", {"type": "none"}),
                             ({"name": "search"}, {"type": "tool", "name": "search"})):
            run(world, user, provider, "x", tools=TOOLS, tool_choice=choice, max_tokens=50)
            assert fake.calls()[-1].json["tool_choice"] == wire
            assert fake.calls()[-1].json["max_tokens"] == 50


# ----- tool calls --------------------------------------------------------------------------

def test_a_whole_tool_call_is_returned(world, user, provider, fake):
    fake.enqueue(tool_call_reply("search", ARGUMENTS, call_id="call_whole"))
    answer = run(world, user, provider, "find", tools=TOOLS)
    result = answer["result"]
    assert result["finish_reason"] == "tool_calls"
    assert [(call["id"], call["name"]) for call in result["tool_calls"]] == [("call_whole", "search")]
    assert json.loads(result["tool_calls"][0]["arguments"]) == json.loads(ARGUMENTS)


def test_tool_call_arguments_split_at_every_boundary_are_reassembled(world, user, provider, fake):
    splits = [[point] for point in range(1, len(ARGUMENTS))] + [list(range(1, len(ARGUMENTS)))]
    for points in splits:
        fake.enqueue(tool_call_reply("search", ARGUMENTS, call_id=f"call_{len(points)}_{points[0]}", fragments=points))
        deltas, final = streamed(world, user, provider, "find", tools=TOOLS)
        assert final["status"] == OK, (points, final)
        assert final["result"]["tool_calls"] == [
            {"id": f"call_{len(points)}_{points[0]}", "name": "search", "arguments": ARGUMENTS}], points
        assert final["result"]["finish_reason"] == "tool_calls"
        assert deltas == [], "tool-call fragments are not text deltas"


def test_text_before_a_streamed_tool_call_is_kept(world, user, provider, fake):
    fake.enqueue(tool_call_reply("search", ARGUMENTS, call_id="call_t", fragments=[5, 20], text="Let me look."))
    deltas, final = streamed(world, user, provider, "find", tools=TOOLS)
    assert final["result"]["content"] == "Let me look." == "".join(t for _, t in deltas)
    assert final["result"]["tool_calls"][0]["arguments"] == ARGUMENTS


# ----- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_key_is_a_provider_error_that_never_shows_the_key(world, user, kind):
    wrong = "sk-wrong-secret-key-7f3a9c2e41"
    with FakeProvider(kind, api_key="sk-the-right-key-000000000") as fake:
        provider = add_provider(user, fake, api_key=wrong)
        assert provider["status"] == "error"
        for stream in (False, True):
            answer = (streamed(world, user, provider)[1] if stream else run(world, user, provider))
            error_type, message = error_of(answer)
            assert error_type == "provider_error", answer
            assert "401" in message and "Incorrect API key" in message, message
            assert len(fake.calls()) == 1 + stream, "a refused key is not retried"
            for fragment in (wrong, wrong[:6], wrong[-4:]):
                assert fragment not in message, message
    log = world.server.stderr()
    assert wrong not in log and wrong[:8] not in log


def test_a_bad_request_is_a_provider_error_without_retry(world, user, provider, fake):
    fake.enqueue(error_reply(400))
    error_type, message = error_of(run(world, user, provider))
    assert error_type == "provider_error" and "400" in message and "scripted failure 400" in message
    assert len(fake.calls()) == 1


@pytest.mark.parametrize("header,value,at_least", [
    ("Retry-After", "1", 0.95), ("retry-after-ms", "400", 0.38)])
def test_429_is_retried_after_the_time_the_provider_asks(world, user, provider, fake, header, value, at_least):
    fake.enqueue(error_reply(429, headers={header: value}), text_reply("finally"))
    answer = run(world, user, provider)
    assert answer["result"]["content"] == "finally", answer
    first, second = fake.calls()
    assert second.at - first.at >= at_least, "the retry came before the provider's Retry-After"
    assert second.at - first.at < at_least + 1.5


def test_retry_after_as_an_http_date_is_honoured(world, user, provider, fake):
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    fake.enqueue(error_reply(503, headers={"Retry-After": when}), text_reply("later"))
    assert run(world, user, provider)["result"]["content"] == "later"
    first, second = fake.calls()
    assert second.at - first.at >= 0.9


def test_server_errors_are_retried_then_reported_unavailable(world, user, provider, fake):
    status = 500 if fake.kind == "openai" else 529
    fake.enqueue(*[error_reply(status)] * 4)
    started = time.monotonic()
    error_type, message = error_of(run(world, user, provider))
    assert error_type == "service_unavailable" and str(status) in message and "4 attempts" in message, message
    assert len(fake.calls()) == 4
    gaps = [b.at - a.at for a, b in zip(fake.calls(), fake.calls()[1:])]
    assert all(gap >= 0.2 for gap in gaps), f"backoff between attempts: {gaps}"
    assert gaps[2] > gaps[0], f"backoff grows: {gaps}"
    assert time.monotonic() - started < 15


def test_a_retry_that_would_pass_the_deadline_is_not_waited_for(world, user, provider, fake):
    fake.enqueue(error_reply(503, headers={"Retry-After": "30"}))
    started = time.monotonic()
    error_type, message = error_of(run(world, user, provider, timeout_ms=3000))
    assert error_type == "service_unavailable" and "time limit" in message, message
    assert time.monotonic() - started < 2.0
    assert len(fake.calls()) == 1


def test_an_unreachable_provider_is_retried_then_unavailable(world, user):
    class Closed:
        kind = "openai"
        base_url = f"http://127.0.0.1:{free_port()}/v1"
    provider = add_provider(user, Closed)
    assert provider["status"] == "error" and "connect" in provider["last_error"], provider
    started = time.monotonic()
    error_type, message = error_of(run(world, user, provider))
    assert error_type == "service_unavailable" and "4 attempts" in message, message
    assert 0.75 < time.monotonic() - started < 15, "the attempts are spaced by a backoff"


def test_a_hanging_provider_times_out_within_timeout_ms(world, user, provider, fake):
    fake.enqueue(hang_reply())
    started = time.monotonic()
    answer = run(world, user, provider, timeout_ms=1200, stream=True)
    elapsed = time.monotonic() - started
    error_type, message = error_of(answer)
    assert error_type == "provider_timeout" and answer["status"] == BUSY, message
    assert 1.1 < elapsed < 3.0, elapsed
    assert len(fake.calls()) == 1


def test_a_stream_broken_after_a_delta_fails_without_retry(world, user, provider, fake):
    fake.enqueue(broken_stream_reply("one two three four", after_chunks=1))
    deltas, final = streamed(world, user, provider)
    error_type, message = error_of(final)
    assert error_type == "service_unavailable", message
    assert [piece for _, piece in deltas] == ["one "], "the delta before the break was relayed"
    assert len(fake.calls()) == 1, "no retry once a delta reached the caller"


def test_a_stream_broken_before_any_delta_is_retried(world, user, provider, fake):
    fake.enqueue(broken_stream_reply("one two", after_chunks=0), text_reply("whole again", chunks=2))
    deltas, final = streamed(world, user, provider)
    assert final["status"] == OK, final
    assert "".join(piece for _, piece in deltas) == "whole again" == final["result"]["content"]
    assert len(fake.calls()) == 2


def test_an_error_event_before_any_delta_is_retried(world, user, provider, fake):
    fake.enqueue(stream_error_reply("never shown"), text_reply("after the overload"))
    deltas, final = streamed(world, user, provider)
    assert final["status"] == OK and final["result"]["content"] == "after the overload", final
    assert len(fake.calls()) == 2


def test_an_error_event_after_a_delta_is_final(world, user, provider, fake):
    fake.enqueue(stream_error_reply("partial answer here", after_chunks=1))
    deltas, final = streamed(world, user, provider)
    error_type, message = error_of(final)
    assert error_type == "service_unavailable" and "Overloaded" in message, message
    assert [piece for _, piece in deltas] == ["partial "]
    assert len(fake.calls()) == 1


def test_a_whole_reply_cut_short_is_retried(world, user, provider, fake):
    fake.enqueue(broken_stream_reply("half of a body"), text_reply("complete"))
    assert run(world, user, provider)["result"]["content"] == "complete"
    assert len(fake.calls()) == 2


# ----- cancel ----------------------------------------------------------------------------

def test_cancel_ends_the_call_with_cancelled(world, user, provider, fake):
    fake.enqueue(hang_reply())
    started = time.monotonic()
    answer = run(world, user, provider, stream=True, query={"cancel_after_ms": "300"})
    assert time.monotonic() - started < 3.0
    assert answer["status"] == STATE
    assert answer["result"] == {"type": "service_unavailable", "message": "cancelled"}
    again = requests.post(world.server.url("/api/v1/test/cancel"), params={"id": answer["call_id"]}, timeout=5).json()
    assert again["status"] == NOT_FOUND, "a finished call cannot be cancelled"


def test_cancel_of_a_finished_call_is_not_found(world, user, provider, fake):
    answer = run(world, user, provider)
    assert answer["status"] == OK
    again = requests.post(world.server.url("/api/v1/test/cancel"), params={"id": answer["call_id"]}, timeout=5).json()
    assert again["status"] == NOT_FOUND


# ----- which provider ------------------------------------------------------------------------

def test_resolve_names_the_provider_and_the_models_context_length(world, user, provider, fake):
    answer = resolve(world.server, owner_id=user.user_id, model_provider=provider["id"], model="fake-large")
    assert answer == {"status": OK, "result": {"provider_id": provider["id"], "provider": fake.kind,
                                               "model": "fake-large", "context_length": 32768}}
    by_kind = resolve(world.server, owner_id=user.user_id, model_provider=fake.kind, model="unlisted")
    assert by_kind["result"] == {"provider_id": provider["id"], "provider": fake.kind, "model": "unlisted",
                                 "context_length": None}
    other = "anthropic" if fake.kind == "openai" else "openai"
    assert resolve(world.server, owner_id=user.user_id, model_provider=other, model="m")["status"] == NOT_FOUND
    assert resolve(world.server, owner_id=user.user_id, model="m")["status"] == INVALID


def test_a_kind_means_the_default_provider_of_that_kind(world, user, fake):
    first = add_provider(user, fake, name="first")
    second = add_provider(user, fake, name="second", set_as_default=True)
    fake.enqueue(text_reply("from the default"))
    answer = complete(world.server, user.user_id, fake.kind, "hi")
    assert answer["result"]["provider_id"] == second["id"] != first["id"]


def test_no_usable_provider_is_a_conflict(world, user, provider, fake):
    unknown = "prov_01jd8x3k0000000000000000aa"
    error_type, message = error_of(complete(world.server, user.user_id, unknown, "hi"))
    assert error_type == "conflict" and "POST /api/v1/providers" in message
    stranger = world.user()
    assert error_of(complete(world.server, stranger.user_id, provider["id"], "hi"))[0] == "conflict", \
        "another user's provider is not usable"
    assert error_of(complete(world.server, stranger.user_id, fake.kind, "hi"))[0] == "conflict"
    response = user.patch(f"/providers/{provider['id']}", {"enabled": False})
    assert response.status_code == 200, response.text
    answer = complete(world.server, user.user_id, provider["id"], "hi")
    assert error_of(answer)[0] == "conflict"
    assert answer["violations"] == 0
    assert resolve(world.server, owner_id=user.user_id, model_provider=provider["id"], model="m")["status"] == NOT_FOUND
    assert fake.calls() == [], "nothing was sent to a disabled provider"


@pytest.mark.parametrize("body", [
    {"model_provider": "openai", "model": "m", "messages": []},
    {"owner_id": "user_x", "model": "m", "messages": []},
    {"owner_id": "user_x", "model_provider": "openai", "messages": []},
    {"owner_id": "user_x", "model_provider": "openai", "model": "m"},
    {"owner_id": "user_x", "model_provider": "openai", "model": "m", "messages": [{"role": "wizard", "content": ""}]},
    {"owner_id": "user_x", "model_provider": "openai", "model": "m", "messages": [], "tool_choice": 7},
])
def test_a_malformed_request_is_refused_before_any_callback(world, body):
    response = requests.post(world.server.url("/api/v1/test/complete"), json=body, timeout=5).json()
    assert response == {"status": INVALID, "result": None, "refused": True}


def test_many_concurrent_streams_each_get_their_own_deltas(world, user, provider, fake):
    from concurrent.futures import ThreadPoolExecutor
    def one(index):
        return streamed(world, user, provider, f"message {index}")
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(32)))
    for index, (deltas, final) in enumerate(results):
        assert final["result"]["content"] == f"ok: message {index}" == "".join(t for _, t in deltas)

