"""The inbox groups questions by the engine's reading of them, not by their raw characters."""

from __future__ import annotations

from rapidfuzz import fuzz

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR, NEW_PHRASING, ask

# Half their characters differ (the old text-ratio grouping kept them apart), one subject: 校服.
UNIFORM = ["校服在哪里买", "孩子的校服去哪里订购"]
# Shares 哪里/在哪 with the first, but asks about something else.
WHERE_ELSE = "温心有约在哪里"
PARCELS = "小区门口的快递柜怎么用"


async def _texts(staff):
    return [sorted(q.text for q in g.questions) for g in await staff.inbox.groups()]


async def test_two_uniform_phrasings_are_one_group(services, staff):
    assert fuzz.ratio(*UNIFORM) < 72  # the old cutoff: these two were two rows
    for i, text in enumerate([*UNIFORM, WHERE_ELSE, PARCELS, NEW_PHRASING]):
        await ask(services, text, user=f"u{i}")
    groups = await _texts(staff)
    assert sorted(UNIFORM) in groups
    assert [WHERE_ELSE] in groups and [PARCELS] in groups and [NEW_PHRASING] in groups


async def test_the_group_is_named_by_its_most_asked_question_and_counts_all(services, staff):
    for i, text in enumerate([UNIFORM[1], UNIFORM[0], UNIFORM[1], UNIFORM[1]]):
        await ask(services, text, user=f"u{i}")
    (group,) = await staff.inbox.groups()
    assert group.text == UNIFORM[1] and group.count == 4
    assert group.lead == next(q.id for q in group.questions if q.text == UNIFORM[1])


async def test_a_new_draft_is_offered_with_a_free_id_in_the_closest_entrys_topic(services, staff):
    await ask(services, UNIFORM[0])
    (group,) = await staff.inbox.groups()
    assert group.topic == "hotline" and group.suggested_id.startswith("hotline.xiaofu")
    view = await staff.inbox.new_entry(EDITOR, group.ids, group.suggested_id, group.topic)
    assert view.status == "draft" and view.current["questions"] == [UNIFORM[0]]
    assert await staff.inbox.groups() == []
