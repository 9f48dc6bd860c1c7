"""An MCP SDK 2.x client (the main venv's `mcp`) driving Pattern Server's /mcp.

Usage: python endpoint_client.py URL MODE  (MODE: auto = the SDK's default, which probes
server/discover first, or legacy = the initialize handshake only), with the bearer token in
$MCP_TOKEN and a JSON list of steps on stdin. Prints one JSON object: the negotiated protocol
version, each step's result, and the HTTP exchanges the SDK made (method, status, session id)
— or {"error": ...} when the SDK raised.

Steps: {"op": "list_tools"} (every page), {"op": "call", "name", "arguments"},
{"op": "list_resources"} (every page), {"op": "read_resource", "uri"}, {"op": "ping"}.
"""
from __future__ import annotations

import json
import os
import sys

import anyio
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from peer_output import describe, dump  # beside this script


async def run_step(client: Client, step: dict):
    op = step["op"]
    if op == "list_tools":
        tools, cursor, pages = [], None, 0
        while True:
            page = await client.list_tools(cursor=cursor)
            pages += 1
            tools += [dump(tool) for tool in page.tools]
            cursor = page.next_cursor
            if not cursor:
                return {"tools": tools, "pages": pages}
    if op == "call":
        return dump(await client.call_tool(step["name"], step.get("arguments", {})))
    if op == "list_resources":
        resources, cursor = [], None
        while True:
            page = await client.list_resources(cursor=cursor)
            resources += [dump(resource) for resource in page.resources]
            cursor = page.next_cursor
            if not cursor:
                return {"resources": resources}
    if op == "read_resource":
        return dump(await client.read_resource(step["uri"]))
    if op == "ping":
        return dump(await client.session.send_ping())
    raise ValueError(f"unknown step {op}")


async def main(url: str, mode: str, steps: list[dict]) -> dict:
    exchanges = []

    async def record(response):
        exchanges.append([response.request.method, response.status_code,
                          response.request.headers.get("mcp-session-id") or response.headers.get("mcp-session-id")])

    http = create_mcp_http_client(headers={"Authorization": f"Bearer {os.environ['MCP_TOKEN']}"})
    http.event_hooks["response"].append(record)
    results = []
    try:
        async with http:
            async with Client(streamable_http_client(url, http_client=http), mode=mode, cache=None) as client:
                version = client.protocol_version
                for step in steps:
                    results.append(await run_step(client, step))
    except BaseException as error:  # the test asserts on what the SDK raised (task groups wrap it)
        return {"error": describe(error), "results": results, "exchanges": exchanges}
    return {"protocol_version": version, "results": results, "exchanges": exchanges}


if __name__ == "__main__":
    print(json.dumps(anyio.run(main, sys.argv[1], sys.argv[2], json.load(sys.stdin))))
