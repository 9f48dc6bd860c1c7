"""The providers plugin's routes against the real binary: CRUD, isolation between users, the
manage_model_providers permission, validation errors naming fields, validation of a provider
by listing its models, defaults per kind, keys that never leave the server (responses,
database file, log), the SSRF policy, and the OpenAPI document."""
import re

import pytest
import requests

from agents_support import field_of
from conftest import RFC3339
from fake_providers import FakeProvider, error_reply
from providers_support import OK, add_provider, complete, resolve, start_providers

PROVIDER_FIELDS = {"id", "provider", "name", "owner_id", "enabled", "is_default", "status", "last_error",
                   "available_models", "last_validated", "config", "created_at", "updated_at"}
KEY = "sk-live-0123456789abcdefSECRET"


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_providers(start_server_module)


@pytest.fixture
def alice(world):
    return world.user()


@pytest.fixture
def bob(world):
    return world.user()


@pytest.fixture(params=["openai", "anthropic"])
def fake(request):
    with FakeProvider(request.param, models=[{"id": "alpha", "context_length": 8192},
                                             {"id": "beta", "display_name": "Beta Model"}]) as fake:
        yield fake


def assert_no_key(text: str, key: str = KEY):
    assert key not in text and key[:10] not in text and key[-8:] not in text, "the key was shown"


# ----- CRUD ------------------------------------------------------------------------------

def test_crud_round_trip(alice, fake):
    created = alice.post("/providers", {"provider": fake.kind, "name": "My provider", "unknown": 1, "config": {
        "type": "api_key", "api_key": KEY, "base_url": fake.base_url}}, timeout=30)
    assert created.status_code == 201, created.text
    provider = created.json()
    assert set(provider) == PROVIDER_FIELDS
    assert provider["id"].startswith("prov_") and len(provider["id"]) == len("prov_") + 26
    assert provider["provider"] == fake.kind and provider["name"] == "My provider"
    assert provider["owner_id"] == alice.user_id and provider["enabled"] is True
    assert provider["is_default"] is True, "the first provider of a kind is its default"
    assert provider["status"] == "ok" and provider["last_error"] is None
    assert RFC3339.fullmatch(provider["last_validated"]) and RFC3339.fullmatch(provider["created_at"])
    assert provider["config"] == {"type": "api_key", "base_url": fake.base_url, "org_id": None}
    assert_no_key(created.text)

    fetched = alice.get(f"/providers/{provider['id']}")
    assert fetched.status_code == 200 and fetched.json() == provider
    listed = alice.get("/providers").json()
    assert listed["items"] == [provider] and listed["total"] == 1

    patched = alice.patch(f"/providers/{provider['id']}", {"name": "Renamed", "enabled": False})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Renamed" and patched.json()["enabled"] is False
    assert patched.json()["last_validated"] == provider["last_validated"], "no new validation without a config"
    assert len([r for r in fake.requests if r.path == "/v1/models"]) == 1

    assert alice.delete(f"/providers/{provider['id']}").status_code == 204
    assert alice.get(f"/providers/{provider['id']}").status_code == 404
    assert alice.delete(f"/providers/{provider['id']}").status_code == 404


def test_default_base_url_and_name(alice):
    # A documentation address (TEST-NET-1), refused by the outbound policy: the test stays offline.
    response = alice.post("/providers", {"provider": "anthropic", "config": {
        "api_key": "k", "base_url": "http://192.0.2.1:9/v1"}}, timeout=30)
    assert response.status_code == 201, response.text
    provider = response.json()
    assert provider["name"] == "anthropic" and provider["status"] == "error"
    patched = alice.patch(f"/providers/{provider['id']}", {"config": {"base_url": None}}, timeout=30)
    assert patched.json()["config"]["base_url"] == "https://api.anthropic.com/v1"


def test_pagination_and_filters(alice):
    with FakeProvider("openai") as fake:
        ids = [add_provider(alice, fake, name=f"p{index}")["id"] for index in range(5)]
    alice.patch(f"/providers/{ids[0]}", {"enabled": False})
    page = alice.get("/providers", params={"limit": 2, "page": 2}).json()
    assert page["total"] == 5 and page["total_pages"] == 3 and [p["id"] for p in page["items"]] == ids[2:4]
    by_name = alice.get("/providers", params={"sort_by": "name", "sort_desc": "true"}).json()
    assert [p["name"] for p in by_name["items"]] == ["p4", "p3", "p2", "p1", "p0"]
    enabled = alice.get("/providers", params={"is_active": "false"}).json()
    assert [p["id"] for p in enabled["items"]] == [ids[0]]
    assert alice.get("/providers", params={"limit": 101}).status_code == 400


# ----- isolation and permissions ------------------------------------------------------------

