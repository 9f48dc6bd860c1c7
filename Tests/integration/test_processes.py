"""Child processes (ABI 1.4), driven through the C fixture Tests/Fixtures/c-plugins/process_probe.c:
pipes on the event loops, exactly the program, argv and environment given, TERM then KILL,
stderr in the log, the cap, reaping (no zombies) and the end of every child at shutdown."""
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from conftest import wait_until

PROBE = "libprocess_probe.so"
PYTHON = os.path.realpath(sys.executable)  # the real file: a symbolic link is refused
OK, INVALID, NOT_FOUND, STATE, BUSY = 0, 1, 2, 5, 6


class Probe:
    def __init__(self, server):
        self.server = server

    def spawn(self, path: str, *argv: str, env=(), cwd="", lines=False, max_line=0, hold=False) -> tuple[int, int]:
        body = "\n".join([f"a:{a}" for a in argv] + [f"e:{e}" for e in env])
        params = {"path": path, "cwd": cwd, "lines": int(lines), "max_line": max_line, "hold": int(hold)}
        answer = self.server.post("/probe/process/spawn", params=params, data=body.encode()).json()
        return answer["status"], answer["slot"]

    def start(self, path: str, *argv: str, **options) -> int:
        status, slot = self.spawn(path, *argv, **options)
        assert status == OK, f"spawn {path} {argv}: status {status}"
        return slot

    def call(self, slot: int, action: str, data: bytes = b"", **params) -> int:
        return self.server.post(f"/probe/process/{slot}/{action}", params=params, data=data).json()["status"]

    def report(self, slot: int) -> dict:
        report = self.server.get(f"/probe/process/{slot}").json()
        report["output"] = bytes.fromhex(report.pop("output_hex"))
        return report

    def wait_exit(self, slot: int, timeout: float = 15.0) -> dict:
        assert wait_until(lambda: self.report(slot)["exited"], timeout), f"child {slot} still running"
        report = self.report(slot)
        # Whatever ended it: no stdout after on_exit, one callback at a time, a stale handle.
        assert report["late_output"] == 0 and report["overlap"] == 0, report
        assert report["write_after_exit"] == NOT_FOUND, report
        return report

    def wait_output(self, slot: int, needle: bytes, timeout: float = 15.0):
        assert wait_until(lambda: needle in self.report(slot)["output"], timeout), self.report(slot)


@pytest.fixture
def probe(start_server) -> Probe:
    return Probe(start_server(plugins=[PROBE], env={"HOST_ONLY_VARIABLE": "leak"}))


