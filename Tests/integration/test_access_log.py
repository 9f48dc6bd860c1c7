"""The access log: one stderr line per request with method, route template, status,
duration and request id."""
import re
import time

from conftest import wait_until

DURATION = re.compile(r"(dur|duration|elapsed|latency|took)[a-z_]*=\"?\d|\d(\.\d+)?\s?(ms|us|µs|s)\b")


def access_line(server, request_id: str) -> str | None:
    return server.wait_for_log(lambda line: request_id in line and "level=" in line
                               and re.search(r"\b(GET|POST|DELETE|HEAD)\b", line) is not None)


def test_access_log_names_the_route_template(server):
    request_id = "access-log-test-1"
    response = server.get("/api/v1/hello-swift/greetings/alice",
                          headers={"X-Request-Id": request_id})
    assert response.status_code == 200
    line = access_line(server, request_id)
    assert line is not None, server.stderr()[-3000:]
    assert "GET" in line
    assert "/api/v1/hello-swift/greetings/{name}" in line
    assert "alice" not in line, "the access log shows the template, not the raw path"
    assert re.search(r"\b200\b", line)
    assert DURATION.search(line), line


def test_access_log_for_errors(server):
    request_id = "access-log-test-2"
    response = server.post("/api/v1/hello-swift/echo", data=b"{",
                           headers={"X-Request-Id": request_id,
                                    "Content-Type": "application/json"})
    assert response.status_code == 400
    line = access_line(server, request_id)
    assert line is not None, server.stderr()[-3000:]
    assert "POST" in line and "/api/v1/hello-swift/echo" in line
    assert re.search(r"\b400\b", line)


def test_one_access_line_per_request(server):
    request_id = "access-log-test-3"
    for _ in range(3):
        server.get("/api/v1/hello", headers={"X-Request-Id": request_id})

    def lines():
        return [l for l in server.stderr().splitlines()
                if request_id in l and "/api/v1/hello" in l]
    wait_until(lambda: len(lines()) >= 3, timeout=3)
    time.sleep(0.2)  # a fourth line would have shown by now
    assert len(lines()) == 3, lines()


def test_logs_are_logfmt(server):
    line = server.wait_for_log(lambda l: 'msg="listening"' in l or "msg=listening" in l)
    assert line is not None, server.stderr()[:3000]
    assert re.search(r"\bts=\S+", line) and "level=info" in line
    assert f"127.0.0.1:{server.port}" in line
