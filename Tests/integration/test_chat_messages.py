"""The chat plugin without a model answering: messages stored before the model is called,
history windows, full-text search, content forms, validation, permissions and isolation,
and the [chat] config checks. Every send here fails at the model (the user has configured
no provider, or the agent names no model), which is exactly when the user's message must
still be kept."""
from __future__ import annotations

import time

import pytest

from agents_support import AGENTS, field_of, unique
from chat_support import CHAT, PROVIDERS, history, send, start_chat, texts
from conftest import AUTH


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_chat(start_server_module)


def modelled(user):
    return user.create_agent(model_provider="openai", model_id="some-model")


def assert_error(response, status, error_type):
    assert response.status_code == status, response.text
    assert response.json()["error"]["type"] == error_type, response.text


def test_the_users_message_is_kept_when_no_provider_can_answer(world):
    user = world.user()
    agent = modelled(user)
    response = send(user, agent["id"], "remember this")
    assert_error(response, 409, "conflict")
    items = history(user, agent["id"])["items"]
    assert [m["role"] for m in items] == ["user"]
    assert items[0]["content"] == {"Text": "remember this"}
    assert items[0]["id"].startswith("msg_") and items[0]["agent_id"] == agent["id"]
    assert items[0]["tool_calls"] is None and items[0]["tool_results"] is None
    after = user.get(f"/agents/{agent['id']}").json()
    assert after["message_count"] == 1 and after["last_active_at"] is not None
    assert after["state"]["error"]["kind"] == "conflict"


def test_an_agent_without_a_model_is_told_what_to_configure(world):
    user = world.user()
    agent = user.create_agent()
    response = send(user, agent["id"])
    assert_error(response, 409, "conflict")
    assert "model_provider" in response.json()["error"]["message"]
    assert "model_id" in response.json()["error"]["message"]


def test_history_offset_counts_from_the_newest_message(world):
    user = world.user()
    agent = modelled(user)
    for index in range(5):
        assert send(user, agent["id"], f"m{index}").status_code == 409
    latest = history(user, agent["id"], limit=2)
    assert texts(latest["items"]) == ["m3", "m4"]
    assert (latest["total"], latest["page"], latest["limit"], latest["total_pages"]) == (5, 1, 2, 3)
    assert texts(history(user, agent["id"], limit=2, offset=2)["items"]) == ["m1", "m2"]
    assert texts(history(user, agent["id"], limit=2, page=2)["items"]) == ["m1", "m2"]
    assert texts(history(user, agent["id"], limit=2, offset=4)["items"]) == ["m0"]
    assert history(user, agent["id"], limit=2, offset=9)["items"] == []
    assert texts(history(user, agent["id"])["items"]) == ["m0", "m1", "m2", "m3", "m4"]


def test_a_target_may_be_an_agents_name(world):
    user = world.user()
    agent = modelled(user)
    assert send(user, agent["name"], "by name").status_code == 409
    assert texts(history(user, agent["name"])["items"]) == ["by name"]
    assert texts(history(user, agent["id"])["items"]) == ["by name"]


@pytest.mark.parametrize("content, stored", [
    ("plain", {"Text": "plain"}),
    ({"Text": "tagged"}, {"Text": "tagged"}),
    ({"Parts": [{"Text": "look"}, {"Image": {"content_type": "image/png", "source": {"Url": "https://x.test/a.png"}}}]},
     {"Parts": [{"Text": "look"}, {"Image": {"content_type": "image/png", "source": {"Url": "https://x.test/a.png"}}}]}),
    ({"ToolCalls": [{"call_id": "c1", "fn_name": "lookup", "fn_arguments": {"q": 1}}]},
     {"ToolCalls": [{"call_id": "c1", "fn_name": "lookup", "fn_arguments": {"q": 1}}]}),
    ({"ToolResponses": [{"call_id": "c1", "content": "found", "is_error": False}]},
     {"ToolResponses": [{"call_id": "c1", "content": "found", "is_error": False}]}),
])
def test_content_is_accepted_plain_or_tagged_and_answered_tagged(world, content, stored):
    user = world.user()
    agent = modelled(user)
    send(user, agent["id"], content)
    assert history(user, agent["id"])["items"][0]["content"] == stored


