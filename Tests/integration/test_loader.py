"""The plugin loader through the CLI: refusals of broken plugins, `plugins` listing, an
older plugin with a shorter descriptor, and config errors."""
import re
import signal

import pytest

from conftest import ABI_INCLUDE, HELLO_C, HELLO_SWIFT

# The ABI this checkout's header declares (plugins built here carry it; the host supports it).
_HEADER = (ABI_INCLUDE / "pattern_plugin.h").read_text()
HOST_ABI = ".".join(re.search(rf"#define PATTERN_ABI_{part} (\d+)", _HEADER).group(1) for part in ("MAJOR", "MINOR"))

REFUSALS = {
    "libbad_abi.so": ("bad-abi", "ABI 2.0", f"ABI {HOST_ABI}"),
    "libno_entry.so": ("pattern_plugin_entry_v1",),
    "libinit_fails.so": ("init-fails", "database unreachable: example"),
    "libneeds_missing.so": ("needs-missing", "nonexistent"),
}


@pytest.mark.parametrize("plugin", REFUSALS, ids=[p[3:-3] for p in REFUSALS])
def test_broken_plugin_is_refused(run_cli, plugin):
    result = run_cli("serve", plugins=[plugin], serve=True)
    assert result.returncode == 1, (result.returncode, result.stderr)
    line = result.line_with(*REFUSALS[plugin])
    assert line is not None, f"no line with {REFUSALS[plugin]} in:\n{result.stderr}"
    assert plugin in result.stderr, f"the refusal does not name the file {plugin}"
    assert any(l.startswith("error: ") for l in result.stderr.splitlines()), result.stderr


def test_broken_plugin_beside_good_ones_still_stops_the_start(run_cli):
    result = run_cli("serve", plugins=[HELLO_C, HELLO_SWIFT, "libbad_abi.so"], serve=True)
    assert result.returncode == 1
    assert result.line_with("bad-abi", "ABI 2.0") is not None, result.stderr


def test_plugins_lists_without_starting(run_cli):
    result = run_cli("plugins", plugins=[HELLO_C, HELLO_SWIFT])
    assert result.returncode == 0, result.stderr
    lines = [l for l in result.stdout.splitlines() if l.strip()]
    assert len(lines) >= 3, result.stdout  # a header, then one line per plugin
    c_line = result.line_with("hello-c", HELLO_C)
    assert c_line is not None, result.stdout
    assert "1.0.0" in c_line and f" {HOST_ABI} " in f" {c_line} ", c_line
    assert " - " in f" {c_line} " or "\t-" in c_line, f"no requires column '-' in {c_line!r}"
    swift_line = result.line_with("hello-swift", HELLO_SWIFT)
    assert swift_line is not None, result.stdout
    assert f" {HOST_ABI} " in f" {swift_line} ", swift_line
    assert lines[0] not in (c_line, swift_line), "the first line is a header"
    assert len([l for l in lines if "hello-" in l]) == 2, result.stdout


def test_plugins_lists_requires(run_cli):
    result = run_cli("plugins", plugins=["libneeds_missing.so", "libsmall_descriptor.so"])
    line = result.line_with("needs-missing")
    assert line is not None, result.stdout + result.stderr
    assert "nonexistent" in line and "libneeds_missing.so" in line
    assert result.line_with("old-small", "libsmall_descriptor.so") is not None


def test_older_plugin_with_a_shorter_descriptor_loads_serves_and_stops(start_server):
    server = start_server(plugins=["libsmall_descriptor.so"])
    response = server.get("/api/v1/old-small")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    names = [s["name"] for s in server.get("/api/v1/health").json()["services"]]
    assert names == ["old-small"]
    # A host that read `shutdown` past struct_size would call a poison pointer here.
    server.terminate(signal.SIGTERM)
    assert server.wait(timeout=10) == 0, server.stderr()


def test_config_error_names_file_line_and_key(run_cli, tmp_path):
    config = tmp_path / "bad-port.toml"
    config.write_text('[server]\nport = "abc"\n')
    result = run_cli("serve", "--config", str(config), plugins=[HELLO_C])
    assert result.returncode == 1, result.stderr
    line = result.line_with("bad-port.toml", ":2:", "server.port")
    assert line is not None, result.stderr
    assert line.startswith("error: "), line


def test_unreadable_config_is_an_error(run_cli, tmp_path):
    result = run_cli("serve", "--config", str(tmp_path / "missing.toml"), plugins=[HELLO_C])
    assert result.returncode == 1
    assert result.line_with("missing.toml") is not None, result.stderr
