"""The ratelimit plugin: GCRA per client key, route policies, draft-10 RateLimit headers,
429 with Retry-After, trusted proxies, per-user and per-key limits (principals set by the
probe plugin), and config validation."""
import re
import time

import pytest

from conftest import assert_config_refused, HELLO_C, HELLO_SWIFT, METRICS, RATELIMIT, assert_error
from metrics_support import probe_plugin  # noqa: F401

TINY = """
[ratelimit]
trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
[ratelimit.policies.tiny]
routes = ["/api/v1/hello/{name}"]
requests = 60
window_seconds = 60
burst = 3
key = "ip"
"""
STATE = re.compile(r'^"(\w+)";r=(\d+);t=(\d+)$')


def state(response):
    match = STATE.match(response.headers["RateLimit"])
    assert match, response.headers["RateLimit"]
    return match.group(1), int(match.group(2)), int(match.group(3))


@pytest.fixture
def tiny(start_server):
    return start_server(plugins=(RATELIMIT, HELLO_C, HELLO_SWIFT), config=TINY)


def test_burst_beyond_the_limit_gets_429_then_recovers(tiny):
    for remaining in (2, 1, 0):
        response = tiny.get("/api/v1/hello/ann")
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == '"tiny";q=60;w=60'
        assert state(response) == ("tiny", remaining, 1)
    limited = tiny.get("/api/v1/hello/ann")
    body = assert_error(limited, 429, "rate_limit")
    assert "retry" in body["error"]["message"].lower()
    retry_after = int(limited.headers["Retry-After"])
    assert retry_after == 1
    assert limited.headers["RateLimit-Policy"] == '"tiny";q=60;w=60'
    name, remaining, reset = state(limited)
    assert remaining == 0 and reset <= retry_after
    assert "X-Request-Id" in limited.headers
    time.sleep(retry_after + 0.05)
    assert tiny.get("/api/v1/hello/ann").status_code == 200


def test_default_policy_headers_and_exempt_routes(tiny):
    response = tiny.get("/api/v1/hello")
    assert response.status_code == 200
    assert response.headers["RateLimit-Policy"] == '"default";q=600;w=60'
    assert state(response) == ("default", 99, 1)
    unmatched = tiny.get("/nope")
    assert unmatched.status_code == 404
    assert unmatched.headers["RateLimit-Policy"] == '"default";q=600;w=60', "error bodies keep the headers"
    for path in ("/api/health", "/api/v1/health"):
        assert "RateLimit" not in tiny.get(path).headers
        assert "RateLimit-Policy" not in tiny.get(path).headers


PATTERNS = """
[ratelimit]
exempt = ["/api/v1/health", "/api/v1/hello/*"]
[ratelimit.policies.wide]
routes = ["/api/v1/hello-swift/**"]
requests = 600
[ratelimit.policies.narrow]
routes = ["GET /api/v1/hello-swift/greetings/{name}"]
requests = 600
"""


def test_patterns_pick_the_most_specific_policy(start_server):
    server = start_server(plugins=(RATELIMIT, HELLO_C, HELLO_SWIFT), config=PATTERNS)

    def policy(method, path):
        response = server.http.request(method, server.url(path))
        header = response.headers.get("RateLimit-Policy")
        return header.split(";")[0].strip('"') if header else None

    assert policy("GET", "/api/v1/hello-swift/greetings/abc") == "narrow", "more literal segments win"
    assert policy("HEAD", "/api/v1/hello-swift/greetings/abc") == "narrow", "a GET pattern covers HEAD"
    assert policy("DELETE", "/api/v1/hello-swift/greetings/abc") == "wide", "other methods fall to **"
    assert policy("GET", "//api/v1/hello-swift//greetings/abc/") == "narrow", "empty segments are ignored"
    assert policy("GET", "/api/v1/hello-swift/greetings/abc/more") == "wide", "{name} is one segment"
    assert policy("GET", "/api/v1/hello-swift") == "wide", "** also matches nothing"
    assert policy("GET", "/api/v1/hello-swiftly") == "default"
    assert policy("GET", "/api/v1/hello") == "default"
    assert policy("GET", "/api/v1/hello/x") is None, "exempt by a pattern"
    assert policy("GET", "/api/v1/hello/x/y") == "default", "the exempt * is one segment"
    assert policy("GET", "/api/v1/health") is None, "exempt by its exact path"


