"""Secrets at rest (ABI 1.4): the host seals plugins' values under one key-encryption key (KEK),
checked from outside. The secret-probe C fixture stores values sealed by the host in its own
table (associated data "secret_probe:<id>"), reads them back opened and re-seals them when the
key rotates; the Python `cryptography` package's AESGCM is the judge of the format:

    pk1.<key id>.<base64url(nonce | ciphertext | tag)>, AES-256-GCM under
    HMAC-SHA256(KEK, "pattern-secrets/aes-256-gcm/v1"), associated data = header + caller's,
    key id = first 8 hex of HMAC-SHA256(KEK, "pattern-secrets/key-id/v1").
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import CLIResult, Server, free_port, make_plugin_dir

PROBE = "libsecret_probe.so"
SEALED = re.compile(r"pk1\.([0-9a-f]{8})\.[A-Za-z0-9_-]+")
MISMATCH = re.compile(r"error: the key-encryption key in (\S+) \(key id ([0-9a-f]{8})\) does not match this "
                      r"database's secrets \(key id ([0-9a-f]{8})\): restore the right key")


# ----- the format, written independently of the host ---------------------------------------

def derived(kek: bytes) -> tuple[bytes, str]:
    """(the AES-256-GCM key, the key id) of a KEK."""
    sealing = hmac.new(kek, b"pattern-secrets/aes-256-gcm/v1", hashlib.sha256).digest()
    key_id = hmac.new(kek, b"pattern-secrets/key-id/v1", hashlib.sha256).hexdigest()[:8]
    return sealing, key_id


def python_open(kek: bytes, sealed: str, associated: bytes) -> bytes:
    """Raises InvalidTag when the value does not authenticate under this KEK."""
    sealing, key_id = derived(kek)
    header, payload = sealed[:13], sealed[13:]
    payload_bytes = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return AESGCM(sealing).decrypt(payload_bytes[:12], payload_bytes[12:], header.encode() + associated)


def python_seal(kek: bytes, plaintext: bytes, associated: bytes) -> str:
    sealing, key_id = derived(kek)
    header = f"pk1.{key_id}."
    nonce = os.urandom(12)
    sealed = AESGCM(sealing).encrypt(nonce, plaintext, header.encode() + associated)
    return header + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def ad(row_id: str) -> bytes:
    return f"secret_probe:{row_id}".encode()


def new_plaintext(label: str) -> bytes:
    return f"sk-{label}-{os.urandom(12).hex()}".encode()


# ----- one installation: a data directory that outlives its servers ------------------------

@dataclass
class Site:
    binary: Path
    workdir: Path
    plugin_dir: Path
    servers: list[Server] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.workdir / "data"

    @property
    def key_file(self) -> Path:
        return self.data / "secrets.key"

    @property
    def next_file(self) -> Path:
        return self.data / "secrets.key.next"

    def start(self, env: dict | None = None, config: str | None = None) -> Server:
        server = Server(self.binary, self.workdir, self.plugin_dir, config, env)
        self.servers.append(server)
        return server.start()

    def run(self, *args: str, env: dict | None = None, config: str | None = None) -> CLIResult:
        argv = [str(self.binary), *args, "--plugin-dir", str(self.plugin_dir), "--data-dir", str(self.data)]
        if config is not None:
            path = self.workdir / "cli.toml"
            path.write_text(config)
            argv += ["--config", str(path)]
        try:
            out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                                 timeout=30, cwd=self.workdir, env={**os.environ, **(env or {})})
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{' '.join(argv)}` still running after 30 s (a start that should have been refused?)")
        return CLIResult(out.returncode, out.stdout, out.stderr)

    def refused_start(self, env: dict | None = None) -> CLIResult:
        """A serve that must stop before listening."""
        result = self.run("serve", "--host", "127.0.0.1", "--port", str(free_port()), env=env)
        assert result.returncode != 0, result.stderr
        return result

    def rotate(self, env: dict | None = None, config: str | None = None) -> CLIResult:
        return self.run("secrets", "rotate-key", env=env, config=config)

    def kek(self, path: Path | None = None) -> bytes:
        text = (path or self.key_file).read_text()
        assert re.fullmatch(r"[0-9a-f]{64}\n", text), "a key file is 64 lower-case hex digits and a newline"
        return bytes.fromhex(text)

    def query(self, sql: str, *params) -> list[tuple]:
        connection = sqlite3.connect(self.data / "pattern.db")
        try:
            with connection:
                return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def rows(self) -> dict[str, str]:
        return dict(self.query("SELECT id, sealed FROM secret_probe_values"))

    def set_row(self, row_id: str, sealed: str):
        self.query("INSERT INTO secret_probe_values (id, sealed) VALUES (?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed", row_id, sealed)

    def recorded_key_id(self) -> str:
        (key_id,), = self.query("SELECT key_id FROM _pattern_secrets")
        return key_id


@pytest.fixture
def site(server_binary, plugin_files, tmp_path):
    instance = Site(server_binary, tmp_path, make_plugin_dir(tmp_path / "plugins", plugin_files, [PROBE]))
    yield instance
    for server in instance.servers:
        server.stop()


def store(server: Server, row_id: str, plaintext: bytes):
    response = server.request("PUT", f"/api/v1/secret-probe/{row_id}", data=plaintext)
    assert response.status_code == 204, response.text


def fetched(server: Server, row_id: str) -> bytes:
    response = server.get(f"/api/v1/secret-probe/{row_id}")
    assert response.status_code == 200, response.text
    return response.content


def refusal(server: Server, row_id: str) -> str:
    """The host's status when it refuses to open a row, as the fixture reports it."""
    response = server.get(f"/api/v1/secret-probe/{row_id}")
    assert response.status_code == 409, response.text
    return response.json()["error"]["message"]


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def assert_never_shown(text: str, *secrets: bytes):
    """Neither as text (plaintexts) nor as hex (keys, and plaintexts in hex)."""
    for secret in secrets:
        assert secret.decode(errors="replace") not in text, "a plaintext or a key reached the output"
        assert secret.hex() not in text.lower(), "a plaintext or a key reached the output"


