"""An MCP SDK 1.x client (`mcp` 1.30 from .build/venv-mcp1) driving Pattern Server's /mcp.

Usage: .build/venv-mcp1/bin/python endpoint_client_v1.py URL, with the bearer token in
$MCP_TOKEN and a JSON list of steps on stdin (the steps of endpoint_client.py). Prints one
JSON object: the negotiated protocol version, the session id, each step's result — or
{"error": ...} when the SDK raised.
"""
from __future__ import annotations

import json
import os
import sys

import anyio
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client
from pydantic import AnyUrl

from peer_output import describe, dump  # beside this script


async def run_step(session: ClientSession, step: dict):
    op = step["op"]
    if op == "list_tools":
        tools, cursor, pages = [], None, 0
        while True:
            page = await session.list_tools(cursor=cursor)
            pages += 1
            tools += [dump(tool) for tool in page.tools]
            cursor = page.nextCursor
            if not cursor:
                return {"tools": tools, "pages": pages}
    if op == "call":
        return dump(await session.call_tool(step["name"], step.get("arguments", {})))
    if op == "list_resources":
        resources, cursor = [], None
        while True:
            page = await session.list_resources(cursor=cursor)
            resources += [dump(resource) for resource in page.resources]
            cursor = page.nextCursor
            if not cursor:
                return {"resources": resources}
    if op == "read_resource":
        return dump(await session.read_resource(AnyUrl(step["uri"])))
    if op == "ping":
        return dump(await session.send_ping())
    raise ValueError(f"unknown step {op}")


async def main(url: str, steps: list[dict]) -> dict:
    results, session_id = [], None
    headers = {"Authorization": f"Bearer {os.environ['MCP_TOKEN']}"}
    try:
        async with streamablehttp_client(url, headers=headers) as (read, write, get_session_id):
            async with ClientSession(read, write) as session:
                initialized = await session.initialize()
                session_id = get_session_id()
                for step in steps:
                    results.append(await run_step(session, step))
    except BaseException as error:  # the test asserts on what the SDK raised (task groups wrap it)
        return {"error": describe(error), "results": results, "session_id": session_id}
    return {"protocol_version": initialized.protocolVersion, "session_id": session_id, "results": results}


if __name__ == "__main__":
    print(json.dumps(anyio.run(main, sys.argv[1], json.load(sys.stdin))))
