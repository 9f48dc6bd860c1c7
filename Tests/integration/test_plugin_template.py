"""The out-of-tree Swift plugin template (Examples/plugin-template-swift): built as its own
package against PluginKit by path, then loaded from a third party's folder through
`[plugins] extra_dirs`, beside a plugin of the regular plugin folder, and its route answers."""
import subprocess

import pytest

from conftest import HELLO_C, REPO

TEMPLATE = REPO / "Examples" / "plugin-template-swift"
LIBRARY = "libPluginTemplate.so"


@pytest.fixture(scope="module")
def template_library() -> str:
    """The template's library, built by `make plugin-template` (a no-op rebuild here when it
    already is; the first build compiles PluginKit, so it may take minutes)."""
    build = subprocess.run(["swift", "build", "--package-path", str(TEMPLATE)], capture_output=True, text=True,
                           timeout=1200)
    if build.returncode != 0:
        pytest.fail(f"building the plugin template failed:\n{build.stdout}\n{build.stderr}")
    path = subprocess.run(["swift", "build", "--package-path", str(TEMPLATE), "--show-bin-path"], capture_output=True,
                          text=True, timeout=300, check=True).stdout.strip()
    return f"{path}/{LIBRARY}"


@pytest.mark.timeout(1500)
def test_the_template_loads_from_an_extra_folder_and_serves_its_route(start_server, template_library, tmp_path):
    extra = tmp_path / "third-party"
    extra.mkdir()
    (extra / LIBRARY).symlink_to(template_library)
    server = start_server(plugins=[HELLO_C], config=f'[plugins]\nextra_dirs = ["{extra}"]\n')
    response = server.get("/api/v1/template/greetings/ada")
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "hello, ada", "from": "template"}
    services = {service["name"] for service in server.get("/api/v1/health").json()["services"]}
    assert {"template", "hello-c"} <= services, services
