"""CORS configured through [cors] allowed_origins."""
import pytest

ALLOWED = "https://app.example"


@pytest.fixture(scope="module")
def cors_server(server_binary, plugin_files, tmp_path_factory):
    from conftest import HELLO_C, HELLO_SWIFT, Server, make_plugin_dir
    workdir = tmp_path_factory.mktemp("cors-server")
    server = Server(server_binary, workdir,
                    make_plugin_dir(workdir / "plugins", plugin_files, (HELLO_C, HELLO_SWIFT)),
                    f'[cors]\nallowed_origins = ["{ALLOWED}"]\n')
    server.start()
    yield server
    server.stop()


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


def test_preflight_from_allowed_origin(cors_server):
    response = cors_server.request("OPTIONS", "/api/v1/hello", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204, response.text
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert "GET" in methods
    assert "origin" in vary(response)
    assert response.headers.get("X-Request-Id")


def test_preflight_for_a_route_with_a_parameter(cors_server):
    response = cors_server.request("OPTIONS", "/api/v1/hello-swift/greetings/bob", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "DELETE" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_from_disallowed_origin(cors_server):
    response = cors_server.request("OPTIONS", "/api/v1/hello", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_simple_request_from_allowed_origin(cors_server):
    response = cors_server.get("/api/v1/hello", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.json() == {"message": "hello from C"}
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "origin" in vary(response)


def test_simple_request_from_disallowed_origin(cors_server):
    response = cors_server.get("/api/v1/hello", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers

