"""The groups plugin against the real binary: CRUD, every coordination pattern and its
validation, members with roles, agents.v1 ownership checks (another user's agent is refused),
agent.deleted clean-up, isolation, permissions, paging and events."""
import sqlite3
from contextlib import contextmanager

import pytest

from agents_support import Client, EventSocket, World, field_of, start_world
from conftest import assert_error

GROUP_FIELDS = {"id", "name", "description", "coordination_pattern", "owner_id", "member_count", "is_active",
                "created_at", "updated_at", "last_active_at"}
MEMBER_FIELDS = {"agent_id", "agent_name", "role", "capabilities", "joined_at", "is_active", "metadata"}


@pytest.fixture(scope="module")
def world(start_server_module) -> World:
    return start_world(start_server_module)


@pytest.fixture
def alice(world) -> Client:
    return world.user()


@pytest.fixture
def bob(world) -> Client:
    return world.user()


@pytest.fixture
def team(alice):
    """Three of alice's agents."""
    return [alice.create_agent(name=name) for name in ("lead", "worker", "critic")]


def members_of(agents, role="regular"):
    return [{"agent_id": agent["id"], "role": role} for agent in agents]


# ----- every coordination pattern --------------------------------------------------------

def patterns(team):
    lead, worker, critic = (agent["id"] for agent in team)
    return {
        "supervisor": ({"type": "supervisor", "leader_id": lead,
                        "delegation_rules": {"delegation_strategy": "least_busy", "fallback_behavior": "queue",
                                             "max_delegations_per_agent": 3}},
                       {"type": "supervisor", "leader_id": lead,
                        "delegation_rules": {"delegation_strategy": "least_busy", "fallback_behavior": "queue",
                                             "max_delegations_per_agent": 3}}),
        "round_robin": ({"type": "round_robin", "current_index": 1, "skip_unavailable": False},
                        {"type": "round_robin", "current_index": 1, "skip_unavailable": False}),
        "round_robin_defaults": ({"type": "round_robin"},
                                 {"type": "round_robin", "current_index": 0, "skip_unavailable": True}),
        "voting": ({"type": "voting", "quorum": 3,
                    "voting_rules": {"voting_timeout": 30000, "tie_breaker": "first_vote", "weight_by_expertise": True}},
                   {"type": "voting", "quorum": 3,
                    "voting_rules": {"voting_timeout": 30000, "tie_breaker": "first_vote", "weight_by_expertise": True}}),
        "voting_specific_tie_breaker": (
            {"type": "voting", "quorum": 1,
             "voting_rules": {"voting_timeout": 5, "tie_breaker": {"specific_agent": {"agent_id": critic}}}},
            {"type": "voting", "quorum": 1,
             "voting_rules": {"voting_timeout": 5, "tie_breaker": {"specific_agent": {"agent_id": critic}},
                              "weight_by_expertise": False}}),
        "pipeline": ({"type": "pipeline", "parallel_stages": True, "stages": [
                         {"name": "draft", "agent_ids": [worker], "timeout": 60000, "on_failure": "abort"},
                         {"name": "review", "agent_ids": [critic, lead], "timeout": 1000,
                          "on_failure": {"retry": {"max_attempts": 2}}},
                         {"name": "ship", "agent_ids": [lead], "timeout": 1,
                          "on_failure": {"fallback": {"agent_id": worker}}}]},
                     {"type": "pipeline", "parallel_stages": True, "stages": [
                         {"name": "draft", "agent_ids": [worker], "timeout": 60000, "on_failure": "abort"},
                         {"name": "review", "agent_ids": [critic, lead], "timeout": 1000,
                          "on_failure": {"retry": {"max_attempts": 2}}},
                         {"name": "ship", "agent_ids": [lead], "timeout": 1,
                          "on_failure": {"fallback": {"agent_id": worker}}}]}),
        "dynamic": ({"type": "dynamic", "selector_name": "capability", "selector_config": {"prefer": ["code"]}},
                    {"type": "dynamic", "selector_name": "capability", "selector_config": {"prefer": ["code"]}}),
        "sleeptime": ({"type": "sleeptime", "check_interval": 600000, "intervention_agent_id": critic,
                       "triggers": [{"name": "idle", "condition": {"type": "time_elapsed"}, "priority": "high"}]},
                      {"type": "sleeptime", "check_interval": 600000, "intervention_agent_id": critic,
                       "triggers": [{"name": "idle", "condition": {"type": "time_elapsed"}, "priority": "high"}]}),
        "sleeptime_minimal": ({"type": "sleeptime", "check_interval": 1},
                              {"type": "sleeptime", "check_interval": 1, "triggers": [],
                               "intervention_agent_id": None}),
    }