def script(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, state) of every process whose parent is `pid`, from /proc/*/stat."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append((int(stat.parent.name), fields[0]))
    return found


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


# ----- pipes -----------------------------------------------------------------------------

def test_cat_echoes_stdin_to_stdout(probe):
    slot = probe.start("/usr/bin/cat", "cat")
    payload = bytes(range(256)) * 1024
    assert probe.call(slot, "write", b"hello\n") == OK
    assert probe.call(slot, "write", payload) == OK
    assert probe.call(slot, "close") == OK
    report = probe.wait_exit(slot)
    assert (report["exit_code"], report["signal"]) == (0, 0)
    assert report["output"] == b"hello\n" + payload


def test_python_line_echo_delivers_whole_lines(probe, tmp_path):
    echo = script(tmp_path, "echo.py", "import sys\nfor line in sys.stdin:\n    print('echo:' + line.rstrip('\\n'), flush=True)\n")
    slot = probe.start(PYTHON, "python3", echo, lines=True)
    for piece in (b"one\ntw", b"o\nth", b"ree\n"):
        assert probe.call(slot, "write", piece) == OK
    many = b"".join(b"line %d\n" % n for n in range(1000))
    assert probe.call(slot, "write", many) == OK
    assert probe.call(slot, "close") == OK
    report = probe.wait_exit(slot)
    expected = ["echo:one", "echo:two", "echo:three"] + [f"echo:line {n}" for n in range(1000)]
    assert report["output"].decode().split("\n")[:-1] == expected
    assert report["lines"] == len(expected) and report["exit_code"] == 0


def test_lines_drop_crlf_and_keep_an_unfinished_last_line(probe):
    slot = probe.start("/usr/bin/dash", "sh", "-c", r"printf 'a\r\nb\n\nc'", lines=True)
    report = probe.wait_exit(slot)
    assert report["output"] == b"a\nb\n\nc\n" and report["lines"] == 4


def test_a_line_over_max_line_bytes_kills_the_child(probe, tmp_path):
    chatty = script(tmp_path, "long.py", "import sys, time\nprint('short', flush=True)\n"
                                         "sys.stdout.write('x' * 5000); sys.stdout.flush()\ntime.sleep(60)\n")
    slot = probe.start(PYTHON, "python3", chatty, lines=True, max_line=1024)
    report = probe.wait_exit(slot)
    assert (report["exit_code"], report["signal"]) == (-1, signal.SIGKILL)
    assert report["output"] == b"short\n"
    assert probe.server.wait_for_log(lambda l: "a stdout line passed max_line_bytes" in l and "max_line_bytes=1024" in l)


def test_stdin_back_pressure_busy_then_drain(probe, tmp_path):
    # The child reads nothing until SIGUSR1, so the queue fills; then it reads it all.
    reader = script(tmp_path, "reader.py", "import signal, sys\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\n"
                                           "signal.sigwait({signal.SIGUSR1})\nprint(len(sys.stdin.buffer.read()))\n")
    slot = probe.start(PYTHON, "python3", reader)
    time.sleep(0.5)  # let it block SIGUSR1 before it is sent
    filled = probe.server.post(f"/probe/process/{slot}/fill").json()
    assert filled["status"] == BUSY and (1 << 20) <= filled["accepted"] <= (1 << 20) + (64 << 10), filled
    assert probe.call(slot, "close") == OK
    assert probe.call(slot, "write", b"late") == STATE
    assert probe.call(slot, "signal", number=signal.SIGUSR1) == OK
    report = probe.wait_exit(slot)
    assert report["output"] == b"%d\n" % filled["accepted"]
    assert report["drains"] == 1 and report["exit_code"] == 0


def test_a_slow_owner_holds_the_child_back(probe):
    # 3.4 MB of stdout while on_stdout waits: the host stops reading past 1 MiB, so seq
    # cannot finish; released, every byte comes, in order.
    slot = probe.start("/usr/bin/seq", "seq", "1", "500000", hold=True)
    time.sleep(1.0)
    assert [state for _, state in children_of(probe.server.process.pid)] == ["S"]  # blocked writing
    assert probe.call(slot, "release") == OK
    report = probe.wait_exit(slot)
    assert report["output"] == b"".join(b"%d\n" % n for n in range(1, 500001)) and report["exit_code"] == 0


def test_output_before_an_early_exit_comes_before_on_exit(probe):
    slot = probe.start("/usr/bin/dash", "sh", "-c", "echo before; exit 3")
    report = probe.wait_exit(slot)
    assert (report["exit_code"], report["signal"], report["output"]) == (3, 0, b"before\n")
    for action, params in (("close", {}), ("signal", {"number": 15}), ("terminate", {"grace_ms": 10})):
        assert probe.call(slot, action, **params) == NOT_FOUND, action
    # More than the host buffers for a slow owner (1 MiB), all delivered before the exit.
    big = probe.start("/usr/bin/head", "head", "-c", str(3 << 20), "/dev/zero")
    report = probe.wait_exit(big)
    assert report["output"] == bytes(3 << 20) and report["exit_code"] == 0


# ----- ending children -------------------------------------------------------------------

def test_terminate_closes_stdin_first(probe):
    slot = probe.start("/usr/bin/cat", "cat")
    assert probe.call(slot, "terminate", grace_ms=10_000) == OK
    report = probe.wait_exit(slot, timeout=5)  # long before SIGTERM: cat saw the end of its input
    assert (report["exit_code"], report["signal"]) == (0, 0)


def test_terminate_sends_term_after_the_grace(probe):
    slot = probe.start("/usr/bin/sleep", "sleep", "100")
    assert probe.call(slot, "terminate", grace_ms=200) == OK
    report = probe.wait_exit(slot)
    assert (report["exit_code"], report["signal"]) == (-1, signal.SIGTERM)


def test_a_child_ignoring_term_is_killed(probe, tmp_path):
    stubborn = script(tmp_path, "stubborn.py",
                      "import signal, time\nsignal.signal(signal.SIGTERM, lambda *_: print('got TERM', flush=True))\n"
                      "print('ready', flush=True)\nwhile True:\n    time.sleep(1)\n")
    slot = probe.start(PYTHON, "python3", stubborn)
    probe.wait_output(slot, b"ready")
    assert probe.call(slot, "terminate", grace_ms=300) == OK
    report = probe.wait_exit(slot)
    assert (report["exit_code"], report["signal"]) == (-1, signal.SIGKILL)
    assert report["output"] == b"ready\ngot TERM\n"


def test_signals_reach_the_child_and_what_it_started(probe):
    slot = probe.start("/usr/bin/dash", "sh", "-c", "sleep 100 & echo $!; wait")
    probe.wait_output(slot, b"\n")
    grandchild = int(probe.report(slot)["output"])
    assert alive(grandchild)
    assert probe.call(slot, "signal", number=signal.SIGSEGV) == INVALID
    assert probe.call(slot, "signal", number=signal.SIGTERM) == OK
    report = probe.wait_exit(slot)
    assert report["signal"] == signal.SIGTERM
    assert wait_until(lambda: not alive(grandchild), 5), "the sleep the child started survived"


# ----- what runs, and how ----------------------------------------------------------------

def test_paths_that_are_refused(probe, tmp_path):
    link = tmp_path / "cat-link"
    link.symlink_to("/usr/bin/cat")
    plain = tmp_path / "not-executable"
    plain.write_text("#!/usr/bin/dash\necho hi\n")
    cases = {
        str(link): NOT_FOUND,                 # a symbolic link counts as no file
        "usr/bin/cat": INVALID,               # relative
        "cat": INVALID,                       # no PATH lookup
        "/usr/bin": NOT_FOUND,                # a directory
        str(plain): NOT_FOUND,                # not executable
        str(tmp_path / "missing"): NOT_FOUND,
        "/usr/bin/cat\x00/x": INVALID,        # a NUL byte
    }
    for path, expected in cases.items():
        assert probe.spawn(path, "x", env=["PATH=/usr/bin:/bin"])[0] == expected, path
    assert probe.spawn("/usr/bin/cat")[0] == INVALID  # no argv[0]
    assert probe.spawn("/usr/bin/env", "env", env=["NOEQUALS"])[0] == INVALID
    assert probe.server.wait_for_log(lambda l: "child process not started" in l and "is a symbolic link" in l)


def test_a_script_runs_by_its_own_path(probe, tmp_path):
    path = Path(script(tmp_path, "hello-script", f"#!{PYTHON}\nimport sys\nprint(sys.argv)\n"))
    path.chmod(0o755)
    report = probe.wait_exit(probe.start(str(path), "hello-script", "x"))
    assert report["output"] == f"{[str(path), 'x']}\n".encode() and report["exit_code"] == 0


def test_the_environment_is_exactly_the_one_given(probe):
    report = probe.wait_exit(probe.start("/usr/bin/env", "env", env=["A=1", "B=two words", "C="]))
    assert report["output"] == b"A=1\nB=two words\nC=\n"
    report = probe.wait_exit(probe.start("/usr/bin/env", "env"))
    assert report["output"] == b""  # nothing of the host's (it has HOST_ONLY_VARIABLE)


def test_working_directory(probe, tmp_path):
    report = probe.wait_exit(probe.start("/usr/bin/pwd", "pwd"))
    assert report["output"] == f"{probe.server.workdir}\n".encode()  # the host's
    report = probe.wait_exit(probe.start("/usr/bin/pwd", "pwd", cwd=str(tmp_path)))
    assert report["output"] == f"{tmp_path}\n".encode()
    assert probe.spawn("/usr/bin/pwd", "pwd", cwd="relative")[0] == INVALID
    assert probe.spawn("/usr/bin/pwd", "pwd", cwd=str(tmp_path / "missing"))[0] == NOT_FOUND


def test_a_child_starts_clean(probe):
    code = ("import os, signal; print(sorted(os.listdir('/proc/self/fd')), os.getpgrp() == os.getpid(),"
            " signal.pthread_sigmask(signal.SIG_BLOCK, []) == set(), signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    report = probe.wait_exit(probe.start(PYTHON, "python3", "-c", code))
    # stdio and listdir's own descriptor only; its own process group; no signal blocked.
    assert report["output"] == b"['0', '1', '2', '3'] True True True\n"


def test_stderr_goes_to_the_log_within_a_budget(probe, tmp_path):
    slot = probe.start("/usr/bin/dash", "sh", "-c", "echo marker-7f3a >&2")
    probe.wait_exit(slot)
    line = probe.server.wait_for_log(lambda l: "marker-7f3a" in l)
    assert re.search(r'msg="child stderr" plugin=process-probe pid=\d+ line=marker-7f3a', line), line

    flood = script(tmp_path, "flood.py", "import sys\nfor n in range(5000):\n    print('flood', n, file=sys.stderr)\n")
    probe.wait_exit(probe.start(PYTHON, "python3", flood))
    assert probe.server.wait_for_log(lambda l: "child stderr lines dropped" in l)
    logged = [l for l in probe.server.stderr().splitlines() if 'line="flood ' in l]
    dropped = sum(int(m.group(1)) for m in re.finditer(r"child stderr lines dropped.* dropped=(\d+)", probe.server.stderr()))
    assert 200 <= len(logged) < 1000 and len(logged) + dropped == 5000, (len(logged), dropped)


# ----- the host's own bounds -------------------------------------------------------------

def test_max_processes_caps_running_children(start_server):
    probe = Probe(start_server(plugins=[PROBE], config="[limits]\nmax_processes = 3\n"))
    slots = [probe.start("/usr/bin/sleep", "sleep", "100") for _ in range(3)]
    assert probe.spawn("/usr/bin/sleep", "sleep", "100")[0] == BUSY
    assert probe.call(slots[0], "terminate", grace_ms=1) == OK
    probe.wait_exit(slots[0])
    assert probe.spawn("/usr/bin/true", "true")[0] == OK


def test_spawn_during_init_is_refused(probe):
    assert probe.server.get("/probe/process/init-status").json() == {"status": STATE}


def test_a_thousand_spawns_leave_no_zombies(probe):
    pid = probe.server.process.pid
    assert probe.server.get("/probe/process/many").json()["spawned"] == 0  # opens the keep-alive connection
    descriptors = len(os.listdir(f"/proc/{pid}/fd"))
    answer = probe.server.post("/probe/process/many", params={"n": 1000, "path": "/usr/bin/true"}, timeout=120).json()
    assert answer == {"spawned": 1000, "refused": 0}
    assert wait_until(lambda: probe.server.get("/probe/process/many").json()["exited"] == 1000, 60)
    assert probe.server.get("/probe/process/many").json() == {"spawned": 1000, "exited": 1000, "failed": 0}
    assert children_of(pid) == []
    listed = "".join(p.read_text() for p in Path(f"/proc/{pid}/task").glob("*/children"))
    assert listed.split() == []
    assert len(os.listdir(f"/proc/{pid}/fd")) <= descriptors  # every pipe and pidfd closed


def test_shutdown_ends_every_child(start_server, tmp_path):
    server = start_server(plugins=[PROBE], config="[limits]\nshutdown_grace_seconds = 3\n")
    probe = Probe(server)
    stubborn = script(tmp_path, "stubborn.py", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                               "print('ready', flush=True)\ntime.sleep(100)\n")
    slots = [probe.start("/usr/bin/sleep", "sleep", "100"), probe.start("/usr/bin/cat", "cat"),
             probe.start(PYTHON, "python3", stubborn)]
    probe.wait_output(slots[2], b"ready")
    pids = [child for child, _ in children_of(server.process.pid)]
    assert len(pids) == 3
    server.terminate()
    assert server.wait(timeout=15) == 0
    assert not [child for child in pids if alive(child)]
    # Every on_exit ran before the plugin's shutdown callback.
    assert server.wait_for_log(lambda l: "process-probe shutdown: unfinished=0" in l)
