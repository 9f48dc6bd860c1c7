"""The ratelimit plugin with the real auth plugin: per-user keys, an API key's own
rate_limit (never above the policy unless an admin granted it and the operator allows it),
failed authentication charged to the client's address, and failed logins throttled per
username and address through ratelimit.login.v1."""
import time

from auth_support import ADMIN_NAME, ADMIN_PASSWORD, auth_env, probe_plugin, start_auth  # noqa: F401
from conftest import HELLO_C, RATELIMIT, assert_error

CONFIG = "[ratelimit.default]\nrequests = 6\nburst = 4\n[ratelimit.policies.auth]\nenabled = false\n"
# Clients behind the loopback "proxy" are told apart by X-Forwarded-For.
PROXIED = '[ratelimit]\ntrusted_proxies = ["127.0.0.1"]\n[ratelimit.policies.auth]\nenabled = false\n'


def statuses(server, credential, count, path="/api/v1/hello"):
    return [server.get(path, headers={"Authorization": f"Bearer {credential}"}).status_code for _ in range(count)]


def test_api_key_rate_limit_and_user_keys(start_auth):
    server = start_auth(config=CONFIG, extra=(RATELIMIT, HELLO_C))
    admin = server.admin_token()
    key = server.create_key(admin, ["read_agents"], rate_limit=2)["key"]
    user = server.user_token("ratelimited-user")
    as_key = {"Authorization": f"Bearer {key}"}
    for _ in range(2):
        response = server.get("/api/v1/hello", headers=as_key)
        assert response.status_code == 200, response.text
        assert response.headers["RateLimit-Policy"] == '"default";q=2;w=60'
    limited = server.get("/api/v1/hello", headers=as_key)
    assert_error(limited, 429, "rate_limit")
    assert int(limited.headers["Retry-After"]) == 30
    # the admin's own token is keyed by the admin's user id, with the default policy (burst 4,
    # two of which creating the key and the user spent)
    as_admin = {"Authorization": f"Bearer {admin}"}
    for _ in range(2):
        assert server.get("/api/v1/hello", headers=as_admin).status_code == 200
    assert server.get("/api/v1/hello", headers=as_admin).status_code == 429
    assert server.get("/api/v1/hello", headers={"Authorization": f"Bearer {user}"}).status_code == 200


def test_a_users_key_never_raises_its_limit_above_the_policy(start_auth):
    strict = '[ratelimit.policies.strict]\nroutes = ["/api/v1/hello/{name}"]\nrequests = 2\nburst = 2\n'
    server = start_auth(config=CONFIG + strict, extra=(RATELIMIT, HELLO_C))
    user = server.user_token("greedy")
    created = server.create_key(user, ["read_agents"], rate_limit=1_000_000)
    assert created["rate_limit"] == 1_000_000
    assert server.principal(created["key"]).json()["rate_limit_above_policy"] is False
    assert statuses(server, created["key"], 4) == [200] * 3 + [429], "the default policy: burst 4, one spent above"
    response = server.get("/api/v1/hello", headers={"Authorization": f"Bearer {created['key']}"})
    assert response.headers["RateLimit-Policy"] == '"default";q=6;w=60'
    assert statuses(server, created["key"], 3, "/api/v1/hello/x") == [200, 200, 429], "the stricter operator policy"


def test_only_an_admin_grants_a_limit_above_the_policy_and_only_where_the_operator_allows(start_auth):
    for allowed in (False, True):
        config = ("[ratelimit]\nallow_key_limits_above_policy = true\n" if allowed else "") + CONFIG
        server = start_auth(config=config, extra=(RATELIMIT, HELLO_C))
        admin = server.admin_token()
        granted = server.create_key(admin, ["read_agents"], rate_limit=1_000_000)["key"]
        assert server.principal(granted).json()["rate_limit_above_policy"] is True
        # the default policy's burst is 4, one of which the principal probe spent
        assert statuses(server, granted, 8) == ([200] * 8 if allowed else [200] * 3 + [429] * 5)
        users_key = server.create_key(server.user_token("greedy"), ["read_agents"], rate_limit=1_000_000)["key"]
        assert statuses(server, users_key, 5) == [200] * 4 + [429], "only an admin's grant may go above"
        server.stop()


def login_from(server, address, username=ADMIN_NAME, password=ADMIN_PASSWORD):
    return server.post("/api/v1/auth/login", json={"username": username, "password": password},
                       headers={"X-Forwarded-For": address})


def test_bad_credentials_count_against_the_client_address(start_auth):
    server = start_auth(config='[ratelimit]\ntrusted_proxies = ["127.0.0.1"]\n' + CONFIG, extra=(RATELIMIT, HELLO_C))
    key = server.create_key(server.admin_token(), ["read_agents"])["key"]

    def probe(credential, address="203.0.113.9"):
        return server.get("/api/v1/auth-probe/principal",
                          headers={"Authorization": f"Bearer {credential}", "X-Forwarded-For": address})

    for guess in ("pk_" + "A" * 43, "pk_" + "B" * 43, "not-a-jwt", "pk_" + "C" * 43):
        response = probe(guess)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    limited = probe("pk_" + "D" * 43)
    assert_error(limited, 429, "rate_limit")
    assert int(limited.headers["Retry-After"]) > 0
    assert probe(key).status_code == 200, "a valid key spends its own quota, not the address's"
    assert_error(probe("pk_" + "E" * 43, address="198.51.100.4"), 401, "unauthorized")


def test_failed_logins_are_throttled_per_username_and_address(start_auth):
    server = start_auth(config=PROXIED, extra=(RATELIMIT,))
    attacker = "203.0.113.7"
    for _ in range(5):
        assert login_from(server, attacker, password="wrong password!").status_code == 401
    for password in ("wrong password!", ADMIN_PASSWORD):
        throttled = login_from(server, attacker, ADMIN_NAME.upper(), password)
        assert_error(throttled, 429, "rate_limit")
        assert int(throttled.headers["Retry-After"]) > 0
    assert login_from(server, attacker, "someone-else", "wrong password!").status_code == 401
    owner = login_from(server, "198.51.100.2")
    assert owner.status_code == 200, "failures from another address never lock the right password out"


def test_failures_from_many_addresses_only_slow_a_username_down(start_auth):
    server = start_auth(config=PROXIED, extra=(RATELIMIT,))
    for index in range(21):  # past the default ceiling of 20 failures per username and window
        assert login_from(server, f"203.0.113.{index}", password="wrong password!").status_code == 401
    started = time.monotonic()
    owner = login_from(server, "198.51.100.2")
    elapsed = time.monotonic() - started
    assert owner.status_code == 200, owner.text
    assert elapsed >= 0.9, "over the username's ceiling every answer waits (up to 1 s)"
    assert login_from(server, "198.51.100.3", password="wrong password!").status_code == 401, "never a lockout"
