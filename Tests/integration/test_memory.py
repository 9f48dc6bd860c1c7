"""Agent memory against the real binary: the five operations, versions and If-Match under
concurrency, block size limits, archival items with full-text search and pagination, and the
memory_updated event."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from agents_support import AGENTS, EventSocket, World, field_of, start_world
from conftest import AUTH, assert_error, process_memory_kib


@pytest.fixture(scope="module")
def world(start_server_module) -> World:
    return start_world(start_server_module)


@pytest.fixture
def owner(world):
    return world.user()


@pytest.fixture
def agent(owner):
    return owner.create_agent()


def change(client, agent, key, operation, if_match=None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.post(f"/agents/{agent['id']}/memory", {"memory_key": key, "operation": operation}, headers=headers)


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    return body


def archival(client, agent, **params) -> dict:
    response = client.get(f"/agents/{agent['id']}/memory/archival", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# ----- the five operations ---------------------------------------------------------------

def test_append_creates_then_extends_the_block(owner, agent):
    first = ok(change(owner, agent, "persona", {"type": "append", "content": "I am helpful."}))
    assert first["version"] == 1 and first["content"] == "I am helpful."
    assert first["agent_id"] == agent["id"] and first["memory_type"] == "core" and first["memory_key"] == "persona"
    second = ok(change(owner, agent, "persona", {"type": "append", "content": "I like tea."}))
    assert second["version"] == 2 and second["content"] == "I am helpful.\nI like tea."
    listed = owner.get(f"/agents/{agent['id']}/memory").json()
    assert listed == [second]
    assert set(listed[0]) >= {"agent_id", "memory_type", "content", "updated_at", "version"}


def test_replace_every_occurrence(owner, agent):
    ok(change(owner, agent, "human", {"type": "append", "content": "likes cats; cats are great"}))
    replaced = ok(change(owner, agent, "human", {"type": "replace", "old_content": "cats", "new_content": "dogs"}))
    assert replaced["content"] == "likes dogs; dogs are great" and replaced["version"] == 2
    missing = change(owner, agent, "human", {"type": "replace", "old_content": "birds", "new_content": "x"})
    assert_error(missing, 400, "validation_error")
    assert field_of(missing) == "operation.old_content"
    assert_error(change(owner, agent, "nope", {"type": "replace", "old_content": "a", "new_content": "b"}), 404)


def test_archive_and_load_move_content_between_core_and_archival(owner, agent):
    ok(change(owner, agent, "scratch", {"type": "append", "content": "the meeting is on tuesday"}))
    archived = ok(change(owner, agent, "scratch", {"type": "archive", "label": "meeting"}))
    assert archived["content"] == "" and archived["version"] == 2
    items = archival(owner, agent)["items"]
    assert [(item["label"], item["content"]) for item in items] == [("meeting", "the meeting is on tuesday")]
    assert set(items[0]) == {"id", "label", "content", "created_at", "metadata"} and items[0]["id"].startswith("arch_")
    empty = change(owner, agent, "scratch", {"type": "archive"})
    assert_error(empty, 400, "validation_error")

    loaded = ok(change(owner, agent, "scratch", {"type": "load_from_archival", "label": "meeting"}))
    assert loaded["content"] == "the meeting is on tuesday" and loaded["version"] == 3
    assert archival(owner, agent)["total"] == 0  # moved, not copied
    assert_error(change(owner, agent, "scratch", {"type": "load_from_archival", "label": "meeting"}), 404)


def test_archive_label_defaults_to_the_key(owner, agent):
    ok(change(owner, agent, "notes", {"type": "append", "content": "n"}))
    ok(change(owner, agent, "notes", {"type": "archive"}))
    assert archival(owner, agent)["items"][0]["label"] == "notes"


def test_swap_archives_one_and_loads_another_in_one_step(owner, agent):
    owner.post(f"/agents/{agent['id']}/memory/archival", {"label": "project-b", "content": "project B details"})
    ok(change(owner, agent, "project", {"type": "append", "content": "project A details"}))
    swapped = ok(change(owner, agent, "project", {"type": "swap", "archive_key": "project", "load_label": "project-b"}))
    assert swapped["content"] == "project B details" and swapped["version"] == 2
    items = archival(owner, agent)["items"]
    assert [(item["label"], item["content"]) for item in items] == [("project", "project A details")]
    # Swapping back loads what was just archived.
    back = ok(change(owner, agent, "project", {"type": "swap", "archive_key": "project", "load_label": "project"}))
    assert back["content"] == "project A details" and back["version"] == 3
    assert [item["label"] for item in archival(owner, agent)["items"]] == ["project"]


def test_swap_between_two_blocks(owner, agent):
    owner.post(f"/agents/{agent['id']}/memory/archival", {"label": "topic", "content": "loaded topic"})
    ok(change(owner, agent, "old", {"type": "append", "content": "old block"}))
    result = ok(change(owner, agent, "new", {"type": "swap", "archive_key": "old", "load_label": "topic"}))
    assert result["memory_key"] == "new" and result["content"] == "loaded topic" and result["version"] == 1
    blocks = {block["memory_key"]: block for block in owner.get(f"/agents/{agent['id']}/memory").json()}
    assert blocks["old"]["content"] == "" and blocks["old"]["version"] == 2


def test_a_failed_operation_changes_nothing(owner, agent):
    ok(change(owner, agent, "a", {"type": "append", "content": "keep me"}))
    # The label does not exist: the archive half of the swap must roll back too.
    assert_error(change(owner, agent, "a", {"type": "swap", "archive_key": "a", "load_label": "missing"}), 404)
    blocks = owner.get(f"/agents/{agent['id']}/memory").json()
    assert [(b["content"], b["version"]) for b in blocks] == [("keep me", 1)]
    assert archival(owner, agent)["total"] == 0


@pytest.mark.parametrize("body, field", [
    ({"operation": {"type": "append", "content": "x"}}, "memory_key"),
    ({"memory_key": "", "operation": {"type": "append", "content": "x"}}, "memory_key"),
    ({"memory_key": "k" * 129, "operation": {"type": "append", "content": "x"}}, "memory_key"),
    ({"memory_key": "k"}, "operation"),
    ({"memory_key": "k", "operation": "append"}, "operation"),
    ({"memory_key": "k", "operation": {"content": "x"}}, "operation.type"),
    ({"memory_key": "k", "operation": {"type": "delete"}}, "operation.type"),
    ({"memory_key": "k", "operation": {"type": "append"}}, "operation.content"),
    ({"memory_key": "k", "operation": {"type": "append", "content": 3}}, "operation.content"),
    ({"memory_key": "k", "operation": {"type": "replace", "new_content": "x"}}, "operation.old_content"),
    ({"memory_key": "k", "operation": {"type": "replace", "old_content": "x"}}, "operation.new_content"),
    ({"memory_key": "k", "operation": {"type": "load_from_archival"}}, "operation.label"),
    ({"memory_key": "k", "operation": {"type": "swap", "load_label": "x"}}, "operation.archive_key"),
    ({"memory_key": "k", "operation": {"type": "swap", "archive_key": "x"}}, "operation.load_label"),
])
def test_operation_validation_names_the_field(owner, agent, body, field):
    response = owner.post(f"/agents/{agent['id']}/memory", body)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field


# ----- versions and If-Match -------------------------------------------------------------

def test_if_match(owner, agent):
    append = {"type": "append", "content": "x"}
    assert ok(change(owner, agent, "k", append, if_match="0"))["version"] == 1  # 0: the block is new
    assert_error(change(owner, agent, "k", append, if_match="0"), 409, "conflict")
    assert ok(change(owner, agent, "k", append, if_match='"1"'))["version"] == 2
    assert ok(change(owner, agent, "k", append, if_match='W/"2"'))["version"] == 3
    assert ok(change(owner, agent, "k", append, if_match="*"))["version"] == 4
    assert_error(change(owner, agent, "fresh", append, if_match="*"), 409, "conflict")
    assert_error(change(owner, agent, "k", append, if_match="7"), 409, "conflict")
    # Exactly what the published pattern allows: no sign, no lone quote, W/ only before a quoted version.
    for malformed in ("seven", "", "+4", "-0", "W/4", '"4', "1" * 19):
        bad = change(owner, agent, "k", append, if_match=malformed)
        assert_error(bad, 400, "validation_error")
        assert field_of(bad) == "If-Match", malformed
    assert owner.get(f"/agents/{agent['id']}/memory").json()[0]["version"] == 4


def test_twenty_concurrent_updates_of_one_version_exactly_one_wins(owner, agent):
    base = ok(change(owner, agent, "race", {"type": "append", "content": "start"}))

    def attempt(index):
        return change(owner, agent, "race", {"type": "append", "content": f"writer {index}"},
                      if_match=f'"{base["version"]}"')

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(attempt, range(20)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * 19, statuses
    winner = next(response.json() for response in responses if response.status_code == 200)
    assert winner["version"] == base["version"] + 1
    final = owner.get(f"/agents/{agent['id']}/memory").json()[0]
    assert final == winner and final["content"].count("writer") == 1


def test_concurrent_unconditional_appends_each_count_once(owner, agent):
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda i: change(owner, agent, "log", {"type": "append", "content": f"line {i}"}),
                                  range(10)))
    assert all(response.status_code == 200 for response in responses)
    assert sorted(response.json()["version"] for response in responses) == list(range(1, 11))
    final = owner.get(f"/agents/{agent['id']}/memory").json()[0]
    assert final["version"] == 10 and len(final["content"].split("\n")) == 10


# ----- size limits -----------------------------------------------------------------------

def test_default_block_limit_is_64_kib(owner, agent):
    ok(change(owner, agent, "big", {"type": "append", "content": "a" * 65535}))
    too_big = change(owner, agent, "big", {"type": "append", "content": "bc"})  # 65535 + "\n" + 2 bytes
    assert_error(too_big, 400, "validation_error")
    assert field_of(too_big) == "operation.content"
    assert ok(change(owner, agent, "big2", {"type": "append", "content": "é" * 32768}))["version"] == 1
    assert_error(change(owner, agent, "big3", {"type": "append", "content": "é" * 32768 + "x"}), 400)
    replace = change(owner, agent, "big", {"type": "replace", "old_content": "a", "new_content": "aa"})
    assert_error(replace, 400, "validation_error")
    assert field_of(replace) == "operation.new_content"
    assert owner.get(f"/agents/{agent['id']}/memory").json()[0]["version"] == 1


def test_block_limit_is_configurable(start_server):
    world = start_world(start_server, plugins=(AUTH, AGENTS),
                        config="[auth]\nbcrypt_cost = 5\n[agents]\nmax_memory_block_bytes = 10\n")
    user = world.user()
    agent = user.create_agent()
    assert change(user, agent, "k", {"type": "append", "content": "0123456789"}).status_code == 200
    assert_error(change(user, agent, "j", {"type": "append", "content": "0123456789a"}), 400, "validation_error")
    assert_error(user.post(f"/agents/{agent['id']}/memory/archival", {"content": "x" * 11}), 400, "validation_error")


def test_an_oversized_result_is_refused_before_it_is_built(start_server):
    """Replacing "a" in a 60,000-byte block by 4,000 bytes would make 240 MB; 1 MB of new text
    could never fit. Both are refused from the sizes alone: at once, and without the memory."""
    # One malloc arena: freed memory is reused, so the peak (VmHWM) shows what requests needed.
    world = start_world(start_server, plugins=(AUTH, AGENTS), env={"MALLOC_ARENA_MAX": "1"})
    user = world.user()
    agent = user.create_agent()
    ok(change(user, agent, "big", {"type": "append", "content": "a" * 60_000}))

    def fastest_of_three(operation):
        """The response and the shortest of three round trips (the machine is shared)."""
        timings = []
        for _ in range(3):
            started = time.monotonic()
            response = change(user, agent, "big", operation)
            timings.append(time.monotonic() - started)
        return response, min(timings)

    # What reading a 1 MB body costs at all (its JSON parsing takes ~80 ms in a debug build),
    # measured on the same bytes refused for their shape.
    shape, reading = fastest_of_three({"type": "replace", "old_content": "a", "new_content": 1,
                                       "padding": "b" * 1_000_000})
    assert_error(shape, 400, "validation_error")
    before = process_memory_kib(world.server.process.pid)
    for operation, field, allowance in [
        ({"type": "replace", "old_content": "a", "new_content": "b" * 4_000}, "operation.new_content", 0.05),
        ({"type": "replace", "old_content": "a", "new_content": "b" * 1_000_000}, "operation.new_content",
         reading + 0.05),
        ({"type": "append", "content": "b" * 1_000_000}, "operation.content", reading + 0.05),
    ]:
        response, elapsed = fastest_of_three(operation)
        assert_error(response, 400, "validation_error")
        assert field_of(response) == field
        assert elapsed < allowance, f"refused after {elapsed:.3f} s (reading the body: {reading:.3f} s)"
    after = process_memory_kib(world.server.process.pid)
    assert after["VmHWM"] - before["VmHWM"] < 4 * 1024, (before, after)
    assert user.get(f"/agents/{agent['id']}/memory").json()[0]["version"] == 1


def test_replace_is_linear_in_the_block(owner, agent):
    """Half a block of "a…ab" searched in a block of "a…a": Foundation's search took minutes."""
    ok(change(owner, agent, "aaa", {"type": "append", "content": "a" * 60_000}))
    missing = change(owner, agent, "aaa", {"type": "replace", "old_content": "a" * 30_000 + "b", "new_content": "c"})
    assert_error(missing, 400, "validation_error")
    assert field_of(missing) == "operation.old_content"
    shrunk = ok(change(owner, agent, "aaa", {"type": "replace", "old_content": "a" * 30_000, "new_content": "é"}))
    assert shrunk["content"] == "éé" and shrunk["version"] == 2


