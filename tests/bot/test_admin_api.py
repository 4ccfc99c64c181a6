"""The admin JSON API through aiohttp's test client: tokens, roles, 401/403/404/409/422, publish,
history, revert, soft delete, the unanswered inbox."""

from __future__ import annotations

import pytest

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import NEW_PHRASING, PASSWORD, admin_client, new_entry

API = "/admin/api"
ENTRY = "hotline.wenxin_youyue_intro"



@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only

@pytest.fixture
async def api(aiohttp_client, settings, services, staff, users):
    return await admin_client(aiohttp_client, settings, services, staff)


async def token(api, username: str) -> dict[str, str]:
    resp = await api.post(f"{API}/login", json={"username": username, "password": PASSWORD})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["role"] and body["expires_at"]
    return {"Authorization": f"Bearer {body['token']}"}


async def error_of(resp, status: int) -> dict:
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]


async def test_login_gives_a_token_and_wrong_passwords_a_401(api):
    assert (await token(api, "erin"))["Authorization"].startswith("Bearer ")
    resp = await api.post(f"{API}/login", json={"username": "erin", "password": "nope"})
    assert (await error_of(resp, 401))["code"] == "unauthorized"


@pytest.mark.parametrize(("payload", "status"), [
    (b"{not json", 400), (b"[1, 2]", 422), (b'{"username": "erin"}', 422),
    (b'{"username": 1, "password": 2}', 422)])
async def test_bad_login_bodies_are_clear_errors(api, payload, status):
    resp = await api.post(f"{API}/login", data=payload,
                          headers={"Content-Type": "application/json"})
    await error_of(resp, status)


async def test_login_is_rate_limited(api):
    for _ in range(5):
        await api.post(f"{API}/login", json={"username": "erin", "password": "nope"})
    resp = await api.post(f"{API}/login", json={"username": "erin", "password": PASSWORD})
    assert (await error_of(resp, 429))["code"] == "too_many_attempts"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic ZXJpbjp4"}])
async def test_every_call_needs_a_valid_bearer_token(api, headers):
    resp = await api.get(f"{API}/entries", headers=headers)
    await error_of(resp, 401)
    assert resp.headers["WWW-Authenticate"] == "Bearer"


async def test_logout_revokes_the_token(api):
    auth = await token(api, "erin")
    assert (await api.post(f"{API}/logout", headers=auth)).status == 200
    await error_of(await api.get(f"{API}/entries", headers=auth), 401)


async def test_a_disabled_account_loses_its_token_at_once(api, staff):
    from services.platform.roles import CLI

    auth = await token(api, "erin")
    await staff.auth.set_disabled(CLI, "erin", True)
    await error_of(await api.get(f"{API}/entries", headers=auth), 401)


async def test_list_and_search_entries(api):
    auth = await token(api, "erin")
    resp = await api.get(f"{API}/entries", params={"q": "温心有约"}, headers=auth)
    entries = (await resp.json())["entries"]
    assert ENTRY in [e["id"] for e in entries]
    assert all("published" not in e for e in entries)
    everything = (await (await api.get(f"{API}/entries", headers=auth)).json())["entries"]
    assert len(everything) > len(entries) > 0


async def test_unknown_entries_are_404(api):
    auth = await token(api, "erin")
    await error_of(await api.get(f"{API}/entries/no.such_entry", headers=auth), 404)
    await error_of(await api.put(f"{API}/entries/no.such_entry", json={"version": 1},
                                 headers=auth), 404)
    await error_of(await api.get(f"{API}/entries/no.such_entry/history", headers=auth), 404)


