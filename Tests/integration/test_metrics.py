"""The metrics plugin: GET /metrics in Prometheus text format 0.0.4, judged by promtool,
prometheus_client's parser and our own strict checks; HTTP, process and plugin metrics."""
import threading
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import assert_config_refused, HELLO_C, HELLO_SWIFT, METRICS, RawConnection, assert_error
from metrics_support import check_exposition, promtool_check, samples, scrape, value

PLUGINS = (METRICS, HELLO_C, HELLO_SWIFT)
GREETING = "/api/v1/hello-swift/greetings/{name}"


@pytest.fixture
def metrics_server(start_server):
    return start_server(plugins=PLUGINS)


def traffic(server):
    server.get("/api/v1/hello-swift/greetings/abc")
    server.get("/api/v1/hello-swift/greetings/def")
    server.post("/api/v1/hello-swift/echo", json={"text": "hi"})
    server.post("/api/v1/hello-swift/echo", data=b"{", headers={"Content-Type": "application/json"})
    server.get("/nope/1")
    server.get("/nope/2")
    server.get("/api/v1/hello")
    server.get("/api/health")


def test_exposition_passes_promtool_parsers_and_strict_checks(metrics_server):
    traffic(metrics_server)
    text = scrape(metrics_server)
    families = check_exposition(text)
    result = promtool_check(text)
    assert result.returncode == 0, f"promtool: {result.stdout}{result.stderr}"
    assert result.stderr.strip() == "", result.stderr
    parsed = {family.name: family for family in text_string_to_metric_families(text)}
    # prometheus_client names counter families without _total
    expected = {name[:-6] if families[name]["type"] == "counter" else name for name in families}
    assert set(parsed) == expected
    for name, family in parsed.items():
        assert family.type in ("counter", "gauge", "histogram"), (name, family.type)
    for required in ("http_requests_total", "http_request_duration_seconds", "http_requests_in_flight",
                     "http_request_size_bytes", "http_response_size_bytes", "websocket_connections",
                     "websocket_messages_total", "process_resident_memory_bytes", "process_cpu_seconds_total",
                     "process_open_fds", "process_max_fds", "process_start_time_seconds",
                     "pattern_plugins_loaded", "pattern_build_info"):
        assert required in families, required
        assert families[required]["help"], required
    assert families["http_request_duration_seconds"]["type"] == "histogram"
    assert families["http_requests_total"]["type"] == "counter"


def test_openmetrics_accept_still_gets_text_format(metrics_server):
    accept = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
              "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
    text = scrape(metrics_server, headers={"Accept": accept})
    assert "# EOF" not in text
    check_exposition(text)


def test_one_series_per_route_template(metrics_server):
    traffic(metrics_server)
    families = check_exposition(scrape(metrics_server))
    routes = {labels["route"] for labels, _ in samples(families, "http_requests_total")}
    assert GREETING in routes and "unmatched" in routes
    assert not any("abc" in r or "def" in r or r.startswith("/nope") for r in routes), routes
    assert value(families, "http_requests_total", method="GET", route=GREETING, status=200) == 2
    assert value(families, "http_requests_total", method="GET", route="unmatched", status=404) == 2
    assert value(families, "http_requests_total", method="POST", route="/api/v1/hello-swift/echo", status=400) == 1
    assert value(families, "http_requests_total", method="POST", route="/api/v1/hello-swift/echo", status=200) == 1
    assert value(families, "http_request_duration_seconds", "http_request_duration_seconds_count",
                 method="GET", route=GREETING) == 2
    duration_labels = {tuple(sorted(l)) for l, _ in samples(families, "http_request_duration_seconds",
                                                            "http_request_duration_seconds_count")}
    assert duration_labels == {("method", "route")}, "duration is by method and route, not status"


