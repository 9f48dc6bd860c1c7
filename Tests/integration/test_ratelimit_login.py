"""The ratelimit.login.v1 service (failed logins per username), driven through the probe
plugin exactly as the auth plugin uses it: ask retry_after first, record failures."""
import time

from conftest import HELLO_C, RATELIMIT
from metrics_support import probe_plugin  # noqa: F401


def attempt(server, user, fail=False):
    params = {"user": user, **({"fail": "1"} if fail else {})}
    response = server.post("/api/v1/probe/login", params=params)
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
