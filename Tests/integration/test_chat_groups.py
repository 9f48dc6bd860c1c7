"""Group chat against the real binary: a message to a group stored once and routed by the
group's coordination pattern (round_robin, supervisor, pipeline, voting, dynamic,
sleeptime), each member answering through its own scripted fake provider so the tests see
exactly who was called, in which order, with what input; SSE framing of members' turns; the
sleeptime timer; ownership, inactive groups and a server without the groups plugin."""
from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from agents_support import AGENTS, GROUPS, Client, EventSocket, start_world
from chat_support import (CHAT, MODEL, PROVIDERS, add_provider, chat_config, history, send, stream, texts)
from conftest import AUTH
from fake_providers import FakeProvider, error_reply, last_user_text, text_reply

SWEEP_MS = 100


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_world(start_server_module, plugins=[AUTH, AGENTS, PROVIDERS, CHAT, GROUPS],
                       config=chat_config(model_timeout_seconds=20, sleeptime_sweep_milliseconds=SWEEP_MS))


@pytest.fixture
def user(world) -> Client:
    return world.user()


@dataclass
class Bot:
    agent: dict
    fake: FakeProvider

    @property
    def id(self) -> str:
        return self.agent["id"]

    def prompts(self) -> list[str]:
        """The last user text of every model call this agent made, in order."""
        return [last_user_text(call.json) for call in self.fake.calls()]

    def said(self, *replies: str, delay: float = 0.0):
        # One piece, after `delay` seconds.
        self.fake.enqueue(*(text_reply(reply, chunks=1, delay=delay) for reply in replies))


@pytest.fixture
def bots(user):
    """Makes agents of `user`, each answering through its own fake provider."""
    with ExitStack() as stack:
        def make(name: str, **fields) -> Bot:
            fake = stack.enter_context(FakeProvider("openai"))
            provider = add_provider(user, fake)
            return Bot(user.create_agent(name=name, model_provider=provider["id"], model_id=MODEL, **fields), fake)
        yield make


def member(bot: Bot, role="regular", capabilities=()) -> dict:
    return {"agent_id": bot.id, "role": role, "capabilities": list(capabilities)}


def group_of(user: Client, pattern: dict, *members) -> dict:
    return user.create_group(pattern, [m if isinstance(m, dict) else member(m) for m in members])


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def replies(body) -> list[tuple[str, str]]:
    """(agent_id, text) of the assistant messages of an answer."""
    return [(m["agent_id"], texts([m])[0]) for m in body["messages"] if m["role"] == "assistant"]


def suspend(user: Client, bot: Bot):
    assert user.patch(f"/agents/{bot.id}", {"state": "suspended"}).status_code == 200