async def test_create_edit_publish_and_ask(api):
    editor, publisher = await token(api, "erin"), await token(api, "paul")
    resp = await api.post(f"{API}/entries", json=new_entry(), headers=editor)
    assert resp.status == 201
    created = await resp.json()
    assert created["status"] == "draft" and created["published"] is None
    entry = f"{API}/entries/{created['id']}"
    await error_of(await api.post(f"{entry}/publish", json={}, headers=editor), 403)
    resp = await api.put(entry, json={"version": created["version"], "answer": "校车七点半到。"},
                         headers=editor)
    edited = await resp.json()
    assert edited["version"] == created["version"] + 1
    assert edited["draft"]["answer"] == "校车七点半到。"
    assert edited["draft"]["questions"] == new_entry()["questions"]  # untouched fields kept
    resp = await api.post(f"{entry}/publish", json={"version": edited["version"]},
                          headers=publisher)
    assert (await resp.json())["status"] == "published"
    reply = await (await api.post("/api/ask", json={"text": NEW_PHRASING})).json()
    assert reply["intent"] == created["id"] and reply["text"] == "校车七点半到。"


async def test_a_stale_put_is_409_with_the_current_version(api):
    auth = await token(api, "erin")
    entry = f"{API}/entries/{ENTRY}"
    version = (await (await api.get(entry, headers=auth)).json())["version"]
    assert (await api.put(entry, json={"version": version, "title": "甲"}, headers=auth)).status \
        == 200
    resp = await api.put(entry, json={"version": version, "title": "乙"}, headers=auth)
    assert (await error_of(resp, 409))["current_version"] == version + 1
    assert (await (await api.get(entry, headers=auth)).json())["draft"]["title"] == "甲"


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "甲"}, "version"),
    ({"version": "1", "title": "甲"}, "version"),
    ({"version": 1, "questions": []}, "questions"),
    ({"version": 1, "related": ["no.such_entry"]}, "related"),
    ({"version": 1, "valid_from": "明年"}, "valid_from"),
    ({"version": 1, "id": "hotline.other"}, "id"),
    ({"version": 1, "colour": "red"}, "colour"),
])
async def test_invalid_puts_are_422_naming_the_field(api, payload, field):
    auth = await token(api, "erin")
    resp = await api.put(f"{API}/entries/{ENTRY}", json=payload, headers=auth)
    error = await error_of(resp, 422)
    assert field in [f["field"].split(".")[0] for f in error.get("fields", [])]


async def test_creating_an_existing_id_is_409_and_an_invalid_entry_422(api):
    auth = await token(api, "erin")
    await error_of(await api.post(f"{API}/entries", json=new_entry(ENTRY), headers=auth), 409)
    resp = await api.post(f"{API}/entries", json=new_entry("Bad Id"), headers=auth)
    assert (await error_of(resp, 422))["fields"][0]["field"] == "id"


async def test_history_and_revert(api):
    editor, publisher = await token(api, "erin"), await token(api, "paul")
    entry = f"{API}/entries/{ENTRY}"
    current = await (await api.get(entry, headers=editor)).json()
    original = current["published"]["answer"]
    await api.put(entry, json={"version": current["version"], "answer": "错的答案"},
                  headers=editor)
    history = (await (await api.get(f"{entry}/history", headers=editor)).json())["revisions"]
    assert [r["action"] for r in history] == ["edit", "seed"]
    assert "+答案：错的答案" in history[0]["diff"]
    seed = history[-1]["id"]
    await error_of(await api.post(f"{entry}/revert", json={"revision": seed, "publish": True},
                                  headers=editor), 403)
    await error_of(await api.post(f"{entry}/revert", json={}, headers=editor), 422)
    await error_of(await api.post(f"{entry}/revert", json={"revision": 999999},
                                  headers=editor), 404)
    resp = await api.post(f"{entry}/revert", json={"revision": seed, "publish": True},
                          headers=publisher)
    reverted = await resp.json()
    assert reverted["status"] == "published" and reverted["published"]["answer"] == original
    actions = [r["action"] for r in
               (await (await api.get(f"{entry}/history", headers=editor)).json())["revisions"]]
    assert actions == ["publish", "revert", "edit", "seed"]


