"""docs/api/<plugin>.md are generated from the served OpenAPI document (docs/generate_api_pages.py):
a route, parameter or schema that changed without `make docs` fails here, naming the pages."""
import importlib.util

from conftest import ALL_FIRST_PARTY, REPO


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_api_pages", REPO / "docs" / "generate_api_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_api_pages_match_the_served_document(start_server):
    server = start_server(plugins=ALL_FIRST_PARTY)
    document = server.get("/api/v1/openapi.json").json()
    stale = load_generator().stale_pages(document)
    assert stale == [], f"docs/api is stale ({', '.join(stale)}): run `make docs` and commit the pages"


def test_every_plugin_has_a_page_and_every_route_is_on_it(start_server):
    server = start_server(plugins=ALL_FIRST_PARTY)
    document = server.get("/api/v1/openapi.json").json()
    pages = load_generator().render(document)
    for tag in ("auth", "agents", "groups", "providers", "chat", "mcp"):
        assert f"{tag}.md" in pages, sorted(pages)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert f"`{method.upper()} {path}`" in pages[f"{operation['tags'][0]}.md"], (method, path)