PATTERN_NAMES = ["supervisor", "round_robin", "round_robin_defaults", "voting", "voting_specific_tie_breaker",
                 "pipeline", "dynamic", "sleeptime", "sleeptime_minimal"]


@pytest.mark.parametrize("kind", PATTERN_NAMES)
def test_each_coordination_pattern(alice, team, kind):
    given, normalised = patterns(team)[kind]
    group = alice.create_group(given, members=members_of(team))
    assert set(group) == GROUP_FIELDS | {"members"}
    assert group["coordination_pattern"] == normalised
    assert group["member_count"] == 3 and group["owner_id"] == alice.user_id and group["is_active"] is True
    assert group["id"].startswith("group_") and group["last_active_at"] is None
    fetched = alice.get(f"/groups/{group['id']}").json()
    assert fetched["coordination_pattern"] == normalised


def bad_patterns(team, foreign):
    lead, worker, _ = (agent["id"] for agent in team)
    rules = {"delegation_strategy": "random", "fallback_behavior": "fail"}
    voting_rules = {"voting_timeout": 1000, "tie_breaker": "random"}
    stage = {"name": "s", "agent_ids": [worker], "timeout": 10}
    return [
        ({"type": "hierarchy"}, "coordination_pattern.type"),
        ({}, "coordination_pattern.type"),
        ({"type": "supervisor", "leader_id": foreign, "delegation_rules": rules}, "coordination_pattern.leader_id"),
        ({"type": "supervisor", "leader_id": "agent_01aaaaaaaaaaaaaaaaaaaaaaaa", "delegation_rules": rules},
         "coordination_pattern.leader_id"),
        ({"type": "supervisor", "leader_id": lead}, "coordination_pattern.delegation_rules"),
        ({"type": "supervisor", "leader_id": lead, "delegation_rules": {**rules, "delegation_strategy": "fastest"}},
         "coordination_pattern.delegation_rules.delegation_strategy"),
        ({"type": "supervisor", "leader_id": lead, "delegation_rules": {**rules, "max_delegations_per_agent": 0}},
         "coordination_pattern.delegation_rules.max_delegations_per_agent"),
        ({"type": "round_robin", "current_index": -1}, "coordination_pattern.current_index"),
        ({"type": "round_robin", "skip_unavailable": "yes"}, "coordination_pattern.skip_unavailable"),
        ({"type": "voting", "quorum": 0, "voting_rules": voting_rules}, "coordination_pattern.quorum"),
        ({"type": "voting", "quorum": 3, "voting_rules": voting_rules}, "coordination_pattern.quorum"),  # 2 members
        ({"type": "voting", "quorum": 1.5, "voting_rules": voting_rules}, "coordination_pattern.quorum"),
        ({"type": "voting", "quorum": 1, "voting_rules": {**voting_rules, "voting_timeout": 0}},
         "coordination_pattern.voting_rules.voting_timeout"),
        ({"type": "voting", "quorum": 1, "voting_rules": {**voting_rules, "tie_breaker": "coin"}},
         "coordination_pattern.voting_rules.tie_breaker"),
        ({"type": "voting", "quorum": 1,
          "voting_rules": {**voting_rules, "tie_breaker": {"specific_agent": {"agent_id": foreign}}}},
         "coordination_pattern.voting_rules.tie_breaker.specific_agent.agent_id"),
        ({"type": "pipeline", "stages": []}, "coordination_pattern.stages"),
        ({"type": "pipeline", "stages": [{**stage, "timeout": -5}]}, "coordination_pattern.stages[0].timeout"),
        ({"type": "pipeline", "stages": [stage, {**stage, "agent_ids": [worker, foreign]}]},
         "coordination_pattern.stages[1].agent_ids[1]"),
        ({"type": "pipeline", "stages": [{**stage, "agent_ids": []}]}, "coordination_pattern.stages[0].agent_ids"),
        ({"type": "pipeline", "stages": [{**stage, "name": ""}]}, "coordination_pattern.stages[0].name"),
        ({"type": "pipeline", "stages": [{**stage, "on_failure": {"fallback": {"agent_id": foreign}}}]},
         "coordination_pattern.stages[0].on_failure.fallback.agent_id"),
        ({"type": "pipeline", "stages": [{**stage, "on_failure": {"retry": {"max_attempts": 0}}}]},
         "coordination_pattern.stages[0].on_failure.retry.max_attempts"),
        ({"type": "pipeline", "stages": [{**stage, "on_failure": "explode"}]}, "coordination_pattern.stages[0].on_failure"),
        ({"type": "dynamic", "selector_name": ""}, "coordination_pattern.selector_name"),
        ({"type": "dynamic", "selector_name": "x", "selector_config": [1]}, "coordination_pattern.selector_config"),
        ({"type": "sleeptime", "check_interval": 0}, "coordination_pattern.check_interval"),
        ({"type": "sleeptime"}, "coordination_pattern.check_interval"),
        ({"type": "sleeptime", "check_interval": 10, "intervention_agent_id": foreign},
         "coordination_pattern.intervention_agent_id"),
        ({"type": "sleeptime", "check_interval": 10, "triggers": ["x"]}, "coordination_pattern.triggers[0]"),
        # null where the schema takes only a value (absent means the default; null is no value).
        ({"type": "sleeptime", "check_interval": 10, "triggers": None}, "coordination_pattern.triggers"),
        ({"type": "round_robin", "current_index": None}, "coordination_pattern.current_index"),
        ({"type": "round_robin", "skip_unavailable": None}, "coordination_pattern.skip_unavailable"),
        ({"type": "voting", "quorum": 1, "voting_rules": {**voting_rules, "weight_by_expertise": None}},
         "coordination_pattern.voting_rules.weight_by_expertise"),
        ({"type": "pipeline", "stages": [stage], "parallel_stages": None}, "coordination_pattern.parallel_stages"),
        ({"type": "pipeline", "stages": [{**stage, "on_failure": None}]}, "coordination_pattern.stages[0].on_failure"),
        ({"type": "dynamic", "selector_name": "x", "selector_config": None}, "coordination_pattern.selector_config"),
        # The bounds: 64 stages, 64 triggers, a week's timeout.
        ({"type": "pipeline", "stages": [{**stage, "name": f"s{index}"} for index in range(65)]},
         "coordination_pattern.stages"),
        ({"type": "sleeptime", "check_interval": 10, "triggers": [{"name": f"t{index}"} for index in range(65)]},
         "coordination_pattern.triggers"),
        ({"type": "pipeline", "stages": [{**stage, "timeout": 7 * 24 * 3600 * 1000 + 1}]},
         "coordination_pattern.stages[0].timeout"),
    ]