@pytest.mark.parametrize("body, field", [
    ({"content": "x"}, "target"),
    ({"target": 5, "content": "x"}, "target"),
    ({"target": "a" * 129, "content": "x"}, "target"),
    ({"target": "AGENT"}, "content"),
    ({"target": "AGENT", "content": None}, "content"),
    ({"target": "AGENT", "content": 3}, "content"),
    ({"target": "AGENT", "content": ""}, "content"),
    ({"target": "AGENT", "content": {"ToolCalls": []}}, "content.ToolCalls"),
    ({"target": "AGENT", "content": {"ToolCalls": [{"fn_name": "x"}]}}, "content.ToolCalls[0].call_id"),
    ({"target": "AGENT", "content": {"ToolResponses": [{"call_id": "c", "content": 5}]}},
     "content.ToolResponses[0].content"),
    ({"target": "AGENT", "content": {"Audio": "x"}}, "content"),
    ({"target": "AGENT", "content": {"Text": 1}}, "content.Text"),
    ({"target": "AGENT", "content": {"Parts": [{"Text": "x"}, {"Text": ""}]}}, "content.Parts[1].Text"),
    ({"target": "AGENT", "content": {"ToolResponses": [{"call_id": "c", "content": ""}]}},
     "content.ToolResponses[0].content"),
    ({"target": "AGENT", "content": {"Parts": [{"Video": {}}]}}, "content.Parts[0]"),
    ({"target": "AGENT", "content": {"Parts": [{"Image": {"content_type": "image/png", "source": {}}}]}},
     "content.Parts[0].Image.source"),
    ({"target": "AGENT", "content": "x", "stream": "yes"}, "stream"),
])
def test_bad_sends_are_validation_errors_naming_the_field(world, body, field):
    user = world.user()
    agent = modelled(user)
    if body.get("target") == "AGENT":
        body = {**body, "target": agent["id"]}
    response = user.post("/chat/messages", body)
    assert response.status_code == 400, response.text
    assert field_of(response) == field
    assert history(user, agent["id"])["total"] == 0


def test_message_text_is_bounded_at_256_kib(world):
    """The largest text is taken whole (here kept although no provider answers); one byte more
    is refused naming `content`, and nothing is stored."""
    user = world.user()
    agent = modelled(user)
    largest = "x" * (256 * 1024)
    assert_error(send(user, agent["id"], largest), 409, "conflict")
    assert texts(history(user, agent["id"])["items"]) == [largest]
    response = send(user, agent["id"], largest + "x")
    assert response.status_code == 400, response.text
    assert field_of(response) == "content"
    assert history(user, agent["id"])["total"] == 1


def test_a_body_that_is_not_json_is_refused(world):
    user = world.user()
    response = user.request("POST", "/chat/messages", data=b"target=x", headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("params, field", [
    ({}, "target"), ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"offset": -1}, "offset"),
    ({"page": 0}, "page"), ({"limit": "x"}, "limit"),
])
def test_bad_history_parameters_name_the_parameter(world, params, field):
    user = world.user()
    agent = modelled(user)
    if params:
        params = {"target": agent["id"], **params}
    response = user.get("/messages", params=params)
    assert response.status_code == 400, response.text
    assert field_of(response) == field


def test_another_users_agent_is_not_found_by_id_or_name(world):
    owner, other = world.user(), world.user()
    agent = modelled(owner)
    send(owner, agent["id"], "private")
    for target in (agent["id"], agent["name"], "agent_01jdzzzzzzzzzzzzzzzzzzzzzz"):
        assert_error(send(other, target), 404, "not_found")
        assert_error(other.get("/messages", params={"target": target}), 404, "not_found")
    assert_error(other.get("/messages/search", params={"agent_id": agent["id"]}), 404, "not_found")
    assert other.get("/messages/search", params={"query": "private"}).json()["total"] == 0
    assert history(owner, agent["id"])["total"] == 1