def test_another_users_provider_is_not_found(alice, bob, fake):
    provider = add_provider(alice, fake)
    path = f"/providers/{provider['id']}"
    assert bob.get(path).status_code == 404
    assert bob.patch(path, {"name": "mine now"}).status_code == 404
    assert bob.patch(path, {"config": {"api_key": "stolen"}}).status_code == 404
    assert bob.delete(path).status_code == 404
    assert bob.get("/providers").json()["total"] == 0
    assert bob.get("/providers/prov_not-an-id").status_code == 404
    assert alice.get(path).json()["name"] == provider["name"]
    missing = alice.get("/providers/prov_01jd8x3k0000000000000000aa").json()["error"]
    assert bob.get(path).json()["error"] == missing, "another user's provider looks exactly like a missing one"


def test_writes_need_manage_model_providers(alice, fake):
    reader = alice.api_key(["read_agents"])
    body = {"provider": fake.kind, "config": {"api_key": KEY, "base_url": fake.base_url}}
    refused = reader.post("/providers", body)
    assert refused.status_code == 403 and "manage_model_providers" in refused.json()["error"]["message"]
    provider = add_provider(alice, fake)
    assert reader.patch(f"/providers/{provider['id']}", {"name": "x"}).status_code == 403
    assert reader.delete(f"/providers/{provider['id']}").status_code == 403
    assert reader.get(f"/providers/{provider['id']}").status_code == 200, "reading needs no extra permission"
    manager = alice.api_key(["manage_model_providers"])
    assert manager.post("/providers", body, timeout=30).status_code == 201
    assert manager.delete(f"/providers/{provider['id']}").status_code == 204
    unauthenticated = requests.get(alice.server.url("/api/v1/providers"), timeout=5)
    assert unauthenticated.status_code == 401


# ----- validation ------------------------------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"config": {"api_key": "k"}}, "provider"),
    ({"provider": "cohere", "config": {"api_key": "k"}}, "provider"),
    ({"provider": 7, "config": {"api_key": "k"}}, "provider"),
    ({"provider": "openai"}, "config"),
    ({"provider": "openai", "config": "k"}, "config"),
    ({"provider": "openai", "config": {}}, "config.api_key"),
    ({"provider": "openai", "config": {"api_key": 5}}, "config.api_key"),
    ({"provider": "openai", "config": {"api_key": "has space"}}, "config.api_key"),
    ({"provider": "openai", "config": {"api_key": "k" * 4097}}, "config.api_key"),
    ({"provider": "openai", "config": {"type": "oauth", "api_key": "k"}}, "config.type"),
    ({"provider": "openai", "config": {"api_key": "k", "base_url": "ftp://x/v1"}}, "config.base_url"),
    ({"provider": "openai", "config": {"api_key": "k", "base_url": "not a url"}}, "config.base_url"),
    ({"provider": "openai", "config": {"api_key": "k", "base_url": "http://u:p@host/v1"}}, "config.base_url"),
    ({"provider": "openai", "config": {"api_key": "k", "base_url": 3}}, "config.base_url"),
    ({"provider": "openai", "config": {"api_key": "k", "org_id": "a b"}}, "config.org_id"),
    ({"provider": "openai", "name": "", "config": {"api_key": "k"}}, "name"),
    ({"provider": "openai", "name": "x" * 129, "config": {"api_key": "k"}}, "name"),
    ({"provider": "openai", "config": {"api_key": "k"}, "set_as_default": "yes"}, "set_as_default"),
])
def test_create_validation_names_the_field(alice, body, field):
    response = alice.post("/providers", body)
    assert response.status_code == 400, response.text
    assert field_of(response) == field
    assert_no_key(response.text, "k" * 4097)


@pytest.mark.parametrize("body,field", [
    ({"name": None}, "name"), ({"enabled": "no"}, "enabled"), ({"config": None}, "config"),
    ({"config": {"base_url": "gopher://x"}}, "config.base_url"), ({"set_as_default": 1}, "set_as_default")])
def test_update_validation_names_the_field(alice, body, field):
    with FakeProvider("openai") as fake:
        provider = add_provider(alice, fake)
    response = alice.patch(f"/providers/{provider['id']}", body)
    assert response.status_code == 400, response.text
    assert field_of(response) == field