def test_invalid_coordination_patterns_name_the_field(alice, bob, team):
    foreign = bob.create_agent()["id"]
    for pattern, field in bad_patterns(team, foreign):
        response = alice.post("/groups", {"name": "g", "description": "d", "coordination_pattern": pattern,
                                          "members": members_of(team[:2])})
        assert_error(response, 400, "validation_error")
        assert field_of(response) == field, pattern
    assert alice.get("/groups").json()["total"] == 0  # nothing half-written


@pytest.mark.parametrize("body, field", [
    ({"description": "d", "coordination_pattern": {"type": "round_robin"}}, "name"),
    ({"name": "", "description": "d", "coordination_pattern": {"type": "round_robin"}}, "name"),
    ({"name": "x" * 129, "description": "d", "coordination_pattern": {"type": "round_robin"}}, "name"),
    ({"name": "g", "coordination_pattern": {"type": "round_robin"}}, "description"),
    ({"name": "g", "description": "d"}, "coordination_pattern"),
    ({"name": "g", "description": "d", "coordination_pattern": "round_robin"}, "coordination_pattern"),
    ({"name": "g", "description": "d", "coordination_pattern": {"type": "round_robin"}, "members": {}}, "members"),
    ({"name": "g", "description": "d", "coordination_pattern": {"type": "round_robin"},
      "members": [{"role": "regular"}]}, "members[0].agent_id"),
])
def test_group_body_validation(alice, body, field):
    response = alice.post("/groups", body)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field