def test_replace_matches_bytes_and_fills_the_block_exactly(owner, agent):
    ok(change(owner, agent, "fit", {"type": "append", "content": "x" * 65_526 + "ab"}))  # 65,528 bytes
    full = ok(change(owner, agent, "fit", {"type": "replace", "old_content": "ab", "new_content": "0123456789"}))
    assert len(full["content"]) == 65_536 and full["content"].endswith("x0123456789")
    over = change(owner, agent, "fit", {"type": "replace", "old_content": "9", "new_content": "99"})
    assert_error(over, 400, "validation_error")
    ok(change(owner, agent, "accents", {"type": "append", "content": "cafe\u0301 café"}))
    composed = ok(change(owner, agent, "accents", {"type": "replace", "old_content": "é", "new_content": "E"}))
    assert composed["content"] == "cafe\u0301 cafE"  # no Unicode normalisation: the decomposed é stays


# ----- reading memory --------------------------------------------------------------------

def test_memory_types(owner, agent):
    ok(change(owner, agent, "b", {"type": "append", "content": "core b"}))
    ok(change(owner, agent, "a", {"type": "append", "content": "core a"}))
    owner.post(f"/agents/{agent['id']}/memory/archival", {"label": "old", "content": "archived"})
    core = owner.get(f"/agents/{agent['id']}/memory", params={"memory_type": "core"}).json()
    assert [block["memory_key"] for block in core] == ["a", "b"]
    assert owner.get(f"/agents/{agent['id']}/memory").json() == core
    archived = owner.get(f"/agents/{agent['id']}/memory", params={"memory_type": "archival"}).json()
    assert [(entry["memory_type"], entry["content"]) for entry in archived] == [("archival", "archived")]
    assert owner.get(f"/agents/{agent['id']}/memory", params={"memory_type": "recall"}).json() == []
    bad = owner.get(f"/agents/{agent['id']}/memory", params={"memory_type": "episodic"})
    assert_error(bad, 400, "validation_error")
    assert field_of(bad) == "memory_type"