@pytest.mark.parametrize("base_url, accepted", [
    ("http://192.0.2.1:9/v1", True), ("HTTPS://api.example.com:8443/a%2Fb/v1", True),
    ("http://\u00fc.example/v1", False), ("HTTP://*r\u00d5q/v1", False), ("http://example.com/\U0001F600", False),
    ("http://ex ample/v1", False), ("http://example.com/%zz", False), ("http://example.com/v1?x=1", False),
    ("http://example.com:123456/v1", False),
])
def test_the_published_base_url_pattern_is_the_check(world, alice, base_url, accepted):
    """schemathesis sends what the published pattern admits: the server takes exactly that
    (a URL with non-ASCII characters once matched the pattern and was refused)."""
    document = requests.get(world.server.url("/api/v1/openapi.json"), timeout=10).json()
    create = document["paths"]["/api/v1/providers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pattern = create["properties"]["config"]["properties"]["base_url"]["pattern"]
    assert (re.search(pattern, base_url) is not None) == accepted
    response = alice.post("/providers", {"provider": "openai", "config": {"api_key": "k", "base_url": base_url}})
    assert response.status_code == (201 if accepted else 400), response.text
    if not accepted:
        assert field_of(response) == "config.base_url"



def test_malformed_and_non_json_bodies(alice):
    response = alice.request("POST", "/providers", headers={"Content-Type": "application/json"}, data="{")
    assert response.status_code == 400 and response.json()["error"]["type"] == "json_error"
    response = alice.request("POST", "/providers", headers={"Content-Type": "text/plain"}, data="x")
    assert response.status_code == 415


# ----- validation by listing the models ------------------------------------------------------

def test_validation_lists_the_providers_models(alice, fake):
    provider = add_provider(alice, fake, api_key=KEY)
    assert provider["status"] == "ok"
    models = {model["id"]: model for model in provider["available_models"]}
    assert models["alpha"] == {"id": "alpha", "name": "alpha", "context_length": 8192, "input_cost_per_1k": None,
                               "output_cost_per_1k": None}
    assert models["beta"]["context_length"] is None
    if fake.kind == "anthropic":
        assert models["beta"]["name"] == "Beta Model"
    listing = [r for r in fake.requests if r.path == "/v1/models"][-1]
    if fake.kind == "openai":
        assert listing.headers["authorization"] == f"Bearer {KEY}"
    else:
        assert listing.headers["x-api-key"] == KEY and listing.headers["anthropic-version"] == "2023-06-01"


def test_pricing_and_context_from_openrouter_and_llama_cpp_listings(alice):
    with FakeProvider("openai", models=[
            {"id": "router/model", "context_length": 131072, "pricing": {"prompt": "0.000001", "completion": "0.000002"}},
            {"id": "local.gguf", "meta": {"n_ctx_train": 2048}}]) as fake:
        models = {m["id"]: m for m in add_provider(alice, fake)["available_models"]}
    assert models["router/model"]["context_length"] == 131072
    assert models["router/model"]["input_cost_per_1k"] == pytest.approx(0.001)
    assert models["router/model"]["output_cost_per_1k"] == pytest.approx(0.002)
    assert models["local.gguf"]["context_length"] == 2048


def test_a_listing_of_more_than_1000_models_keeps_the_first_1000(alice):
    with FakeProvider("openai", models=[{"id": f"model-{index:04d}"} for index in range(1001)]) as fake:
        provider = add_provider(alice, fake)
    assert provider["status"] == "ok"
    assert [m["id"] for m in provider["available_models"]] == [f"model-{index:04d}" for index in range(1000)]


def test_a_refused_key_gives_status_error_without_echoing_it(world, alice, fake):
    with FakeProvider(fake.kind, api_key="sk-the-right-one-00000000") as strict:
        provider = add_provider(alice, strict, api_key=KEY)
        assert provider["status"] == "error" and provider["available_models"] == []
        assert "401" in provider["last_error"] and "Incorrect API key" in provider["last_error"], provider
        assert_no_key(provider["last_error"])
        assert_no_key(alice.get(f"/providers/{provider['id']}").text)
        # PATCH with the right key validates again and keeps it.
        fixed = alice.patch(f"/providers/{provider['id']}", {"config": {"api_key": "sk-the-right-one-00000000"}},
                            timeout=30)
        assert fixed.status_code == 200 and fixed.json()["status"] == "ok", fixed.text
        assert fixed.json()["last_error"] is None
        # PATCH of the base URL alone reuses the stored (right) key.
        again = alice.patch(f"/providers/{provider['id']}", {"config": {"base_url": strict.base_url + "/"}}, timeout=30)
        assert again.json()["status"] == "ok", again.text
        assert [r.path for r in strict.requests].count("/v1/models") == 3
    assert_no_key(world.server.stderr())


def test_a_failing_model_listing_is_reported(alice, fake):
    fake.enqueue_models(error_reply(503), error_reply(200, body="not json at all"))
    first = add_provider(alice, fake)
    assert first["status"] == "error" and "503" in first["last_error"]
    second = add_provider(alice, fake)
    assert second["status"] == "error" and "not the JSON expected" in second["last_error"]


# ----- defaults ---------------------------------------------------------------------------

def test_one_default_per_kind(world, alice):
    with FakeProvider("openai") as openai, FakeProvider("anthropic") as anthropic:
        first = add_provider(alice, openai, name="first")
        second = add_provider(alice, openai, name="second")
        claude = add_provider(alice, anthropic, name="claude")
        assert first["is_default"] and not second["is_default"] and claude["is_default"]
        third = add_provider(alice, openai, name="third", set_as_default=True)
        assert third["is_default"]
        defaults = {p["name"]: p["is_default"] for p in alice.get("/providers").json()["items"]}
        assert defaults == {"first": False, "second": False, "third": True, "claude": True}
        assert resolve(world.server, owner_id=alice.user_id, model_provider="openai", model="m")["result"][
            "provider_id"] == third["id"]
        alice.patch(f"/providers/{second['id']}", {"set_as_default": True})
        defaults = {p["name"]: p["is_default"] for p in alice.get("/providers").json()["items"]}
        assert defaults == {"first": False, "second": True, "third": False, "claude": True}
        # Deleting the default promotes the oldest remaining one of its kind.
        assert alice.delete(f"/providers/{second['id']}").status_code == 204
        defaults = {p["name"]: p["is_default"] for p in alice.get("/providers").json()["items"]}
        assert defaults == {"first": True, "third": False, "claude": True}
        explicit = add_provider(alice, anthropic, name="not default", set_as_default=False)
        assert not explicit["is_default"]


def test_a_users_providers_are_bounded(alice):
    with FakeProvider("openai") as fake:
        for _ in range(64):
            add_provider(alice, fake)
        response = alice.post("/providers", {"provider": "openai", "config": {"api_key": "k", "base_url": fake.base_url}})
    assert response.status_code == 409 and "64" in response.json()["error"]["message"]


# ----- the key at rest --------------------------------------------------------------------

def test_the_key_is_never_in_a_response_the_database_or_the_log(world, alice, fake):
    provider = add_provider(alice, fake, api_key=KEY)
    texts = [alice.get(f"/providers/{provider['id']}").text, alice.get("/providers").text,
             alice.patch(f"/providers/{provider['id']}", {"name": "n"}).text,
             alice.patch(f"/providers/{provider['id']}", {"config": {"org_id": "org-1"}}, timeout=30).text]
    for text in texts:
        assert_no_key(text)
    answer = complete(world.server, alice.user_id, provider["id"], "hello")
    assert answer["status"] == OK, "the sealed key opens and reaches the provider"
    sent = fake.calls()[-1].headers
    assert sent.get("authorization") == f"Bearer {KEY}" or sent.get("x-api-key") == KEY
    if fake.kind == "openai":
        assert sent["openai-organization"] == "org-1"
    data = world.server.workdir / "data"
    for path in data.iterdir():
        if path.is_file():
            content = path.read_bytes()
            assert KEY.encode() not in content and KEY.encode().hex().encode() not in content, path
    assert_no_key(world.server.stderr())


# ----- the outbound policy ------------------------------------------------------------------

def test_a_loopback_provider_is_refused_unless_allowed(start_server):
    world = start_providers(start_server, config="")
    user = world.user()
    with FakeProvider("openai") as fake:
        provider = add_provider(user, fake)
        assert provider["status"] == "error" and "refused" in provider["last_error"], provider
        answer = complete(world.server, user.user_id, provider["id"], "hi")
        assert answer["result"]["type"] == "service_unavailable" and "refused" in answer["result"]["message"]
        assert fake.requests == [], "nothing reached the loopback server"


def test_deny_all_refuses_even_an_allowed_provider(start_server):
    world = start_providers(start_server, config='[outbound]\ndeny_all = true\nallow = ["127.0.0.1/32"]\n')
    user = world.user()
    with FakeProvider("anthropic") as fake:
        provider = add_provider(user, fake)
        assert provider["status"] == "error" and "refused" in provider["last_error"], provider
        assert "deny_all" in provider["last_error"]
        answer = complete(world.server, user.user_id, provider["id"], "hi")
        assert answer["result"]["type"] == "service_unavailable"
        assert fake.requests == []


# ----- OpenAPI -----------------------------------------------------------------------------

def test_openapi_documents_the_routes(world):
    from openapi_spec_validator import validate
    document = requests.get(world.server.url("/api/v1/openapi.json"), timeout=10).json()
    validate(document)
    paths = document["paths"]
    assert set(paths["/api/v1/providers"]) >= {"get", "post"}
    assert set(paths["/api/v1/providers/{id}"]) >= {"get", "patch", "delete"}
    created = paths["/api/v1/providers"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Provider"}  # one shared component
    provider = document["components"]["schemas"]["Provider"]
    assert set(provider["properties"]) == PROVIDER_FIELDS
    assert "api_key" not in provider["properties"]["config"]["properties"]