# ----- bounds: every agent a group names costs an ownership read -------------------------

def pipeline_naming(*stages):
    return {"type": "pipeline", "stages": [{"name": f"s{index}", "agent_ids": list(agent_ids), "timeout": 10}
                                           for index, agent_ids in enumerate(stages)]}


@contextmanager
def write_lock_held(server):
    """Holds the database's write lock from outside, as another user's long write would."""
    connection = sqlite3.connect(server.workdir / "data" / "pattern.db", isolation_level=None, timeout=10)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        connection.close()  # rolls back


def test_a_pattern_names_at_most_256_agent_ids_counted_as_sent(alice, team):
    lead, worker = team[0]["id"], team[1]["id"]
    over = [
        (pipeline_naming([lead] * 257), "coordination_pattern.stages[0].agent_ids"),
        (pipeline_naming([lead] * 200, [worker] * 57), "coordination_pattern.stages[1].agent_ids"),
        ({"type": "pipeline", "stages": [{"name": "s", "agent_ids": [lead] * 256, "timeout": 10,
                                          "on_failure": {"fallback": {"agent_id": worker}}}]},
         "coordination_pattern.stages[0].on_failure.fallback.agent_id"),
    ]
    for pattern, field in over:
        response = alice.post("/groups", {"name": "g", "description": "d", "coordination_pattern": pattern})
        assert_error(response, 400, "validation_error")
        assert field_of(response) == field
    # 256 repeats of one id are within the limit and are checked (once) as usual.
    group = alice.create_group(pipeline_naming([lead] * 256))
    assert group["coordination_pattern"]["stages"][0]["agent_ids"] == [lead] * 256
    too_many = alice.patch(f"/groups/{group['id']}", {"coordination_pattern": pipeline_naming([lead] * 128,
                                                                                              [worker] * 129)})
    assert_error(too_many, 400, "validation_error")
    assert field_of(too_many) == "coordination_pattern.stages[1].agent_ids"
    assert alice.get("/groups").json()["total"] == 1


def test_agent_ids_are_checked_before_the_write_transaction(world, alice, bob, team):
    """With the write lock held elsewhere, a pattern naming another user's agent after 255
    repeats of one of the caller's is refused at once: its reads never wait for the writer."""
    foreign = bob.create_agent()["id"]
    pattern = pipeline_naming([team[0]["id"]] * 255 + [foreign])
    with write_lock_held(world.server):
        response = alice.post("/groups", {"name": "g", "description": "d", "coordination_pattern": pattern})
        assert_error(response, 400, "validation_error")
        assert field_of(response) == "coordination_pattern.stages[0].agent_ids[255]"
        members = alice.post("/groups", {"name": "g", "description": "d", "coordination_pattern": {"type": "round_robin"},
                                         "members": members_of(team) + [{"agent_id": foreign, "role": "regular"}]})
        assert_error(members, 400, "validation_error")
        assert field_of(members) == "members[3].agent_id"
    assert alice.get("/groups").json()["total"] == 0


