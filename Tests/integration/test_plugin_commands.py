"""Plugin command-line commands (ABI 1.6): `pattern-server <plugin> <command> [arguments]`,
the auth plugin's create-admin among them, unknown plugins and commands, and `help`."""
import pytest

from conftest import AUTH, HELLO_C

PROBE = "libcommand_probe.so"


@pytest.fixture
def fast_auth(monkeypatch):
    monkeypatch.setenv("BCRYPT_COST", "4")
    monkeypatch.delenv("PATTERN_ADMIN_USERNAME", raising=False)
    monkeypatch.setenv("PATTERN_ADMIN_PASSWORD", "a-password-123")
    return monkeypatch


def test_auth_create_admin_is_the_auth_plugins_command(run_cli, fast_auth):
    out = run_cli("auth", "create-admin", "--username", "ops-root", plugins=[AUTH])
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("created administrator ops-root (user_")
    assert "a-password-123" not in out.stdout + out.stderr


def test_create_admin_checks_its_own_arguments(run_cli, fast_auth):
    for arguments in ((), ("--username",), ("--user", "x"), ("--username", "x", "extra")):
        out = run_cli("auth", "create-admin", *arguments, plugins=[AUTH])
        assert out.returncode == 2, (arguments, out.stderr)
        assert "usage: pattern-server auth create-admin --username NAME" in out.stderr


def test_a_c_plugin_command_gets_its_arguments_and_sets_the_exit_code(run_cli):
    # The host's own options are taken out wherever they stand; the rest arrive in order.
    out = run_cli("command_probe", "echo", "one", "--data-dir", "elsewhere", "--config-like", "two words", "",
                  plugins=[PROBE])
    assert out.returncode == 3, out.stderr
    assert out.stdout == "4: [one] [--config-like] [two words] []\n"


def test_add_command_refuses_bad_names_duplicates_and_missing_summaries(run_cli):
    out = run_cli("command_probe", "registrations", plugins=[PROBE])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "bad_name=1 duplicate=8 no_summary=1 userdata=kept"


def test_an_unknown_plugin_says_which_are_loaded(run_cli):
    out = run_cli("nosuch", "run", plugins=[HELLO_C])
    assert out.returncode == 1
    assert "the nosuch plugin is not loaded (loaded: hello-c)" in out.stderr


def test_an_unknown_command_names_the_plugins_commands(run_cli):
    out = run_cli("command_probe", "nosuch", plugins=[PROBE])
    assert out.returncode == 2
    assert 'the command_probe plugin has no command "nosuch" (its commands: echo, registrations)' in out.stderr
    out = run_cli("hello-c", "anything", plugins=[HELLO_C])
    assert out.returncode == 2 and "(it has none)" in out.stderr


def test_a_plugin_without_a_command_is_a_usage_error(run_cli):
    out = run_cli("auth")
    assert out.returncode == 2
    assert "auth needs a command" in out.stderr


def test_help_lists_the_plugins_commands(run_cli, fast_auth):
    out = run_cli("help", plugins=[AUTH, PROBE])
    assert out.returncode == 0, out.stderr
    assert "usage: pattern-server" in out.stdout
    assert "pattern-server auth create-admin --username NAME" in out.stdout
    assert "pattern-server command_probe echo WORDS..." in out.stdout
    assert "prints its arguments" in out.stdout