def test_keys_are_independent(tiny):
    xff = lambda ip: {"X-Forwarded-For": ip}
    for _ in range(3):
        assert tiny.get("/api/v1/hello/x", headers=xff("203.0.113.1")).status_code == 200
    assert tiny.get("/api/v1/hello/x", headers=xff("203.0.113.1")).status_code == 429
    assert tiny.get("/api/v1/hello/x", headers=xff("203.0.113.2")).status_code == 200
    assert tiny.get("/api/v1/hello/x").status_code == 200  # the proxy itself is a client too
    assert tiny.get("/api/v1/hello", headers=xff("203.0.113.1")).status_code == 200, "policies are separate"


def test_forwarded_for_only_from_trusted_proxies(start_server):
    untrusted = start_server(plugins=(RATELIMIT, HELLO_C), config=TINY.replace(
        'trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]', 'trusted_proxies = ["10.0.0.0/8"]'))
    for index in range(3):
        assert untrusted.get("/api/v1/hello/x", headers={"X-Forwarded-For": f"198.51.100.{index}"}).status_code == 200
    spoofed = untrusted.get("/api/v1/hello/x", headers={"X-Forwarded-For": "198.51.100.99"})
    assert spoofed.status_code == 429, "a client that is not a trusted proxy cannot pick its key"


def test_forwarded_chain_skips_trusted_hops(tiny):
    # 10.0.0.5 is a trusted (inner) proxy, so the client is the hop before it; the
    # leftmost entry is whatever the client wrote and is ignored.
    chain = lambda forged: {"X-Forwarded-For": f"{forged}, 192.0.2.7, 10.0.0.5"}
    for index in range(3):
        assert tiny.get("/api/v1/hello/x", headers=chain(f"1.1.1.{index}")).status_code == 200
    assert tiny.get("/api/v1/hello/x", headers=chain("1.1.1.200")).status_code == 429
    assert tiny.get("/api/v1/hello/x", headers={"X-Forwarded-For": "192.0.2.8"}).status_code == 200


def test_ipv6_clients_share_their_64_and_malformed_hops_are_no_key(tiny):
    xff = lambda ip: {"X-Forwarded-For": ip}
    for host in ("2001:db8::1", "2001:db8::2", "2001:db8::ffff:1"):
        assert tiny.get("/api/v1/hello/x", headers=xff(host)).status_code == 200
    assert tiny.get("/api/v1/hello/x", headers=xff("2001:db8::3")).status_code == 429, "one /64, one key"
    assert tiny.get("/api/v1/hello/x", headers=xff("2001:db8:0:1::1")).status_code == 200, "the next /64"
    # Not addresses: the walk stops there, so they all count against the proxy's own key.
    answers = [tiny.get("/api/v1/hello/x", headers=xff(forged)).status_code
               for forged in ("203.0.113.256", "203.0.113.01", "203.0.113", "1.2.3.4.5", "::ffff:zz")]
    assert answers == [200, 200, 200, 429, 429]
    assert tiny.get("/api/v1/hello/x").status_code == 429
    assert tiny.get("/api/v1/hello/x", headers=xff("203.0.113.1")).status_code == 200, "a fresh, valid key"


def test_auth_policy_covers_login_aliases_and_registration_per_ip(start_server):
    server = start_server(plugins=(RATELIMIT, HELLO_C))
    paths = [("POST", "/api/auth"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/users"),
             ("POST", "/api/v1/auth/refresh"), ("POST", "/api/auth")]
    for method, path in paths:
        response = server.request(method, path, json={})
        assert response.status_code != 429, path
        assert response.headers["RateLimit-Policy"] == '"auth";q=10;w=60'
    limited = server.post("/api/v1/auth/login", json={})
    assert_error(limited, 429, "rate_limit")
    assert int(limited.headers["Retry-After"]) == 6
    listing = server.get("/api/v1/users")
    assert listing.headers["RateLimit-Policy"] == '"default";q=600;w=60', "only POST /api/v1/users is auth"


def test_per_user_keys(start_server, probe_plugin):
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin),
                          config="[ratelimit.default]\nrequests = 60\nburst = 2\n")
    alice = {"X-Test-User": "user_alice"}
    assert server.get("/api/v1/hello", headers=alice).status_code == 200
    assert server.get("/api/v1/hello", headers=alice).status_code == 200
    assert server.get("/api/v1/hello", headers=alice).status_code == 429
    assert server.get("/api/v1/hello", headers={"X-Test-User": "user_bob"}).status_code == 200
    assert server.get("/api/v1/hello").status_code == 200, "anonymous clients are keyed by IP"