def test_a_group_has_at_most_256_members(world):
    user = world.user()
    agents = [user.create_agent()["id"] for _ in range(257)]
    everyone = [{"agent_id": agent, "role": "regular"} for agent in agents]
    too_many = user.post("/groups", {"name": "g", "description": "d", "coordination_pattern": {"type": "round_robin"},
                                     "members": everyone})
    assert_error(too_many, 400, "validation_error")
    assert field_of(too_many) == "members"
    repeated = user.post("/groups", {"name": "g", "description": "d", "coordination_pattern": {"type": "round_robin"},
                                     "members": [everyone[0]] * 256})
    assert_error(repeated, 400, "validation_error")
    assert field_of(repeated) == "members[1].agent_id"
    group = user.create_group({"type": "round_robin"}, members=everyone[:256])
    assert group["member_count"] == 256 and len(user.get(f"/groups/{group['id']}").json()["members"]) == 256
    full = user.post(f"/groups/{group['id']}/members", everyone[256])
    assert_error(full, 409, "conflict")
    assert "256" in full.json()["error"]["message"]
    assert user.get(f"/groups/{group['id']}").json()["member_count"] == 256


# ----- CRUD and members ------------------------------------------------------------------

def test_group_crud_round_trip(alice, team):
    created = alice.create_group({"type": "round_robin"}, members=[
        {"agent_id": team[0]["id"], "role": "supervisor", "capabilities": ["plan"], "metadata": {"seat": 1}},
        {"agent_id": team[1]["id"], "role": {"specialist": {"domain": "code"}}},
    ], name="crew")
    assert created["name"] == "crew" and created["description"] == "a group"
    fetched = alice.get(f"/groups/{created['id']}").json()
    assert set(fetched) == GROUP_FIELDS | {"members"} and fetched["member_count"] == 2
    members = {member["agent_id"]: member for member in fetched["members"]}
    assert all(set(member) == MEMBER_FIELDS for member in members.values())
    lead = members[team[0]["id"]]
    assert (lead["agent_name"], lead["role"], lead["capabilities"], lead["metadata"], lead["is_active"]) == \
           ("lead", "supervisor", ["plan"], {"seat": 1}, True)
    assert members[team[1]["id"]]["role"] == {"specialist": {"domain": "code"}}

    listed = alice.get("/groups").json()
    assert [(g["id"], g["member_count"]) for g in listed["items"]] == [(created["id"], 2)]
    assert "members" not in listed["items"][0]

    patched = alice.patch(f"/groups/{created['id']}", {"name": "crew 2", "description": "new", "is_active": False})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["description"], patched.json()["is_active"]) == ("crew 2", "new", False)
    assert alice.get("/groups", params={"is_active": "false"}).json()["total"] == 1
    assert alice.get("/groups", params={"is_active": "true"}).json()["total"] == 0

    assert alice.delete(f"/groups/{created['id']}").status_code == 204
    assert_error(alice.get(f"/groups/{created['id']}"), 404, "not_found")
    assert_error(alice.delete(f"/groups/{created['id']}"), 404, "not_found")


def test_group_names_are_unique_per_owner(alice, bob):
    alice.create_group({"type": "round_robin"}, name="same")
    again = alice.post("/groups", {"name": "same", "description": "d", "coordination_pattern": {"type": "round_robin"}})
    assert_error(again, 409, "conflict")
    bob.create_group({"type": "round_robin"}, name="same")


def test_patch_revalidates_the_pattern_against_the_members(alice, team):
    group = alice.create_group({"type": "round_robin"}, members=members_of(team[:2]))
    too_many = alice.patch(f"/groups/{group['id']}", {"coordination_pattern": {
        "type": "voting", "quorum": 3, "voting_rules": {"voting_timeout": 10, "tie_breaker": "random"}}})
    assert_error(too_many, 400, "validation_error")
    assert field_of(too_many) == "coordination_pattern.quorum"
    fine = alice.patch(f"/groups/{group['id']}", {"coordination_pattern": {
        "type": "voting", "quorum": 2, "voting_rules": {"voting_timeout": 10, "tie_breaker": "random"}}})
    assert fine.status_code == 200 and fine.json()["coordination_pattern"]["quorum"] == 2
    assert_error(alice.patch(f"/groups/{group['id']}", {"name": None}), 400, "validation_error")


