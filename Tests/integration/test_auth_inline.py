"""Authentication on the network thread (ABI 1.5, inline unless blocking): a bearer JWT whose
login is cached, or an API key recently seen, is checked without a worker, so requests that
need no database never wait behind busy workers; a credential only the database can judge
still goes to a worker.

The proof: one worker, held for about two seconds by a login (bcrypt at cost 15). Meanwhile
cached credentials are answered at once, and a key the server has not seen waits for the
worker."""
import threading
import time

from auth_support import ADMIN_NAME, ADMIN_PASSWORD, auth_env, probe_plugin, start_auth  # noqa: F401


def elapsed(call) -> tuple[float, object]:
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def test_cached_credentials_need_no_worker_and_unknown_keys_wait_for_one(start_auth, monkeypatch):
    monkeypatch.setenv("BCRYPT_COST", "15")
    server = start_auth(config="[server]\nworkers = 1\n")
    token = server.admin_token()
    seen_key = server.create_key(token, ["read_agents"])["key"]
    fresh_key = server.create_key(token, ["read_agents"])["key"]
    # First uses read the database (on the worker) and fill the caches.
    assert server.as_user(token, "GET", "/api/v1/auth/me").status_code == 200
    assert server.as_user(seen_key, "GET", "/api/v1/health").status_code == 200

    took, _ = elapsed(lambda: server.login(ADMIN_NAME, ADMIN_PASSWORD))
    assert took > 1.2, f"a cost-15 login took only {took:.2f} s: it cannot hold the worker long enough"
    holder = threading.Thread(target=lambda: server.login(ADMIN_NAME, ADMIN_PASSWORD))
    holder.start()
    time.sleep(0.3)  # the login now holds the only worker
    try:
        took, me = elapsed(lambda: server.as_user(token, "GET", "/api/v1/auth/me"))
        assert me.status_code == 200 and me.json()["username"] == ADMIN_NAME and took < 0.5, took
        took, health = elapsed(lambda: server.as_user(seen_key, "GET", "/api/v1/health"))
        assert health.status_code == 200 and took < 0.5, took
        assert holder.is_alive()
        # A key the server has not seen: only the database can tell, so the worker must.
        took, health = elapsed(lambda: server.as_user(fresh_key, "GET", "/api/v1/health"))
        assert health.status_code == 200 and took > 0.5, took
    finally:
        holder.join()
