"""The groups plugin's "groups.v1" service (pattern_groups_service.h), called the way the chat
plugin will call it: through the groups_probe C fixture's test-only routes, as the caller.
Proves owner isolation, the round-robin turn persisted in the group's coordination_pattern
(visible in GET /groups/{id}), skip_unavailable passing over a suspended agent, concurrent
turns never given twice, last_active_at, and the sleeptime listing with its paging."""
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from agents_support import AGENTS, GROUPS, Client, World, start_world
from conftest import AUTH, assert_error

PROBE = "libgroups_probe.so"

# pattern_status values the probe reports in its error message.
INVALID, NOT_FOUND, STATE, CONFLICT = 1, 2, 5, 8


@pytest.fixture(scope="module")
def world(start_server_module) -> World:
    return start_world(start_server_module, plugins=(AUTH, AGENTS, GROUPS, PROBE))


@pytest.fixture
def alice(world) -> Client:
    return world.user()


@pytest.fixture
def bob(world) -> Client:
    return world.user()


def agents_of(client: Client, count: int) -> list[dict]:
    return [client.create_agent() for _ in range(count)]


def round_robin_group(client: Client, agents, current_index=0, skip_unavailable=True) -> dict:
    return client.create_group({"type": "round_robin", "current_index": current_index,
                                "skip_unavailable": skip_unavailable},
                               members=[{"agent_id": agent["id"], "role": "regular"} for agent in agents])


def advance(client: Client, group_id: str, **params):
    return client.post(f"/groups-probe/{group_id}/advance", params=params)


def picked(client: Client, group_id: str) -> str:
    response = advance(client, group_id)
    assert response.status_code == 200, response.text
    return response.json()["member"]["agent_id"]


def stored_index(client: Client, group_id: str) -> int:
    response = client.get(f"/groups/{group_id}")
    assert response.status_code == 200, response.text
    return response.json()["coordination_pattern"]["current_index"]


def assert_status(response, http_status: int, pattern_status: int):
    body = assert_error(response, http_status)
    assert body["error"]["message"] == f"groups.v1 status {pattern_status}", body


# ----- get_group ---------------------------------------------------------------------------

