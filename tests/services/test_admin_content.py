"""The content lifecycle: drafts, roles, publishing, locking, history, revert, delete, schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.db import repositories as repo
from services.content.seed import seed_entries
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import ADMIN_USER, EDITOR, NEW_PHRASING, PUBLISHER, ask, new_entry

ENTRY = "hotline.wenxin_youyue_intro"


async def test_new_entry_is_a_draft_until_a_publisher_publishes_it(services, staff):
    view = await staff.content.create(EDITOR, new_entry())
    assert view.status == "draft" and view.version == 1
    assert (await ask(services, NEW_PHRASING)).kind == "fallback"
    with pytest.raises(Forbidden):
        await staff.content.publish(EDITOR, view.id, view.version)
    published = await staff.content.publish(PUBLISHER, view.id, view.version)
    assert published.status == "published" and published.version == 2
    reply = await ask(services, NEW_PHRASING)
    assert reply.intent == "enrollment.school_bus"
    assert "七点二十" in reply.text


async def test_editing_a_published_entry_keeps_the_live_answer_until_publish(services, staff):
    view = await staff.content.get(ENTRY)
    doc = view.current
    doc["questions"] = [*doc["questions"], NEW_PHRASING]
    doc["answer"] = "新的答案：温心有约（测试）。"
    saved = await staff.content.save(EDITOR, ENTRY, doc, view.version)
    assert saved.status == "changed"
    before = await ask(services, "温心有约是什么")
    assert "新的答案" not in before.text
    await staff.content.publish(PUBLISHER, ENTRY, saved.version)
    after = await ask(services, NEW_PHRASING)
    assert after.intent == ENTRY and "新的答案" in after.text


async def test_a_stale_save_is_a_conflict_and_keeps_the_other_persons_work(staff):
    view = await staff.content.get(ENTRY)
    first = view.current | {"title": "第一个人的标题"}
    second = view.current | {"title": "第二个人的标题"}
    await staff.content.save(EDITOR, ENTRY, first, view.version)
    with pytest.raises(Conflict) as caught:
        await staff.content.save(PUBLISHER, ENTRY, second, view.version)
    assert caught.value.current == view.version + 1
    assert (await staff.content.get(ENTRY)).current["title"] == "第一个人的标题"


async def test_a_save_must_name_its_version_and_cannot_change_the_id(staff):
    view = await staff.content.get(ENTRY)
    with pytest.raises(Invalid):
        await staff.content.save(EDITOR, ENTRY, view.current, None)
    with pytest.raises(Invalid):
        await staff.content.save(EDITOR, ENTRY, view.current | {"id": "hotline.other"},
                                 view.version)


@pytest.mark.parametrize(("change", "field"), [
    ({"title": "  "}, "title"),
    ({"questions": []}, "questions"),
    ({"related": ["no.such_entry"]}, "related"),
    ({"related": [ENTRY]}, "related"),
    ({"valid_from": "2025-01-01", "valid_until": "2024-01-01"}, "valid_until"),
    ({"valid_from": "去年"}, "valid_from"),
    ({"colour": "red"}, "colour"),
])
async def test_invalid_drafts_are_refused_field_by_field(staff, change, field):
    view = await staff.content.get(ENTRY)
    with pytest.raises(Invalid) as caught:
        await staff.content.save(EDITOR, ENTRY, view.current | change, view.version)
    assert field in [f.split(".")[0] for f, _ in caught.value.problems]
    assert (await staff.content.get(ENTRY)).version == view.version


async def test_a_draft_may_lack_an_answer_but_cannot_be_published_so(staff):
    doc = new_entry(answer="", source=None)
    view = await staff.content.create(EDITOR, doc)
    with pytest.raises(Invalid) as caught:
        await staff.content.publish(PUBLISHER, view.id, view.version)
    assert {"answer", "source"} <= {f for f, _ in caught.value.problems}
    assert (await staff.content.get(view.id)).status == "draft"


async def test_creating_an_existing_id_is_a_conflict(staff):
    with pytest.raises(Conflict):
        await staff.content.create(EDITOR, new_entry(ENTRY))


async def test_publishing_with_nothing_to_publish_is_a_conflict(staff):
    with pytest.raises(Conflict):
        await staff.content.publish(PUBLISHER, ENTRY)


async def test_every_save_is_a_revision_and_history_shows_the_diff(staff):
    view = await staff.content.get(ENTRY)
    doc = view.current
    doc["questions"] = [*doc["questions"], NEW_PHRASING]
    saved = await staff.content.save(EDITOR, ENTRY, doc, view.version)
    await staff.content.publish(PUBLISHER, ENTRY, saved.version)
    revisions = await staff.content.history(ENTRY)
    assert [r.action for r in revisions] == ["publish", "edit", "seed"]
    edit = revisions[1]
    assert edit.author == EDITOR.username and edit.version == view.version + 1
    added = [d.text for d in edit.diff if d.kind == "add"]
    assert added == [f"  - {NEW_PHRASING}"]
    assert not [d for d in revisions[0].diff if d.kind in ("add", "del")]  # publish: same text


async def test_history_of_an_unknown_entry_is_not_found(staff):
    with pytest.raises(NotFound):
        await staff.content.history("no.such_entry")


async def test_revert_restores_an_old_revision_as_a_new_one(services, staff):
    view = await staff.content.get(ENTRY)
    original = view.current
    changed = await staff.content.save(EDITOR, ENTRY, original | {"answer": "错误的答案"},
                                       view.version)
    await staff.content.publish(PUBLISHER, ENTRY, changed.version)
    assert (await ask(services, "温心有约是什么")).text == "错误的答案"
    seed_rev = (await staff.content.history(ENTRY))[-1]
    with pytest.raises(Forbidden):
        await staff.content.revert(EDITOR, ENTRY, seed_rev.id, publish=True)
    reverted = await staff.content.revert(PUBLISHER, ENTRY, seed_rev.id, publish=True)
    assert reverted.status == "published"
    assert (await ask(services, "温心有约是什么")).text == original["answer"]
    actions = [r.action for r in await staff.content.history(ENTRY)]
    assert actions[:2] == ["publish", "revert"] and len(actions) == 5


async def test_revert_to_another_entrys_revision_is_not_found(staff):
    other = (await staff.content.history("hotline.who_can_use"))[0]
    with pytest.raises(NotFound):
        await staff.content.revert(EDITOR, ENTRY, other.id)


async def test_soft_delete_stops_answers_and_restore_brings_them_back(services, staff):
    assert (await ask(services, "温心有约是什么")).intent == ENTRY
    with pytest.raises(Forbidden):
        await staff.content.delete(EDITOR, ENTRY)
    deleted = await staff.content.delete(PUBLISHER, ENTRY)
    assert deleted.status == "deleted"
    assert (await ask(services, "温心有约是什么")).intent != ENTRY
    assert ENTRY not in [v.id for v in await staff.content.list_entries()]
    assert ENTRY in [v.id for v in await staff.content.list_entries(status="deleted")]
    with pytest.raises(Conflict):
        await staff.content.save(EDITOR, ENTRY, deleted.current, deleted.version)
    restored = await staff.content.restore(PUBLISHER, ENTRY)
    assert restored.status == "published"
    assert (await ask(services, "温心有约是什么")).intent == ENTRY


async def test_discarding_a_draft_returns_to_the_published_text(staff):
    view = await staff.content.get(ENTRY)
    saved = await staff.content.save(EDITOR, ENTRY, view.current | {"title": "草稿标题"},
                                     view.version)
    discarded = await staff.content.discard_draft(EDITOR, ENTRY, saved.version)
    assert discarded.status == "published" and discarded.draft is None
    assert discarded.current["title"] == view.current["title"]


async def test_scheduled_publish_goes_out_when_due(services, staff):
    view = await staff.content.create(EDITOR, new_entry())
    at = datetime.now(UTC) + timedelta(hours=1)
    scheduled = await staff.content.publish(PUBLISHER, view.id, view.version, at=at)
    assert scheduled.status == "scheduled" and scheduled.publish_at == at
    assert await staff.content.publish_due() == []
    assert (await ask(services, NEW_PHRASING)).kind == "fallback"
    assert await staff.content.publish_due(now=at + timedelta(seconds=1)) == [view.id]
    assert (await ask(services, NEW_PHRASING)).intent == view.id
    latest = (await staff.content.history(view.id))[0]
    assert (latest.action, latest.author) == ("publish", PUBLISHER.username)


async def test_saving_a_scheduled_draft_cancels_the_schedule(staff):
    view = await staff.content.create(EDITOR, new_entry())
    at = datetime.now(UTC) + timedelta(hours=1)
    scheduled = await staff.content.publish(PUBLISHER, view.id, view.version, at=at)
    saved = await staff.content.save(EDITOR, view.id, scheduled.current | {"title": "改过"},
                                     scheduled.version)
    assert saved.status == "draft" and saved.publish_at is None
    assert await staff.content.publish_due(now=at + timedelta(days=1)) == []


async def test_an_entry_not_yet_valid_is_not_answered(services, staff):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    view = await staff.content.create(EDITOR, new_entry(valid_from=tomorrow))
    await staff.content.publish(PUBLISHER, view.id, view.version)
    assert not services.catalog.engine.has(view.id)
    assert (await ask(services, NEW_PHRASING)).kind == "fallback"


async def test_an_expired_entry_is_answered_with_a_note(services, staff):
    view = await staff.content.create(EDITOR, new_entry(valid_until="2024-01-31"))
    await staff.content.publish(PUBLISHER, view.id, view.version)
    reply = await ask(services, NEW_PHRASING)
    assert reply.intent == view.id
    assert services.content.text("expired_note") in reply.text


async def test_reseeding_from_files_keeps_an_admin_edit(services, staff):
    view = await staff.content.get(ENTRY)
    saved = await staff.content.save(EDITOR, ENTRY, view.current | {"answer": "管理员改的答案"},
                                     view.version)
    await staff.content.publish(PUBLISHER, ENTRY, saved.version)
    changed = [e.model_copy(update={"answer": "文件里的新答案"}) if e.id == ENTRY else e
               for e in services.content.entries]
    async with services.sessionmaker.begin() as session:
        report = await seed_entries(session, changed)
    assert report.kept_admin_edits == [ENTRY]
    assert (await staff.content.get(ENTRY)).current["answer"] == "管理员改的答案"


async def test_list_filters_by_text_topic_and_status(staff):
    created = await staff.content.create(EDITOR, new_entry())
    by_text = await staff.content.list_entries(q="紫藤")
    assert [v.id for v in by_text] == [created.id]
    hotline = await staff.content.list_entries(topic="hotline")
    assert hotline and all(v.topic == "hotline" for v in hotline)
    drafts = await staff.content.list_entries(status="draft")
    assert [v.id for v in drafts] == [created.id]
    assert await staff.content.list_entries(q="溫心有約")  # Traditional script finds it too


async def test_publishing_bumps_the_content_version_other_processes_poll(services, staff):
    async with services.sessionmaker() as session:
        before = await repo.content_version(session)
    view = await staff.content.create(EDITOR, new_entry())
    async with services.sessionmaker() as session:
        assert await repo.content_version(session) == before  # a draft changes nothing live
    await staff.content.publish(PUBLISHER, view.id, view.version)
    async with services.sessionmaker() as session:
        assert await repo.content_version(session) == before + 1
    assert services.catalog.snapshot.version == before + 1


async def test_every_action_is_in_the_audit_log(services, staff):
    from services.platform import audit
    view = await staff.content.create(EDITOR, new_entry())
    await staff.content.publish(PUBLISHER, view.id, view.version)
    await staff.content.delete(ADMIN_USER, view.id)
    async with services.sessionmaker() as session:
        rows = await audit.entries(session, target=view.id)
    assert [(r.actor, r.action) for r in rows] == [
        ("ada", "entry_delete"), ("paul", "entry_publish"), ("erin", "entry_create")]
