"""Concurrency and shutdown: a slow handler never stalls other connections, and SIGTERM
drains in-flight requests before exiting 0."""
import os
import socket
import threading
import time


def slow_request(server, ms: int, results: dict):
    try:
        with server.connect(timeout=15) as conn:
            response = conn.request("GET", f"/api/v1/hello-swift/slow?ms={ms}")
            results["status"] = response.status
            results["body"] = response.json()
    except Exception as e:  # reported by the test's assertions
        results["error"] = repr(e)


def test_slow_handler_does_not_delay_other_connections(server):
    results = {}
    slow = threading.Thread(target=slow_request, args=(server, 2000, results))
    slow.start()
    try:
        time.sleep(0.3)  # let the slow request reach its handler
        with server.connect() as conn:
            for _ in range(20):
                assert conn.request("GET", "/api/health").status == 200
        # Ordering, not a stopwatch: all 20 answers came while the slow handler still slept.
        assert slow.is_alive(), "the health requests waited for the slow handler"
    finally:
        slow.join(timeout=15)
    assert results.get("status") == 200, results
    assert results["body"] == {"slept_ms": 2000}


def test_several_slow_requests_run_concurrently(server):
    threads, results = [], [{} for _ in range(4)]
    started = time.monotonic()
    for r in results:
        threads.append(threading.Thread(target=slow_request, args=(server, 1000, r)))
        threads[-1].start()
    for t in threads:
        t.join(timeout=15)
    elapsed = time.monotonic() - started
    assert all(r.get("status") == 200 for r in results), results
    # Run one after another they would take at least 4 s.
    assert elapsed < 3.9, f"4 concurrent 1 s requests took {elapsed:.2f} s"


def new_connection_refused(port: int) -> bool:
    """True when a new connection is refused, or accepted and closed without an answer."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.settimeout(1)
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            return not sock.recv(64).startswith(b"HTTP/1.1 200")
    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_sigterm_drains_in_flight_requests_then_exits_0(start_server):
    server = start_server()
    results = {}
    slow = threading.Thread(target=slow_request, args=(server, 2000, results))
    slow.start()
    time.sleep(0.5)
    server.terminate()

    refused = False
    deadline = time.monotonic() + 1.2  # well before the slow request ends
    while time.monotonic() < deadline and not refused:
        refused = new_connection_refused(server.port)
        if not refused:
            time.sleep(0.1)

    slow.join(timeout=15)
    assert results.get("status") == 200, results
    assert results["body"] == {"slept_ms": 2000}
    assert refused, "new connections were still served after SIGTERM"
    assert server.wait(timeout=10) == 0, server.stderr()


def test_sigint_exits_0(start_server):
    import signal
    server = start_server()
    server.terminate(signal.SIGINT)
    assert server.wait(timeout=10) == 0, server.stderr()


def test_idle_keep_alive_connection_does_not_block_shutdown(start_server):
    server = start_server()
    with server.connect() as conn:
        assert conn.request("GET", "/api/v1/hello").status == 200
        server.terminate()
        assert server.wait(timeout=10) == 0, server.stderr()
        assert conn.is_closed(timeout=1)


def test_client_that_vanishes_during_a_slow_request_costs_no_cpu(server):
    """A reset connection whose request is still running on a worker must not make the event
    loop spin on the hang-up until the handler returns."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(b"GET /api/v1/hello-swift/slow?ms=2000 HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.2)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
    sock.close()

    def cpu_seconds() -> float:
        fields = open(f"/proc/{server.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = cpu_seconds()
    time.sleep(1.5)
    assert cpu_seconds() - before < 0.5, "the event loop spun while the request ran"
    assert server.get("/api/health").status_code == 200


def test_restart_keeps_plugins_with_several_migrations(start_server):
    """The host applies each migration as init registers it; on a restart the database
    already has the later ones, which must not be taken for a downgrade (agents has two)."""
    from agents_support import AGENTS, GROUPS
    from conftest import AUTH
    server = start_server(plugins=(AUTH, AGENTS, GROUPS))
    assert server.get("/api/v1/health").status_code == 200
    server.stop()
    server.start()
    services = {s["name"] for s in server.get("/api/v1/health").json()["services"]}
    assert {"auth", "agents", "groups"} <= services
