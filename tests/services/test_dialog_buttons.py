"""The dialogue's entry points for buttons and channel events: choose, language, count_event."""

from __future__ import annotations

from services import IncomingMessage
from services.db import repositories as repo


def msg(text: str = "", user: str = "u1") -> IncomingMessage:
    return IncomingMessage(channel="test", user_id=user, text=text)


async def test_choosing_an_option_equals_typing_its_number(services):
    dialog = services.dialog
    offered = await dialog.handle(msg("教师", "a"))
    assert offered.kind == "clarify"
    await dialog.handle(msg("教师", "b"))
    pressed = await dialog.choose(msg(user="a"), offered.options[1].id)
    typed = await dialog.handle(msg("2", "b"))
    assert pressed.model_dump(exclude={"exchange_id"}) == typed.model_dump(exclude={"exchange_id"})
    assert pressed.exchange_id is not None


async def test_an_option_from_an_older_turn_still_answers(services):
    dialog = services.dialog
    offered = await dialog.handle(msg("教师"))
    await dialog.handle(msg("三坛教师评了多少名"))
    reply = await dialog.choose(msg(), offered.options[0].id)
    assert reply.kind == "answer" and reply.intent == offered.options[0].id


async def test_topic_and_none_options_work_without_an_offer(services):
    topic = await services.dialog.choose(msg(), "topic:hotline")
    assert topic.kind == "clarify" and all(o.id.startswith("hotline.") for o in topic.options)
    none = await services.dialog.choose(msg(user="u2"), "none")
    assert none.text == services.content.text("none_chosen", "zh")


async def test_an_unknown_option_asks_for_a_question(services):
    reply = await services.dialog.choose(msg(), "gone.entry_that_was_deleted")
    assert reply.text == services.content.text("empty", "zh")


async def test_language_reads_back_what_was_set(services):
    assert await services.dialog.language("test", "u1") is None
    await services.dialog.set_language("test", "u1", "en")
    assert await services.dialog.language("test", "u1") == "en"


async def test_events_are_counted_without_content(services):
    for _ in range(3):
        await services.dialog.count_event("test", "photo")
    async with services.sessionmaker() as session:
        assert await repo.get_meta(session, "events:test:photo") == "3"
        assert await repo.count_exchanges(session) == 0


async def test_none_of_these_keeps_the_clarified_question_for_staff(services):
    """After "none of these", the inbox gets the question that was asked, not "都不是"."""
    dialog = services.dialog
    offered = await dialog.handle(msg("教师", "p"))
    assert offered.kind == "clarify"
    none = len(offered.options)  # "none of these" is the last option
    reply = await dialog.handle(msg(str(none), "p"))
    assert reply.text == services.content.text("none_chosen", "zh")
    async with services.sessionmaker() as session:
        listed = await repo.list_unanswered(session)
    assert [u.text for u in listed] == ["教师"]
