"""ABI 1.2's http.exchange_summary, read by a C plugin (Tests/Fixtures/c-plugins/exchange_probe.c)
in phase RESPONSE: the values match the exchange, and a caller whose struct is shorter gets
only the fields its struct_size covers."""
import re

from conftest import HELLO_C

PROBE = "libexchange_probe.so"


def fields(response) -> dict[str, str]:
    header = response.headers["X-Exchange"]
    assert re.fullmatch(r"(\w+=[^;]*;)*\w+=[^;]*", header), header
    return dict(part.split("=", 1) for part in header.split(";"))


def test_summary_describes_the_exchange(start_server):
    server = start_server(plugins=[HELLO_C, PROBE])
    hello = server.get("/api/v1/hello")
    assert fields(hello) == {"status": "200", "method": "GET", "route": "/api/v1/hello", "request": "0",
                             "response": str(len(hello.content)), "elapsed_ok": "1", "short_ok": "1"}
    named = server.get("/api/v1/hello/ada")
    assert fields(named)["route"] == "/api/v1/hello/{name}"
    missing = server.post("/nope", data=b"x" * 300)
    summary = fields(missing)
    assert (summary["status"], summary["method"], summary["route"], summary["request"]) == ("404", "POST", "", "300")
    assert summary["response"] == str(len(missing.content)) and summary["short_ok"] == "1"

