"""Dismissing a group says why, in the audit log."""

from __future__ import annotations

import pytest

from services.errors import Invalid
from services.platform import audit
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR, ask

QUESTION = "小区门口的快递柜怎么用"


async def test_dismissing_with_a_reason_records_it_and_empties_the_group(services, staff):
    await ask(services, QUESTION)
    (group,) = await staff.inbox.groups()
    count = await staff.inbox.dismiss(EDITOR, group.ids, "10.0.0.1", reason="not_in_document",
                                      note="物业的事，联系人13912345678")
    assert count == 1
    assert await staff.inbox.groups() == []
    async with services.sessionmaker() as session:
        (row,) = await audit.entries(session, action="unanswered_dismiss")
    assert row.actor == EDITOR.username and row.ip == "10.0.0.1"
    assert "原因：文件未涉及" in row.detail and "物业的事" in row.detail
    assert QUESTION in row.detail and "13912345678" not in row.detail


async def test_an_unknown_reason_is_refused_and_the_group_stays(services, staff):
    await ask(services, QUESTION)
    (group,) = await staff.inbox.groups()
    with pytest.raises(Invalid) as raised:
        await staff.inbox.dismiss(EDITOR, group.ids, reason="because")
    assert "原因" in raised.value.message
    assert [g.text for g in await staff.inbox.groups()] == [QUESTION]


def test_the_reasons_are_a_small_fixed_set(staff):
    assert list(staff.inbox.REASONS.values()) == ["不是问题", "文件未涉及", "重复", "其他"]