def test_members_add_and_remove(alice, team):
    group = alice.create_group({"type": "round_robin"})
    assert group["members"] == [] and group["member_count"] == 0
    for agent, role in zip(team, ["regular", "observer", {"specialist": {"domain": "review"}}]):
        added = alice.post(f"/groups/{group['id']}/members", {"agent_id": agent["id"], "role": role,
                                                              "capabilities": ["c"], "metadata": {"k": "v"}})
        assert added.status_code == 201, added.text
        member = added.json()
        assert set(member) == MEMBER_FIELDS
        assert (member["agent_id"], member["agent_name"], member["role"]) == (agent["id"], agent["name"], role)
    duplicate = alice.post(f"/groups/{group['id']}/members", {"agent_id": team[0]["id"], "role": "regular"})
    assert_error(duplicate, 409, "conflict")
    assert alice.get(f"/groups/{group['id']}").json()["member_count"] == 3

    assert alice.delete(f"/groups/{group['id']}/members/{team[1]['id']}").status_code == 204
    assert_error(alice.delete(f"/groups/{group['id']}/members/{team[1]['id']}"), 404, "not_found")
    remaining = alice.get(f"/groups/{group['id']}").json()
    assert {m["agent_id"] for m in remaining["members"]} == {team[0]["id"], team[2]["id"]}
    assert remaining["member_count"] == 2


@pytest.mark.parametrize("body, field", [
    ({"role": "regular"}, "agent_id"),
    ({"agent_id": 7, "role": "regular"}, "agent_id"),
    ({"agent_id": "AGENT"}, "role"),
    ({"agent_id": "AGENT", "role": "boss"}, "role"),
    ({"agent_id": "AGENT", "role": {"specialist": {}}}, "role.specialist.domain"),
    ({"agent_id": "AGENT", "role": "regular", "capabilities": "all"}, "capabilities"),
    ({"agent_id": "AGENT", "role": "regular", "capabilities": [f"c{index}" for index in range(65)]}, "capabilities"),
    ({"agent_id": "AGENT", "role": "regular", "capabilities": ["c" * 129]}, "capabilities[0]"),
    ({"agent_id": "AGENT", "role": "regular", "metadata": 1}, "metadata"),
])
def test_member_validation(alice, team, body, field):
    group = alice.create_group({"type": "round_robin"})
    body = {key: (team[0]["id"] if value == "AGENT" else value) for key, value in body.items()}
    response = alice.post(f"/groups/{group['id']}/members", body)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field


def test_another_users_agent_is_refused_as_a_member(alice, bob, team):
    foreign = bob.create_agent()
    group = alice.create_group({"type": "round_robin"}, members=members_of(team[:1]))
    for agent_id in (foreign["id"], "agent_01aaaaaaaaaaaaaaaaaaaaaaaa", "not-an-id"):
        refused = alice.post(f"/groups/{group['id']}/members", {"agent_id": agent_id, "role": "regular"})
        assert_error(refused, 400, "validation_error")
        assert field_of(refused) == "agent_id"
    at_creation = alice.post("/groups", {"name": "g2", "description": "d", "coordination_pattern": {"type": "round_robin"},
                                         "members": members_of(team[:1]) + members_of([foreign])})
    assert_error(at_creation, 400, "validation_error")
    assert field_of(at_creation) == "members[1].agent_id"
    assert alice.get(f"/groups/{group['id']}").json()["member_count"] == 1


def test_deleting_an_agent_removes_it_from_its_groups(alice, team):
    first = alice.create_group({"type": "round_robin"}, members=members_of(team))
    second = alice.create_group({"type": "dynamic", "selector_name": "s"}, members=members_of(team[1:]))
    with EventSocket(alice) as events:
        for group in (first, second):
            assert events.subscribe("group", group["id"])["success"] is True
        assert alice.delete(f"/agents/{team[1]['id']}").status_code == 204
        removed = {events.next("group_member_removed")["group_id"], events.next("group_member_removed")["group_id"]}
        assert removed == {first["id"], second["id"]}
    for group, expected in ((first, {team[0]["id"], team[2]["id"]}), (second, {team[2]["id"]})):
        fetched = alice.get(f"/groups/{group['id']}").json()
        assert {m["agent_id"] for m in fetched["members"]} == expected
        assert fetched["member_count"] == len(expected)
    listed = {g["id"]: g["member_count"] for g in alice.get("/groups").json()["items"]}
    assert listed == {first["id"]: 2, second["id"]: 1}


