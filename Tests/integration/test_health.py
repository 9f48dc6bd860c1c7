"""GET /api/v1/health (and its alias /api/health) and the OpenAPI document."""
import pytest

from conftest import HELLO_C, assert_standard_headers


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/health"])
def test_health_reports_every_loaded_plugin(server, path):
    response = server.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert_standard_headers(response)
    body = response.json()
    assert body["status"] == "healthy"
    assert isinstance(body["version"], str) and body["version"]
    assert isinstance(body["uptime_seconds"], int) and body["uptime_seconds"] >= 0
    assert body["database_status"] == "ok"
    services = {s["name"]: s for s in body["services"]}
    assert set(services) == {"hello-c", "hello-swift"}, body["services"]
    # hello-c reports OK with an empty message: the API shows that as null.
    assert services["hello-c"] == {"name": "hello-c", "status": "ok", "message": None}
    assert services["hello-swift"]["status"] == "ok"


def test_health_follows_every_report(start_server):
    """The body is rendered once per change: each new report must show on the next request."""
    server = start_server(plugins=[HELLO_C, "libhealth_switch.so"])

    def state():
        body = server.get("/api/v1/health").json()
        return body["status"], {s["name"]: s for s in body["services"]}["health-switch"]

    assert state() == ("healthy", {"name": "health-switch", "status": "ok", "message": None})
    steps = [("warning", "disk \"low\"", "degraded"), ("ok", "", "healthy"), ("error", "down", "degraded"),
             ("error", "still down", "degraded"), ("ok", "", "healthy")]
    for level, message, overall in steps:
        assert server.post("/api/v1/health-switch", params={"level": level, "message": message}).status_code == 204
        assert state() == (overall, {"name": "health-switch", "status": level, "message": message or None})
    assert server.post("/api/v1/health-switch", params={"level": "bad"}).status_code == 400


def test_health_alias_matches(server):
    v1 = server.get("/api/v1/health").json()
    alias = server.get("/api/health").json()
    assert alias["services"] == v1["services"]
    assert alias["version"] == v1["version"]


@pytest.fixture(scope="module")
def openapi(server):
    response = server.get("/api/v1/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def test_openapi_is_3_1_and_lists_every_route(openapi):
    assert openapi["openapi"].startswith("3.1"), openapi["openapi"]
    paths = openapi["paths"]
    expected = {
        "/api/v1/health": {"get"},
        "/api/v1/hello": {"get"},
        "/api/v1/hello/{name}": {"get"},
        "/api/v1/hello-swift/greetings/{name}": {"get", "delete"},
        "/api/v1/hello-swift/echo": {"post"},
        "/api/v1/hello-swift/upload": {"post"},
        "/api/v1/hello-swift/slow": {"get"},
        "/api/v1/hello-swift/whoami": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, f"{path} missing from {sorted(paths)}"
        assert methods <= set(paths[path]), f"{path}: {sorted(paths[path])}"


def test_openapi_carries_the_plugins_operations(openapi):
    operation = openapi["paths"]["/api/v1/hello/{name}"]["get"]
    assert operation["operationId"] == "helloCName"
    assert "200" in operation["responses"]


def test_openapi_document_is_valid(openapi):
    from openapi_spec_validator import validate
    validate(openapi)


def test_openapi_documents_the_health_alias_as_the_health_route(openapi):
    """The alias answers 200 with the Health body too, so it must not publish only errors."""
    v1 = openapi["paths"]["/api/v1/health"]["get"]["responses"]
    alias = openapi["paths"]["/api/health"]["get"]["responses"]
    assert alias["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}
    assert alias == v1