# ----- archival items and full-text search -----------------------------------------------

FACTS = [
    ("food", "Alice loves spicy Sichuan noodles"),
    ("travel", "Trip to Kyoto planned for the autumn"),
    ("food", "Allergic to peanuts, careful with satay"),
    ("work", "Quarterly report due on Friday"),
    ("travel", "Passport renewal before the Kyoto trip"),
]


def test_archival_full_text_search(owner, agent):
    for label, content in FACTS:
        created = owner.post(f"/agents/{agent['id']}/memory/archival", {"label": label, "content": content,
                                                                        "metadata": {"source": "test"}})
        assert created.status_code == 201, created.text
        assert created.json()["metadata"] == {"source": "test"}

    def search(query, **params):
        return [item["content"] for item in archival(owner, agent, query=query, **params)["items"]]

    assert set(search("kyoto")) == {FACTS[1][1], FACTS[4][1]}
    assert search("KYOTO passport") == [FACTS[4][1]]  # every word must match, any case
    assert search("noodle") == [FACTS[0][1]]  # the last word also matches as a prefix
    assert search("travel") == sorted(search("travel")) and len(search("travel")) == 2  # labels are indexed
    assert search("volcano") == []
    for hostile in ('"unbalanced', "a* OR NOT (", "NEAR(x y)", "'; DROP TABLE x; --", "col:umn", "^", "*"):
        assert archival(owner, agent, query=hostile)["total"] >= 0
    assert archival(owner, agent, query="   ")["total"] == len(FACTS)  # no words: everything
    page = archival(owner, agent, query="kyoto", limit=1, page=2)
    assert (page["total"], page["total_pages"], len(page["items"])) == (2, 2, 1)


def test_archival_pagination(owner, agent):
    for index in range(25):
        owner.post(f"/agents/{agent['id']}/memory/archival", {"label": f"item-{index:02}", "content": f"fact {index}"})
    page = archival(owner, agent, page=2, limit=10)
    assert (len(page["items"]), page["total"], page["total_pages"], page["page"], page["limit"]) == (10, 25, 3, 2, 10)
    assert [item["label"] for item in page["items"]] == [f"item-{index:02}" for index in range(10, 20)]
    newest = archival(owner, agent, sort_desc="true", limit=1)["items"][0]
    assert newest["label"] == "item-24"
    assert_error(owner.get(f"/agents/{agent['id']}/memory/archival", params={"limit": 500}), 400, "validation_error")


@pytest.mark.parametrize("raw", ["a%00b", "%01", "a%0Ab", "%C2%85", "%FF", "%zz"])
def test_a_search_query_that_is_not_text_is_refused(owner, agent, raw):
    """A NUL used to reach FTS5 (500); other control characters, bytes that are not UTF-8 and
    malformed percent-encoding were searched for or ignored."""
    with owner.server.connect() as connection:
        response = connection.request("GET", f"/api/v1/agents/{agent['id']}/memory/archival?query={raw}",
                                      headers={"Authorization": f"Bearer {owner.token}"})
    assert_error(response, 400, "validation_error")
    assert field_of(response) == "query"


