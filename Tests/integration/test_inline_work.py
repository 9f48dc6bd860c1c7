"""ABI 1.5: work that stays on the event loop (an INLINE handler that defers and an outbound
call with PATTERN_CLIENT_ON_LOOP), and inline work that must block this time
(PATTERN_WOULD_BLOCK moves the exchange to a worker). Through
Tests/Fixtures/c-plugins/inline_probe.c."""
import pytest

from outbound_support import LOOPBACK_ONLY, loopback_nginx

PROBE = "libinline_probe.so"


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    with loopback_nginx(tmp_path_factory, "inline") as server:
        yield server


@pytest.fixture(scope="module")
def server(start_server_module):
    return start_server_module(plugins=[PROBE], config=LOOPBACK_ONLY)


def test_an_on_loop_call_from_an_inline_handler_never_leaves_the_loop_thread(server, nginx):
    for _ in range(3):  # a fresh connection to nginx, then kept-alive ones
        response = server.get(f"/api/v1/inline-probe/relay?url=http://127.0.0.1:{nginx.http_port}/large.bin")
        assert response.status_code == 200
        report = response.json()
        assert report["status"] == 200 and report["outcome"] == 0 and report["body_len"] > 1 << 20
        # Handler, head, every body piece and completion all ran on the handler's (loop) thread.
        assert report["same_thread"] == 1


def test_an_inline_handler_that_would_block_runs_again_on_a_worker(server):
    first = server.get("/api/v1/inline-probe/maybe-block").json()
    second = server.get("/api/v1/inline-probe/maybe-block").json()
    assert first == {"may_block": 1, "loop_attempts": 1}
    assert second == {"may_block": 1, "loop_attempts": 2}


def test_an_inline_middleware_that_would_block_moves_the_rest_of_the_exchange_to_a_worker(server):
    assert server.get("/api/v1/inline-probe/middleware").json() == {"middleware_may_block": 0, "handler_may_block": 0}
    moved = server.get("/api/v1/inline-probe/middleware", headers={"X-Block": "yes"})
    assert moved.json() == {"middleware_may_block": 1, "handler_may_block": 1}


def test_would_block_from_a_worker_is_a_plugin_bug_answered_500(server):
    response = server.get("/api/v1/inline-probe/misplaced")
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "internal_error"