async def test_soft_delete_and_restore(api):
    editor, publisher = await token(api, "erin"), await token(api, "paul")
    entry = f"{API}/entries/{ENTRY}"
    await error_of(await api.delete(entry, headers=editor), 403)
    deleted = await (await api.delete(entry, headers=publisher)).json()
    assert deleted["status"] == "deleted"
    reply = await (await api.post("/api/ask", json={"text": "温心有约是什么"})).json()
    assert reply["intent"] != ENTRY
    still_there = await (await api.get(entry, headers=editor)).json()
    assert still_there["status"] == "deleted" and still_there["published"]
    await error_of(await api.put(entry, json={"version": deleted["version"], "title": "x"},
                                 headers=editor), 409)
    restored = await (await api.post(f"{entry}/restore", headers=publisher)).json()
    assert restored["status"] == "published"
    reply = await (await api.post("/api/ask", json={"text": "温心有约是什么"})).json()
    assert reply["intent"] == ENTRY


async def test_scheduled_publish_through_the_api(api):
    editor, publisher = await token(api, "erin"), await token(api, "paul")
    created = await (await api.post(f"{API}/entries", json=new_entry(), headers=editor)).json()
    resp = await api.post(f"{API}/entries/{created['id']}/publish",
                          json={"at": "2999-01-01T08:00:00"}, headers=publisher)
    scheduled = await resp.json()
    assert scheduled["status"] == "scheduled"
    assert scheduled["publish_at"].startswith("2999-01-01T00:00:00")  # Beijing 08:00 in UTC
    resp = await api.post(f"{API}/entries/{created['id']}/publish", json={"at": "someday"},
                          headers=publisher)
    await error_of(resp, 422)


async def test_unanswered_groups_and_attach(api):
    for text in ("紫藤小学的校车几点到站", "紫藤小学的校车几点到站", "紫藤小学校车几点到站呀"):
        assert (await (await api.post("/api/ask", json={"text": text})).json())["kind"] \
            == "fallback"
    auth = await token(api, "erin")
    groups = (await (await api.get(f"{API}/unanswered", headers=auth)).json())["groups"]
    assert len(groups) == 1 and groups[0]["count"] == 3 and len(groups[0]["questions"]) == 2
    resp = await api.post(f"{API}/unanswered/attach",
                          json={"ids": groups[0]["ids"], "entry": ENTRY}, headers=auth)
    assert "紫藤小学校车几点到站呀" in (await resp.json())["draft"]["questions"]
    assert (await (await api.get(f"{API}/unanswered", headers=auth)).json())["groups"] == []
    resp = await api.post(f"{API}/unanswered/attach", json={"ids": "1", "entry": ENTRY},
                          headers=auth)
    await error_of(resp, 422)


async def test_try_a_question_through_the_api(api):
    auth = await token(api, "erin")
    body = await (await api.get(f"{API}/try", params={"text": "温心有约是啥"},
                                headers=auth)).json()
    assert body["outcome"] == "answer" and body["candidates"][0]["id"] == ENTRY
    await error_of(await api.get(f"{API}/try", params={"text": " "}, headers=auth), 422)


async def test_integers_beyond_64_bits_are_422_not_a_server_error(api):
    auth = await token(api, "erin")
    huge = 2**70
    error = await error_of(await api.put(f"{API}/entries/{ENTRY}", json={"version": huge},
                                         headers=auth), 422)
    assert error["fields"][0]["field"] == "version"
    await error_of(await api.post(f"{API}/entries/{ENTRY}/revert", json={"revision": huge},
                                  headers=auth), 422)
    await error_of(await api.post(f"{API}/unanswered/attach",
                                  json={"ids": [huge], "entry": ENTRY}, headers=auth), 422)


async def test_json_nested_a_thousand_deep_is_a_400(api):
    deep = b"[" * 1000 + b"]" * 1000
    resp = await api.post(f"{API}/login", data=deep,
                          headers={"Content-Type": "application/json"})
    await error_of(resp, 400)