# ----- tests --------------------------------------------------------------------------------

def test_values_are_sealed_at_rest_and_open_after_a_restart(site):
    server = site.start()
    first, second = new_plaintext("a"), new_plaintext("b")
    store(server, "a", first)
    store(server, "b", second)
    assert fetched(server, "a") == first and fetched(server, "b") == second

    kek = site.kek()
    assert mode(site.key_file) == 0o600 and mode(site.data) == 0o700
    stored = b"".join(path.read_bytes() for path in site.data.glob("pattern.db*"))
    assert first not in stored and second not in stored, "a plaintext is in the database files"
    assert kek not in stored and kek.hex().encode() not in stored
    server.stop()
    assert_never_shown(server.stderr(), first, second, kek)

    rows = site.rows()
    key_id = derived(kek)[1]
    for sealed in rows.values():
        match = SEALED.fullmatch(sealed)
        assert match and match.group(1) == key_id, sealed
    assert site.recorded_key_id() == key_id
    before = rows["a"]

    server = site.start()
    assert fetched(server, "a") == first and fetched(server, "b") == second
    store(server, "a", first)
    assert site.rows()["a"] != before, "every seal draws a fresh nonce"


def test_python_cryptography_opens_what_the_host_sealed_and_seals_what_it_opens(site):
    server = site.start()
    plaintext = "clé d'API ✓ ".encode() + os.urandom(8).hex().encode()
    store(server, "host-made", plaintext)
    server.stop()
    kek = site.kek()
    sealed = site.rows()["host-made"]
    assert python_open(kek, sealed, ad("host-made")) == plaintext
    with pytest.raises(InvalidTag):
        python_open(kek, sealed, ad("another-row"))

    outside = new_plaintext("python")
    site.set_row("python-made", python_seal(kek, outside, ad("python-made")))
    site.set_row("moved", python_seal(kek, outside, ad("python-made")))
    server = site.start()
    assert fetched(server, "python-made") == outside
    assert refusal(server, "moved") == "open: status 1", "a value copied into another row must not open there"


def test_a_changed_truncated_or_foreign_value_does_not_open(site):
    server = site.start()
    store(server, "a", new_plaintext("a"))
    server.stop()
    sealed = site.rows()["a"]
    middle = len(sealed) - 10
    flipped = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1:]
    other_key_id = derived(os.urandom(32))[1]
    cases = {
        "flipped": (flipped, "open: status 1"),
        "truncated": (sealed[:-4], "open: status 1"),
        "header-only": (sealed[:13], "open: status 1"),
        "garbage": ("not a sealed value", "open: status 1"),
        "other-key": (f"pk1.{other_key_id}." + sealed[13:], "open: status 4"),
        "later-format": ("pk2." + sealed[4:], "open: status 4"),
        "python-other-kek": (python_seal(os.urandom(32), b"x", ad("python-other-kek")), "open: status 4"),
    }
    for row_id, (value, _) in cases.items():
        site.set_row(row_id, value)
    server = site.start()
    for row_id, (_, expected) in cases.items():
        assert refusal(server, row_id) == expected, row_id


