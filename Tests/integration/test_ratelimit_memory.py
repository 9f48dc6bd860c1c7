"""Memory stays bounded: 100,000 distinct client keys (distinct addresses forwarded by a
trusted proxy) against max_keys = 20,000 keep the key table at its cap and RSS flat."""
from pathlib import Path

from conftest import HELLO_C, METRICS, RATELIMIT
from metrics_support import check_exposition, scrape, value

MAX_KEYS = 20_000
TOTAL = 100_000
CONNECTIONS = 4
BATCH = 200


def rss_kib(pid: int) -> int:
    return next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmRSS:"))


def flood(server, start: int, count: int):
    """`count` requests from distinct forwarded addresses, pipelined in batches."""
    from conftest import RawConnection
    conns = [RawConnection(server.port) for _ in range(CONNECTIONS)]
    try:
        sent = 0
        while sent < count:
            for conn in conns:
                n = min(BATCH, count - sent)
                if n <= 0:
                    break
                payload = b"".join(
                    b"GET /api/v1/hello HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.%d.%d.%d\r\n\r\n"
                    % ((start + sent + i) >> 16 & 255, (start + sent + i) >> 8 & 255, (start + sent + i) & 255)
                    for i in range(n))
                conn.send(payload)
                for _ in range(n):
                    assert conn.read_response().status == 200
                sent += n
    finally:
        for conn in conns:
            conn.close()


def test_a_flood_of_keys_stays_within_max_keys(start_server):
    server = start_server(plugins=(RATELIMIT, METRICS, HELLO_C), config=(
        f'[ratelimit]\ntrusted_proxies = ["127.0.0.1"]\nmax_keys = {MAX_KEYS}\n'
        # one request per hour: no key turns idle (and expires) during the test
        "[ratelimit.default]\nrequests = 1\nwindow_seconds = 3600\nburst = 10\n"))
    pid = server.process.pid
    flood(server, 0, MAX_KEYS)
    at_cap = rss_kib(pid)
    families = check_exposition(scrape(server))
    # hash shards each hold max_keys / 16, so the first to fill evicts a little early
    assert 0.97 * MAX_KEYS <= value(families, "ratelimit_keys") <= MAX_KEYS
    flood(server, MAX_KEYS, TOTAL - MAX_KEYS)
    after = rss_kib(pid)
    families = check_exposition(scrape(server))
    assert value(families, "ratelimit_keys") <= MAX_KEYS
    assert value(families, "ratelimit_evictions_total") >= TOTAL - MAX_KEYS - 16
    # 80,000 more keys without eviction would take > 8 MB; with it RSS stays (nearly) flat.
    assert after - at_cap < 4096, f"RSS grew {after - at_cap} KiB after the cap ({at_cap} -> {after} KiB)"
