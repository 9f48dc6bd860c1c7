"""The agents plugin over HTTP against the real binary: CRUD, validation, names, pagination,
sorting, filters, isolation between users, API-key permissions, the OpenAPI document, and
deployments with and without groups."""
import pytest
import requests

from agents_support import AGENTS, GROUPS, Client, World, field_of, start_world, unique
from conftest import AUTH, RFC3339, assert_error

AGENT_FIELDS = {"id", "name", "agent_type", "description", "system_prompt", "state", "model_provider", "model_id",
                "tools", "owner_id", "created_at", "updated_at", "last_active_at", "message_count", "metadata"}


@pytest.fixture(scope="module")
def world(start_server_module) -> World:
    return start_world(start_server_module)


@pytest.fixture
def alice(world) -> Client:
    return world.user()


@pytest.fixture
def bob(world) -> Client:
    return world.user()


# ----- CRUD ------------------------------------------------------------------------------

def test_crud_round_trip(alice):
    created = alice.post("/agents", {
        "name": "Pattern", "agent_type": "pattern", "description": "orchestrator", "system_prompt": "be kind",
        "model_provider": "anthropic", "model_id": "claude", "tools": ["search", "mcp:fs/read"],
        "metadata": {"color": "blue", "n": [1, 2]}, "unknown_field": "ignored"})
    assert created.status_code == 201, created.text
    agent = created.json()
    assert set(agent) == AGENT_FIELDS
    assert agent["id"].startswith("agent_") and len(agent["id"]) == len("agent_") + 26
    assert agent["owner_id"] == alice.user_id
    assert agent["state"] == "ready" and agent["message_count"] == 0 and agent["last_active_at"] is None
    assert agent["tools"] == ["search", "mcp:fs/read"] and agent["metadata"] == {"color": "blue", "n": [1, 2]}
    for key in ("created_at", "updated_at"):
        assert RFC3339.fullmatch(agent[key]) and agent[key].endswith("Z") and "." in agent[key]

    fetched = alice.get(f"/agents/{agent['id']}")
    assert fetched.status_code == 200 and fetched.json() == agent

    patched = alice.patch(f"/agents/{agent['id']}", {"name": "Pattern 2", "description": None, "tools": [],
                                                      "state": {"error": {"kind": "model", "message": "down"}}})
    assert patched.status_code == 200, patched.text
    updated = patched.json()
    assert updated["name"] == "Pattern 2" and updated["description"] is None and updated["tools"] == []
    assert updated["state"] == {"error": {"kind": "model", "message": "down"}}
    assert updated["system_prompt"] == "be kind" and updated["created_at"] == agent["created_at"]
    assert updated["updated_at"] >= agent["updated_at"]
    assert alice.get(f"/agents/{agent['id']}").json() == updated

    assert alice.delete(f"/agents/{agent['id']}").status_code == 204
    assert_error(alice.get(f"/agents/{agent['id']}"), 404, "not_found")
    assert_error(alice.delete(f"/agents/{agent['id']}"), 404, "not_found")


def test_minimal_agent_has_every_field(alice):
    agent = alice.create_agent(agent_type="generic")
    assert set(agent) == AGENT_FIELDS
    assert agent["description"] is None and agent["tools"] == [] and agent["metadata"] == {}


@pytest.mark.parametrize("agent_type", ["generic", "pattern", "entropy", "flux", "archive", "momentum", "anchor",
                                        "my-custom-type", "Researcher"])
def test_known_and_custom_agent_types(alice, agent_type):
    assert alice.create_agent(agent_type=agent_type)["agent_type"] == agent_type


@pytest.mark.parametrize("state", ["ready", "suspended", "processing", {"cooldown": {"until": "2030-01-02T03:04:05.678Z"}},
                                   {"error": {"kind": "rate_limited", "message": "slow down"}}])
def test_every_state_shape_round_trips(alice, state):
    agent = alice.create_agent()
    response = alice.patch(f"/agents/{agent['id']}", {"state": state})
    assert response.status_code == 200, response.text
    assert response.json()["state"] == state
    assert alice.get(f"/agents/{agent['id']}").json()["state"] == state


def test_cooldown_time_is_normalised_to_utc(alice):
    agent = alice.create_agent()
    response = alice.patch(f"/agents/{agent['id']}", {"state": {"cooldown": {"until": "2030-01-02T05:04:05+02:00"}}})
    assert response.json()["state"] == {"cooldown": {"until": "2030-01-02T03:04:05.000Z"}}