def test_buffers_too_small_are_refused_with_the_size_needed(site):
    server = site.start()
    for length in (0, 1, 2, 3, 100, 4096):
        answer = server.get(f"/api/v1/secret-probe-buffers?length={length}").text
        expected_size = 13 + ((28 + length) * 4 + 2) // 3  # header + unpadded base64url
        open_part = "-1/99" if length == 0 else f"1/{length}"
        assert answer == f"sealed_size={expected_size};seal=1/{expected_size};open={open_part}", (length, answer)


def test_a_different_or_missing_key_stops_the_start_with_one_line(site):
    server = site.start()
    plaintext = new_plaintext("a")
    store(server, "a", plaintext)
    server.stop()
    kek = site.kek()
    key_id = derived(kek)[1]

    other = os.urandom(32)
    site.key_file.write_text(other.hex() + "\n")
    result = site.refused_start()
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    match = MISMATCH.fullmatch(lines[0])
    assert match, lines[0]
    assert match.groups() == (str(site.key_file), derived(other)[1], key_id)
    assert_never_shown(result.stderr, other, kek)

    result = site.refused_start(env={"PATTERN_KEK": other.hex()})
    assert MISMATCH.search(result.stderr).group(1) == "PATTERN_KEK", result.stderr

    site.key_file.unlink()
    result = site.refused_start()
    assert result.line_with("secrets.key does not exist", f"key id {key_id}", "restore"), result.stderr
    assert not site.key_file.exists(), "a lost key file must not be replaced by a new key"

    site.key_file.write_text(kek.hex() + "\n")
    os.chmod(site.key_file, 0o644)
    server = site.start()
    assert fetched(server, "a") == plaintext
    assert mode(site.key_file) == 0o600, "a key file others could read is made private"


@pytest.mark.parametrize("value", ["", "abc", "0" * 63, "0" * 65, "g" * 64, "0" * 64 + "\n", " " + "1" * 63])
def test_a_malformed_PATTERN_KEK_stops_the_start_with_one_line(site, value):
    result = site.refused_start(env={"PATTERN_KEK": value})
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: PATTERN_KEK: expected exactly 64 hexadecimal characters, got "), lines[0]
    if len(value) >= 3:
        assert value.strip() not in result.stderr, "the value must never be echoed"
    assert not site.key_file.exists()


def test_PATTERN_KEK_replaces_the_key_file(site):
    kek = os.urandom(32)
    server = site.start(env={"PATTERN_KEK": kek.hex().upper()})
    plaintext = new_plaintext("env")
    store(server, "a", plaintext)
    server.stop()
    assert not site.key_file.exists(), "no key file is made when the key comes from the environment"
    assert python_open(kek, site.rows()["a"], ad("a")) == plaintext
    assert_never_shown(server.stderr(), kek, plaintext)


def test_rotate_key_reseals_every_value_under_a_new_key(site):
    server = site.start()
    values = {row_id: new_plaintext(row_id) for row_id in ("a", "b", "c")}
    for row_id, plaintext in values.items():
        store(server, row_id, plaintext)
    server.stop()
    old_kek, before = site.kek(), site.rows()

    result = site.rotate()
    assert result.returncode == 0, result.stderr
    new_kek = site.kek()
    old_id, new_id = derived(old_kek)[1], derived(new_kek)[1]
    assert new_kek != old_kek and old_id != new_id
    assert result.stdout.strip().splitlines() == [
        f"rotated the key-encryption key in {site.key_file}: key id {old_id} -> {new_id}; 1 plugin(s) re-sealed their secrets"]
    assert_never_shown(result.stdout + result.stderr, old_kek, new_kek, *values.values())
    assert mode(site.key_file) == 0o600
    assert sorted(path.name for path in site.data.iterdir() if path.name.startswith("secrets")) == ["secrets.key"]

    after = site.rows()
    assert site.recorded_key_id() == new_id
    for row_id, plaintext in values.items():
        assert after[row_id] != before[row_id]
        assert SEALED.fullmatch(after[row_id]).group(1) == new_id
        assert python_open(new_kek, after[row_id], ad(row_id)) == plaintext
        with pytest.raises(InvalidTag):  # the old key no longer opens them, even told the new key id
            python_open(old_kek, f"pk1.{derived(old_kek)[1]}." + after[row_id][13:], ad(row_id))

    server = site.start()
    for row_id, plaintext in values.items():
        assert fetched(server, row_id) == plaintext
    assert "rotation" not in server.stderr()


def test_rotate_key_refuses_while_a_server_uses_the_data_directory(site):
    server = site.start()
    store(server, "a", new_plaintext("a"))
    kek = site.kek()
    result = site.rotate()
    assert result.returncode == 1
    assert result.line_with("error: another pattern-server process is using", str(site.data)), result.stderr
    assert site.kek() == kek and not site.next_file.exists()


