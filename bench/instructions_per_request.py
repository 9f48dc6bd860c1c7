#!/usr/bin/env python3
"""What a request costs in instructions, deterministically: the release server runs under
`valgrind --tool=callgrind`, takes warm-up requests, then the counters are zeroed, N
keep-alive requests are sent one at a time, and the counters dumped. User-space
instructions per request do not swing with the machine's noise the way wrk's req/s do, so
this is how per-request work is compared between builds and plugin sets.

The deployments and endpoints are those of plugins_overhead.py (bench/plugin_sets.py);
that script includes these counts in its section of BENCHMARKS.md.

usage: bench/instructions_per_request.py [--requests 2000] [--top 25] [--scratch-path DIR]
  --top N prints each run's N most expensive functions (exclusive) from callgrind_annotate.
"""
import argparse
import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from plugin_sets import BOTH, CONFIG, ENDPOINTS, NEITHER  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def stripped_copy(binary: Path, plugins: list[str], target: Path) -> Path:
    """The server and plugins without debug info: valgrind reads it at every dlopen, slowly."""
    (target / "plugins").mkdir(parents=True)
    shutil.copy(binary, target / binary.name)
    subprocess.run(["strip", "--strip-debug", str(target / binary.name)], check=True)
    for name in plugins:
        shutil.copy(binary.parent / name, target / "plugins" / name)
        subprocess.run(["strip", "--strip-debug", str(target / "plugins" / name)], check=True)
    return target / binary.name


def requests(port: int, path: str, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(count):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    connection.close()


def measure(binary: Path, work: Path, config: str | None, path: str, count: int, top: int,
            send=None, env: dict | None = None) -> float:
    """Instructions per request: `send(port, count)` sends `count` requests (default: GETs of `path`)."""
    send = send or (lambda port, n: requests(port, path, n))
    port = benchlib.free_port()
    args = [str(binary), "--plugin-dir", str(binary.parent / "plugins"), "--data-dir", str(work / "data"),
            "--port", str(port)]
    if config:
        (work / "config.toml").write_text(config)
        args += ["--config", str(work / "config.toml")]
    out = work / "callgrind.out"
    server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *args],
                              stdout=subprocess.DEVNULL, stderr=open(work / "valgrind.log", "wb"),
                              env={"PATH": "/usr/bin:/bin", "PATTERN_LOG_LEVEL": "warn", **(env or {})})
    try:
        deadline = time.time() + 120
        while True:
            try:
                send(port, 200)
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError((work / "valgrind.log").read_text())
                time.sleep(0.5)
        subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True, capture_output=True)
        send(port, count)
        subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, capture_output=True)
    finally:
        benchlib.stop(server)
    dumps = sorted(work.glob("callgrind.out.*"), key=lambda p: p.stat().st_mtime)
    dump = dumps[-1]
    summary = re.search(r"^summary:\s+(\d+)", dump.read_text(errors="replace"), re.M)
    if top:
        annotated = subprocess.run(["callgrind_annotate", "--threshold=100", str(dump)], check=True,
                                   capture_output=True, text=True).stdout
        rows = [line for line in annotated.splitlines() if re.match(r"^\s*[\d,]+ \(", line)]
        print("\n".join(rows[1:top + 1]))
    return int(summary.group(1)) / count


def ensure_valgrind() -> None:
    if shutil.which("valgrind") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "valgrind"], check=True)


def measure_all(binary: Path, count: int, top: int = 0) -> dict[tuple[str, str], float]:
    """Instructions per request for every endpoint and plugin set (hello-c must be built)."""
    ensure_valgrind()
    work = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    copies = {name: stripped_copy(binary, plugins, work / name / "bin")
              for name, plugins in (("neither", NEITHER), ("both", BOTH))}
    results = {}
    for path in ENDPOINTS:
        for name, config in (("neither", None), ("both", CONFIG)):
            run = work / name / path.strip("/").replace("/", "-")
            run.mkdir(parents=True)
            if top:
                print(f"== {path} {name}", flush=True)
            results[(path, name)] = measure(copies[name], run, config, path, count, top)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--scratch-path", type=Path, default=None)
    args = parser.parse_args()
    binary = benchlib.build_release(args.scratch_path)
    subprocess.run(["make", "-s", "-C", str(ROOT / "Examples" / "hello-c"), f"OUT={binary.parent}"], check=True)
    results = measure_all(binary, args.requests, args.top)
    for path in ENDPOINTS:
        neither, both = results[(path, "neither")], results[(path, "both")]
        print(f"{path}: neither {neither:,.0f}, both {both:,.0f} instructions/request "
              f"(+{both - neither:,.0f}, ratio {neither / both:.3f})")


if __name__ == "__main__":
    main()