def test_get_group_gives_the_pattern_and_members_in_round_robin_order_with_their_agents_state(alice):
    lead, coder = alice.create_agent(name="lead"), alice.create_agent(name="coder")
    group = alice.create_group(
        {"type": "supervisor", "leader_id": lead["id"],
         "delegation_rules": {"delegation_strategy": "capability", "fallback_behavior": "fail"}},
        members=[{"agent_id": lead["id"], "role": "supervisor"},
                 {"agent_id": coder["id"], "role": {"specialist": {"domain": "rust"}}, "capabilities": ["code"],
                  "metadata": {"tier": 2}}])
    assert alice.patch(f"/agents/{coder['id']}", {"state": "suspended"}).status_code == 200

    response = alice.get(f"/groups-probe/{group['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == group["id"] and body["owner_id"] == alice.user_id and body["is_active"] is True
    assert body["coordination_pattern"] == group["coordination_pattern"]
    assert body["member_count"] == 2
    assert [member["agent_id"] for member in body["members"]] == [lead["id"], coder["id"]]
    first, second = body["members"]
    assert first == {**first, "agent_name": "lead", "role": "supervisor", "capabilities": [], "is_active": True,
                     "agent_is_active": True, "available": True}
    assert second == {**second, "agent_name": "coder", "role": {"specialist": {"domain": "rust"}},
                      "capabilities": ["code"], "metadata": {"tier": 2}, "is_active": True,
                      "agent_is_active": False, "available": False}


def test_another_users_group_is_not_found_exactly_like_a_missing_one(alice, bob):
    group = round_robin_group(alice, agents_of(alice, 2))
    for path, method in ((f"/groups-probe/{group['id']}", "GET"), (f"/groups-probe/{group['id']}/advance", "POST"),
                         (f"/groups-probe/{group['id']}/touch", "POST"), ("/groups-probe/group_missing", "GET"),
                         ("/groups-probe/group_missing/advance", "POST"), ("/groups-probe/group_missing/touch", "POST")):
        assert_status(bob.request(method, path), 404, NOT_FOUND)
    # bob's attempts changed nothing.
    assert stored_index(alice, group["id"]) == 0
    assert alice.get(f"/groups/{group['id']}").json()["last_active_at"] is None


def test_an_empty_owner_or_group_id_is_invalid(alice):
    group = round_robin_group(alice, agents_of(alice, 1))
    assert_status(alice.get(f"/groups-probe/{group['id']}", params={"owner": ""}), 400, INVALID)
    assert_status(advance(alice, group["id"], owner=""), 400, INVALID)
    assert_status(alice.post(f"/groups-probe/{group['id']}/touch", params={"owner": ""}), 400, INVALID)


# ----- advance_round_robin -----------------------------------------------------------------

def test_each_turn_goes_to_the_next_member_and_the_index_is_persisted(alice):
    agents = agents_of(alice, 3)
    group = round_robin_group(alice, agents, current_index=1)
    before = alice.get(f"/groups/{group['id']}").json()

    response = advance(alice, group["id"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["group_id"] == group["id"] and body["index"] == 1 and body["current_index"] == 2
    assert body["member"]["agent_id"] == agents[1]["id"] and body["member"]["available"] is True
    assert stored_index(alice, group["id"]) == 2

    assert [picked(alice, group["id"]) for _ in range(4)] == [agents[2]["id"], agents[0]["id"], agents[1]["id"],
                                                              agents[2]["id"]]
    after = alice.get(f"/groups/{group['id']}").json()
    assert after["coordination_pattern"] == {"type": "round_robin", "current_index": 0, "skip_unavailable": True}
    # The turn is routing state, not an edit by the owner.
    assert after["updated_at"] == before["updated_at"]


def test_skip_unavailable_passes_over_a_suspended_agent(alice):
    agents = agents_of(alice, 3)
    group = round_robin_group(alice, agents, current_index=1)
    assert alice.patch(f"/agents/{agents[1]['id']}", {"state": "suspended"}).status_code == 200

    body = advance(alice, group["id"]).json()
    assert (body["index"], body["current_index"], body["member"]["agent_id"]) == (2, 0, agents[2]["id"])
    assert [picked(alice, group["id"]) for _ in range(3)] == [agents[0]["id"], agents[2]["id"], agents[0]["id"]]

    # Back to ready: it takes its turns again.
    assert alice.patch(f"/agents/{agents[1]['id']}", {"state": "ready"}).status_code == 200
    assert picked(alice, group["id"]) == agents[1]["id"]


def test_without_skip_unavailable_the_suspended_member_at_the_index_is_picked_and_flagged(alice):
    agents = agents_of(alice, 2)
    group = round_robin_group(alice, agents, skip_unavailable=False)
    assert alice.patch(f"/agents/{agents[0]['id']}", {"state": "suspended"}).status_code == 200
    body = advance(alice, group["id"]).json()
    assert body["member"]["agent_id"] == agents[0]["id"]
    assert (body["member"]["agent_is_active"], body["member"]["available"]) == (False, False)
    assert stored_index(alice, group["id"]) == 1


def test_no_member_to_pick_is_a_conflict_and_writes_nothing(alice):
    empty = round_robin_group(alice, [], current_index=3)
    assert_status(advance(alice, empty["id"]), 409, CONFLICT)
    assert stored_index(alice, empty["id"]) == 3

    agents = agents_of(alice, 2)
    suspended = round_robin_group(alice, agents, current_index=1)
    for agent in agents:
        assert alice.patch(f"/agents/{agent['id']}", {"state": "suspended"}).status_code == 200
    assert_status(advance(alice, suspended["id"]), 409, CONFLICT)
    assert stored_index(alice, suspended["id"]) == 1


def test_a_group_of_another_pattern_has_no_turn(alice):
    group = alice.create_group({"type": "dynamic", "selector_name": "random", "selector_config": {}},
                               members=[{"agent_id": alice.create_agent()["id"], "role": "regular"}])
    assert_status(advance(alice, group["id"]), 409, STATE)
    assert alice.get(f"/groups/{group['id']}").json()["coordination_pattern"] == group["coordination_pattern"]


def test_concurrent_turns_are_never_given_twice(alice):
    agents = agents_of(alice, 4)
    group = round_robin_group(alice, agents)
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: advance(alice, group["id"]), range(20)))
    assert all(response.status_code == 200 for response in responses), [r.text for r in responses]
    assert Counter(response.json()["member"]["agent_id"] for response in responses) == \
        {agent["id"]: 5 for agent in agents}
    # Every turn index was handed out exactly five times: each call saw the previous one's write.
    assert Counter(response.json()["index"] for response in responses) == {0: 5, 1: 5, 2: 5, 3: 5}
    assert stored_index(alice, group["id"]) == 0


def test_a_members_agent_deleted_leaves_the_rotation(alice):
    agents = agents_of(alice, 3)
    group = round_robin_group(alice, agents, current_index=1)
    assert alice.delete(f"/agents/{agents[1]['id']}").status_code == 204
    members = alice.get(f"/groups-probe/{group['id']}").json()["members"]
    assert [member["agent_id"] for member in members] == [agents[0]["id"], agents[2]["id"]]
    assert picked(alice, group["id"]) == agents[2]["id"]


# ----- touch_group ---------------------------------------------------------------------------

def test_touch_sets_last_active_at_and_leaves_updated_at(alice):
    group = round_robin_group(alice, agents_of(alice, 1))
    before = alice.get(f"/groups/{group['id']}").json()
    assert before["last_active_at"] is None
    response = alice.post(f"/groups-probe/{group['id']}/touch")
    assert response.status_code == 204, response.text
    after = alice.get(f"/groups/{group['id']}").json()
    assert after["last_active_at"] is not None and after["last_active_at"] >= before["updated_at"]
    assert after["updated_at"] == before["updated_at"]
    assert alice.get("/groups", params={"sort_by": "last_active_at", "sort_order": "desc"}).json()["items"][0]["id"] \
        == group["id"]


# ----- list_sleeptime_groups ------------------------------------------------------------------

def sleeptime_pages(client: Client, limit: int) -> list[dict]:
    """Every page of the listing, following next_after."""
    pages, after = [], ""
    while True:
        response = client.get("/groups-probe-sleeptime", params={"after": after, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        if page["next_after"] is None:
            return pages
        after = page["next_after"]


def test_sleeptime_listing_has_every_users_active_sleeptime_groups_and_nothing_else(alice, bob):
    watcher, other = alice.create_agent(), bob.create_agent()
    triggers = [{"name": "stalled", "condition": {"type": "time_elapsed", "duration": 60000}}]
    mine = alice.create_group({"type": "sleeptime", "check_interval": 60000, "triggers": triggers,
                               "intervention_agent_id": watcher["id"]})
    theirs = bob.create_group({"type": "sleeptime", "check_interval": 5000},
                              members=[{"agent_id": other["id"], "role": "regular"}])
    paused = alice.create_group({"type": "sleeptime", "check_interval": 1000})
    assert alice.patch(f"/groups/{paused['id']}", {"is_active": False}).status_code == 200
    # Its stored text contains "type":"sleeptime" though its pattern is dynamic.
    lookalike = alice.create_group({"type": "dynamic", "selector_name": "random",
                                    "selector_config": {"type": "sleeptime"}})
    alice.post(f"/groups-probe/{mine['id']}/touch")

    entries = {entry["group_id"]: entry for page in sleeptime_pages(alice, 1000) for entry in page["groups"]}
    assert entries[mine["id"]] == {"group_id": mine["id"], "owner_id": alice.user_id, "check_interval": 60000,
                                   "triggers": triggers, "intervention_agent_id": watcher["id"],
                                   "last_active_at": alice.get(f"/groups/{mine['id']}").json()["last_active_at"]}
    assert entries[theirs["id"]] == {"group_id": theirs["id"], "owner_id": bob.user_id, "check_interval": 5000,
                                     "triggers": [], "intervention_agent_id": None, "last_active_at": None}
    assert paused["id"] not in entries and lookalike["id"] not in entries
    assert all(entry["check_interval"] > 0 for entry in entries.values())


def test_sleeptime_listing_pages_by_group_id(alice):
    for _ in range(3):
        alice.create_group({"type": "sleeptime", "check_interval": 1000})
    whole = [entry["group_id"] for page in sleeptime_pages(alice, 1000) for entry in page["groups"]]
    pages = sleeptime_pages(alice, 2)
    assert all(len(page["groups"]) <= 2 for page in pages)
    assert [entry["group_id"] for page in pages for entry in page["groups"]] == whole == sorted(whole)
    assert len(whole) >= 3 and len(pages) >= 2


@pytest.mark.parametrize("limit", [0, 1001])
def test_a_sleeptime_page_limit_out_of_range_is_invalid(alice, limit):
    assert_status(alice.get("/groups-probe-sleeptime", params={"limit": limit}), 400, INVALID)
