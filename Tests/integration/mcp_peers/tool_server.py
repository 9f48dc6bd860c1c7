"""An MCP server built with the official Python SDK, for the MCP client tests: the same tools
under SDK 2.x (`MCPServer`) and 1.x (`FastMCP`), served over stdio or Streamable HTTP.

    python tool_server.py stdio
    python tool_server.py http PORT        (serves http://127.0.0.1:PORT/mcp)
"""
from __future__ import annotations

import os
import sys
import warnings

import anyio

try:
    from mcp.server.mcpserver import Context, MCPServer as Server  # SDK 2.x
    from mcp.server.mcpserver.exceptions import ToolError
    SDK_MAJOR = 2
except ImportError:  # SDK 1.x
    from mcp.server.fastmcp import Context, FastMCP as Server
    from mcp.server.fastmcp.exceptions import ToolError
    SDK_MAJOR = 1

# Context.info is deprecated from 2026-07-28 on, but it is what handshake-era servers send.
warnings.simplefilter("ignore")

mcp = Server("pattern-test-tools")


def fd_target(fd: int) -> str | None:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


STDOUT_AT_START = fd_target(1)


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


@mcp.tool()
async def slow(seconds: float, marker: str = "") -> str:
    """Answer after `seconds`; then, unless the call was cancelled meanwhile, create the file `marker`."""
    await anyio.sleep(seconds)
    if marker:
        open(marker, "w").close()
    return f"slept {seconds}"


@mcp.tool()
def fail(message: str) -> str:
    """Always fails with `message`."""
    raise ToolError(message)


@mcp.tool()
def big(size: int) -> str:
    """A text of `size` bytes."""
    return "x" * size


@mcp.tool()
def process_id() -> int:
    """This server's process id."""
    return os.getpid()


@mcp.tool()
def scribble(lines: int) -> str:
    """Writes `lines` lines that are not JSON-RPC to stdout (a broken stdio server), then answers."""
    # SDK 2.x moves the wire off descriptor 1 (pointing 1 at stderr) to protect it: find it again.
    wire = next(fd for fd in map(int, os.listdir("/proc/self/fd")) if fd_target(fd) == STDOUT_AT_START)
    for index in range(lines):
        os.write(wire, f"this is not JSON-RPC {index}\n".encode())
    return f"wrote {lines}"


@mcp.tool()
async def chatter(count: int, ctx: Context) -> str:
    """Sends `count` log notifications before answering."""
    for index in range(count):
        await ctx.info(f"note {index}")
    return f"sent {count}"


def late_tool(word: str) -> str:
    """A tool that exists only after add_tool_later ran."""
    return word.upper()


@mcp.tool()
async def add_tool_later(ctx: Context) -> str:
    """Adds the tool late_tool and tells the client its tool list changed."""
    mcp.add_tool(late_tool)
    await ctx.session.send_tool_list_changed()
    return "added"


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if mode == "stdio":
        mcp.run()
    elif SDK_MAJOR == 2:
        mcp.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        mcp.settings.host = "127.0.0.1"
        mcp.settings.port = int(sys.argv[2])
        mcp.run(transport="streamable-http")


if __name__ == "__main__":
    main()
