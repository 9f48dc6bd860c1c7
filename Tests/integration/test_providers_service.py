"""The providers.v1 service end to end, through the providers-probe fixture (which calls it as
the chat plugin does) against the scripted OpenAI-compatible and Anthropic fakes: whole and
streamed replies, tool calls with arguments split at every boundary, usage, finish reasons,
provider errors, retries, timeouts, broken streams, cancel and resolve."""
import pytest

from fake_providers import FakeProvider, text_reply
from providers_support import OK, add_provider, complete, complete_streamed, start_providers


@pytest.fixture(scope="module")
def world(start_server_module):
    return start_providers(start_server_module)


@pytest.fixture(params=["openai", "anthropic"])
def fake(request):
    with FakeProvider(request.param) as fake:
        yield fake


@pytest.fixture
def user(world):
    return world.user()


def test_smoke(world, user, fake):
    provider = add_provider(user, fake)
    assert provider["status"] == "ok", provider
    fake.enqueue(text_reply("hello there"))
    answer = complete(world.server, user.user_id, provider["id"], "hi")
    assert answer["status"] == OK, answer
    assert answer["result"]["content"] == "hello there"
    deltas, final = complete_streamed(world.server, user.user_id, provider["id"], "again")
    assert final["result"]["content"] == "ok: again", final
    assert "".join(t for k, t in deltas if k == "text") == "ok: again"