# ----- validation ------------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"agent_type": "generic"}, "name"),
    ({"name": "", "agent_type": "generic"}, "name"),
    ({"name": "   ", "agent_type": "generic"}, "name"),
    ({"name": "x" * 129, "agent_type": "generic"}, "name"),
    ({"name": 5, "agent_type": "generic"}, "name"),
    ({"name": None, "agent_type": "generic"}, "name"),
    ({"name": "a"}, "agent_type"),
    ({"name": "a", "agent_type": ""}, "agent_type"),
    ({"name": "a", "agent_type": ["generic"]}, "agent_type"),
    ({"name": "a", "agent_type": "generic", "tools": "search"}, "tools"),
    ({"name": "a", "agent_type": "generic", "tools": ["ok", 3]}, "tools[1]"),
    ({"name": "a", "agent_type": "generic", "tools": [f"tool{index}" for index in range(257)]}, "tools"),
    ({"name": "a", "agent_type": "generic", "metadata": [1]}, "metadata"),
    ({"name": "a", "agent_type": "generic", "description": 7}, "description"),
    ({"name": "a", "agent_type": "generic", "model_id": True}, "model_id"),
])
def test_create_validation_names_the_field(alice, body, field):
    response = alice.post("/agents", body)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field


def test_checks_beyond_the_schema_run_on_create_and_update(alice):
    """Known types are stored in lower case and metadata is capped at 64 KiB of JSON, through the
    typed route as through the service (a decoding path that skipped them once)."""
    agent = alice.create_agent(agent_type="PATTERN")
    assert agent["agent_type"] == "pattern"
    big = {"blob": "x" * 70_000}
    refused = alice.post("/agents", {"name": "big", "agent_type": "generic", "metadata": big})
    assert_error(refused, 400, "validation_error")
    assert field_of(refused) == "metadata"
    assert field_of(alice.patch(f"/agents/{agent['id']}", {"metadata": big})) == "metadata"


def test_name_of_exactly_128_characters_is_fine(alice):
    assert alice.create_agent(name="é" * 128)["name"] == "é" * 128


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"state": "sleeping"}, "state"),
    ({"state": None}, "state"),
    ({"state": {"cooldown": {"until": "tomorrow"}}}, "state.cooldown.until"),
    ({"state": {"cooldown": {}}}, "state.cooldown.until"),
    ({"state": {"error": {"kind": "x"}}}, "state.error.message"),
    ({"tools": None}, "tools"),
])
def test_update_validation_names_the_field(alice, body, field):
    agent = alice.create_agent()
    response = alice.patch(f"/agents/{agent['id']}", body)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field
    assert alice.get(f"/agents/{agent['id']}").json() == agent  # nothing half-written


def test_malformed_json_and_wrong_media_type(alice):
    bad = requests.post(alice.server.url("/api/v1/agents"), data=b'{"name": ', timeout=10,
                        headers={"Authorization": f"Bearer {alice.token}", "Content-Type": "application/json"})
    assert_error(bad, 400, "json_error")
    text = requests.post(alice.server.url("/api/v1/agents"), data=b'{"name": "a", "agent_type": "generic"}', timeout=10,
                         headers={"Authorization": f"Bearer {alice.token}", "Content-Type": "text/plain"})
    assert_error(text, 415, "unsupported_media_type")
    not_object = alice.post("/agents", ["a"])
    assert_error(not_object, 400, "validation_error")


def test_names_are_unique_per_owner(alice, bob):
    first = alice.create_agent(name="twin")
    assert_error(alice.post("/agents", {"name": "twin", "agent_type": "flux"}), 409, "conflict")
    assert bob.create_agent(name="twin")["name"] == "twin"  # another owner may use it
    other = alice.create_agent(name="other")
    assert_error(alice.patch(f"/agents/{other['id']}", {"name": "twin"}), 409, "conflict")
    assert alice.get(f"/agents/{other['id']}").json()["name"] == "other"
    assert alice.patch(f"/agents/{first['id']}", {"name": "twin"}).status_code == 200  # its own name


# ----- lists -----------------------------------------------------------------------------

def test_pagination_of_25_agents(world):
    user = world.user()
    for index in range(25):
        user.create_agent(name=f"agent-{index:02}")
    page = user.get("/agents", params={"page": 2, "limit": 10})
    assert page.status_code == 200, page.text
    body = page.json()
    assert set(body) == {"items", "page", "limit", "total", "total_pages"}
    assert (len(body["items"]), body["page"], body["limit"], body["total"], body["total_pages"]) == (10, 2, 10, 25, 3)
    assert [agent["name"] for agent in body["items"]] == [f"agent-{index:02}" for index in range(10, 20)]
    assert len(user.get("/agents", params={"page": 3, "limit": 10}).json()["items"]) == 5
    past_the_end = user.get("/agents", params={"page": 4, "limit": 10}).json()
    assert (past_the_end["items"], past_the_end["total"], past_the_end["total_pages"]) == ([], 25, 3)
    default = user.get("/agents").json()
    assert (len(default["items"]), default["page"], default["limit"], default["total_pages"]) == (20, 1, 20, 2)
    everything = user.get("/agents", params={"limit": 100}).json()["items"]
    assert len({agent["id"] for agent in everything}) == 25