def test_methods_are_normalised(metrics_server):
    standard = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    with RawConnection(metrics_server.port) as conn:
        for method in standard + ("BREW", "PROPFIND", "XYZZY", "GE", "GETS"):
            conn.send(f"{method} /nope/{method} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
            conn.read_response(method)
    families = check_exposition(scrape(metrics_server))
    unmatched = samples(families, "http_requests_total", route="unmatched")
    counts = {labels["method"]: value for labels, value in unmatched}
    assert counts == {**{method: 1 for method in standard}, "other": 5}, counts


def test_sizes_and_latency_are_observed(metrics_server):
    metrics_server.post("/api/v1/hello-swift/upload", data=b"x" * 5000,
                        headers={"Content-Type": "application/octet-stream"})
    metrics_server.get("/api/v1/hello-swift/slow", params={"ms": "30"})
    families = check_exposition(scrape(metrics_server))
    upload = dict(method="POST", route="/api/v1/hello-swift/upload")
    assert value(families, "http_request_size_bytes", "http_request_size_bytes_sum", **upload) == 5000
    assert value(families, "http_request_size_bytes", "http_request_size_bytes_bucket", le="4096", **upload) == 0
    assert value(families, "http_request_size_bytes", "http_request_size_bytes_bucket", le="16384", **upload) == 1
    assert value(families, "http_response_size_bytes", "http_response_size_bytes_sum", **upload) == len(b'{"bytes":5000}')
    slow = dict(method="GET", route="/api/v1/hello-swift/slow")
    assert value(families, "http_request_duration_seconds", "http_request_duration_seconds_sum", **slow) >= 0.03
    assert value(families, "http_request_duration_seconds", "http_request_duration_seconds_bucket",
                 le="0.025", **slow) == 0
    assert value(families, "http_request_duration_seconds", "http_request_duration_seconds_bucket",
                 le="0.0005", **slow) == 0
    assert value(families, "http_request_duration_seconds", "http_request_duration_seconds_bucket",
                 le="10", **slow) == 1


def test_concurrent_requests_are_all_counted(metrics_server):
    """Every thread of the server counts into series of its own and a scrape adds them up:
    requests spread over the event loops (inline route) and the workers (the other) all count."""
    def client(path):
        with requests.Session() as session:
            for _ in range(150):
                assert session.get(metrics_server.url(path)).status_code == 200

    threads = [threading.Thread(target=client, args=(path,))
               for path in ("/api/v1/hello", "/api/v1/hello/x") for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    families = check_exposition(scrape(metrics_server))
    for route in ("/api/v1/hello", "/api/v1/hello/{name}"):
        assert value(families, "http_requests_total", method="GET", route=route, status=200) == 600
        assert value(families, "http_request_duration_seconds", "http_request_duration_seconds_count",
                     method="GET", route=route) == 600
        assert value(families, "http_response_size_bytes", "http_response_size_bytes_count",
                     method="GET", route=route) == 600


def test_in_flight_counts_running_requests(metrics_server):
    thread = threading.Thread(target=lambda: requests.get(metrics_server.url("/api/v1/hello-swift/slow?ms=1500"),
                                                          timeout=10))
    thread.start()
    time.sleep(0.5)
    during = value(check_exposition(scrape(metrics_server)), "http_requests_in_flight")
    thread.join()
    after = value(check_exposition(scrape(metrics_server)), "http_requests_in_flight")
    assert during == 2, "the slow request and the scrape itself"
    assert after == 1, "only the scrape itself"


def test_cors_preflights_do_not_unbalance_in_flight(start_server):
    server = start_server(plugins=PLUGINS, config='[cors]\nallowed_origins = ["https://app.example"]\n')
    for _ in range(3):
        response = server.request("OPTIONS", "/api/v1/hello", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
        assert response.status_code == 204
    assert value(check_exposition(scrape(server)), "http_requests_in_flight") == 1


def test_process_and_plugin_metrics(metrics_server):
    families = check_exposition(scrape(metrics_server))
    pid = metrics_server.process.pid
    rss_kib = next(int(l.split()[1]) for l in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if l.startswith("VmRSS:"))
    assert abs(value(families, "process_resident_memory_bytes") / 1024 - rss_kib) < 0.5 * rss_kib
    assert 0 < value(families, "process_open_fds") < value(families, "process_max_fds")
    assert abs(value(families, "process_start_time_seconds") - time.time()) < 120
    assert value(families, "process_cpu_seconds_total") > 0
    assert value(families, "process_virtual_memory_bytes") > value(families, "process_resident_memory_bytes")
    loaded = {(l["name"], l["version"]) for l, v in samples(families, "pattern_plugins_loaded") if v == 1}
    assert {"metrics", "hello-c", "hello-swift"} <= {name for name, _ in loaded}
    version = metrics_server.get("/api/v1/health").json()["version"]
    assert value(families, "pattern_build_info", version=version) == 1
    assert value(families, "websocket_connections") == 0
    assert value(families, "websocket_messages_total", direction="in") == 0


def test_default_access_is_loopback(metrics_server):
    assert metrics_server.get("/metrics").status_code == 200  # the harness connects from 127.0.0.1


@pytest.mark.parametrize("access", ["open", "loopback"])
def test_open_and_loopback_modes(start_server, access):
    server = start_server(plugins=(METRICS,), config=f'[metrics]\naccess = "{access}"\n')
    check_exposition(scrape(server))


def test_token_mode(start_server):
    token = "s3cret-token-0123456789"
    server = start_server(plugins=(METRICS,), config=f'[metrics]\naccess = "token"\ntoken = "{token}"\n')
    missing = server.get("/metrics")
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert_error(server.get("/metrics", headers={"Authorization": f"Bearer {token}x"}), 401, "unauthorized")
    assert_error(server.get("/metrics", headers={"Authorization": f"Bearer {token[:-1]}"}), 401, "unauthorized")
    assert_error(server.get("/metrics", headers={"Authorization": token}), 401, "unauthorized")
    check_exposition(scrape(server, headers={"Authorization": f"Bearer {token}"}))
    check_exposition(scrape(server, headers={"Authorization": f"bearer {token}"}))


@pytest.mark.parametrize("config, needle", [
    ('[metrics]\naccess = "everyone"\n', "metrics.access"),
    ('[metrics]\naccess = "token"\n', "metrics.token"),
    ('[metrics]\naccess = "token"\ntoken = "short"\n', "metrics.token"),
    ('[metrics]\nacess = "open"\n', "metrics.acess"),
])
def test_bad_config_refuses_the_start(run_cli, tmp_path, config, needle):
    assert_config_refused(run_cli, tmp_path, METRICS, config, "metrics", needle)


def test_metrics_route_is_in_openapi(metrics_server):
    document = metrics_server.get("/api/v1/openapi.json").json()
    assert "get" in document["paths"]["/metrics"]
