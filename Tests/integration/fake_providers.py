"""Scripted model providers for the tests: loopback HTTP/1.1 servers that speak OpenAI Chat
Completions or Anthropic Messages, streamed (SSE) and whole, and misbehave on request.

    with FakeProvider("openai") as fake:
        fake.enqueue(text_reply("hello there", chunks=3))
        fake.enqueue(tool_call_reply("search", '{"query": "x"}', fragments=[3, 7]))
        fake.enqueue(error_reply(429, headers={"Retry-After": "1"}))
        ... point a provider at fake.base_url ...
        fake.requests[-1].json["messages"]

Replies are consumed in order by chat/messages calls; with the queue empty the fake answers
"ok: <last user text>". `GET {base_url}/models` lists `models` (or answers the next reply
queued with `enqueue_models`). With `api_key` set, a request without that key gets a 401 whose
message quotes the key it got, partly masked, the way OpenAI's does.

The JSON shapes are judged by the official SDKs' response models in test_providers_fakes.py.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict  # lower-case names
    json: object
    at: float  # time.monotonic() when the request was read


# ----- replies ---------------------------------------------------------------------------

@dataclass
class Reply:
    kind: str  # text | tool | error | hang | broken | tokens
    text: str = ""
    chunks: object = None
    delay: float = 0.0
    usage: tuple = (10, 5)
    finish: str | None = None
    reasoning: str | None = None
    name: str = ""
    arguments: str = ""
    call_id: str | None = None
    fragments: list | None = None
    status: int = 200
    body: object = None
    headers: dict = field(default_factory=dict)
    after_chunks: int = 1
    tokens: int = 0
    duration: float = 0.0


def text_reply(text: str, chunks=None, delay: float = 0.0, usage=(10, 5), finish: str | None = None,
               reasoning: str | None = None) -> Reply:
    """`text`; streamed as `chunks` pieces (an int: that many about equal pieces; a list: those
    pieces; None: one per word) with `delay` seconds between them. `finish` is the wire's own
    finish/stop reason (default stop / end_turn); `reasoning` adds reasoning/thinking first."""
    return Reply("text", text=text, chunks=chunks, delay=delay, usage=usage, finish=finish, reasoning=reasoning)


def tool_call_reply(name: str, arguments_json_text: str, call_id: str | None = None, fragments=None,
                    text: str = "") -> Reply:
    """One tool call; streamed, its arguments are cut at the indices in `fragments`."""
    return Reply("tool", name=name, arguments=arguments_json_text, call_id=call_id or f"call_{uuid.uuid4().hex[:12]}",
                 fragments=fragments, text=text)


def error_reply(status: int, body=None, headers: dict | None = None) -> Reply:
    """`status` with `body` (default: the provider's own error document) and `headers`."""
    return Reply("error", status=status, body=body, headers=headers or {})


def hang_reply() -> Reply:
    """Reads the request and never answers (until the fake stops)."""
    return Reply("hang")


def broken_stream_reply(text: str, after_chunks: int = 1, pause: float = 0.3) -> Reply:
    """Streams the first `after_chunks` pieces of `text`, waits `pause` seconds (so the client
    has taken them: a client may drop what it had not yet handed on when the connection
    fails), then closes the connection mid-body."""
    return Reply("broken", text=text, after_chunks=after_chunks, delay=pause)


def stream_error_reply(text: str, after_chunks: int = 0, error_type: str = "overloaded_error") -> Reply:
    """Streams the first `after_chunks` pieces of `text`, then an error event (Anthropic's
    `event: error`, or OpenAI-compatible servers' `data: {"error": ...}`) and ends the stream."""
    return Reply("stream_error", text=text, after_chunks=after_chunks, name=error_type)


def token_stream_reply(tokens: int, duration: float) -> Reply:
    """`tokens` one-word pieces spread evenly over `duration` seconds (benchmarks)."""
    return Reply("tokens", tokens=tokens, duration=duration)


def pieces(text: str, chunks) -> list[str]:
    if isinstance(chunks, (list, tuple)):
        return [str(piece) for piece in chunks]
    if isinstance(chunks, int) and chunks > 0:
        size = max(1, -(-len(text) // chunks))
        return [text[i:i + size] for i in range(0, len(text), size)] or [""]
    words, current = [], ""
    for char in text:
        current += char
        if char == " ":
            words.append(current)
            current = ""
    if current or not words:
        words.append(current)
    return words


def cut(text: str, points) -> list[str]:
    points = sorted(set(p for p in (points or []) if 0 < p < len(text)))
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


# ----- wire documents (also used by the shape tests) ----------------------------------------

def openai_error(status: int, message: str) -> dict:
    kinds = {401: ("invalid_request_error", "invalid_api_key"), 429: ("rate_limit_exceeded", "rate_limit_exceeded")}
    error_type, code = kinds.get(status, ("server_error" if status >= 500 else "invalid_request_error", None))
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def anthropic_error(status: int, message: str) -> dict:
    kinds = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error",
             429: "rate_limit_error", 529: "overloaded_error"}
    return {"type": "error", "error": {"type": kinds.get(status, "api_error"), "message": message}}


def openai_completion(model: str, reply: Reply) -> dict:
    message: dict = {"role": "assistant", "content": reply.text if reply.kind != "tool" or reply.text else None}
    finish = reply.finish or "stop"
    if reply.kind == "tool":
        message["tool_calls"] = [{"id": reply.call_id, "type": "function",
                                  "function": {"name": reply.name, "arguments": reply.arguments}}]
        finish = reply.finish or "tool_calls"
    if reply.reasoning:
        message["reasoning_content"] = reply.reasoning
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:16]}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                      "total_tokens": reply.usage[0] + reply.usage[1]}}


