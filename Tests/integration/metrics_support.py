"""Helpers for the metrics and rate-limit tests: strict checks of the Prometheus text format
that neither promtool nor prometheus_client make, promtool itself, and a small C plugin
("probe") that uses the metrics.v1 and ratelimit.login.v1 services through the ABI and can
set a principal from test headers (so per-user and per-key limits are testable without an
auth plugin)."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import OrderedDict
from pathlib import Path

import pytest

from conftest import compile_c_plugin

PROBE = "libprobe.so"

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def parse_labels(text: str) -> tuple[tuple[str, str], ...]:
    labels, position = [], 0
    while position < len(text):
        match = LABEL.match(text, position)
        assert match, f"bad label set at {text[position:]!r}"
        value = match.group(2).replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        labels.append((match.group(1), value))
        position = match.end()
    return tuple(labels)


def family_of(sample_name: str, types: dict[str, str]) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample_name[: -len(suffix)]
        if sample_name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return sample_name


def check_exposition(text: str) -> dict[str, dict]:
    """Our own strict reading of text format 0.0.4. Returns {family: {"type", "help",
    "samples": [(name, labels-dict, value)]}}; asserts: final newline, one HELP and TYPE per
    family before its samples, every family's samples together, no duplicate series,
    histogram buckets cumulative in increasing `le` with +Inf equal to _count."""
    assert text.endswith("\n"), "the exposition must end with a newline"
    families: OrderedDict[str, dict] = OrderedDict()
    types: dict[str, str] = {}
    finished: set[str] = set()
    current = None
    seen_series = set()
    for line in text[:-1].split("\n"):
        assert line, "no empty lines"
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, name, rest = line[2:6], *line[7:].split(" ", 1)
            assert name not in finished, f"{name}: family split or repeated"
            entry = families.setdefault(name, {"type": None, "help": None, "samples": []})
            assert not entry["samples"], f"{name}: {kind} after samples"
            key = "help" if kind == "HELP" else "type"
            assert entry[key] is None, f"{name}: two {kind} lines"
            entry[key] = rest
            if key == "type":
                assert rest in ("counter", "gauge", "histogram", "summary", "untyped"), line
                types[name] = rest
            if current is not None and current != name:
                finished.add(current)
            current = name
            continue
        assert not line.startswith("#"), f"unexpected comment {line!r}"
        match = SAMPLE.match(line)
        assert match, f"bad sample line {line!r}"
        name, labels = match.group(1), parse_labels(match.group(3) or "")
        value = float(match.group(4))
        family = family_of(name, types)
        assert family in families, f"{name}: sample without HELP/TYPE"
        assert family not in finished, f"{family}: samples not together"
        if current != family:
            finished.add(current)
            current = family
        series = (name, labels)
        assert series not in seen_series, f"duplicate series {line!r}"
        seen_series.add(series)
        families[family]["samples"].append((name, dict(labels), value))
    for name, entry in families.items():
        assert entry["help"] is not None and entry["type"] is not None, f"{name}: HELP and TYPE required"
        if entry["type"] == "histogram":
            check_histogram(name, entry["samples"])
    return families


def check_histogram(name: str, samples) -> None:
    groups: dict[tuple, dict] = {}
    for sample, labels, value in samples:
        le = labels.pop("le", None)
        group = groups.setdefault(tuple(sorted(labels.items())), {"buckets": [], "count": None, "sum": None})
        if sample == name + "_bucket":
            assert le is not None, f"{name}: bucket without le"
            group["buckets"].append((float(le), value))
        elif sample == name + "_count":
            group["count"] = value
        elif sample == name + "_sum":
            group["sum"] = value
        if le is not None:
            labels["le"] = le
    for labels, group in groups.items():
        bounds = [b for b, _ in group["buckets"]]
        counts = [c for _, c in group["buckets"]]
        assert bounds and bounds[-1] == float("inf"), f"{name}{labels}: +Inf bucket missing"
        assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), f"{name}{labels}: le order"
        assert counts == sorted(counts), f"{name}{labels}: buckets not cumulative"
        assert group["count"] == counts[-1], f"{name}{labels}: +Inf {counts[-1]} != _count {group['count']}"
        assert group["sum"] is not None, f"{name}{labels}: _sum missing"


def samples(families, family: str, name: str | None = None, **labels) -> list[tuple[dict, float]]:
    """(labels, value) of the family's samples named `name` (default: the family name)
    whose labels include `labels`."""
    wanted = name or family
    return [(l, v) for n, l, v in families.get(family, {"samples": []})["samples"]
            if n == wanted and all(l.get(k) == str(val) for k, val in labels.items())]


def value(families, family: str, name: str | None = None, **labels) -> float:
    found = samples(families, family, name, **labels)
    assert len(found) == 1, f"expected one {name or family}{labels}, got {found}"
    return found[0][1]


def promtool() -> str | None:
    return shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)


def promtool_check(text: str) -> subprocess.CompletedProcess:
    tool = promtool()
    if tool is None:
        pytest.skip("promtool is not installed (Debian package `prometheus`, in the Makefile's TEST_PACKAGES)")
    return subprocess.run([tool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)


def scrape(server, **kwargs) -> str:
    response = server.get("/metrics", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return response.text


# ----- the probe plugin ---------------------------------------------------------------------

PROBE_SOURCE = r'''
/* probe: a test plugin in C that uses the metrics.v1 and ratelimit.login.v1 services and
 * sets a principal from X-Test-User / X-Test-Key / X-Test-Rate / X-Test-Above (tests only!). */
#include <pattern_plugin.h>
#include <pattern_metrics_service.h>
#include <pattern_login_throttle_service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR(s) ((pattern_str){s, sizeof(s) - 1})
static const pattern_host_v1 *host;

static int32_t authenticate(pattern_request *r, void *u) {
    (void)u;
    pattern_str user, key = {0, 0}, rate = {0, 0}, above = {0, 0};
    if (host->http->header(r, STR("x-test-user"), &user) != PATTERN_OK) return PATTERN_CONTINUE;
    host->http->header(r, STR("x-test-key"), &key);
    host->http->header(r, STR("x-test-rate"), &rate);
    host->http->header(r, STR("x-test-above"), &above);
    char digits[24] = {0};
    memcpy(digits, rate.ptr ? rate.ptr : "", rate.len < 23 ? rate.len : 23);
    pattern_principal p = {.struct_size = sizeof p, .user_id = user, .api_key_id = key, .rate_limit = atoll(digits),
                           .rate_limit_above_policy = above.len > 0};
    host->http->set_principal(r, &p);
    return PATTERN_CONTINUE;
}

static void reply(pattern_request *r, const char *json) {
    host->http->set_status(r, 200);
    host->http->add_header(r, STR("Content-Type"), STR("application/json"));
    host->http->write_body(r, (pattern_str){json, strlen(json)});
}

static pattern_status metrics_route(pattern_request *r, void *u) {
    (void)u;
    const pattern_metrics_v1 *m = NULL;
    if (host->services->lookup(STR(PATTERN_METRICS_SERVICE_V1), (const void **)&m) != PATTERN_OK) {
        reply(r, "{\"found\":false}");
        return PATTERN_OK;
    }
    /* The label value comes as the body: it may hold a newline, which no query value may. */
    pattern_str kind = host->http->body(r), labels[] = {STR("kind")};
    if (kind.len == 0) kind = STR("plain");
    pattern_metric_family *events, *level, *sizes, *clash;
    double bounds[] = {1, 10, 100};
    char out[512];
    int s1 = m->define(PATTERN_METRIC_COUNTER, STR("probe_events_total"), STR("Probe events.\nSecond \\ line"),
                       labels, 1, NULL, 0, &events);
    int s2 = m->define(PATTERN_METRIC_GAUGE, STR("probe_level"), STR("Probe level."), NULL, 0, NULL, 0, &level);
    int s3 = m->define(PATTERN_METRIC_HISTOGRAM, STR("probe_size_bytes"), STR("Probe sizes."), labels, 1,
                       bounds, 3, &sizes);
    int again = m->define(PATTERN_METRIC_COUNTER, STR("probe_events_total"), STR("x"), labels, 1, NULL, 0, &clash);
    int conflict = m->define(PATTERN_METRIC_COUNTER, STR("probe_events_total"), STR("x"), NULL, 0, NULL, 0, &clash);
    int badname = m->define(PATTERN_METRIC_GAUGE, STR("probe_level_total"), STR("x"), NULL, 0, NULL, 0, &clash);
    int reserved = m->define(PATTERN_METRIC_COUNTER, STR("http_requests_total"), STR("x"), NULL, 0, NULL, 0, &clash);
    int a = m->add(events, &kind, 1, 1);
    int negative = m->add(events, &kind, 1, -1);
    int arity = m->add(events, NULL, 0, 1);
    int g = m->set(level, NULL, 0, 42.5);
    int o1 = m->observe(sizes, &kind, 1, 5);
    int o2 = m->observe(sizes, &kind, 1, 1000);
    int wrong = m->observe(level, NULL, 0, 1);
    snprintf(out, sizeof out,
             "{\"found\":true,\"define\":[%d,%d,%d],\"same\":%d,\"again\":%d,\"conflict\":%d,\"badname\":%d,"
             "\"reserved\":%d,\"add\":%d,\"negative\":%d,\"arity\":%d,\"set\":%d,\"observe\":[%d,%d],\"wrong\":%d}",
             s1, s2, s3, clash == events, again, conflict, badname, reserved, a, negative, arity, g, o1, o2, wrong);
    reply(r, out);
    return PATTERN_OK;
}

static pattern_status login_route(pattern_request *r, void *u) {
    (void)u;
    const pattern_login_throttle_v1 *t = NULL;
    if (host->services->lookup(STR(PATTERN_LOGIN_THROTTLE_SERVICE_V1), (const void **)&t) != PATTERN_OK) {
        reply(r, "{\"found\":false}");
        return PATTERN_OK;
    }
    pattern_str user = STR(""), fail, from;
    host->http->query_param(r, STR("user"), &user);
    /* ?from=1: the per-address functions, which take the client from this request */
    int by_client = host->http->query_param(r, STR("from"), &from) == PATTERN_OK
                    && PATTERN_HAS_FIELD(t, pattern_login_throttle_v1, slowdown_milliseconds);
    if (host->http->query_param(r, STR("fail"), &fail) == PATTERN_OK) {
        if (by_client) t->record_client_failure(r, user); else t->record_failure(user);
    }
    long long retry = by_client ? t->client_retry_after(r, user) : t->retry_after(user);
    char out[96];
    snprintf(out, sizeof out, "{\"found\":true,\"retry_after\":%lld,\"slowdown_ms\":%lld}", retry,
             (long long)t->slowdown_milliseconds(user));
    reply(r, out);
    return PATTERN_OK;
}

static pattern_status init(const pattern_host_v1 *h, pattern_plugin *self, pattern_error *e) {
    (void)e;
    host = h;
    pattern_middleware mw = {sizeof mw, PATTERN_PHASE_AUTHENTICATE, 0, authenticate, NULL, PATTERN_INLINE};
    h->http->add_middleware(self, &mw);
    pattern_route a = {sizeof a, STR("GET"), STR("/api/v1/probe/metrics"), metrics_route, NULL, PATTERN_PUBLIC,
                       STR(""), STR("")};
    pattern_route b = {sizeof b, STR("POST"), STR("/api/v1/probe/login"), login_route, NULL, PATTERN_PUBLIC,
                       STR(""), STR("")};
    h->http->add_route(self, &a);
    h->http->add_route(self, &b);
    return PATTERN_OK;
}

static const pattern_plugin_descriptor descriptor = {
    sizeof descriptor, PATTERN_ABI_MAJOR, PATTERN_ABI_MINOR, STR("probe"), STR("1.0.0"),
    STR("test probe for the metrics and ratelimit services"), NULL, 0, init, NULL};

PATTERN_EXPORT const pattern_plugin_descriptor *pattern_plugin_entry_v1(void) { return &descriptor; }
'''


@pytest.fixture(scope="session")
def probe_plugin(plugin_files, tmp_path_factory) -> str:
    """Compiles the probe plugin and makes it available to start_server by name."""
    directory = tmp_path_factory.mktemp("probe")
    source = directory / "probe.c"
    source.write_text(PROBE_SOURCE)
    plugin_files[PROBE] = compile_c_plugin(source, directory / PROBE)
    return PROBE
