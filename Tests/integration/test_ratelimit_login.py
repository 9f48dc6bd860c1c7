"""The ratelimit.login.v1 service, driven through the probe plugin exactly as the auth plugin
uses it: ask retry_after first, wait the slow-down, record failures. Failures count per
username and client address; across addresses a username is only slowed down."""
import time

from conftest import HELLO_C, RATELIMIT
from metrics_support import probe_plugin  # noqa: F401

PROXIED = '[ratelimit]\ntrusted_proxies = ["127.0.0.1"]\n[ratelimit.policies.auth]\nenabled = false\n'


def attempt(server, user, fail=False, address=None):
    """With an address, the per-address functions (the client behind the loopback proxy);
    without, the first version's functions, which know no address."""
    params = {"user": user, **({"fail": "1"} if fail else {}), **({"from": "1"} if address else {})}
    headers = {"X-Forwarded-For": address} if address else {}
    response = server.post("/api/v1/probe/login", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_failures_throttle_one_username_case_insensitively(start_server, probe_plugin):
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin),
                          config="[ratelimit.policies.auth]\nenabled = false\n")
    for _ in range(4):
        assert attempt(server, "Alice", fail=True)["retry_after"] == 0
    throttled = attempt(server, "alice", fail=True)["retry_after"]
    assert 55 <= throttled <= 60, "5 failures per 5 minutes: the next try waits a fifth of the window"
    assert attempt(server, "ALICE")["retry_after"] > 0
    assert attempt(server, "bob")["retry_after"] == 0, "other usernames are unaffected"


def test_failures_count_per_username_and_client_address(start_server, probe_plugin):
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin), config=PROXIED)
    for _ in range(5):
        attempt(server, "erin", fail=True, address="203.0.113.5")
    assert attempt(server, "ERIN", address="203.0.113.5")["retry_after"] > 0
    assert attempt(server, "erin", address="198.51.100.1")["retry_after"] == 0, "another address may still try"
    assert attempt(server, "erin")["retry_after"] == 0, "first-version callers count as one unknown address"


def test_failures_from_many_addresses_only_slow_the_username_down(start_server, probe_plugin):
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin),
                          config=PROXIED + "[ratelimit.login]\nmax_failures_per_username = 3\n")
    for index in range(2):
        assert attempt(server, "frank", fail=True, address=f"203.0.113.{index}")["slowdown_ms"] == 0
    answer = attempt(server, "frank", fail=True, address="203.0.113.9")  # the third: the ceiling is reached
    assert answer["retry_after"] == 0 and 0 < answer["slowdown_ms"] <= 1000, answer
    assert attempt(server, "frank", address="198.51.100.1")["slowdown_ms"] == 1000, "capped at a second"
    assert attempt(server, "grace", address="203.0.113.9")["slowdown_ms"] == 0


def test_throttle_frees_up_when_the_window_passes(start_server, probe_plugin):
    server = start_server(plugins=(RATELIMIT, HELLO_C, probe_plugin),
                          config="[ratelimit.login]\nmax_failures = 2\nwindow_seconds = 2\n"
                                 "[ratelimit.policies.auth]\nenabled = false\n")
    attempt(server, "carol", fail=True)
    assert attempt(server, "carol", fail=True)["retry_after"] == 1
    time.sleep(1.1)
    assert attempt(server, "carol")["retry_after"] == 0, "a throttle, never a lockout"


def test_without_ratelimit_the_service_is_absent(start_server, probe_plugin):
    server = start_server(plugins=(HELLO_C, probe_plugin))
    assert attempt(server, "dave") == {"found": False}
