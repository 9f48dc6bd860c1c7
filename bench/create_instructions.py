#!/usr/bin/env python3
"""What `POST /api/v1/agents` costs in instructions (callgrind, as instructions_per_request.py
measures GETs): body decoding and validation, the insert transaction and the JSON answer,
behind the auth plugin's JWT check. Deterministic, so two builds compare to the percent where
wrk cannot (issue 14: typed decoding may cost at most 1.05x of the hand-written parsing).

usage: bench/create_instructions.py [--requests 1000] [--top 0] [--bin-dir DIR ...]
  Each --bin-dir is a release build folder (pattern-server and the plugin libraries) to
  measure; without one, this checkout's release build. Prints one line per build.
"""
import argparse
import http.client
import itertools
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from instructions_per_request import ensure_valgrind, measure, stripped_copy  # noqa: E402

PLUGINS = ["libPatternAuth.so", "libPatternAgents.so"]
ADMIN, PASSWORD = "bench-admin", "bench-password-123"
CONFIG = "[auth]\nbcrypt_cost = 4\n"
# Every optional field the route validates, so the measurement covers the whole decoder.
TEMPLATE = {"agent_type": "generic", "description": "A benchmark agent with a description of some length.",
            "system_prompt": "You are a helpful assistant. " * 8, "model_provider": "openai",
            "model_id": "gpt-4o-mini", "tools": ["send_message", "core_memory_append", "archival_memory_search"],
            "metadata": {"team": "bench", "tier": 3, "tags": ["a", "b"]}}


def creator():
    """A `send(port, count)` that logs in once per server and creates `count` uniquely named agents."""
    names = itertools.count()
    tokens: dict[int, str] = {}

    def send(port: int, count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        if port not in tokens:
            connection.request("POST", "/api/v1/auth/login", json.dumps({"username": ADMIN, "password": PASSWORD}),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            tokens[port] = json.loads(response.read())["access_token"]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens[port]}"}
        for _ in range(count):
            connection.request("POST", "/api/v1/agents", json.dumps({"name": f"agent-{next(names):06}", **TEMPLATE}),
                               headers)
            response = connection.getresponse()
            body = response.read()
            assert response.status == 201, (response.status, body)
        connection.close()
    return send


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--bin-dir", type=Path, action="append", default=[])
    args = parser.parse_args()
    ensure_valgrind()
    binaries = [d / "pattern-server" for d in args.bin_dir] or [benchlib.build_release()]
    env = {"PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    for binary in binaries:
        work = Path(tempfile.mkdtemp(prefix="bench-create-"))
        copy = stripped_copy(binary, PLUGINS, work / "bin")
        cost = measure(copy, work, CONFIG, "/api/v1/agents", args.requests, args.top, send=creator(), env=env)
        print(f"{binary.parent}: POST /api/v1/agents {cost:,.0f} instructions/request")


if __name__ == "__main__":
    main()
