"""Deployment defaults from the hardening audit: what a default start loads, the data
directory's mode, and `[limits] max_json_depth` governing every JSON the server parses."""
import json
import os
import shutil
import stat
import subprocess

import pytest
import requests

from conftest import (AUTH, HELLO_C, HELLO_SWIFT, METRICS, WS_ECHO, Server, assert_error, free_port,
                      make_plugin_dir)
from ws_support import TEXT, RawWebSocket, frame

AGENTS = "libPatternAgents.so"
FIRST_PARTY = [AUTH, METRICS, AGENTS]
EXAMPLES = [HELLO_C, HELLO_SWIFT, WS_ECHO]


@pytest.fixture
def release_folder(server_binary, plugin_files, tmp_path):
    """What `swift build` (and any stale build) leaves: the binary beside first-party plugins
    and the examples."""
    folder = tmp_path / "release"
    folder.mkdir()
    shutil.copy2(server_binary, folder / "pattern-server")
    for name in FIRST_PARTY + EXAMPLES:
        shutil.copy2(plugin_files[name], folder / name)
    return folder


def start_in(folder, tmp_path, plugin_dir=None, config=None) -> Server:
    workdir = tmp_path / f"work-{len(list(tmp_path.iterdir()))}"
    workdir.mkdir()
    server = Server(folder / "pattern-server", workdir, plugin_dir, config)
    if plugin_dir is None:
        # Server.start always passes --plugin-dir; this start must not.
        port = free_port()
        server.port = port
        data = workdir / "data"
        args = [str(folder / "pattern-server"), "serve", "--port", str(port), "--data-dir", str(data)]
        if config is not None:
            (workdir / "pattern.toml").write_text(config)
            args += ["--config", str(workdir / "pattern.toml")]
        with open(workdir / "server.stderr", "wb") as err:
            server.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=workdir,
                env={k: v for k, v in os.environ.items() if k != "PATTERN_PLUGIN_DIR"})
        server._wait_ready()
        return server
    return server.start()


def test_a_default_start_loads_only_first_party_plugins(release_folder, tmp_path):
    server = start_in(release_folder, tmp_path)
    try:
        health = server.get("/api/v1/health").json()
        assert {service["name"] for service in health["services"]} == {"auth", "metrics", "agents"}, health
        assert server.get("/api/v1/hello").status_code == 404
        ws = RawWebSocket(server.port, path="/ws/echo")
        assert ws.handshake()[0] == 404
    finally:
        server.stop()


def test_the_plugins_command_lists_what_a_default_start_loads(release_folder):
    listing = subprocess.run([str(release_folder / "pattern-server"), "plugins"], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "PATTERN_PLUGIN_DIR"}, timeout=30)
    assert listing.returncode == 0, listing.stderr
    assert "libPatternAuth.so" in listing.stdout and "libhello_c.so" not in listing.stdout, listing.stdout
    assert "3 plugin(s)" in listing.stdout


def test_a_configured_plugin_directory_loads_everything_in_it(release_folder, tmp_path):
    server = start_in(release_folder, tmp_path, plugin_dir=release_folder)
    try:
        assert server.get("/api/v1/hello").status_code == 200
    finally:
        server.stop()


def test_extra_plugin_folders_add_to_the_default_set(release_folder, plugin_files, tmp_path):
    """A third party ships its own folder; the first-party set beside the binary still loads."""
    extra = tmp_path / "third-party"
    extra.mkdir()
    shutil.copy2(plugin_files[HELLO_C], extra / HELLO_C)
    server = start_in(release_folder, tmp_path, config=f'[plugins]\nextra_dirs = ["{extra}"]\n')
    try:
        health = server.get("/api/v1/health").json()
        assert {service["name"] for service in health["services"]} == {"auth", "metrics", "agents", "hello-c"}, health
        assert server.get("/api/v1/hello").status_code == 200
        # Beside the binary, still only the first-party plugins load.
        assert server.get("/api/v1/hello-swift/greetings/x").status_code == 404
    finally:
        server.stop()


def test_an_extra_folder_that_is_missing_or_repeats_a_plugin_stops_the_start(release_folder, plugin_files, tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copy2(plugin_files[AUTH], copies / "libCopyOfAuth.so")
    missing = tmp_path / "missing"
    for folder, needle in ((copies, 'both call themselves "auth"'), (missing, f"plugin directory {missing} cannot be read")):
        config = tmp_path / f"{folder.name}.toml"
        config.write_text(f'[plugins]\nextra_dirs = ["{folder}"]\n')
        result = subprocess.run([str(release_folder / "pattern-server"), "serve", "--port", str(free_port()),
                                 "--data-dir", str(tmp_path / f"data-{folder.name}"), "--config", str(config)],
                                capture_output=True, text=True, timeout=30,
                                env={k: v for k, v in os.environ.items() if k != "PATTERN_PLUGIN_DIR"})
        assert result.returncode != 0 and needle in result.stderr, result.stderr


# ----- the data directory ----------------------------------------------------------------

def test_an_open_data_directory_is_made_private_at_start(start_server, tmp_path):
    server = start_server(plugins=[AUTH], env={"BCRYPT_COST": "4"})
    data = server.workdir / "data"
    server.stop()
    os.chmod(data, 0o755)
    os.chmod(data / "pattern.db", 0o644)
    restarted = Server(server.binary, server.workdir, server.plugin_dir).start()
    try:
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(data / "pattern.db").st_mode) == 0o600
        assert restarted.wait_for_log(lambda line: "its mode is now 700" in line)
    finally:
        restarted.stop()


# ----- max_json_depth --------------------------------------------------------------------

def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth - 1):
        value = [value]
    return {"username": "nobody", "password": "wrong-password", "extra": value}


def test_max_json_depth_governs_plugin_bodies(start_server):
    server = start_server(plugins=[AUTH], config="[limits]\nmax_json_depth = 5\n", env={"BCRYPT_COST": "4"})
    # {"extra": [[[[1]]]]} nests 5 deep: allowed, so the login is judged (and fails: 401).
    assert server.post("/api/v1/auth/login", json=nested(5)).status_code == 401
    body = assert_error(server.post("/api/v1/auth/login", json=nested(6)), 400, "json_error")
    assert "5 levels" in body["error"]["message"]


def test_max_json_depth_governs_event_socket_commands(start_server):
    server = start_server(plugins=[AUTH], config="[limits]\nmax_json_depth = 3\n",
                          env={"BCRYPT_COST": "4", "PATTERN_ADMIN_USERNAME": "root",
                               "PATTERN_ADMIN_PASSWORD": "root-password-1"})
    token = server.post("/api/v1/auth/login", json={"username": "root", "password": "root-password-1"}
                        ).json()["access_token"]
    ws = RawWebSocket(server.port, path="/api/v1/ws")
    assert ws.handshake({"Authorization": f"Bearer {token}"})[0] == 101
    ws.recv_frame()  # connected
    ws.send(frame(TEXT, json.dumps({"type": "ping", "pad": [[[1]]]}).encode()))
    answer = json.loads(ws.recv_frame()[2])
    assert (answer["type"], answer["error_type"]) == ("error", "json_error"), answer
    ws.send(frame(TEXT, json.dumps({"type": "ping", "pad": [[1]]}).encode()))
    assert json.loads(ws.recv_frame()[2])["type"] == "pong"