@pytest.mark.parametrize("body, field", [
    ({}, "content"), ({"content": ""}, "content"), ({"content": 5}, "content"),
    ({"content": "x", "label": ""}, "label"), ({"content": "x", "metadata": "m"}, "metadata"),
])
def test_archival_insert_validation(owner, agent, body, field):
    response = owner.post(f"/agents/{agent['id']}/memory/archival", body)
    assert_error(response, 400, "validation_error")
    assert field_of(response) == field


def test_deleting_the_agent_deletes_its_memory(owner):
    agent = owner.create_agent()
    ok(change(owner, agent, "k", {"type": "append", "content": "unique-marker-word"}))
    owner.post(f"/agents/{agent['id']}/memory/archival", {"content": "unique-marker-word"})
    assert owner.delete(f"/agents/{agent['id']}").status_code == 204
    assert_error(owner.get(f"/agents/{agent['id']}/memory"), 404)
    again = owner.create_agent(name=agent["name"])  # same name, fresh memory
    assert owner.get(f"/agents/{again['id']}/memory").json() == []
    assert archival(owner, again, query="unique-marker-word")["total"] == 0


# ----- events ----------------------------------------------------------------------------

def test_memory_updated_events(owner, agent):
    with EventSocket(owner) as events:
        assert events.subscribe("agent", agent["id"])["success"] is True
        ok(change(owner, agent, "persona", {"type": "append", "content": "hello"}))
        event = events.next("memory_updated")
        assert event["agent_id"] == agent["id"] and event["memory_type"] == "core" and event["timestamp"].endswith("Z")
        ok(change(owner, agent, "persona", {"type": "archive"}))
        kinds = {events.next("memory_updated")["memory_type"], events.next("memory_updated")["memory_type"]}
        assert kinds == {"core", "archival"}
        owner.patch(f"/agents/{agent['id']}", {"state": "processing"})
        changed = events.next("agent_state_changed")
        assert (changed["old_state"], changed["new_state"]) == ("ready", "processing")
        owner.patch(f"/agents/{agent['id']}", {"description": "no state change"})
        assert [e for e in events.drain_until_pong() if e["type"] == "agent_state_changed"] == []
