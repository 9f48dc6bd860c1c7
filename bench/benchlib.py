"""Shared pieces of the benchmark scripts: building, starting servers, running wrk,
parsing its output, and writing BENCHMARKS.md from per-benchmark sections."""
import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists()]
    if missing:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk", "nginx-light"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def prepare(duration: int = 10, parser: argparse.ArgumentParser | None = None) -> tuple[argparse.Namespace, Path]:
    """The benchmarks' common start: the command line (`--rounds`, `--duration`,
    `--scratch-path`, plus what `parser` already holds), the fd limit, wrk and nginx, and a
    release build; the arguments and the server binary."""
    parser = parser or argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=duration)
    parser.add_argument("--scratch-path", type=Path, default=None)
    args = parser.parse_args()
    raise_fd_limit()
    require_tools()
    return args, build_release(args.scratch_path)


def build_release(scratch_path: Path | None = None) -> Path:
    scratch = ["--scratch-path", str(scratch_path)] if scratch_path else []
    subprocess.run(["swift", "build", "-c", "release", *scratch], cwd=ROOT, check=True)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path", *scratch], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    return Path(bin_dir) / "pattern-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The C plugins a benchmark may load, by file name: examples and test fixtures, compiled into
# a folder of their own (a release build puts only first-party plugins beside the binary).
C_PLUGINS = {
    "libhello_c.so": "Examples/hello-c/hello.c", "libws_echo.so": "Examples/ws-echo/ws_echo.c",
    "libsse_c.so": "Examples/sse-c/count.c", "librelay_c.so": "Examples/relay-c/relay.c",
    "libdefer_probe.so": "Tests/Fixtures/c-plugins/defer_probe.c",
}

# Every client of a loopback benchmark comes from 127.0.0.1: the per-address connection cap
# spares it, and every other hardening check stays on.
LOOPBACK_LIMITS = '[limits]\nconnection_cap_exempt = ["127.0.0.1"]\n'


def plugin_file(binary: Path, name: str) -> Path:
    if name not in C_PLUGINS:
        return binary.parent / name
    out = ROOT / ".build" / "bench-plugins"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cc", "-shared", "-fPIC", "-fvisibility=hidden", "-O2", "-I", str(ROOT / "Sources/PluginABI/include"),
                    str(ROOT / C_PLUGINS[name]), "-o", str(out / name)], check=True)
    return out / name


def start_server(binary: Path, work: Path, port: int, plugins: list[str], env: dict | None = None,
                 config: str | None = None, limits: str = "") -> subprocess.Popen:
    """`limits`: more `[limits]` keys, one per line (the section itself is written here)."""
    plugin_dir = work / "plugins"
    plugin_dir.mkdir(exist_ok=True)
    for name in plugins:
        target = plugin_dir / name
        if not target.exists():
            target.symlink_to(plugin_file(binary, name))
    args = [str(binary), "--plugin-dir", str(plugin_dir), "--data-dir", str(work / "data"), "--port", str(port)]
    (work / "config.toml").write_text(LOOPBACK_LIMITS + limits + (config or ""))
    args += ["--config", str(work / "config.toml")]
    process = subprocess.Popen(args, stderr=open(work / "server.log", "wb"),
                               env={**os.environ, "PATTERN_LOG_LEVEL": "warn", **(env or {})})
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start: " + (work / "server.log").read_text())


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def start_nginx(work: Path, port: int, path: str, body: bytes) -> None:
    (work / "body.json").write_bytes(body)
    escaped = body.decode().replace("\\", "\\\\").replace("'", "\\'")
    (work / "nginx.conf").write_text(f"""
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location = {path} {{ default_type application/json; return 200 '{escaped}'; }}
  }}
}}
""")
    subprocess.run(["nginx", "-c", str(work / "nginx.conf")], check=True)
    time.sleep(0.3)


def stop_nginx(work: Path) -> None:
    subprocess.run(["nginx", "-c", str(work / "nginx.conf"), "-s", "stop"], check=False)


def wrk(url: str, connections: int, duration: int, script: str | None = None, headers: list[str] = ()) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", script]
    output = subprocess.run(args + [url], check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {m.group(1): _ms(m.group(2), m.group(3))
               for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    return {"rps": rps, "p50_ms": latency.get("50", 0.0), "p99_ms": latency.get("99", 0.0), "errors": errors}


def call(base: str, method: str, path: str, body=None, token: str | None = None) -> dict:
    """One JSON API request (bearer token optional); the decoded answer, {} when empty."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{base}{path}", method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else {}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def machine_line() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return (f"Machine: {os.cpu_count()} cores, {cpu}, {mem_kib / 1048576:.0f} GiB, "
            f"{platform.system()} {platform.release()}, {time.strftime('%Y-%m-%d')}.")


def write_section(name: str, text: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    sections = [path.read_text() for path in sorted(RESULTS.glob("*.md"))]
    (ROOT / "BENCHMARKS.md").write_text(
        "# Benchmarks\n\nGenerated by the scripts in `bench/` (each writes its section to `bench/results/`). "
        "Loopback only, wrk as the client on the same 2-core machine, so absolute numbers are modest and "
        "noisy: compare ratios within a section, which come from the same run.\n\n" + "\n".join(sections))
    print((RESULTS / f"{name}.md").read_text())
