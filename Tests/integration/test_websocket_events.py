"""The event socket (GET /api/v1/ws) end to end with the `websockets` client: auth on the
upgrade, `connected`, subscriptions checked by the owning plugin, events from REST writes,
typing (a plugin-registered command), presence, and errors that keep the connection."""
import json

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from conftest import AUTH

AGENTS = "libPatternAgents.so"
GROUPS = "libPatternGroups.so"
ADMIN_PASSWORD = "admin-password-1"


@pytest.fixture(scope="module")
def world(start_server_module):
    server = start_server_module(plugins=[AUTH, AGENTS, GROUPS],
                                 config="[auth]\nbcrypt_cost = 4\n",
                                 env={"PATTERN_ADMIN_USERNAME": "root", "PATTERN_ADMIN_PASSWORD": ADMIN_PASSWORD})
    base = f"http://127.0.0.1:{server.port}/api/v1"

    def login(username, password):
        response = requests.post(f"{base}/auth/login", json={"username": username, "password": password}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    admin = login("root", ADMIN_PASSWORD)
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    users = {}
    for name in ("alice", "bob"):
        created = requests.post(f"{base}/users", json={"username": name, "password": f"{name}-password"},
                                headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        users[name] = login(name, f"{name}-password")
    users["root"] = admin

    def call(user, method, path, body=None):
        return requests.request(method, f"{base}{path}", json=body, timeout=10,
                                headers={"Authorization": f"Bearer {users[user]['access_token']}"})

    agent = call("alice", "POST", "/agents", {"name": "helper", "agent_type": "generic"})
    assert agent.status_code == 201, agent.text
    return {"server": server, "users": users, "call": call, "agent": agent.json()["id"]}


def open_socket(world, user, via_query=False):
    token = world["users"][user]["access_token"]
    url = f"ws://127.0.0.1:{world['server'].port}/api/v1/ws"
    if via_query:
        return connect(f"{url}?token={token}", open_timeout=10)
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10)


def next_event(socket, type_, timeout=5):
    while True:
        event = json.loads(socket.recv(timeout=timeout))
        if event["type"] == type_:
            return event


def subscribe(socket, kind, resource):
    socket.send(json.dumps({"type": f"subscribe_{kind}", f"{kind}_id": resource}))
    return next_event(socket, "subscription")


def test_upgrade_without_a_valid_token_is_401(world):
    url = f"ws://127.0.0.1:{world['server'].port}/api/v1/ws"
    for kwargs in ({}, {"additional_headers": {"Authorization": "Bearer not-a-token"}}):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, open_timeout=5, **kwargs)
        assert refused.value.response.status_code == 401


@pytest.mark.parametrize("via_query", [False, True])
def test_connected_names_the_user(world, via_query):
    with open_socket(world, "alice", via_query) as socket:
        event = next_event(socket, "connected")
        assert event["user_id"] == world["users"]["alice"]["user"]["id"]
        assert event["session_id"] and event["timestamp"].endswith("Z")


def test_agent_state_change_reaches_subscribers(world):
    with open_socket(world, "alice") as socket:
        ack = subscribe(socket, "agent", world["agent"])
        assert ack == {"type": "subscription", "subscription_type": "agent", "resource_id": world["agent"],
                       "success": True, "message": "subscribed"}
        patched = world["call"]("alice", "PATCH", f"/agents/{world['agent']}", {"state": "suspended"})
        assert patched.status_code == 200, patched.text
        event = next_event(socket, "agent_state_changed")
        assert event["agent_id"] == world["agent"] and event["new_state"] == "suspended"
        world["call"]("alice", "PATCH", f"/agents/{world['agent']}", {"state": "ready"})
        assert next_event(socket, "agent_state_changed")["new_state"] == "ready"


def test_another_users_agent_is_refused(world):
    with open_socket(world, "bob") as socket:
        ack = subscribe(socket, "agent", world["agent"])
        assert ack["success"] is False
        world["call"]("alice", "PATCH", f"/agents/{world['agent']}", {"state": "suspended"})
        world["call"]("alice", "PATCH", f"/agents/{world['agent']}", {"state": "ready"})
        socket.send(json.dumps({"type": "ping"}))
        assert next_event(socket, "pong")  # no agent event arrived before the pong
        assert subscribe(socket, "user", world["users"]["alice"]["user"]["id"])["success"] is False


def test_typing_reaches_other_subscribers_but_not_the_sender(world):
    with open_socket(world, "alice") as typist, open_socket(world, "alice") as watcher:
        for socket in (typist, watcher):
            assert subscribe(socket, "agent", world["agent"])["success"]
        typist.send(json.dumps({"type": "set_typing", "agent_id": world["agent"], "is_typing": True}))
        event = next_event(watcher, "agent_typing")
        assert event["agent_id"] == world["agent"] and event["is_typing"] is True
        typist.send(json.dumps({"type": "ping"}))
        assert json.loads(typist.recv(timeout=5))["type"] == "pong", "typing must not echo to the sender"


def test_presence_online_then_offline(world):
    alice_id = world["users"]["alice"]["user"]["id"]
    with open_socket(world, "root") as observer:
        assert subscribe(observer, "user", alice_id)["success"]
        with open_socket(world, "alice"):
            event = next_event(observer, "presence")
            assert event["user_id"] == alice_id and event["status"] == "online"
        event = next_event(observer, "presence")
        assert event["user_id"] == alice_id and event["status"] == "offline"


@pytest.mark.parametrize("message, error_type", [
    ("not json", "invalid_command"),
    (json.dumps({"no": "type"}), "invalid_command"),
    (json.dumps({"type": "launch_rockets"}), "unknown_command"),
    (json.dumps({"type": "subscribe_agent"}), "validation_error"),
])
def test_bad_commands_get_an_error_and_the_connection_stays(world, message, error_type):
    with open_socket(world, "alice") as socket:
        socket.send(message)
        assert next_event(socket, "error")["error_type"] == error_type
        socket.send(json.dumps({"type": "ping"}))
        assert next_event(socket, "pong")


def key_socket(world, user, permissions):
    created = world["call"](user, "POST", "/api-keys", {"name": "socket key", "permissions": permissions})
    assert created.status_code == 201, created.text
    url = f"ws://127.0.0.1:{world['server'].port}/api/v1/ws"
    return connect(url, additional_headers={"Authorization": f"Bearer {created.json()['key']}"}, open_timeout=10)


def test_an_api_key_follows_only_what_its_permissions_read(world):
    with key_socket(world, "alice", ["read_groups"]) as socket:
        refused = subscribe(socket, "agent", world["agent"])
        assert not refused["success"], refused
    with key_socket(world, "alice", ["read_agents"]) as socket:
        assert subscribe(socket, "agent", world["agent"])["success"]


def test_an_admins_key_without_read_permissions_follows_no_one_elses_topics(world):
    with key_socket(world, "root", ["manage_users"]) as socket:
        assert not subscribe(socket, "agent", world["agent"])["success"]
        assert subscribe(socket, "user", "someone-else")["success"]
    with key_socket(world, "root", ["read_agents"]) as socket:
        assert not subscribe(socket, "user", "someone-else")["success"]
