"""The metrics plugin shows the host's WebSocket counters (core->transport_stats)."""
import re
import time

from conftest import METRICS, WS_ECHO
from ws_support import TEXT, RawWebSocket, close_frame, frame


def sample(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.M)
    assert match, f"no {series} in:\n{text}"
    return float(match.group(1))


def test_websocket_connections_and_messages_are_counted(start_server):
    server = start_server(plugins=[METRICS, WS_ECHO], config='[metrics]\naccess = "open"\n')
    ws = RawWebSocket(server.port)
    assert ws.handshake()[0] == 101
    for index in range(3):
        ws.send(frame(TEXT, f"m{index}".encode()))
        assert ws.recv_frame()[2] == f"m{index}".encode()
    text = server.get("/metrics").text
    assert sample(text, "websocket_connections") == 1
    assert sample(text, 'websocket_messages_total{direction="in"}') == 3
    assert sample(text, 'websocket_messages_total{direction="out"}') == 3
    ws.send(close_frame(1000))
    assert ws.recv_close_code() == 1000
    deadline = time.monotonic() + 5
    while sample(server.get("/metrics").text, "websocket_connections") != 0:
        assert time.monotonic() < deadline, "the closed connection is still counted"
        time.sleep(0.05)
