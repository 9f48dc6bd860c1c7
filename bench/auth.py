#!/usr/bin/env python3
"""Auth benchmark, in one run against the release server with the auth plugin:

1. `GET /api/v1/auth/me` with a JWT at 64 connections, as a ratio to `GET /api/v1/health` of
   the same server (goal >= 0.7x). Rounds alternate between the two endpoints.
2. Password logins at bcrypt cost 12, as a ratio to the machine's bcrypt ceiling:
   cores x (1 / one bcrypt hash time), the hash timed with libxcrypt (the library the server
   uses) in this run (goal >= 0.85x).

Writes bench/results/auth.md and regenerates BENCHMARKS.md.

usage: bench/auth.py [--rounds 3] [--duration 10] [--scratch-path DIR]
"""
import ctypes
import ctypes.util
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN, PASSWORD = "bench-admin", "bench-password-123"
COST = 12


def bcrypt_seconds(samples: int = 7) -> float:
    """Median time of one bcrypt hash at COST through libxcrypt's crypt_r (as the server does)."""
    library = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    library.crypt_gensalt.restype = ctypes.c_char_p
    library.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    library.crypt_r.restype = ctypes.c_char_p
    library.crypt_r.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
    data = ctypes.create_string_buffer(32768 * 2)
    times = []
    for _ in range(samples):
        setting = library.crypt_gensalt(b"$2b$", COST, secrets.token_bytes(16), 16)
        started = time.perf_counter()
        result = library.crypt_r(PASSWORD.encode(), setting, data)
        times.append(time.perf_counter() - started)
        assert result.startswith(b"$2b$12$"), result
    return statistics.median(times)


def parallel_bcrypt_rate(threads: int, seconds: float = 4.0) -> float:
    """Hashes per second with `threads` threads hashing at once (ctypes releases the GIL): the
    ceiling the machine offers right now, under whatever else it is running."""
    import threading
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def run(index):
        while time.perf_counter() < deadline:
            bcrypt_seconds(1)
            counts[index] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started)


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    args, binary = benchlib.prepare()
    cores = os.cpu_count() or 1

    work = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    port = benchlib.free_port()
    env = {"BCRYPT_COST": str(COST), "PATTERN_ADMIN_USERNAME": ADMIN, "PATTERN_ADMIN_PASSWORD": PASSWORD}
    server = benchlib.start_server(binary, work, port, plugins=["libPatternAuth.so"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        request = urllib.request.Request(f"{base}/api/v1/auth/login", method="POST",
                                         data=json.dumps({"username": ADMIN, "password": PASSWORD}).encode(),
                                         headers={"Content-Type": "application/json"})
        token = json.load(urllib.request.urlopen(request))["access_token"]
        bearer = f"Authorization: Bearer {token}"

        results: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            results.setdefault("health", []).append(benchlib.wrk(f"{base}/api/v1/health", 64, args.duration))
            results.setdefault("me", []).append(benchlib.wrk(f"{base}/api/v1/auth/me", 64, args.duration, headers=[bearer]))

        script = work / "login.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.body = \'{json.dumps({"username": ADMIN, "password": PASSWORD})}\'\n')
        hash_before = bcrypt_seconds()
        cpu_before = process_cpu_seconds(server.pid)
        logins = [benchlib.wrk(f"{base}/api/v1/auth/login", 8, args.duration, script=str(script))
                  for _ in range(args.rounds)]
        cpu_per_login = (process_cpu_seconds(server.pid) - cpu_before) / sum(r["rps"] * args.duration for r in logins)
        hash_after = bcrypt_seconds()
        parallel_ceiling = parallel_bcrypt_rate(cores)
        rss = benchlib.rss_kib(server.pid)
    finally:
        benchlib.stop(server)

    health = statistics.median(r["rps"] for r in results["health"])
    me = statistics.median(r["rps"] for r in results["me"])
    hash_time = statistics.median([hash_before, hash_after])
    ceiling = cores / hash_time
    login_rps = statistics.median(r["rps"] for r in logins)

    def row(name, runs, rps, ratio):
        return (f"| {name} | {rps:,.1f} | {statistics.median(r['p50_ms'] for r in runs):.2f} ms | "
                f"{statistics.median(r['p99_ms'] for r in runs):.2f} ms | {sum(r['errors'] for r in runs)} | {ratio} |")

    lines = [
        "## Auth: authenticated requests and logins",
        "",
        benchlib.machine_line(),
        f"Release build, auth plugin only, log level warn. wrk -t2, {args.duration} s per round, {args.rounds} rounds; "
        "medians. The JWT path verifies HMAC-SHA256 and reads the login from a 5 s in-memory cache "
        "(no database read per request); `/auth/me` answers from the same cache.",
        "",
        "| benchmark | req/s (median) | p50 | p99 | errors | ratio |",
        "|---|---|---|---|---|---|",
        row("`GET /api/v1/health`, 64 connections", results["health"], health, "1.00×"),
        row("`GET /api/v1/auth/me` with a JWT, 64 connections", results["me"], me,
            f"**{me / health:.2f}×** of health (goal ≥ 0.7×)"),
        row(f"`POST /api/v1/auth/login`, bcrypt cost {COST}, 8 connections", logins, login_rps,
            f"**{login_rps / ceiling:.2f}×** of the bcrypt ceiling (goal ≥ 0.85×)"),
        "",
        f"bcrypt ceiling: {cores} cores × 1 / {hash_time * 1000:.0f} ms (one cost-{COST} hash through libxcrypt, "
        f"median of 7, timed before and after the login rounds: {hash_before * 1000:.0f} / {hash_after * 1000:.0f} ms) "
        f"= {ceiling:.2f} logins/s. Measured the other way, {cores} threads hashing at once right after the "
        f"login rounds managed {parallel_ceiling:.2f} hashes/s (logins reached {login_rps / parallel_ceiling:.2f}× of that).",
        f"Server CPU per login: {cpu_per_login * 1000:.0f} ms against {hash_time * 1000:.0f} ms for one hash "
        f"({hash_time / cpu_per_login:.2f}×): besides its one bcrypt verification a login costs a JWT pair and one "
        "small write transaction, so the login rate is about the CPU the machine gives the server divided by one hash.",
        f"Load average during the run: {os.getloadavg()[0]:.1f} (other work on the machine lowers the login "
        "rate and the ceiling alike; the single-thread hash time does not show it).",
        f"pattern-server RSS after the run: {rss / 1024:.1f} MiB.",
        "",
    ]
    benchlib.write_section("auth", "\n".join(lines))


if __name__ == "__main__":
    main()
