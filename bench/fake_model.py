#!/usr/bin/env python3
"""A fake OpenAI-compatible model server for the chat benchmark, run as its own process so its
CPU time can be told apart from the server's and the clients'.

- `GET /v1/models` lists one model.
- `POST /v1/chat/completions` whose last user message starts with `slow:` streams `--tokens`
  tokens spread evenly over `--duration` seconds (the first at once); any other is answered at
  once with one short reply ("ok"), streamed as one piece when `"stream": true` (the chat plugin
  always streams).
- `GET /stats` answers {"first_token": {<last user message>: <CLOCK_MONOTONIC seconds when its
  first token was written>}, "requests": n}; CLOCK_MONOTONIC is shared by every process on the
  machine, so the benchmark compares it with its own clock.

usage: bench/fake_model.py PORT [--tokens 50] [--duration 2.0]
"""
import argparse
import asyncio
import json
import time

MODEL = "fake-model"


def completion_chunk(delta: dict, finish=None) -> bytes:
    chunk = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": int(time.time()),
             "model": MODEL, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


class FakeModel:
    def __init__(self, tokens: int, duration: float):
        self.tokens = tokens
        self.duration = duration
        self.first_token: dict[str, float] = {}
        self.requests = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if path.endswith("/models"):
                    await self.json(writer, {"object": "list", "data": [
                        {"id": MODEL, "object": "model", "created": 0, "owned_by": "bench", "context_length": 8192}]})
                elif path == "/stats":
                    await self.json(writer, {"first_token": self.first_token, "requests": self.requests})
                elif method == "POST" and path.endswith("/chat/completions"):
                    self.requests += 1
                    request = json.loads(body)
                    key = next((m.get("content") for m in reversed(request["messages"]) if m["role"] == "user"), "")
                    if str(key).startswith("slow:"):
                        await self.stream(writer, str(key), self.tokens, self.duration)
                    elif request.get("stream"):
                        await self.stream(writer, str(key), 1, 0.0)
                    else:
                        await self.json(writer, {
                            "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
                            "model": MODEL, "choices": [{"index": 0, "finish_reason": "stop",
                                                         "message": {"role": "assistant", "content": "ok"}}],
                            "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}})
                else:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def json(self, writer: asyncio.StreamWriter, value) -> None:
        data = json.dumps(value).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data))
        await writer.drain()

    async def stream(self, writer: asyncio.StreamWriter, key: str, tokens: int, duration: float) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(chunked(completion_chunk({"role": "assistant", "content": ""})))
        interval = duration / max(tokens - 1, 1)
        started = time.monotonic()
        for index in range(tokens):
            await asyncio.sleep(max(0.0, started + index * interval - time.monotonic()))
            writer.write(chunked(completion_chunk({"content": f"t{index} "})))
            await writer.drain()
            if index == 0 and key.startswith("slow:"):
                self.first_token[key] = time.monotonic()
        usage = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL,
                 "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": tokens,
                                          "total_tokens": 10 + tokens}}
        writer.write(chunked(completion_chunk({}, "stop")))
        writer.write(chunked(b"data: " + json.dumps(usage).encode() + b"\n\n"))
        writer.write(chunked(b"data: [DONE]\n\n") + b"0\r\n\r\n")
        await writer.drain()


async def serve(port: int, model: FakeModel) -> None:
    server = await asyncio.start_server(model.handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--duration", type=float, default=2.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, FakeModel(args.tokens, args.duration)))


if __name__ == "__main__":
    main()
