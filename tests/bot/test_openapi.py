"""docs/openapi.yaml against the server it describes: a valid OpenAPI 3.1 document, exactly the
routes the router has under /api/ and /admin/api/, and response schemas that real responses of
the real app (through aiohttp's test client) satisfy, errors included.

The document leaves its objects open (clients should ignore fields they do not know), but the
response checks close them: every object schema here gets ``additionalProperties: false``, so a
field the server sends and the document does not name fails as surely as a missing one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from bot.app import create_app
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD, admin_client, new_entry

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.yaml"
PREFIXES = ("/api/", "/admin/api/")
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
API = "/admin/api"
ENTRY = "hotline.wenxin_youyue_intro"
BASE = "urn:wenjiao:openapi"


def load() -> dict[str, Any]:
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


SPEC = load()


def closed(node: Any) -> Any:
    """A copy of ``node`` in which every object schema that lists properties allows no others."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: closed(value) for key, value in node.items()}
    if isinstance(node.get("properties"), dict):
        out.setdefault("additionalProperties", False)
    return out


REGISTRY = Registry().with_resource(BASE, DRAFT202012.create_resource(closed(SPEC)))


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(node: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    """Follow an OpenAPI (not JSON Schema) ``$ref`` such as a shared response; say where to."""
    while "$ref" in node:
        where = node["$ref"].removeprefix("#")
        node = SPEC
        for part in where.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, where


async def check(resp: Any, method: str, path: str) -> Any:
    """Assert that ``resp`` is a documented response of ``method path`` and that its body (and
    headers) are what the document says; return the parsed body."""
    operation = SPEC["paths"][path][method]
    status = str(resp.status)
    assert status in operation["responses"], \
        f"{method.upper()} {path} answered {status}, which the document does not list"
    response, where = resolve(operation["responses"][status],
                              "/" + pointer("paths", path, method, "responses", status))
    for header in response.get("headers", {}):
        assert header in resp.headers, f"{method.upper()} {path} {status} lacks {header}"
    assert resp.content_type in response["content"], (method, path, status, resp.content_type)
    body = await resp.json() if resp.content_type == "application/json" else await resp.text()
    schema = {"$ref": f"{BASE}#{where}/{pointer('content', resp.content_type, 'schema')}"}
    validator = Draft202012Validator(schema, registry=REGISTRY,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                for e in validator.iter_errors(body)]
    assert not problems, f"{method.upper()} {path} {status} does not match its schema:\n" \
        + "\n".join(problems) + "\n" + json.dumps(body, ensure_ascii=False)[:2000]
    return body


# -- (2) a valid OpenAPI 3.1 document -------------------------------------------------------------

def test_the_document_is_valid_openapi_3_1():
    assert SPEC["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(SPEC).validate()


def test_every_example_matches_its_schema():
    """Examples are what readers copy: a wrong one misleads as much as a wrong schema."""
    checked = 0
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            bodies = [("requestBody", operation.get("requestBody", {}))]
            bodies += [(f"responses/{s}", r) for s, r in operation["responses"].items()]
            for label, raw in bodies:
                found, where = resolve(raw, "/" + pointer("paths", path, method) + "/" + label)
                for media, content in found.get("content", {}).items():
                    examples = [e["value"] for e in content.get("examples", {}).values()]
                    examples += [content["example"]] if "example" in content else []
                    schema = {"$ref": f"{BASE}#{where}/{pointer('content', media, 'schema')}"}
                    for example in examples:
                        Draft202012Validator(schema, registry=REGISTRY).validate(example)
                        checked += 1
    assert checked >= 5


def test_the_admin_api_needs_the_bearer_token_and_nothing_else_does():
    assert SPEC["components"]["securitySchemes"]["bearerAuth"] == {
        **SPEC["components"]["securitySchemes"]["bearerAuth"], "type": "http",
        "scheme": "bearer"}
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            public = not path.startswith("/admin/api/") or path == "/admin/api/login"
            assert operation.get("security") == ([] if public else [{"bearerAuth": []}]), \
                (method, path)
            if not public:
                assert "401" in operation["responses"], (method, path)


# -- (1) exactly the routes of the router ---------------------------------------------------------

def test_the_document_describes_exactly_the_api_routes(settings):
    routed = set()
    for route in create_app(settings).router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith(PREFIXES) and route.method != "*":
            routed.add((route.method, path))
    # aiohttp adds HEAD to every GET by itself; HEAD is only described where it is routed alone.
    routed -= {("HEAD", p) for m, p in routed if m == "GET"}
    described = {(method.upper(), path) for path, item in SPEC["paths"].items()
                 for method in item if method in METHODS}
    assert routed - described == set(), "routed but not in docs/openapi.yaml"
    assert described - routed == set(), "in docs/openapi.yaml but not routed"


def test_path_parameters_are_the_routes_placeholders():
    for path, item in SPEC["paths"].items():
        placeholders = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        for method, operation in item.items():
            if method not in METHODS:
                continue
            params = [resolve(p, "")[0] for p in [*item.get("parameters", []),
                                                   *operation.get("parameters", [])]]
            assert {p["name"] for p in params if p["in"] == "path"} == placeholders, \
                (method, path)


# -- (3) real responses ---------------------------------------------------------------------------

@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


@pytest.fixture
async def api(aiohttp_client, settings, services, staff, users):
    return await admin_client(aiohttp_client, settings, services, staff)


async def test_the_server_serves_this_document(api):
    resp = await api.get("/api/openapi.yaml")
    assert resp.status == 200 and resp.content_type == "application/yaml"
    assert yaml.safe_load(await resp.text()) == SPEC
    await check(resp, "get", "/api/openapi.yaml")


async def test_an_installation_without_the_document_answers_a_json_404(api, monkeypatch,
                                                                      tmp_path):
    """docs/ is not package data: an installed wheel must say so, not fail with a 500."""
    from bot.web import openapi

    monkeypatch.setattr(openapi, "DOCUMENT", tmp_path / "missing.yaml")
    body = await check(await api.get("/api/openapi.yaml"), "get", "/api/openapi.yaml")
    assert body["error"]["code"] == "not_found"


@pytest.mark.parametrize(("text", "kind"), [
    ("温心有约是什么", "answer"), ("今天天气怎么样", "fallback"), ("我不想活了", "crisis"),
    ("你好", "greeting"), ("学校食堂的饭菜又冷又少，孩子吃不饱，我要投诉，请教育局管一管！", "referral")])
async def test_ask_replies_match_the_reply_schema(api, text, kind):
    body = await check(await api.post("/api/ask", json={"text": text, "session": "s1"}),
                       "post", "/api/ask")
    assert body["kind"] == kind and body["session"] == "s1"


@pytest.mark.parametrize(("payload", "status"), [
    (b'{"text": "   "}', 400), (b"{not json", 400), (b'{"text": 1}', 400),
    ("{\"text\": \"随迁\"}".encode("gbk"), 415), (b'{"text": "' + b"a" * 70_000 + b'"}', 413)])
async def test_ask_errors_match_the_error_schema(api, payload, status):
    resp = await api.post("/api/ask", data=payload, headers={"Content-Type": "application/json"})
    assert resp.status == status
    await check(resp, "post", "/api/ask")


async def login(api, username: str) -> dict[str, str]:
    resp = await api.post(f"{API}/login", json={"username": username, "password": PASSWORD})
    assert resp.status == 200
    return {"Authorization": f"Bearer {(await check(resp, 'post', f'{API}/login'))['token']}"}


async def test_admin_reads_match_their_schemas(api):
    auth = await login(api, "erin")
    listed = await check(await api.get(f"{API}/entries", headers=auth), "get", f"{API}/entries")
    assert ENTRY in [e["id"] for e in listed["entries"]]
    entry = await check(await api.get(f"{API}/entries/{ENTRY}", headers=auth),
                        "get", f"{API}/entries/{{id}}")
    assert entry["published"]["id"] == ENTRY and entry["draft"] is None
    history = await check(await api.get(f"{API}/entries/{ENTRY}/history", headers=auth),
                          "get", f"{API}/entries/{{id}}/history")
    assert history["revisions"][0]["action"] == "seed"
    tried = await check(await api.get(f"{API}/try", params={"text": "温心有约是啥"},
                                      headers=auth), "get", f"{API}/try")
    assert tried["candidates"][0]["id"] == ENTRY
    await api.post("/api/ask", json={"text": "紫藤小学的校车几点到站"})
    groups = await check(await api.get(f"{API}/unanswered", headers=auth),
                         "get", f"{API}/unanswered")
    assert groups["groups"][0]["count"] == 1
    await check(await api.get(f"{API}/entries/no.such_entry", headers=auth),
                "get", f"{API}/entries/{{id}}")
    await check(await api.post(f"{API}/logout", headers=auth), "post", f"{API}/logout")
    assert (await check(await api.get(f"{API}/entries", headers=auth),
                        "get", f"{API}/entries"))["error"]["code"] == "unauthorized"


async def test_admin_writes_and_their_errors_match_their_schemas(api):
    editor, publisher = await login(api, "erin"), await login(api, "paul")
    entries, entry = f"{API}/entries", f"{API}/entries/{{id}}"
    created = await check(await api.post(entries, json=new_entry(), headers=editor),
                          "post", entries)
    assert created["status"] == "draft" and created["published"] is None
    url = f"{entries}/{created['id']}"
    saved = await check(await api.put(url, json={"version": 1, "answer": "七点半。"},
                                      headers=editor), "put", entry)
    stale = await check(await api.put(url, json={"version": 1, "title": "乙"}, headers=editor),
                        "put", entry)
    assert stale["error"]["current_version"] == saved["version"]
    invalid = await check(await api.put(url, json={"version": saved["version"],
                                                   "questions": []}, headers=editor),
                          "put", entry)
    assert invalid["error"]["fields"][0]["field"] == "questions"
    assert (await check(await api.post(entries, json=new_entry(), headers=editor),
                        "post", entries))["error"]["code"] == "conflict"  # the id is taken
    assert (await check(await api.post(f"{url}/publish", json={}, headers=editor),
                        "post", f"{entry}/publish"))["error"]["code"] == "forbidden"
    published = await check(await api.post(f"{url}/publish", headers=publisher),
                            "post", f"{entry}/publish")
    assert published["status"] == "published"
    await check(await api.post(f"{url}/restore", headers=publisher), "post", f"{entry}/restore")
    await check(await api.delete(url, headers=publisher), "delete", entry)
    await check(await api.post(f"{url}/restore", headers=publisher), "post", f"{entry}/restore")
    revision = (await (await api.get(f"{url}/history", headers=editor)).json())["revisions"][-1]
    await check(await api.post(f"{url}/revert", json={"revision": revision["id"]},
                               headers=editor), "post", f"{entry}/revert")
    await check(await api.post(f"{url}/revert", data=b"{", headers=editor),
                "post", f"{entry}/revert")


async def test_attaching_unanswered_questions_matches_its_schema(api):
    await api.post("/api/ask", json={"text": "紫藤小学的校车几点到站"})
    auth = await login(api, "erin")
    ids = (await (await api.get(f"{API}/unanswered", headers=auth)).json())["groups"][0]["ids"]
    attached = await check(await api.post(f"{API}/unanswered/attach",
                                          json={"ids": ids, "entry": ENTRY}, headers=auth),
                           "post", f"{API}/unanswered/attach")
    assert attached["status"] == "changed"
    await check(await api.post(f"{API}/unanswered/attach", json={"ids": ids, "entry": ENTRY},
                               headers=auth), "post", f"{API}/unanswered/attach")  # 404: gone


async def test_login_errors_match_their_schemas(api):
    login_path = f"{API}/login"
    await check(await api.post(login_path, json={"username": "erin"}), "post", login_path)
    for _ in range(5):
        resp = await api.post(login_path, json={"username": "erin", "password": "nope"})
        assert (await check(resp, "post", login_path))["error"]["code"] == "unauthorized"
    resp = await api.post(login_path, json={"username": "erin", "password": PASSWORD})
    assert resp.status == 429
    await check(resp, "post", login_path)


def test_the_closed_schemas_refuse_an_undocumented_field():
    """The response checks above would pass anything if closing the schemas did not work."""
    schema = {"$ref": f"{BASE}#/components/schemas/Option"}
    validator = Draft202012Validator(schema, registry=REGISTRY)
    assert validator.is_valid({"id": "a.b", "title": "t"})
    assert not validator.is_valid({"id": "a.b", "title": "t", "extra": 1})
    assert "additionalProperties" not in SPEC["components"]["schemas"]["Option"]  # open