def test_member_names_follow_agent_renames(alice, team):
    group = alice.create_group({"type": "round_robin"}, members=members_of(team[:1]))
    alice.patch(f"/agents/{team[0]['id']}", {"name": "renamed lead"})
    assert alice.get(f"/groups/{group['id']}").json()["members"][0]["agent_name"] == "renamed lead"


# ----- lists, isolation, permissions, events ---------------------------------------------

def test_group_pagination_and_sorting(world, team):
    user = world.user()
    agents = [user.create_agent() for _ in range(3)]
    for index in range(12):
        user.create_group({"type": "round_robin"}, members=members_of(agents[: index % 4]), name=f"g{index:02}")
    page = user.get("/groups", params={"page": 2, "limit": 5}).json()
    assert (len(page["items"]), page["total"], page["total_pages"]) == (5, 12, 3)
    assert [g["name"] for g in page["items"]] == [f"g{index:02}" for index in range(5, 10)]
    by_members = user.get("/groups", params={"sort_by": "member_count", "sort_desc": "true", "limit": 3}).json()
    assert [g["member_count"] for g in by_members["items"]] == [3, 3, 3]
    by_name = user.get("/groups", params={"sort_by": "name", "sort_desc": "true", "limit": 1}).json()
    assert by_name["items"][0]["name"] == "g11"
    assert_error(user.get("/groups", params={"sort_by": "message_count"}), 400, "validation_error")


def test_another_users_group_is_invisible(alice, bob, team):
    group = alice.create_group({"type": "round_robin"}, members=members_of(team[:1]))
    bobs_agent = bob.create_agent()
    path = f"/groups/{group['id']}"
    for response in (bob.get(path), bob.patch(path, {"name": "mine"}), bob.delete(path),
                     bob.post(f"{path}/members", {"agent_id": bobs_agent["id"], "role": "regular"}),
                     bob.delete(f"{path}/members/{team[0]['id']}")):
        assert_error(response, 404, "not_found")
    assert bob.get("/groups").json()["total"] == 0
    assert alice.get(path).json()["member_count"] == 1 and alice.get(path).json()["name"] == group["name"]
    with EventSocket(bob) as events:
        assert events.subscribe("group", group["id"])["success"] is False


def test_group_permissions(alice, team):
    group = alice.create_group({"type": "round_robin"})
    reader = alice.api_key(["read_groups"])
    assert reader.get("/groups").status_code == 200 and reader.get(f"/groups/{group['id']}").status_code == 200
    for response in (reader.post("/groups", {"name": "x", "description": "d", "coordination_pattern": {"type": "round_robin"}}),
                     reader.patch(f"/groups/{group['id']}", {"name": "y"}), reader.delete(f"/groups/{group['id']}"),
                     reader.post(f"/groups/{group['id']}/members", {"agent_id": team[0]["id"], "role": "regular"})):
        assert_error(response, 403, "forbidden")
        assert "write_groups" in response.json()["error"]["message"]
    writer = alice.api_key(["write_groups"])
    assert_error(writer.get("/groups"), 403, "forbidden")
    added = writer.post(f"/groups/{group['id']}/members", {"agent_id": team[0]["id"], "role": "regular"})
    assert added.status_code == 201, added.text


def test_member_events(alice, team):
    group = alice.create_group({"type": "round_robin"})
    with EventSocket(alice) as events:
        assert events.subscribe("group", group["id"])["success"] is True
        alice.post(f"/groups/{group['id']}/members", {"agent_id": team[0]["id"], "role": {"specialist": {"domain": "x"}}})
        added = events.next("group_member_added")
        assert (added["group_id"], added["agent_id"], added["role"]) == (group["id"], team[0]["id"],
                                                                          {"specialist": {"domain": "x"}})
        assert added["timestamp"].endswith("Z")
        alice.delete(f"/groups/{group['id']}/members/{team[0]['id']}")
        removed = events.next("group_member_removed")
        assert (removed["group_id"], removed["agent_id"]) == (group["id"], team[0]["id"])
