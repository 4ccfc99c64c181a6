"""Property: any Unicode string gives a Reply, never an exception."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import Reply


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
async def test_any_text_gets_a_reply(ask, text):
    reply = await ask(text, user="prop")
    assert isinstance(reply, Reply)
    assert reply.text
    assert 0.0 <= reply.confidence <= 1.0