def test_api_key_rate_limit_overrides_the_default(start_server, probe_plugin):
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin))
    key = {"X-Test-User": "user_carol", "X-Test-Key": "key_1", "X-Test-Rate": "3"}
    for remaining in (2, 1, 0):
        response = server.get("/api/v1/hello", headers=key)
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == '"default";q=3;w=60'
        assert state(response)[1] == remaining
    limited = server.get("/api/v1/hello", headers=key)
    assert_error(limited, 429, "rate_limit")
    assert int(limited.headers["Retry-After"]) == 20
    other_key = {"X-Test-User": "user_carol", "X-Test-Key": "key_2"}
    response = server.get("/api/v1/hello", headers=other_key)
    assert response.status_code == 200, "each API key has its own bucket"
    assert response.headers["RateLimit-Policy"] == '"default";q=600;w=60'
    assert server.get("/api/v1/hello", headers={"X-Test-User": "user_carol"}).status_code == 200


@pytest.mark.parametrize("allowed", [False, True])
def test_a_credentials_limit_above_the_policy_needs_an_admin_grant_and_the_operator(start_server, probe_plugin, allowed):
    config = "[ratelimit]\nallow_key_limits_above_policy = true\n" if allowed else None
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin), config=config)
    own = {"X-Test-User": "user_dan", "X-Test-Key": "key_own", "X-Test-Rate": "1000"}
    assert server.get("/api/v1/hello", headers=own).headers["RateLimit-Policy"] == '"default";q=600;w=60'
    granted = {"X-Test-User": "user_dan", "X-Test-Key": "key_granted", "X-Test-Rate": "1000", "X-Test-Above": "1"}
    expected = '"default";q=1000;w=60' if allowed else '"default";q=600;w=60'
    assert server.get("/api/v1/hello", headers=granted).headers["RateLimit-Policy"] == expected


@pytest.mark.parametrize("plugins", [(RATELIMIT,), (RATELIMIT, METRICS)], ids=["alone", "with-metrics"])
def test_deploys_alone_and_with_metrics(start_server, plugins):
    server = start_server(plugins=plugins)
    assert server.get("/api/v1/health").status_code == 200
    response = server.get("/nope")
    assert response.status_code == 404 and "RateLimit" in response.headers
    names = {s["name"] for s in server.get("/api/v1/health").json()["services"]}
    assert "ratelimit" in names


@pytest.mark.parametrize("config, needle", [
    ("[ratelimit]\nmax_key = 5\n", "ratelimit.max_key"),
    ('[ratelimit]\ntrusted_proxies = ["10.0.0.0/33"]\n', "ratelimit.trusted_proxies"),
    ('[ratelimit]\ntrusted_proxies = ["proxy.local"]\n', "ratelimit.trusted_proxies"),
    ("[ratelimit]\nmax_keys = 0\n", "ratelimit.max_keys"),
    ("[ratelimit.default]\nrequests = 0\n", "ratelimit.default.requests"),
    ("[ratelimit.default]\nroutes = []\n", "ratelimit.default.routes"),
    ('[ratelimit.policies.x]\nroutes = ["api/no-slash"]\nrequests = 1\n', "ratelimit.policies.x.routes"),
    ("[ratelimit.policies.x]\nrequests = 1\n", "ratelimit.policies.x.routes"),
    ('[ratelimit.policies.auth]\nkey = "user"\n', "ratelimit.policies.auth.key"),
    ("[ratelimit.login]\nmax_failures = -1\n", "ratelimit.login.max_failures"),
    ("[ratelimit.login]\nmax_failures_per_username = 0\n", "ratelimit.login.max_failures_per_username"),
    ('[ratelimit]\nallow_key_limits_above_policy = "yes"\n', "ratelimit.allow_key_limits_above_policy: expected true or false"),
])
def test_bad_config_refuses_the_start(run_cli, tmp_path, config, needle):
    assert_config_refused(run_cli, tmp_path, RATELIMIT, config, needle)
