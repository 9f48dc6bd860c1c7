"""The scripted fakes stay honest: what they send over HTTP, whole and streamed, parses as the
official SDKs' own response models (openai's ChatCompletion, ChatCompletionChunk and Model;
anthropic's Message, RawMessageStreamEvent and ModelInfo), and their error documents have
the shapes the providers send."""
import json

import pytest
import requests
from anthropic.types import Message, ModelInfo, RawMessageStreamEvent
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import TypeAdapter

from fake_providers import (FakeProvider, broken_stream_reply, error_reply, text_reply, token_stream_reply,
                            tool_call_reply)
from providers_support import sse_events

ARGUMENTS = '{"city": "Zürich", "days": 2}'
REPLIES = {
    "text": lambda: text_reply("Hello from the fake.", chunks=4, usage=(9, 4)),
    "reasoning": lambda: text_reply("Fine.", reasoning="Think first."),
    "tool": lambda: tool_call_reply("weather", ARGUMENTS, call_id="call_w", fragments=[3, 9, 15], text="Checking."),
    "tokens": lambda: token_stream_reply(5, 0.05),
}


def strict(model_type, document):
    """Parsed by the SDK's pydantic model, refusing anything it does not know how to read."""
    return TypeAdapter(model_type).validate_python(document, strict=False)


def post(fake, body: dict, stream: bool):
    path = "/chat/completions" if fake.kind == "openai" else "/messages"
    return requests.post(fake.base_url + path, json={"model": "fake-small", "stream": stream,
                                                     "stream_options": {"include_usage": True}, **body},
                         timeout=10, stream=stream)


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_openai_replies_parse_as_the_sdk_models(name):
    with FakeProvider("openai") as fake:
        fake.enqueue(REPLIES[name]())
        whole = strict(ChatCompletion, post(fake, {"messages": []}, stream=False).json())
        fake.enqueue(REPLIES[name]())
        response = post(fake, {"messages": []}, stream=True)
        assert response.headers["content-type"] == "text/event-stream"
        events = list(sse_events(response))
    assert events[-1] == ("", "[DONE]")
    chunks = [strict(ChatCompletionChunk, json.loads(data)) for _, data in events[:-1]]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == (whole.choices[0].message.content or "")
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == [whole.choices[0].finish_reason]
    if name == "tool":
        arguments = "".join(c.choices[0].delta.tool_calls[0].function.arguments or ""
                            for c in chunks if c.choices and c.choices[0].delta.tool_calls)
        assert arguments == ARGUMENTS == whole.choices[0].message.tool_calls[0].function.arguments
        assert whole.choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_anthropic_replies_parse_as_the_sdk_models(name):
    with FakeProvider("anthropic") as fake:
        fake.enqueue(REPLIES[name]())
        whole = strict(Message, post(fake, {"messages": [], "max_tokens": 100}, stream=False).json())
        fake.enqueue(REPLIES[name]())
        events = list(sse_events(post(fake, {"messages": [], "max_tokens": 100}, stream=True)))
    assert ("ping", '{"type": "ping"}') in events, "Anthropic pings mid-stream; the SDK's union leaves ping out"
    events = [(name, data) for name, data in events if name != "ping"]
    parsed = [strict(RawMessageStreamEvent, json.loads(data)) for _, data in events]
    assert [event.type for event in parsed] == [name for name, _ in events], "event names match the data's type"
    assert parsed[0].type == "message_start" and parsed[-1].type == "message_stop"
    text = "".join(e.delta.text for e in parsed if e.type == "content_block_delta" and e.delta.type == "text_delta")
    assert text == "".join(block.text for block in whole.content if block.type == "text")
    stop = [e.delta.stop_reason for e in parsed if e.type == "message_delta"]
    assert stop == [whole.stop_reason]
    if name == "tool":
        partial = "".join(e.delta.partial_json for e in parsed
                          if e.type == "content_block_delta" and e.delta.type == "input_json_delta")
        assert json.loads(partial) == json.loads(ARGUMENTS) == [b for b in whole.content if b.type == "tool_use"][0].input
    if name == "reasoning":
        assert [b.type for b in whole.content] == ["thinking", "text"]


def test_model_listings_parse_as_the_sdk_models():
    models = [{"id": "m1", "context_length": 4096}, {"id": "m2"}]
    with FakeProvider("openai", models=models) as fake:
        listing = requests.get(fake.base_url + "/models", timeout=10).json()
    assert [strict(Model, entry).id for entry in listing["data"]] == ["m1", "m2"]
    with FakeProvider("anthropic", models=models) as fake:
        listing = requests.get(fake.base_url + "/models", timeout=10).json()
    infos = [strict(ModelInfo, entry) for entry in listing["data"]]
    assert [(info.id, info.max_input_tokens) for info in infos] == [("m1", 4096), ("m2", None)]


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_error_documents_have_the_providers_shape(kind):
    with FakeProvider(kind) as fake:
        fake.enqueue(error_reply(429, headers={"Retry-After": "2"}))
        response = post(fake, {"messages": []}, stream=False)
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    body = response.json()
    if kind == "openai":
        assert set(body["error"]) == {"message", "type", "param", "code"}
    else:
        assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"


def test_a_broken_stream_ends_without_its_terminating_chunk():
    with FakeProvider("openai") as fake:
        fake.enqueue(broken_stream_reply("one two three", after_chunks=1, pause=0.0))
        response = post(fake, {"messages": []}, stream=True)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            list(sse_events(response))


def test_the_default_reply_echoes_the_last_user_text():
    with FakeProvider("anthropic") as fake:
        body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "ping"}]}], "max_tokens": 5}
        reply = strict(Message, post(fake, body, stream=False).json())
        assert reply.content[0].text == "ok: ping"
        assert fake.calls()[0].json["messages"][0]["content"][0]["text"] == "ping"
