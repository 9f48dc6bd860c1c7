"""A plugin binary built against the ABI 1.0 header (committed, never rebuilt) keeps loading
into this host and serves exactly as when it was built."""
from conftest import ABI_1_0_FIXTURE


def test_abi_1_0_binary_loads_and_serves(start_server):
    server = start_server(plugins=[ABI_1_0_FIXTURE])
    response = server.get("/api/v1/hello")
    assert response.status_code == 200
    assert response.json() == {"message": "hello from C"}
    assert response.headers.get("X-Hello-C") == "1"
    health = server.get("/api/v1/health").json()
    assert [s["name"] for s in health["services"]] == ["hello-c"]


def test_abi_1_0_binary_is_listed_with_its_abi(run_cli):
    result = run_cli("plugins", plugins=[ABI_1_0_FIXTURE])
    assert result.returncode == 0, result.stderr
    line = result.line_with("hello-c", ABI_1_0_FIXTURE)
    assert line is not None and " 1.0 " in f" {line} ", result.stdout