def test_sorting(world):
    user = world.user()
    names = ["delta", "alpha", "charlie", "bravo"]
    agents = [user.create_agent(name=name) for name in names]

    def listed(**params):
        response = user.get("/agents", params=params)
        assert response.status_code == 200, response.text
        return [agent["name"] for agent in response.json()["items"]]

    assert listed() == names  # created_at ascending by default
    assert listed(sort_by="created_at", sort_desc="true") == names[::-1]
    assert listed(sort_by="name") == sorted(names)
    assert listed(sort_by="name", sort_desc="true") == sorted(names, reverse=True)
    user.patch(f"/agents/{agents[1]['id']}", {"description": "touched"})
    assert listed(sort_by="updated_at", sort_desc="true")[0] == "alpha"
    for field in ("last_active_at", "message_count"):
        assert sorted(listed(sort_by=field)) == sorted(names)


@pytest.mark.parametrize("params, field", [
    ({"sort_by": "color"}, "sort_by"), ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "x"}, "limit"),
    ({"page": 0}, "page"), ({"page": "two"}, "page"), ({"sort_desc": "maybe"}, "sort_desc"),
    ({"is_active": "yes please"}, "is_active"),
])
def test_list_parameter_validation(alice, params, field):
    response = alice.get("/agents", params=params)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field


def test_is_active_filter(world):
    user = world.user()
    agents = [user.create_agent() for _ in range(4)]
    for agent in agents[:2]:
        assert user.patch(f"/agents/{agent['id']}", {"state": "suspended"}).status_code == 200
    inactive = user.get("/agents", params={"is_active": "false"}).json()
    active = user.get("/agents", params={"is_active": "true"}).json()
    assert {a["id"] for a in inactive["items"]} == {a["id"] for a in agents[:2]} and inactive["total"] == 2
    assert {a["id"] for a in active["items"]} == {a["id"] for a in agents[2:]} and active["total"] == 2


# ----- isolation and access --------------------------------------------------------------

def test_another_users_agent_is_invisible_on_every_route(alice, bob):
    agent = alice.create_agent(name="secret")
    alice.post(f"/agents/{agent['id']}/memory", {"memory_key": "k", "operation": {"type": "append", "content": "x"}})
    path = f"/agents/{agent['id']}"
    for response in (
        bob.get(path), bob.patch(path, {"name": "mine"}), bob.delete(path),
        bob.get(f"{path}/memory"), bob.get(f"{path}/memory", params={"memory_type": "archival"}),
        bob.post(f"{path}/memory", {"memory_key": "k", "operation": {"type": "append", "content": "y"}}),
        bob.get(f"{path}/memory/archival"), bob.get(f"{path}/memory/archival", params={"query": "x"}),
        bob.post(f"{path}/memory/archival", {"content": "mine"}),
    ):
        assert_error(response, 404, "not_found")
    missing = bob.get("/agents/agent_01aaaaaaaaaaaaaaaaaaaaaaaa")
    assert missing.json()["error"]["message"] == bob.get(path).json()["error"]["message"]  # no oracle
    assert agent["id"] not in {a["id"] for a in bob.get("/agents", params={"limit": 100}).json()["items"]}
    assert alice.get(path).json() == agent
    assert alice.get(f"{path}/memory").json()[0]["content"] == "x"


def test_malformed_ids_are_not_found(alice):
    for path in ("/agents/nope", "/agents/group_01aaaaaaaaaaaaaaaaaaaaaaaa", "/agents/agent_%27%3B--"):
        assert_error(alice.get(path), 404, "not_found")


def test_admin_may_list_another_users_agents(world, alice, bob):
    agent = alice.create_agent()
    listed = world.admin.get("/agents", params={"owner_id": alice.user_id, "limit": 100})
    assert listed.status_code == 200, listed.text
    assert [a["id"] for a in listed.json()["items"]] == [agent["id"]]
    assert_error(bob.get("/agents", params={"owner_id": alice.user_id}), 403, "forbidden")
    assert bob.get("/agents", params={"owner_id": bob.user_id}).status_code == 200
    assert_error(world.admin.get(f"/agents/{agent['id']}"), 404, "not_found")  # lists only, never another's agent


def test_unauthenticated_requests_are_401(world):
    for method, path in (("GET", "/agents"), ("POST", "/agents"), ("GET", "/agents/agent_01aaaaaaaaaaaaaaaaaaaaaaaa"),
                         ("GET", "/agents/agent_01aaaaaaaaaaaaaaaaaaaaaaaa/memory")):
        response = requests.request(method, world.server.url(f"/api/v1{path}"), timeout=10)
        assert_error(response, 401, "unauthorized")
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_api_key_permissions_are_enforced(alice):
    agent = alice.create_agent()
    path = f"/agents/{agent['id']}"
    append = {"memory_key": "k", "operation": {"type": "append", "content": "x"}}
    reader = alice.api_key(["read_agents"])
    assert reader.get("/agents").status_code == 200 and reader.get(path).status_code == 200
    refused = reader.post("/agents", {"name": unique("a"), "agent_type": "generic"})
    assert_error(refused, 403, "forbidden")
    assert "write_agents" in refused.json()["error"]["message"]
    for response in (reader.patch(path, {"name": "x"}), reader.delete(path)):
        assert_error(response, 403, "forbidden")
    assert_error(reader.get(f"{path}/memory"), 403, "forbidden")

    writer = alice.api_key(["write_agents"])
    assert writer.post("/agents", {"name": unique("a"), "agent_type": "generic"}).status_code == 201
    assert_error(writer.get("/agents"), 403, "forbidden")

    memory_reader = alice.api_key(["read_memory"])
    assert memory_reader.get(f"{path}/memory").status_code == 200
    assert memory_reader.get(f"{path}/memory/archival").status_code == 200
    assert_error(memory_reader.post(f"{path}/memory", append), 403, "forbidden")
    memory_writer = alice.api_key(["update_memory"])
    assert memory_writer.post(f"{path}/memory", append).status_code == 200
    assert_error(memory_writer.get(f"{path}/memory"), 403, "forbidden")


# ----- the OpenAPI document --------------------------------------------------------------

AGENT_ROUTES = {
    ("/api/v1/agents", "post"), ("/api/v1/agents", "get"), ("/api/v1/agents/{id}", "get"),
    ("/api/v1/agents/{id}", "patch"), ("/api/v1/agents/{id}", "delete"), ("/api/v1/agents/{id}/memory", "get"),
    ("/api/v1/agents/{id}/memory", "post"), ("/api/v1/agents/{id}/memory/archival", "get"),
    ("/api/v1/agents/{id}/memory/archival", "post"),
}
GROUP_ROUTES = {
    ("/api/v1/groups", "post"), ("/api/v1/groups", "get"), ("/api/v1/groups/{id}", "get"),
    ("/api/v1/groups/{id}", "patch"), ("/api/v1/groups/{id}", "delete"), ("/api/v1/groups/{id}/members", "post"),
    ("/api/v1/groups/{id}/members/{agent_id}", "delete"),
}


def test_openapi_lists_every_route_with_schemas(world):
    from openapi_spec_validator import validate
    document = requests.get(world.server.url("/api/v1/openapi.json"), timeout=10).json()
    validate(document)
    for path, method in AGENT_ROUTES | GROUP_ROUTES:
        operation = document["paths"][path][method]
        assert operation["summary"], (path, method)
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success, (path, method)
        if not success[0] == "204":
            assert operation["responses"][success[0]]["content"]["application/json"]["schema"], (path, method)
        if method in ("post", "patch") and not path.endswith("/members/{agent_id}"):
            assert operation["requestBody"]["content"]["application/json"]["schema"], (path, method)
    listed = document["paths"]["/api/v1/agents"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(listed["required"]) == {"items", "page", "limit", "total", "total_pages"}


# ----- deployments -----------------------------------------------------------------------

def test_agents_without_groups_serves_agents_and_404s_groups(start_server):
    world = start_world(start_server, plugins=(AUTH, AGENTS))
    user = world.user()
    agent = user.create_agent()
    assert user.get(f"/agents/{agent['id']}").status_code == 200
    assert user.delete(f"/agents/{agent['id']}").status_code == 204  # agent.deleted with no subscriber
    assert_error(user.get("/groups"), 404, "not_found")
    assert_error(user.post("/groups", {"name": "g"}), 404, "not_found")


def test_groups_without_agents_is_refused_at_start(run_cli):
    result = run_cli("serve", plugins=[AUTH, GROUPS], serve=True)
    assert result.returncode != 0
    line = result.line_with("groups", "agents")
    assert line is not None, result.stderr
    assert len([text for text in result.stderr.splitlines() if "error" in text.lower()]) == 1, result.stderr


def test_agents_without_auth_is_refused_at_start(run_cli):
    result = run_cli("serve", plugins=[AGENTS], serve=True)
    assert result.returncode != 0
    assert result.line_with("agents", "auth") is not None, result.stderr


def test_bad_agents_config_refuses_the_start(run_cli, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[agents]\nmax_memory_block_bytes = 0\n")
    result = run_cli("serve", "--config", str(config), plugins=[AUTH, AGENTS], serve=True)
    assert result.returncode != 0
    assert result.line_with("max_memory_block_bytes") is not None, result.stderr
