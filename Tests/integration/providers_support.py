"""Helpers for the providers tests: a server with auth + providers + the providers-probe
fixture (which calls the providers.v1 service the way the chat plugin does), users, and
providers pointed at the scripted fakes of fake_providers.py."""
from __future__ import annotations

import json

import requests

from agents_support import FAST_AUTH, Client, World, start_world
from conftest import AUTH, IO_TIMEOUT, Server

PROVIDERS = "libPatternProviders.so"
PROBE = "libproviders_probe.so"
LOOPBACK_ALLOWED = '[outbound]\nallow = ["127.0.0.1/32"]\n'
PLUGINS = (AUTH, PROVIDERS, PROBE)

# pattern_status values the service answers with.
OK, INVALID, NOT_FOUND, STATE, BUSY = 0, 1, 2, 5, 6


def start_providers(start, config: str = LOOPBACK_ALLOWED, env: dict | None = None, plugins=PLUGINS) -> World:
    return start_world(start, plugins=plugins, config=FAST_AUTH + config, env=env)


def add_provider(client: Client, fake, api_key: str = "sk-test-key-0123456789abcdef", expect: int = 201,
                 **fields) -> dict:
    body = {"provider": fake.kind, "config": {"type": "api_key", "api_key": api_key, "base_url": fake.base_url},
            **fields}
    response = client.post("/providers", body, timeout=30)
    assert response.status_code == expect, response.text
    return response.json()


def complete(server: Server, owner_id: str, model_provider: str, messages: list[dict] | str, model: str = "fake-small",
             timeout: float = 30.0, query: dict | None = None, **fields) -> dict:
    """One completion through the probe, whole: {"status", "result", "deltas", "text", "violations", "call_id"}."""
    response = requests.post(server.url("/api/v1/test/complete"), params=query or {},
                             json=request_body(owner_id, model_provider, messages, model, **fields), timeout=timeout)
    assert response.status_code == 200, response.text
    return response.json()


def complete_streamed(server: Server, owner_id: str, model_provider: str, messages, model: str = "fake-small",
                      timeout: float = 30.0, query: dict | None = None, **fields) -> tuple[list[tuple[str, str]], dict]:
    """A streamed completion through the probe's SSE: ([(kind, text) deltas], the final JSON)."""
    body = request_body(owner_id, model_provider, messages, model, stream=True, **fields)
    response = requests.post(server.url("/api/v1/test/complete"), params={"sse": "1", **(query or {})}, json=body,
                             timeout=timeout, stream=True)
    assert response.status_code == 200, response.text
    deltas, final = [], None
    for name, data in sse_events(response):
        if name == "complete":
            final = json.loads(data)
        elif name in ("text", "reasoning"):
            deltas.append((name, data))
    assert final is not None, "the stream ended without its complete event"
    return deltas, final


def request_body(owner_id, model_provider, messages, model, **fields) -> dict:
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    return {"owner_id": owner_id, "model_provider": model_provider, "model": model, "messages": messages, **fields}


def sse_events(response):
    """(event, data) pairs of a text/event-stream response, data lines joined by newlines."""
    name, data = "", []
    for raw in response.iter_lines(decode_unicode=False):
        line = raw.decode()
        if line == "":
            if data:
                yield name, "\n".join(data)
            name, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[6:].removeprefix(" ")
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


def resolve(server: Server, **body) -> dict:
    response = requests.post(server.url("/api/v1/test/resolve"), json=body, timeout=IO_TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()
