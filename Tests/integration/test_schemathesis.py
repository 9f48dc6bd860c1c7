"""schemathesis, an outside judge, fuzzes every route of every first-party plugin from the served
`/api/v1/openapi.json` with all its checks (server errors, response schemas, undocumented status
codes and content types, schema-valid requests rejected, invalid ones accepted, missing auth
accepted, unsupported methods …), once as an administrator's JWT and once as an admin API key
holding every permission. A fixed seed and example budget keep the run reproducible and bounded;
`[outbound] deny_all` keeps fuzzed provider and MCP URLs from ever being contacted."""
import subprocess
import sys
from pathlib import Path

import pytest

from agents_support import start_world
from auth_support import ALL_PERMISSIONS
from conftest import ALL_FIRST_PARTY
SEED = 14
EXAMPLES_PER_OPERATION = 25
# Fuzzing sends a few thousand requests from one address: the rate limits and the login
# throttle would answer most of them 429 and leave the routes' own logic untested.
CONFIG = """
[auth]
bcrypt_cost = 4
[outbound]
deny_all = true
[ratelimit.default]
requests = 1000000
burst = 100000
[ratelimit.policies.auth]
requests = 1000000
burst = 100000
[ratelimit.login]
max_failures = 1000
max_failures_per_username = 100000
"""
# Logging out ends the very login the JWT run authenticates with (every later request 401).
SESSION_ENDING = ["/api/v1/auth/logout"]
# The `st` command installed beside the interpreter that runs the tests (the venv's).
ST = Path(sys.executable).parent / "st"
# Per-operation settings: the semantic rules a schema cannot state, and the WebSocket route.
ST_CONFIG = Path(__file__).with_name("schemathesis.toml")


# A server per run: the fuzzer may change the administrator's password or deactivate it
# (schema-valid requests), which ends every session and key a later run would rely on.
@pytest.fixture
def world(start_server):
    return start_world(start_server, plugins=ALL_FIRST_PARTY, config=CONFIG)


def run_schemathesis(world, credential: str, report_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ST), "--config-file", str(ST_CONFIG), "run", world.server.url("/api/v1/openapi.json"),
         "--checks", "all", "--seed", str(SEED), "--max-examples", str(EXAMPLES_PER_OPERATION),
         # One worker: on CPython 3.11.7, Hypothesis parsing lambda sources on two threads at
         # once fails with "AST constructor recursion depth mismatch" (CPython gh-106905), a
         # Runtime Error reported against whichever operation it hits.
         "--workers", "1", "--request-timeout", "10", "--no-color",
         "--header", f"Authorization: Bearer {credential}",
         *[argument for path in SESSION_ENDING for argument in ("--exclude-path", path)],
         "--report", "junit", "--report-dir", str(report_dir)],
        capture_output=True, text=True, timeout=240, cwd=report_dir)


def assert_no_failures(result: subprocess.CompletedProcess):
    """The whole schemathesis summary on failure: each failing operation with its check, the
    request that reproduces it (a curl line) and the response."""
    assert result.returncode == 0, (f"schemathesis reported failures (exit {result.returncode}):\n"
                                    f"{result.stdout}\n{result.stderr}")


@pytest.mark.timeout(300)
def test_every_route_conforms_to_the_served_schema_with_a_jwt(world, tmp_path):
    assert_no_failures(run_schemathesis(world, world.admin.token, tmp_path))


@pytest.mark.timeout(300)
def test_every_route_conforms_to_the_served_schema_with_an_api_key(world, tmp_path):
    key = world.admin.api_key(ALL_PERMISSIONS)
    assert_no_failures(run_schemathesis(world, key.token, tmp_path))