def test_permissions_send_messages_and_read_messages(world):
    user = world.user()
    agent = modelled(user)
    reader = user.api_key(["read_messages"])
    sender = user.api_key(["send_messages"])
    assert_error(send(reader, agent["id"]), 403, "forbidden")
    assert_error(sender.get("/messages", params={"target": agent["id"]}), 403, "forbidden")
    assert_error(sender.get("/messages/search", params={"query": "x"}), 403, "forbidden")
    assert send(sender, agent["id"], "via key").status_code == 409
    assert texts(history(reader, agent["id"])["items"]) == ["via key"]


def test_a_suspended_agent_refuses_messages_and_stores_nothing(world):
    user = world.user()
    agent = modelled(user)
    assert user.patch(f"/agents/{agent['id']}", {"state": "suspended"}).status_code == 200
    assert_error(send(user, agent["id"]), 409, "conflict")
    assert history(user, agent["id"])["total"] == 0
    assert user.get(f"/agents/{agent['id']}").json()["state"] == "suspended"


def test_an_agent_cooling_down_answers_429_until_its_cooldown_ends(world):
    user = world.user()
    agent = modelled(user)
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 120))
    assert user.patch(f"/agents/{agent['id']}", {"state": {"cooldown": {"until": until}}}).status_code == 200
    response = send(user, agent["id"])
    assert_error(response, 429, "rate_limit")
    assert 100 <= int(response.headers["Retry-After"]) <= 121
    assert history(user, agent["id"])["total"] == 0
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
    user.patch(f"/agents/{agent['id']}", {"state": {"cooldown": {"until": past}}})
    assert send(user, agent["id"]).status_code == 409  # on to the model, which is missing here
    assert history(user, agent["id"])["total"] == 1


def test_a_group_target_is_refused_until_group_chat_is_wired(world):
    user = world.user()
    assert_error(send(user, "group_01jdzzzzzzzzzzzzzzzzzzzzzz"), 409, "conflict")


