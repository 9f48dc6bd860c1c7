"""The metrics.v1 service, used from a plain C plugin (the probe): families it defines show
up on /metrics with escaped help and label values; bad definitions are refused; without
the metrics plugin the lookup simply fails and nothing breaks."""
from conftest import HELLO_C, METRICS, RATELIMIT
from metrics_support import check_exposition, probe_plugin, promtool_check, scrape, value  # noqa: F401

OK, INVALID, CONFLICT = 0, 1, 8


def test_service_defines_and_updates_families(start_server, probe_plugin):
    server = start_server(plugins=(METRICS, HELLO_C, probe_plugin))
    kind = 'quote" back\\slash\nnewline'
    first = server.get("/api/v1/probe/metrics", data=kind.encode()).json()
    assert first == {"found": True, "define": [OK, OK, OK], "same": 1, "again": OK, "conflict": CONFLICT,
                     "badname": INVALID, "reserved": CONFLICT, "add": OK, "negative": INVALID,
                     "arity": INVALID, "set": OK, "observe": [OK, OK], "wrong": INVALID}
    server.get("/api/v1/probe/metrics")
    text = scrape(server)
    families = check_exposition(text)
    assert promtool_check(text).returncode == 0
    assert families["probe_events_total"]["help"] == "Probe events.\\nSecond \\\\ line"
    assert families["probe_events_total"]["type"] == "counter"
    assert '{kind="quote\\" back\\\\slash\\nnewline"}' in text
    assert value(families, "probe_events_total", kind=kind) == 1
    assert value(families, "probe_events_total", kind="plain") == 1
    assert value(families, "probe_level") == 42.5
    assert families["probe_size_bytes"]["type"] == "histogram"
    assert value(families, "probe_size_bytes", "probe_size_bytes_bucket", kind="plain", le="1") == 0
    assert value(families, "probe_size_bytes", "probe_size_bytes_bucket", kind="plain", le="10") == 1
    assert value(families, "probe_size_bytes", "probe_size_bytes_bucket", kind="plain", le="+Inf") == 2
    assert value(families, "probe_size_bytes", "probe_size_bytes_sum", kind="plain") == 1005


def test_without_the_metrics_plugin_the_service_is_absent(start_server, probe_plugin):
    server = start_server(plugins=(HELLO_C, probe_plugin))
    assert server.get("/api/v1/probe/metrics").json() == {"found": False}
    assert server.get("/metrics").status_code == 404


def test_swift_plugins_report_through_the_wrapper(start_server):
    """The ratelimit plugin uses PluginKit's Metrics wrapper: with both plugins loaded its
    families appear once it has something to report."""
    server = start_server(plugins=(METRICS, RATELIMIT, HELLO_C),
                          config='[ratelimit.policies.tiny]\nroutes = ["/api/v1/hello"]\nrequests = 1\nburst = 1\n')
    assert server.get("/api/v1/hello").status_code == 200
    assert server.get("/api/v1/hello").status_code == 429
    families = check_exposition(scrape(server))
    assert value(families, "ratelimit_limited_total", policy="tiny") == 1
    assert value(families, "ratelimit_keys") == 1
