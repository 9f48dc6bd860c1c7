"""Provider keys at rest across restarts: sealed in the database (the row id bound as associated
data, so the Python `cryptography` package opens them only with that row's id), a wrong
key-encryption key stops the start with one line, and `pattern-server secrets rotate-key`
re-seals them so the provider keeps working."""
import os
import re
import sqlite3

import pytest
from cryptography.exceptions import InvalidTag

from agents_support import ADMIN_ENV, FAST_AUTH, World
from conftest import Server, make_plugin_dir
from fake_providers import FakeProvider
from providers_support import LOOPBACK_ALLOWED, OK, PLUGINS, add_provider, complete
from test_secrets import MISMATCH, SEALED, Site, derived, python_open

KEY = "sk-rotate-me-4e1f0a9b7c3d2e8f"


@pytest.fixture
def site(server_binary, plugin_files, tmp_path):
    instance = Site(server_binary, tmp_path, make_plugin_dir(tmp_path / "plugins", plugin_files, PLUGINS))
    yield instance
    for server in instance.servers:
        server.stop()


def start(site: Site) -> World:
    server: Server = site.start(env=ADMIN_ENV, config=FAST_AUTH + LOOPBACK_ALLOWED)
    return World(server)


def sealed_keys(site: Site) -> dict[str, str]:
    connection = sqlite3.connect(site.data / "pattern.db")
    try:
        return dict(connection.execute("SELECT id, api_key FROM providers_providers").fetchall())
    finally:
        connection.close()


def associated(provider_id: str) -> bytes:
    return f"providers:{provider_id}:api_key".encode()


def test_keys_are_sealed_to_their_row(site):
    world = start(site)
    user = world.user()
    with FakeProvider("openai") as fake:
        provider = add_provider(user, fake, api_key=KEY)
        other = add_provider(user, fake, api_key=KEY + "-2")
    world.server.stop()
    kek = site.kek()
    stored = sealed_keys(site)
    assert SEALED.fullmatch(stored[provider["id"]]), stored[provider["id"]]
    assert python_open(kek, stored[provider["id"]], associated(provider["id"])) == KEY.encode()
    with pytest.raises(InvalidTag):  # bound to its row: another row's id does not open it
        python_open(kek, stored[provider["id"]], associated(other["id"]))


def test_a_wrong_key_encryption_key_stops_the_start_with_one_line(site):
    world = start(site)
    user = world.user()
    with FakeProvider("anthropic") as fake:
        add_provider(user, fake, api_key=KEY)
    world.server.stop()
    kek = site.kek()
    other = os.urandom(32)
    site.key_file.write_text(other.hex() + "\n")
    result = site.refused_start(env=ADMIN_ENV)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert MISMATCH.fullmatch(lines[0]), lines[0]
    assert KEY not in result.stderr and kek.hex() not in result.stderr and other.hex() not in result.stderr


def test_rotate_key_keeps_the_provider_working(site):
    world = start(site)
    user = world.user()
    with FakeProvider("openai") as fake:
        provider = add_provider(user, fake, api_key=KEY)
        world.server.stop()
        old_kek, before = site.kek(), sealed_keys(site)

        result = site.rotate()
        assert result.returncode == 0, result.stderr
        assert re.search(r"\d+ plugin\(s\) re-sealed their secrets", result.stdout), result.stdout
        assert KEY not in result.stdout + result.stderr
        new_kek, after = site.kek(), sealed_keys(site)
        assert new_kek != old_kek and after[provider["id"]] != before[provider["id"]]
        assert SEALED.fullmatch(after[provider["id"]]).group(1) == derived(new_kek)[1]
        assert python_open(new_kek, after[provider["id"]], associated(provider["id"])) == KEY.encode()

        world = World(site.start(env=ADMIN_ENV, config=FAST_AUTH + LOOPBACK_ALLOWED))
        answer = complete(world.server, user.user_id, provider["id"], "after rotation")
        assert answer["status"] == OK and answer["result"]["content"] == "ok: after rotation", answer
        assert fake.calls()[-1].headers["authorization"] == f"Bearer {KEY}"