def openai_chunk(model: str, chunk_id: str, delta: dict | None, finish: str | None = None, usage=None) -> dict:
    chunk = {"id": chunk_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
             "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
    if usage is not None:
        chunk["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": usage[0] + usage[1]}
    return chunk


def openai_stream(model: str, reply: Reply, include_usage: bool) -> list[dict]:
    """The chunks of a streamed reply (without the final [DONE])."""
    chunk_id = f"chatcmpl-{uuid.uuid4().hex[:16]}"
    chunks = [openai_chunk(model, chunk_id, {"role": "assistant", "content": ""})]
    if reply.reasoning:
        chunks.append(openai_chunk(model, chunk_id, {"reasoning_content": reply.reasoning}))
    if reply.kind == "tool":
        if reply.text:
            chunks.append(openai_chunk(model, chunk_id, {"content": reply.text}))
        chunks.append(openai_chunk(model, chunk_id, {"tool_calls": [
            {"index": 0, "id": reply.call_id, "type": "function", "function": {"name": reply.name, "arguments": ""}}]}))
        for fragment in cut(reply.arguments, reply.fragments):
            chunks.append(openai_chunk(model, chunk_id, {"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]}))
        finish = reply.finish or "tool_calls"
    else:
        for piece in pieces(reply.text, reply.chunks):
            chunks.append(openai_chunk(model, chunk_id, {"content": piece}))
        finish = reply.finish or "stop"
    chunks.append(openai_chunk(model, chunk_id, {}, finish))
    if include_usage:
        chunks.append(openai_chunk(model, chunk_id, None, usage=reply.usage))
    return chunks


def anthropic_message(model: str, reply: Reply) -> dict:
    content = []
    if reply.reasoning:
        content.append({"type": "thinking", "thinking": reply.reasoning, "signature": "c2lnbmF0dXJl"})
    if reply.kind != "tool" or reply.text:
        content.append({"type": "text", "text": reply.text})
    stop = reply.finish or "end_turn"
    if reply.kind == "tool":
        content.append({"type": "tool_use", "id": reply.call_id, "name": reply.name, "input": json.loads(reply.arguments)})
        stop = reply.finish or "tool_use"
    return {"id": f"msg_{uuid.uuid4().hex[:20]}", "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": reply.usage[0], "output_tokens": reply.usage[1]}}


def anthropic_stream(model: str, reply: Reply) -> list[tuple[str, dict]]:
    """(event name, data) of a streamed reply."""
    start = {"id": f"msg_{uuid.uuid4().hex[:20]}", "type": "message", "role": "assistant", "model": model,
             "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {"input_tokens": reply.usage[0], "output_tokens": 1}}
    events = [("message_start", {"type": "message_start", "message": start}), ("ping", {"type": "ping"})]
    index = 0

    def block(content_block: dict, deltas: list[dict]):
        nonlocal index
        events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                "content_block": content_block}))
        for delta in deltas:
            events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1

    if reply.reasoning:
        block({"type": "thinking", "thinking": "", "signature": ""},
              [{"type": "thinking_delta", "thinking": reply.reasoning},
               {"type": "signature_delta", "signature": "c2lnbmF0dXJl"}])
    if reply.kind == "tool":
        if reply.text:
            block({"type": "text", "text": ""}, [{"type": "text_delta", "text": reply.text}])
        block({"type": "tool_use", "id": reply.call_id, "name": reply.name, "input": {}},
              [{"type": "input_json_delta", "partial_json": piece} for piece in cut(reply.arguments, reply.fragments)])
        stop = reply.finish or "tool_use"
    else:
        block({"type": "text", "text": ""}, [{"type": "text_delta", "text": piece}
                                             for piece in pieces(reply.text, reply.chunks)])
        stop = reply.finish or "end_turn"
    events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                     "usage": {"output_tokens": reply.usage[1]}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def openai_models(models: list[dict]) -> dict:
    return {"object": "list", "data": [{"id": m["id"], "object": "model", "created": 1700000000, "owned_by": "fake",
                                        **{k: v for k, v in m.items() if k != "id"}} for m in models]}


def anthropic_models(models: list[dict]) -> dict:
    """Anthropic reports a model's context window as `max_input_tokens`."""
    data = []
    for m in models:
        entry = {"type": "model", "id": m["id"], "display_name": m.get("display_name", m["id"]),
                 "created_at": "2025-01-01T00:00:00Z", "lifecycle": "active",
                 **{k: v for k, v in m.items() if k not in ("id", "display_name", "context_length")}}
        if "context_length" in m:
            entry["max_input_tokens"] = m["context_length"]
        data.append(entry)
    return {"data": data, "has_more": False, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None}


# ----- the server ------------------------------------------------------------------------

class FakeProvider:
    def __init__(self, kind: str = "openai", models: list[dict] | None = None, api_key: str | None = None):
        assert kind in ("openai", "anthropic")
        self.kind = kind
        self.models = models if models is not None else [{"id": "fake-small", "context_length": 4096},
                                                         {"id": "fake-large", "context_length": 32768}]
        self.api_key = api_key
        self.requests: list[Received] = []
        self._replies: list[Reply] = []
        self._model_replies: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting --
    def enqueue(self, *replies: Reply):
        with self._lock:
            self._replies.extend(replies)

    def enqueue_models(self, *replies: Reply):
        with self._lock:
            self._model_replies.extend(replies)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def calls(self) -> list[Received]:
        """The chat/messages requests received so far (not the model listings)."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    # -- lifecycle --
    def __enter__(self) -> "FakeProvider":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # -- answering --
    def _handle(self, handler: BaseHTTPRequestHandler, method: str):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        received = Received(method, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body,
                            time.monotonic())
        with self._lock:
            self.requests.append(received)
        path = handler.path.split("?")[0]
        if not path.startswith("/v1/"):
            return self._json(handler, 404, {"error": {"message": "not found"}})
        if self.api_key is not None and not self._authorised(received):
            return self._refuse_key(handler, received)
        if method == "GET" and path == "/v1/models":
            with self._lock:
                scripted = self._model_replies.pop(0) if self._model_replies else None
            if scripted is not None:
                return self._error(handler, scripted)
            listing = openai_models(self.models) if self.kind == "openai" else anthropic_models(self.models)
            return self._json(handler, 200, listing)
        expected = "/v1/chat/completions" if self.kind == "openai" else "/v1/messages"
        if method != "POST" or path != expected:
            return self._json(handler, 404, {"error": {"message": f"no route {method} {path}"}})
        with self._lock:
            reply = self._replies.pop(0) if self._replies else None
        if reply is None:
            reply = text_reply(f"ok: {last_user_text(body)}")
        self._answer(handler, reply, body or {})

    def _authorised(self, received: Received) -> bool:
        if self.kind == "openai":
            return received.headers.get("authorization") == f"Bearer {self.api_key}"
        return received.headers.get("x-api-key") == self.api_key

    def _refuse_key(self, handler, received: Received):
        given = received.headers.get("authorization", "").removeprefix("Bearer ") if self.kind == "openai" \
            else received.headers.get("x-api-key", "")
        masked = given[:6] + "*" * max(0, len(given) - 10) + given[-4:] if len(given) > 10 else given
        message = (f"Incorrect API key provided: {masked}. You can find your API key at "
                   f"https://platform.example/account/api-keys. (key: {given})")
        document = openai_error(401, message) if self.kind == "openai" else anthropic_error(401, message)
        return self._json(handler, 401, document)

    def _json(self, handler, status: int, document, headers: dict | None = None):
        data = json.dumps(document).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()

    def _error(self, handler, reply: Reply):
        body = reply.body
        if body is None:
            message = f"scripted failure {reply.status}"
            body = openai_error(reply.status, message) if self.kind == "openai" else anthropic_error(reply.status, message)
        if isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
            return
        self._json(handler, reply.status, body, reply.headers)

    def _answer(self, handler, reply: Reply, request: dict):
        model = request.get("model", "fake-small")
        stream = request.get("stream") is True
        if reply.kind == "error":
            return self._error(handler, reply)
        if reply.kind == "hang":
            self._stopping.wait(600)
            handler.close_connection = True
            return
        if reply.kind == "tokens":
            reply = text_reply("".join(f"tok{i} " for i in range(reply.tokens)), chunks=reply.tokens,
                               delay=reply.duration / max(1, reply.tokens))
        if not stream:
            if reply.kind == "broken":
                data = json.dumps(self._whole(model, text_reply(reply.text))).encode()
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data[: len(data) // 2])
                handler.close_connection = True
                return
            if reply.delay:
                time.sleep(reply.delay)
            return self._json(handler, 200, self._whole(model, reply))
        cut_short = reply.kind in ("broken", "stream_error")
        events = self._events(model, text_reply(reply.text) if cut_short else reply,
                              request.get("stream_options", {}).get("include_usage") is True)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        content_events = 0
        try:
            for name, data in events:
                is_content = carries_text(data)
                if reply.kind == "broken" and is_content and content_events >= reply.after_chunks:
                    time.sleep(reply.delay)
                    handler.close_connection = True
                    return  # mid-body: no terminating chunk
                if reply.kind == "stream_error" and is_content and content_events >= reply.after_chunks:
                    error = {"type": "error", "error": {"type": reply.name, "message": "Overloaded"}} \
                        if self.kind == "anthropic" else {"error": {"message": "Overloaded", "type": reply.name}}
                    frame = ("event: error\n" if self.kind == "anthropic" else "") + f"data: {json.dumps(error)}\n\n"
                    handler.wfile.write(f"{len(frame.encode()):x}\r\n".encode() + frame.encode() + b"\r\n0\r\n\r\n")
                    handler.wfile.flush()
                    return
                frame = (f"event: {name}\n" if name else "") + f"data: {data}\n\n"
                encoded = frame.encode()
                handler.wfile.write(f"{len(encoded):x}\r\n".encode() + encoded + b"\r\n")
                handler.wfile.flush()
                if is_content:
                    content_events += 1
                    if reply.delay and reply.kind != "broken":
                        time.sleep(reply.delay)
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _whole(self, model: str, reply: Reply) -> dict:
        return openai_completion(model, reply) if self.kind == "openai" else anthropic_message(model, reply)

    def _events(self, model: str, reply: Reply, include_usage: bool) -> list[tuple[str, str]]:
        if self.kind == "openai":
            return [("", json.dumps(chunk)) for chunk in openai_stream(model, reply, include_usage)] + [("", "[DONE]")]
        return [(name, json.dumps(data)) for name, data in anthropic_stream(model, reply)]


def last_user_text(body) -> str:
    for message in reversed((body or {}).get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return "".join(block.get("text", "") for block in content or [] if isinstance(block, dict))
    return ""


def carries_text(data: str) -> bool:
    """Whether a stream event's data relays some reply text."""
    try:
        event = json.loads(data)
    except ValueError:
        return False
    if not isinstance(event, dict):
        return False
    if event.get("type") == "content_block_delta":
        return bool(event.get("delta", {}).get("text"))
    return any(choice.get("delta", {}).get("content") for choice in event.get("choices") or [])