def test_an_interrupted_rotation_is_completed_by_running_it_again(site):
    server = site.start()
    values = {row_id: new_plaintext(row_id) for row_id in ("a", "b")}
    for row_id, plaintext in values.items():
        store(server, row_id, plaintext)
    server.stop()
    old_kek = site.kek()

    # As a rotation that stopped half-way leaves it: the next key written, one row re-sealed.
    next_kek = os.urandom(32)
    site.next_file.write_text(next_kek.hex() + "\n")
    os.chmod(site.next_file, 0o600)
    site.set_row("a", python_seal(next_kek, values["a"], ad("a")))

    server = site.start()
    warning = server.wait_for_log(lambda line: "key rotation was interrupted" in line)
    assert warning and "rotate-key" in warning and derived(next_kek)[1] in warning, server.stderr()
    assert fetched(server, "a") == values["a"] and fetched(server, "b") == values["b"]
    values["c"] = new_plaintext("c")
    store(server, "c", values["c"])
    assert SEALED.fullmatch(site.rows()["c"]).group(1) == derived(next_kek)[1], "while rotating, seal uses the next key"
    server.stop()
    assert_never_shown(server.stderr(), old_kek, next_kek, *values.values())

    result = site.rotate()
    assert result.returncode == 0, result.stderr
    assert f"key id {derived(old_kek)[1]} -> {derived(next_kek)[1]}" in result.stdout
    assert site.kek() == next_kek and not site.next_file.exists()
    for row_id, sealed in site.rows().items():
        assert python_open(next_kek, sealed, ad(row_id)) == values[row_id]
    server = site.start()
    assert all(fetched(server, row_id) == plaintext for row_id, plaintext in values.items())


def test_a_failing_rotation_callback_keeps_both_keys_until_run_again(site):
    server = site.start()
    plaintext = new_plaintext("a")
    store(server, "a", plaintext)
    server.stop()
    old_kek, before = site.kek(), site.rows()

    result = site.rotate(config="[secret-probe]\nfail_rotation = true\n")
    assert result.returncode == 1
    assert result.line_with("error: plugin secret-probe could not re-seal its secrets", "told to fail by its config",
                            "run `pattern-server secrets rotate-key` again"), result.stderr
    assert site.kek() == old_kek and site.rows() == before
    assert site.next_file.exists() and mode(site.next_file) == 0o600
    next_kek = site.kek(site.next_file)

    server = site.start()
    assert fetched(server, "a") == plaintext
    server.stop()
    result = site.rotate()
    assert result.returncode == 0, result.stderr
    assert site.kek() == next_kek, "running it again completes the rotation to the same next key"
    assert python_open(next_kek, site.rows()["a"], ad("a")) == plaintext


def test_rotating_a_PATTERN_KEK_takes_the_next_key_from_PATTERN_KEK_NEXT(site):
    old_kek, new_kek = os.urandom(32), os.urandom(32)
    server = site.start(env={"PATTERN_KEK": old_kek.hex()})
    plaintext = new_plaintext("a")
    store(server, "a", plaintext)
    server.stop()

    result = site.rotate(env={"PATTERN_KEK": old_kek.hex()})
    assert result.returncode == 1
    assert result.line_with("error: the key-encryption key comes from PATTERN_KEK", "PATTERN_KEK_NEXT"), result.stderr
    result = site.refused_start(env={"PATTERN_KEK_NEXT": new_kek.hex()})
    assert result.line_with("PATTERN_KEK_NEXT is set without PATTERN_KEK"), result.stderr
    result = site.refused_start(env={"PATTERN_KEK": old_kek.hex(), "PATTERN_KEK_NEXT": old_kek.hex()})
    assert result.line_with("PATTERN_KEK_NEXT holds the same key as PATTERN_KEK"), result.stderr

    both = {"PATTERN_KEK": old_kek.hex(), "PATTERN_KEK_NEXT": new_kek.hex()}
    result = site.rotate(env=both)
    assert result.returncode == 0, result.stderr
    assert "now set PATTERN_KEK to its value and unset PATTERN_KEK_NEXT" in result.stdout
    assert_never_shown(result.stdout + result.stderr, old_kek, new_kek, plaintext)
    assert python_open(new_kek, site.rows()["a"], ad("a")) == plaintext
    assert not site.key_file.exists() and not site.next_file.exists()

    assert MISMATCH.search(site.refused_start(env={"PATTERN_KEK": old_kek.hex()}).stderr)
    server = site.start(env={"PATTERN_KEK": new_kek.hex()})
    assert fetched(server, "a") == plaintext