def wait_for(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# ----- the message, storage and history ----------------------------------------------------

def test_a_group_message_is_stored_once_and_every_answer_carries_the_group_id(user, bots):
    alpha, beta = bots("alpha"), bots("beta")
    group = group_of(user, {"type": "round_robin"}, alpha, beta)
    alpha.said("Alpha here.")
    body = ok(send(user, group["id"], "hello group"))
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    first = body["messages"][0]
    assert first["agent_id"] is None and texts([first]) == ["hello group"]
    assert all(m["metadata"]["group_id"] == group["id"] for m in body["messages"])
    assert replies(body) == [(alpha.id, "Alpha here.")]
    assert body["usage"]["output_tokens"] == 5
    listed = history(user, group["id"])
    assert [m["id"] for m in listed["items"]] == [m["id"] for m in body["messages"]] and listed["total"] == 2
    # The group's history is not any agent's own.
    assert history(user, alpha.id)["total"] == 1 and history(user, beta.id)["total"] == 0
    assert user.get(f"/groups/{group['id']}").json()["last_active_at"] is not None


def test_another_users_group_is_404_and_an_inactive_group_is_409_naming_it(world, user, bots):
    alpha = bots("alpha")
    group = group_of(user, {"type": "round_robin"}, alpha)
    stranger = world.user()
    assert send(stranger, group["id"]).status_code == 404
    assert stranger.get("/messages", params={"target": group["id"]}).status_code == 404
    assert send(user, "group_" + "0" * 26).status_code == 404
    assert user.patch(f"/groups/{group['id']}", {"is_active": False}).status_code == 200
    refused = send(user, group["id"])
    assert refused.status_code == 409 and group["name"] in refused.json()["error"]["message"]
    assert alpha.fake.calls() == [] and history(user, group["id"])["total"] == 0


def test_without_the_groups_plugin_a_group_message_is_409(start_server):
    world = start_world(start_server, plugins=[AUTH, AGENTS, PROVIDERS, CHAT], config=chat_config())
    client = world.user()
    refused = send(client, "group_" + "0" * 26)
    assert refused.status_code == 409
    assert "group chat needs the groups plugin" in refused.json()["error"]["message"]
    assert client.get("/messages", params={"target": "group_" + "0" * 26}).status_code == 409


def test_group_subscribers_get_every_stored_message_of_the_group(user, bots):
    alpha = bots("alpha")
    group = group_of(user, {"type": "round_robin"}, alpha)
    alpha.said("seen by the group")
    with EventSocket(user) as socket:
        assert socket.subscribe("group", group["id"])["success"] is True
        body = ok(send(user, group["id"], "watch the group"))
        received = []
        deadline = time.monotonic() + 5
        while len(received) < 2 and time.monotonic() < deadline:
            received += [e for e in socket.drain_until_pong() if e["type"] == "message_received"]
    assert [e["message_id"] for e in received] == [m["id"] for m in body["messages"]]
    assert [e["agent_id"] for e in received] == [None, alpha.id]


def test_a_member_whose_lane_is_full_answers_429_for_the_group(start_server):
    world = start_world(start_server, plugins=[AUTH, AGENTS, PROVIDERS, CHAT, GROUPS],
                        config=chat_config(max_queued_per_agent=0))
    client = world.user()
    with FakeProvider("openai") as fake:
        provider = add_provider(client, fake)
        busy = client.create_agent(name="busy", model_provider=provider["id"], model_id=MODEL)
        group = client.create_group({"type": "round_robin"}, [{"agent_id": busy["id"], "role": "regular"}])
        fake.enqueue(text_reply("slow", chunks=1, delay=1.5))
        direct = threading.Thread(target=lambda: send(client, busy["id"], "keep busy"))
        direct.start()
        assert wait_for(lambda: len(fake.calls()) == 1)
        refused = send(client, group["id"], "are you there?")
        direct.join()
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
    assert "busy" in refused.json()["error"]["message"] and len(fake.calls()) == 1


# ----- round_robin -------------------------------------------------------------------------

def test_round_robin_answers_in_member_order_and_persists_the_index(user, bots):
    alpha, beta, gamma = bots("alpha"), bots("beta"), bots("gamma")
    group = group_of(user, {"type": "round_robin"}, alpha, beta, gamma)
    answered = [replies(ok(send(user, group["id"], f"message {n}")))[0][0] for n in range(4)]
    assert answered == [alpha.id, beta.id, gamma.id, alpha.id]
    assert user.get(f"/groups/{group['id']}").json()["coordination_pattern"]["current_index"] == 1
    # Each member read the group's history: the newest user message is the one sent to it.
    assert alpha.prompts() == ["message 0", "message 3"] and beta.prompts() == ["message 1"]
    # Another member's answer reads as a user message naming it.
    context = [m["content"] for m in beta.fake.calls()[0].json["messages"] if m["role"] == "user"]
    assert context == ["message 0", f"[{alpha.id}] ok: message 0", "message 1"]


def test_round_robin_skips_a_suspended_member_or_names_it_when_skipping_is_off(user, bots):
    alpha, beta, gamma = bots("alpha"), bots("beta"), bots("gamma")
    skipping = group_of(user, {"type": "round_robin", "current_index": 1}, alpha, beta, gamma)
    strict = group_of(user, {"type": "round_robin", "current_index": 1, "skip_unavailable": False}, alpha, beta, gamma)
    suspend(user, beta)
    assert replies(ok(send(user, skipping["id"], "who?")))[0][0] == gamma.id
    refused = send(user, strict["id"], "who?")
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert "beta" in message and beta.id in message
    assert beta.fake.calls() == [] and history(user, strict["id"])["total"] == 0


# ----- dynamic -----------------------------------------------------------------------------

def test_dynamic_routes_by_mention_broadcast_and_capability(user, bots):
    alpha, beta, gamma = bots("alpha"), bots("beta"), bots("gamma")
    group = group_of(user, {"type": "dynamic", "selector_name": "capability"},
                     member(alpha, capabilities=["poetry"]), member(beta, capabilities=["python"]),
                     member(gamma, capabilities=["cooking"]))
    assert [a for a, _ in replies(ok(send(user, group["id"], "@gamma what is for dinner?")))] == [gamma.id]
    broadcast = ok(send(user, group["id"], "@all roll call"))
    assert sorted(a for a, _ in replies(broadcast)) == sorted([alpha.id, beta.id, gamma.id])
    assert [m["role"] for m in broadcast["messages"]] == ["user", "assistant", "assistant", "assistant"]
    assert [a for a, _ in replies(ok(send(user, group["id"], "a python question: how do I sort a list?")))] == [beta.id]
    assert len(alpha.fake.calls()) == 1 and len(beta.fake.calls()) == 2 and len(gamma.fake.calls()) == 2


def test_random_choices_pick_one_member_that_may_answer(user, bots):
    lead, one, two, watcher = bots("lead"), bots("one"), bots("two"), bots("watcher")
    dynamic = group_of(user, {"type": "dynamic", "selector_name": "random"}, one, two, member(watcher, role="observer"))
    supervised = group_of(user, supervisor(lead, "random"), lead, one, two, member(watcher, role="observer"))
    for _ in range(4):
        assert [a for a, _ in replies(ok(send(user, dynamic["id"], "anyone")))] in ([one.id], [two.id])
        answered = [a for a, _ in replies(ok(send(user, supervised["id"], "anyone")))]
        assert answered in ([one.id, lead.id], [two.id, lead.id])
    assert watcher.fake.calls() == []


def test_a_streamed_group_answer_frames_each_members_turn(user, bots):
    alpha, beta = bots("alpha"), bots("beta")
    group = group_of(user, {"type": "dynamic", "selector_name": "least_busy"}, alpha, beta)
    alpha.said("from alpha")
    beta.said("from beta")
    events = stream(user, group["id"], "@alpha @beta hi")
    names = [name for name, _ in events]
    assert names[0] == "message" and events[0][1]["role"] == "user" and names[-1] == "done"
    for bot, reply in ((alpha, "from alpha"), (beta, "from beta")):
        started = [d for n, d in events if n == "agent_started" and d["agent_id"] == bot.id]
        assert started == [{"agent_id": bot.id, "agent_name": bot.agent["name"]}]
        completed = [d for n, d in events if n == "agent_completed" and d["agent_id"] == bot.id]
        stored = [d for n, d in events if n == "message" and d["agent_id"] == bot.id]
        assert len(completed) == 1 and completed[0]["message_id"] == stored[-1]["id"]
        deltas = "".join(d["text"] for n, d in events if n == "text_delta" and d["agent_id"] == bot.id)
        assert deltas == reply
        mine = [i for i, (n, d) in enumerate(events) if d.get("agent_id") == bot.id]
        assert names[mine[0]] == "agent_started" and names[mine[-1]] == "agent_completed"
    done = events[-1][1]
    assert [m["id"] for m in done["messages"]] == [m["id"] for m in history(user, group["id"])["items"]]


# ----- supervisor --------------------------------------------------------------------------

def supervisor(leader: Bot, strategy: str, fallback: str = "handle_self", max_per_agent=None) -> dict:
    rules = {"delegation_strategy": strategy, "fallback_behavior": fallback}
    if max_per_agent is not None:
        rules["max_delegations_per_agent"] = max_per_agent
    return {"type": "supervisor", "leader_id": leader.id, "delegation_rules": rules}


def test_supervisor_delegates_by_capability_then_the_leader_answers_with_it(user, bots):
    boss, coder, cook = bots("boss"), bots("coder"), bots("cook")
    group = group_of(user, supervisor(boss, "capability"), member(boss, role="supervisor"),
                     member(coder, capabilities=["python"]), member(cook, capabilities=["baking"]))
    cook.said("Bake at 180 degrees.")
    boss.said("Summary: bake it at 180.")
    body = ok(send(user, group["id"], "How long is baking bread?"))
    assert replies(body) == [(cook.id, "Bake at 180 degrees."), (boss.id, "Summary: bake it at 180.")]
    assert body["messages"][1]["metadata"]["delegated_by"] == boss.id
    assert coder.fake.calls() == []
    leader_context = [m["content"] for m in boss.fake.calls()[0].json["messages"] if m["role"] == "user"]
    assert leader_context[-2:] == ["How long is baking bread?", f"[{cook.id}] Bake at 180 degrees."]


def test_supervisor_round_robin_delegation_rotates_and_least_busy_avoids_a_busy_member(user, bots):
    boss, one, two = bots("boss"), bots("one"), bots("two")
    rotating = group_of(user, supervisor(boss, "round_robin"), boss, one, two)
    delegates = [replies(ok(send(user, rotating["id"], f"task {n}")))[0][0] for n in range(3)]
    assert delegates == [one.id, two.id, one.id]
    quiet = group_of(user, supervisor(boss, "least_busy"), boss, one, two)
    one.said("slow direct answer", delay=1.5)
    direct = threading.Thread(target=lambda: send(user, one.id, "keep busy"))
    direct.start()
    assert wait_for(lambda: len(one.fake.calls()) == 3)
    assert replies(ok(send(user, quiet["id"], "who is free?")))[0][0] == two.id
    direct.join()


def test_supervisor_fallback_fail_and_max_delegations(user, bots):
    boss, helper = bots("boss"), bots("helper")
    lonely = group_of(user, supervisor(boss, "least_busy", fallback="fail"), boss, helper)
    suspend(user, helper)
    refused = send(user, lonely["id"], "anyone?")
    assert refused.status_code == 409 and "cannot delegate" in refused.json()["error"]["message"]
    assert boss.fake.calls() == [] and history(user, lonely["id"])["total"] == 0

    boss2, worker = bots("boss2"), bots("worker")
    limited = group_of(user, supervisor(boss2, "least_busy", fallback="fail", max_per_agent=1), boss2, worker)
    worker.said("slow work", delay=1.5)
    first = {}
    holder = threading.Thread(target=lambda: first.update(r=send(user, limited["id"], "first task")))
    holder.start()
    assert wait_for(lambda: len(worker.fake.calls()) == 1)
    refused = send(user, limited["id"], "second task")
    assert refused.status_code == 409 and "max_delegations_per_agent" in refused.json()["error"]["message"]
    holder.join()
    assert [a for a, _ in replies(first["r"].json())] == [worker.id, boss2.id]
    # The delegation was answered: the worker may take the next one.
    assert [a for a, _ in replies(ok(send(user, limited["id"], "third task")))] == [worker.id, boss2.id]


def test_supervisor_fallback_queue_waits_for_the_busy_members_lane(user, bots):
    boss, worker = bots("boss"), bots("worker")
    group = group_of(user, supervisor(boss, "least_busy", fallback="queue", max_per_agent=1), boss, worker)
    worker.said("first, slowly", delay=1.0)
    worker.said("second")
    first = {}
    holder = threading.Thread(target=lambda: first.update(r=send(user, group["id"], "first task")))
    holder.start()
    assert wait_for(lambda: len(worker.fake.calls()) == 1)
    second = ok(send(user, group["id"], "second task"))
    holder.join()
    assert [a for a, _ in replies(first["r"].json())] == [worker.id, boss.id]
    assert replies(second)[0] == (worker.id, "second")
    # The queued delegation started only after the first one was answered.
    assert worker.fake.calls()[1].at >= worker.fake.calls()[0].at + 1.0


def test_supervisor_handle_self_lets_the_leader_answer_alone(user, bots):
    boss, helper = bots("boss"), bots("helper")
    group = group_of(user, supervisor(boss, "capability"), boss, member(helper, capabilities=["astronomy"]))
    body = ok(send(user, group["id"], "what is for lunch?"))
    assert [a for a, _ in replies(body)] == [boss.id] and helper.fake.calls() == []


# ----- pipeline ----------------------------------------------------------------------------

def stage(name: str, *bots_: Bot, timeout: int = 10_000, on_failure="skip") -> dict:
    return {"name": name, "agent_ids": [b.id for b in bots_], "timeout": timeout, "on_failure": on_failure}


def test_pipeline_runs_stages_in_order_each_getting_the_previous_output(user, bots):
    drafter, editor, checker = bots("drafter"), bots("editor"), bots("checker")
    group = group_of(user, {"type": "pipeline", "stages": [stage("draft", drafter), stage("edit", editor),
                                                           stage("check", checker)]}, drafter, editor, checker)
    drafter.said("rough draft")
    editor.said("polished draft")
    checker.said("approved: polished draft")
    body = ok(send(user, group["id"], "write a haiku"))
    assert replies(body) == [(drafter.id, "rough draft"), (editor.id, "polished draft"),
                             (checker.id, "approved: polished draft")]
    assert [m["metadata"].get("pipeline_stage") for m in body["messages"]] == [None, "draft", "edit", "check"]
    assert drafter.prompts() == ["write a haiku"]
    assert editor.prompts() == ["rough draft"] and checker.prompts() == ["polished draft"]
    assert drafter.fake.calls()[0].at < editor.fake.calls()[0].at < checker.fake.calls()[0].at
    # The stage input is not stored: the group's history is the user's message and the outputs.
    assert history(user, group["id"])["total"] == 4


def test_pipeline_parallel_stage_runs_its_agents_concurrently_and_joins_their_outputs(user, bots):
    one, two, joiner = bots("one"), bots("two"), bots("joiner")
    group = group_of(user, {"type": "pipeline", "parallel_stages": True,
                            "stages": [stage("fan", one, two), stage("join", joiner)]}, one, two, joiner)
    one.said("first idea", delay=1.0)
    two.said("second idea", delay=1.0)
    started = time.monotonic()
    body = ok(send(user, group["id"], "ideas?"))
    assert time.monotonic() - started < 1.9
    assert abs(one.fake.calls()[0].at - two.fake.calls()[0].at) < 0.5
    assert [a for a, _ in replies(body)][-1] == joiner.id
    assert joiner.prompts() == ["[one]\nfirst idea\n\n[two]\nsecond idea"]


def test_pipeline_stage_timeout_skips_or_aborts_per_on_failure(user, bots):
    slow, after = bots("slow"), bots("after")
    skipping = group_of(user, {"type": "pipeline", "stages": [stage("slow", slow, timeout=300),
                                                              stage("after", after)]}, slow, after)
    slow.said("too late", delay=1.5)
    body = ok(send(user, skipping["id"], "the original question"))
    # The skipped stage passes its input on.
    assert [a for a, _ in replies(body)] == [after.id] and after.prompts() == ["the original question"]

    slow2, never = bots("slow2"), bots("never")
    aborting = group_of(user, {"type": "pipeline", "stages": [stage("slow", slow2, timeout=300, on_failure="abort"),
                                                              stage("never", never)]}, slow2, never)
    slow2.said("too late", delay=1.5)
    refused = send(user, aborting["id"], "question")
    assert refused.status_code == 504 and refused.json()["error"]["type"] == "gateway_timeout"
    assert '"slow"' in refused.json()["error"]["message"]
    assert never.fake.calls() == []
    # The late answer is still stored in the group.
    assert wait_for(lambda: history(user, aborting["id"])["total"] == 2)


def test_pipeline_retry_and_fallback_after_a_failing_agent(user, bots):
    flaky, next_ = bots("flaky"), bots("next")
    retrying = group_of(user, {"type": "pipeline", "stages": [
        stage("flaky", flaky, on_failure={"retry": {"max_attempts": 1}}), stage("next", next_)]}, flaky, next_)
    flaky.fake.enqueue(error_reply(400, {"error": {"message": "bad request"}}))
    flaky.said("second try worked")
    body = ok(send(user, retrying["id"], "go"))
    assert len(flaky.fake.calls()) == 2 and next_.prompts() == ["second try worked"]
    assert [a for a, _ in replies(body)] == [flaky.id, next_.id]

    broken, backup, last = bots("broken"), bots("backup"), bots("last")
    falling_back = group_of(user, {"type": "pipeline", "stages": [
        stage("work", broken, on_failure={"fallback": {"agent_id": backup.id}}), stage("last", last)]},
        broken, backup, last)
    broken.fake.enqueue(error_reply(400, {"error": {"message": "bad request"}}))
    backup.said("backup answer")
    body = ok(send(user, falling_back["id"], "go"))
    assert backup.prompts() == ["go"] and last.prompts() == ["backup answer"]

    suspended, after = bots("suspended"), bots("after")
    aborting = group_of(user, {"type": "pipeline", "stages": [stage("gone", suspended, on_failure="abort"),
                                                              stage("after", after)]}, suspended, after)
    suspend(user, suspended)
    refused = send(user, aborting["id"], "go")
    assert refused.status_code == 409 and suspended.id in refused.json()["error"]["message"]
    assert after.fake.calls() == [] and suspended.fake.calls() == []


# ----- voting ------------------------------------------------------------------------------

def voting(quorum: int, tie_breaker="first_vote", timeout: int = 10_000) -> dict:
    return {"type": "voting", "quorum": quorum,
            "voting_rules": {"voting_timeout": timeout, "tie_breaker": tie_breaker, "weight_by_expertise": False}}


def result_of(body) -> dict:
    last = body["messages"][-1]
    assert last["role"] == "assistant" and last["agent_id"] is None
    return {"text": texts([last])[0], **last["metadata"]["voting"]}


def test_voting_reaches_quorum_comparing_normalised_answers(user, bots):
    a, b, c = bots("a"), bots("b"), bots("c")
    group = group_of(user, voting(2), a, b, c)
    a.said("Paris.")
    b.said("  paris")
    c.said("London")
    body = ok(send(user, group["id"], "Capital of France?"))
    assert sorted(x for x, _ in replies(body)[:-1]) == sorted([a.id, b.id, c.id])
    assert all(p == ["Capital of France?"] for p in (a.prompts(), b.prompts(), c.prompts()))
    result = result_of(body)
    assert result["result"] == "decided" and result["tie_broken"] is False
    assert result["text"].lower().startswith("paris") and result["tallies"][0]["weight"] == 2
    assert body["messages"][-1]["metadata"]["group_id"] == group["id"]
    assert history(user, group["id"])["total"] == 5


def test_voting_without_quorum_stores_a_result_saying_so(user, bots):
    a, b = bots("a"), bots("b")
    group = group_of(user, voting(2), a, b)
    a.said("yes")
    b.said("no")
    result = result_of(ok(send(user, group["id"], "Should we?")))
    assert result["result"] == "no_quorum" and result["winner"] is None
    assert "quorum" in result["text"] and sorted(t["answer"] for t in result["tallies"]) == ["no", "yes"]


def test_voting_tie_breaker_picks_the_named_agents_answer(user, bots):
    a, b = bots("a"), bots("b")
    group = group_of(user, voting(1, tie_breaker={"specific_agent": {"agent_id": b.id}}), a, b)
    a.said("red")
    b.said("blue")
    result = result_of(ok(send(user, group["id"], "Colour?")))
    assert result["result"] == "decided" and result["winner"] == "blue" and result["tie_broken"] is True
    undecided = group_of(user, voting(1, tie_breaker="no_decision"), a, b)
    a.said("red")
    b.said("blue")
    assert result_of(ok(send(user, undecided["id"], "Colour?")))["result"] == "no_decision"


def test_a_voter_past_the_voting_timeout_abstains(user, bots):
    a, b, late = bots("a"), bots("b"), bots("late")
    group = group_of(user, voting(2, timeout=500), a, b, late)
    a.said("maybe")
    b.said("no")
    late.said("maybe", delay=1.5)
    result = result_of(ok(send(user, group["id"], "Vote?")))
    assert result["result"] == "no_quorum" and late.id not in [v for t in result["tallies"] for v in t["voters"]]


# ----- sleeptime ---------------------------------------------------------------------------

def test_sleeptime_reviews_on_its_timer_only_after_new_messages(user, bots):
    chatter, watcher = bots("chatter"), bots("watcher")
    group = group_of(user, {"type": "sleeptime", "check_interval": 300, "triggers": [{"name": "rudeness"}],
                            "intervention_agent_id": watcher.id}, chatter, watcher)
    time.sleep(0.8)
    assert watcher.fake.calls() == [], "a group without messages is not reviewed"
    watcher.said("Please keep it civil.")
    body = ok(send(user, group["id"], "you are all idiots"))
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert wait_for(lambda: len(watcher.fake.calls()) == 1)
    prompt = watcher.prompts()[0]
    assert "you are all idiots" in prompt and "rudeness" in prompt and "NO_INTERVENTION" in prompt
    assert wait_for(lambda: history(user, group["id"])["total"] == 2)
    posted = history(user, group["id"])["items"][-1]
    assert posted["agent_id"] == watcher.id and texts([posted]) == ["Please keep it civil."]
    assert posted["metadata"]["group_id"] == group["id"] and posted["metadata"]["sleeptime"] is True
    time.sleep(1.0)
    assert len(watcher.fake.calls()) == 1, "no new message, no new review"
    assert chatter.fake.calls() == []

    watcher.said("NO_INTERVENTION")
    ok(send(user, group["id"], "sorry, everyone"))
    assert wait_for(lambda: len(watcher.fake.calls()) == 2)
    time.sleep(0.5)
    assert history(user, group["id"])["total"] == 3, "a declined review posts nothing"
