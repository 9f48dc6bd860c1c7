"""Helpers for the chat tests: a server with auth + agents + providers + chat, providers
pointing at the scripted fake model servers (fake_providers.py), agents that use them, and
Server-Sent Events read as a client would."""
from __future__ import annotations

import json

import requests

from agents_support import AGENTS, FAST_AUTH, Client, start_world, unique
import providers_support
from conftest import AUTH, IO_TIMEOUT

CHAT = "libPatternChat.so"
PROVIDERS = "libPatternProviders.so"
# The fakes listen on loopback, which the outbound policy refuses unless allowed.
LOOPBACK = '[outbound]\nallow = ["127.0.0.1/32"]\n'
FAKE_KEY = "sk-test-chat-secret-key-0123456789"
MODEL = "fake-model"


def chat_config(**chat) -> str:
    section = "".join(f"{key} = {value}\n" for key, value in chat.items())
    return FAST_AUTH + LOOPBACK + "[chat]\n" + section


def start_chat(start, **chat):
    return start_world(start, plugins=[AUTH, AGENTS, PROVIDERS, CHAT], config=chat_config(**chat))


def add_provider(client: Client, fake, key: str = FAKE_KEY) -> dict:
    """`client`'s default provider of the fake's kind."""
    return providers_support.add_provider(client, fake, api_key=key, name=unique("prov"), set_as_default=True)


def user_with_provider(world, fake) -> Client:
    """A new user of `world` whose default provider is the fake."""
    client = world.user()
    add_provider(client, fake)
    return client


def model_agent(client: Client, fake, tools=(), **fields) -> dict:
    """An agent of `client` answering through its default provider of the fake's kind."""
    return client.create_agent(model_provider=fake.kind, model_id=MODEL, tools=list(tools), **fields)


def send(client: Client, target: str, content="hello", timeout: float = IO_TIMEOUT, **fields) -> requests.Response:
    return client.post("/chat/messages", {"target": target, "content": content, **fields}, timeout=timeout)


def read_events(response: requests.Response) -> list[tuple[str, dict]]:
    """Every (event, data) of an SSE answer, in order (comments and pings skipped)."""
    events, name, data = [], "", []
    for line in response.iter_lines(decode_unicode=True):
        if line == "":
            if data:
                events.append((name or "message", json.loads("\n".join(data))))
            name, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


def stream(client: Client, target: str, content="hello", timeout: float = IO_TIMEOUT) -> list[tuple[str, dict]]:
    response = client.request("POST", "/chat/messages", {"target": target, "content": content, "stream": True},
                              stream=True, timeout=timeout)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"  # once: requests joins repeats with ", "
    return read_events(response)


def history(client: Client, target: str, **params) -> dict:
    response = client.get("/messages", params={"target": target, **params})
    assert response.status_code == 200, response.text
    return response.json()


def texts(messages) -> list[str]:
    """Each message's text (Text content), or its tag when it is another form."""
    out = []
    for message in messages:
        content = message["content"]
        out.append(content["Text"] if "Text" in content else next(iter(content)))
    return out
