"""No request parameter answers 5xx: a server with every first-party plugin loaded is walked
route by route from its own /api/v1/openapi.json, as an administrator, sending each documented
query parameter and a few undocumented ones with hostile values (a NUL, a control character,
bytes that are not UTF-8, malformed percent-encoding, 10,000 characters, numbers out of every
range). A value that is not text is a 400 validation_error naming the parameter wherever the
route reads it. Path parameters get the same values."""
import re

import pytest

from agents_support import ADMIN_PASSWORD, ADMIN_USERNAME, AGENTS, FAST_AUTH, GROUPS, login, start_world
from conftest import AUTH, METRICS, RATELIMIT, assert_error

PLUGINS = (AUTH, AGENTS, GROUPS, METRICS, RATELIMIT)
# The rate limiter stays loaded, with room for every request of this module.
CONFIG = FAST_AUTH + """
[ratelimit.default]
requests = 10000000
burst = 10000000
[ratelimit.policies.auth]
requests = 10000000
burst = 10000000
"""

NOT_TEXT = ["a%00b", "%01", "%FF", "%zz"]
HOSTILE = NOT_TEXT + ["x" * 10_000, "-1", "99999999999999999999", "1e9"]
UNDOCUMENTED = ["limit", "offset", "query", "cursor"]
# What a {parameter} names, by the path segment before it.
RESOURCE_BEFORE = {"agents": "agent", "members": "agent", "groups": "group", "users": "user", "api-keys": "key"}
# Writes last, deletions last of all (nested resources before their parents), so the resources
# the routes name exist while they run.
METHOD_ORDER = ["get", "head", "options", "post", "put", "patch", "delete"]


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_world(start_server_module, plugins=PLUGINS, config=CONFIG)


@pytest.fixture(scope="module")
def resources(world):
    """One of each resource a path can name, owned by (or, for the user, made by) the admin."""
    admin = world.admin
    agent = admin.create_agent()
    group = admin.create_group({"type": "round_robin"}, members=[{"agent_id": agent["id"], "role": "regular"}])
    key = admin.post("/api-keys", {"name": "walker", "permissions": ["read_agents"]}).json()
    user = admin.post("/users", {"username": "walked", "password": "walked-password"}).json()
    admin.post(f"/agents/{agent['id']}/memory/archival", {"label": "fact", "content": "a searchable fact"})
    return {"agent": agent["id"], "group": group["id"], "key": key["id"], "user": user["id"]}


def operations(world):
    """(method, path template, documented query parameter names) for every operation served."""
    document = world.server.get("/api/v1/openapi.json").json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHOD_ORDER:
                continue
            parameters = operation.get("parameters", []) + item.get("parameters", [])
            found.append((method, path, [p["name"] for p in parameters if p["in"] == "query"]))
    assert len(found) > 30, found  # every plugin's routes are there
    return sorted(found, key=lambda op: (METHOD_ORDER.index(op[0]), -op[1].count("/"), op[1]))


def concrete(path: str, resources: dict) -> str:
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            segments[index] = resources.get(RESOURCE_BEFORE.get(segments[index - 1]), "unknown")
    return "/".join(segments)


def send(server, token: str, method: str, target: str):
    """One request with exactly these bytes in its target, on its own connection."""
    headers = {"Authorization": f"Bearer {token}"}
    body = b""
    if method in ("post", "put", "patch"):
        headers["Content-Type"] = "application/json"
        body = b"{}"
    with server.connect() as connection:
        return connection.request(method.upper(), target, headers=headers, body=body)


def test_no_query_parameter_answers_5xx(world, resources):
    admin = world.admin
    # Logging out ends the caller's session: that route gets a login of its own.
    spare = login(world.server, ADMIN_USERNAME, ADMIN_PASSWORD)
    problems, refused = [], 0
    for method, template, documented in operations(world):
        path = concrete(template, resources)
        token = spare.token if template.endswith("/logout") else admin.token
        for name in dict.fromkeys(documented + UNDOCUMENTED):
            for value in HOSTILE:
                response = send(world.server, token, method, f"{path}?{name}={value}")
                answer = f"{method.upper()} {path}?{name}={value[:20]} -> {response.status} {response.body[:160]!r}"
                if response.status >= 500:
                    problems.append(answer)
                elif method == "get" and name in documented and value in NOT_TEXT:
                    # A parameter the route documents is one it reads: refused, and named.
                    body = response.json()
                    if response.status != 400 or body["error"]["type"] != "validation_error" \
                            or body["error"]["fields"][0]["field"] != name:
                        problems.append(f"not refused naming {name}: {answer}")
                    refused += 1
    assert not problems, "\n".join(problems)
    assert refused >= 100, refused  # the documented parameters were really exercised


def test_no_path_parameter_answers_5xx(world, resources):
    admin = world.admin
    failures = []
    for method, template, _ in operations(world):
        if "{" not in template or method == "delete":
            continue
        for value in NOT_TEXT + ["x" * 10_000]:
            path = re.sub(r"\{[^}]+\}", value, template)
            response = send(world.server, admin.token, method, path)
            if response.status >= 500:
                failures.append(f"{method.upper()} {path[:80]} -> {response.status}: {response.body[:200]!r}")
            elif method == "get" and value in NOT_TEXT:
                assert_error(response, 404, "not_found")
    assert not failures, "\n".join(failures)


def test_every_free_text_query_parameter_publishes_the_control_characters_it_refuses(world):
    """The host hands out no query value holding a C0, DEL or C1 control character (the tests
    above); every string parameter without its own pattern or enum publishes that rule."""
    checked = 0
    for path, item in world.server.get("/api/v1/openapi.json").json()["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if parameter["in"] != "query" or schema.get("type") != "string" or "enum" in schema:
                    continue
                where = f"{method} {path} ?{parameter['name']}"
                assert "pattern" in schema, where
                assert re.search(schema["pattern"], "plain text é"), where
                for control in ("\x00", "\x1f", "\x7f", "\x85", "\x9f"):
                    assert not re.search(schema["pattern"], f"a{control}b"), (where, repr(control))
                checked += 1
    assert checked >= 2  # owner_id of GET /agents, query of the archival search