def test_search_finds_words_with_filters(world):
    user = world.user()
    first, second = modelled(user), modelled(user)
    send(user, first["id"], "the purple elephant dances")
    send(user, first["id"], "nothing to see")
    send(user, second["id"], "another purple thing")

    def search(**params):
        response = user.get("/messages/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    assert sorted(texts(search(query="purple")["items"])) == ["another purple thing", "the purple elephant dances"]
    assert texts(search(query="purple eleph")["items"]) == ["the purple elephant dances"]
    assert texts(search(query="purple", agent_id=second["id"])["items"]) == ["another purple thing"]
    assert search(query="purple", role="assistant")["total"] == 0
    assert search(query="purple", role="user")["total"] == 2
    assert search(query='"unbalanced AND (')["total"] == 0
    future = "2999-01-01T00:00:00Z"
    assert search(query="purple", from_date=future)["total"] == 0
    assert search(query="purple", to_date=future)["total"] == 2
    page = search(query="purple", limit=1, page=2)
    assert (page["total"], page["total_pages"], len(page["items"])) == (2, 2, 1)
    assert search(agent_id=first["id"])["total"] == 2


@pytest.mark.parametrize("params, status, error_type, field", [
    ({"role": "robot"}, 400, "validation_error", "role"),
    ({"from_date": "yesterday"}, 400, "datetime_error", "from_date"),
    ({"to_date": "2026-13-01T00:00:00Z"}, 400, "datetime_error", "to_date"),
    ({"agent_id": "nope"}, 400, "validation_error", "agent_id"),
    ({"query": "x" * 1025}, 400, "validation_error", "query"),
    ({"limit": 500}, 400, "validation_error", "limit"),
])
def test_bad_search_parameters_are_named(world, params, status, error_type, field):
    user = world.user()
    response = user.get("/messages/search", params=params)
    assert_error(response, status, error_type)
    assert response.json()["error"]["fields"][0]["field"] == field


def test_deleting_an_agent_deletes_its_messages(world):
    user = world.user()
    doomed, kept = modelled(user), modelled(user)
    send(user, doomed["id"], "ephemeral words")
    send(user, kept["id"], "ephemeral too")
    assert user.delete(f"/agents/{doomed['id']}").status_code == 204
    deadline = time.monotonic() + 5
    while user.get("/messages/search", params={"query": "ephemeral"}).json()["total"] != 1:
        assert time.monotonic() < deadline, "the deleted agent's messages are still found"
        time.sleep(0.05)
    found = user.get("/messages/search", params={"query": "ephemeral"}).json()["items"]
    assert [m["agent_id"] for m in found] == [kept["id"]]


def test_the_routes_are_in_the_openapi_document(world):
    user = world.user()
    paths = user.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/chat/messages"]
    assert "get" in paths["/api/v1/messages"] and "get" in paths["/api/v1/messages/search"]
    for path, method in (("/api/v1/chat/messages", "post"), ("/api/v1/messages", "get"), ("/api/v1/messages/search", "get")):
        assert "404" in paths[path][method]["responses"], path  # an unknown target or agent_id


def published(document, schema):
    """A validator of `schema` from `document`, its `$ref`s resolved against the document's components."""
    from jsonschema import Draft202012Validator
    return Draft202012Validator({**schema, "components": document["components"]})


@pytest.mark.parametrize("change", [
    {"target": ""}, {"content": ""}, {"content": {"Text": ""}}, {"content": {}}, {"content": {"Parts": []}},
    {"content": {"ToolCalls": [{}]}}, {"content": {"Text": "x", "Parts": [{"Text": "y"}]}},
])
def test_what_a_send_refuses_the_published_schema_refuses_too(world, change):
    """schemathesis sends whatever the OpenAPI document admits, so each refusal is published."""
    user = world.user()
    agent = modelled(user)
    document = user.get("/openapi.json").json()
    schema = document["paths"]["/api/v1/chat/messages"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = published(document, schema)
    body = {"target": agent["id"], "content": "x", **change}
    assert validator.is_valid({"target": agent["id"], "content": {"Parts": [{"Text": "x"}]}})
    assert not validator.is_valid(body)
    assert user.post("/chat/messages", body).status_code == 400


@pytest.mark.parametrize("path, params, field", [
    ("/api/v1/messages", {"target": ""}, "target"),
    ("/api/v1/messages/search", {"agent_id": "user_01jdzzzzzzzzzzzzzzzzzzzzzz"}, "agent_id"),
])
def test_what_a_query_refuses_the_published_parameter_refuses_too(world, path, params, field):
    user = world.user()
    document = user.get("/openapi.json").json()
    (name, value), = params.items()
    parameter = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
    assert not published(document, parameter["schema"]).is_valid(value)
    response = user.get(path.removeprefix("/api/v1"), params=params)
    assert response.status_code == 400, response.text
    assert field_of(response) == field


@pytest.mark.parametrize("setting", [
    "max_steps = 0", "max_queued_per_agent = -1", "model_timeout_seconds = 0", "context_tokens = 10",
    'max_steps = "ten"', "model_timeout_seconds = 1.5", "sleeptime_sweep_milliseconds = 10",
])
def test_bad_chat_config_refuses_the_start(run_cli, tmp_path, setting):
    config = tmp_path / "bad.toml"
    config.write_text(f"[chat]\n{setting}\n")
    result = run_cli("serve", "--config", str(config), plugins=[AUTH, AGENTS, PROVIDERS, CHAT], serve=True)
    assert result.returncode != 0
    key = setting.split(" = ")[0]
    assert result.line_with(f"chat.{key}") is not None, result.stderr


@pytest.mark.parametrize("missing", ["agents", "providers"])
def test_chat_without_agents_or_providers_is_refused_at_start(run_cli, missing):
    plugins = [AUTH, CHAT] + ([AGENTS] if missing == "providers" else [PROVIDERS])
    result = run_cli("serve", plugins=plugins, serve=True)
    assert result.returncode != 0
    assert result.line_with(missing) is not None, result.stderr
