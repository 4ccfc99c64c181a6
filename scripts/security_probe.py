"""Attack a running ``wenjiao serve`` the way the security review did, and print what held.

    python scripts/security_probe.py [--source DIR] [--database-url URL]

Starts ``python -m bot serve`` from ``--source`` (a checkout; default this one) on a free port,
on a fresh PostgreSQL database (``--database-url`` names the server; default the test server of
``WENJIAO_TEST_DATABASE_URL``) with a WeChat account in safe mode and 127.0.0.1 as a trusted
proxy, then runs each attack and prints one line per attack: ``held`` or ``BROKEN`` and what it
saw. Run it on an older checkout and on this one to compare (settings an older checkout does
not know are simply ignored by it).

It is a probe, not a test: the suite's tests assert each of these; this prints them side by side
for a report.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
from wechatpy.crypto import WeChatCrypto

ROOT = Path(__file__).resolve().parent.parent
TOKEN, APPID, AES_KEY = "probe-token", "wx0123456789abcdef", "a" * 43
PASSWORD = "correct horse 42"
Attack = Callable[[httpx.AsyncClient, str], Awaitable[tuple[bool, str]]]
ATTACKS: list[tuple[str, Attack]] = []


def attack(name: str) -> Callable[[Attack], Attack]:
    def register(fn: Attack) -> Attack:
        ATTACKS.append((name, fn))
        return fn
    return register


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sign(*parts: str) -> str:
    import hashlib

    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _query(nonce: str | None = None) -> dict[str, str]:
    ts, nonce = str(int(time.time())), nonce or str(uuid.uuid4().int % 10**10)
    return {"signature": _sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}


def _text_xml(openid: str, text: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_probe]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]>"
            f"</MsgType><Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def _encrypted(xml: str, query: dict[str, str]) -> tuple[str, dict[str, str]]:
    import xml.etree.ElementTree as ET

    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    envelope = ET.fromstring(crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))
    body = (f"<xml><ToUserName><![CDATA[gh_probe]]></ToUserName><Encrypt><![CDATA["
            f"{envelope.findtext('Encrypt')}]]></Encrypt></xml>")
    return body, {**query, "encrypt_type": "aes", "msg_signature": str(
        envelope.findtext("MsgSignature"))}


def _decrypt(body: str) -> str:
    import xml.etree.ElementTree as ET

    envelope = ET.fromstring(body)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    return str(crypto.decrypt_message(body, envelope.findtext("MsgSignature"),
                                      envelope.findtext("TimeStamp"), envelope.findtext("Nonce")))


async def _login(http: httpx.AsyncClient, password: str, xff: str | None = None) -> int:
    headers = {"X-Forwarded-For": xff} if xff else {}
    resp = await http.post("/admin/api/login", json={"username": "erin", "password": password},
                           headers=headers)
    return resp.status_code


@attack("100 parallel guesses of one account's password, the last one right")
async def parallel_logins(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    statuses = await asyncio.gather(*(_login(http, f"guess {n}") for n in range(99)),
                                    _login(http, PASSWORD))
    checked = sum(s in (200, 401) for s in statuses)
    return checked <= 5 and statuses[-1] != 200, (
        f"{checked} checked, the right one got {statuses[-1]}")


@attack("5 wrong passwords from one client lock a colleague at another address out")
async def lockout(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    for _ in range(6):
        await _login(http, "wrong", "203.0.113.5")
    status = await _login(http, PASSWORD, "198.51.100.7")
    return status == 200, f"the colleague got {status}"


@attack("admin cookie over HTTPS through the trusted proxy is Secure")
async def secure_cookie(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    resp = await http.get("/admin/login", headers={"X-Forwarded-For": "198.51.100.8",
                                                   "X-Forwarded-Proto": "https"})
    cookie = resp.headers.get("set-cookie", "")
    return "Secure" in cookie, "Secure" if "Secure" in cookie else "no Secure flag"


@attack("a password typed into the username field is kept in the audit log")
async def username_field(http: httpx.AsyncClient, db: str) -> tuple[bool, str]:
    secret = f"Pw-{uuid.uuid4().hex[:8]}"
    await http.post("/admin/api/login", json={"username": secret, "password": "x"},
                    headers={"X-Forwarded-For": "192.0.2.77"})
    rows = await _fetch(db, "SELECT count(*) FROM audit_log WHERE actor LIKE $1 OR target LIKE $1",
                        f"%{secret}%")
    return rows == 0, f"{rows} audit rows hold it"


@attack("plaintext WeChat push with safe mode (AES key) configured")
async def wechat_plaintext(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    resp = await http.post("/wechat", params=_query(), content=_text_xml("oA", "你好", 1001))
    return resp.status_code == 403, f"{resp.status_code}"


@attack("one captured WeChat URL reused with another body")
async def wechat_replay(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    query = _query()
    body, q = _encrypted(_text_xml("oB", "你好", 2001), query)
    first = await http.post("/wechat", params=q, content=body)
    body2, q2 = _encrypted(_text_xml("oEvil", "随迁子女入学要什么材料", 2002), query)
    second = await http.post("/wechat", params=q2, content=body2)
    return second.status_code == 403, f"first {first.status_code}, replay {second.status_code}"


@attack("another user's WeChat message with the same MsgId gets the first user's reply")
async def wechat_msgid(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    replies = []
    for openid, text in (("oC", "三坛教师评了多少名"), ("oD", "温心有约是什么")):
        body, q = _encrypted(_text_xml(openid, text, 3001), _query())
        resp = await http.post("/wechat", params=q, content=body)
        replies.append(_decrypt(resp.text) if resp.text.startswith("<xml") else resp.text)
    return replies[0] != replies[1], "different replies" if replies[0] != replies[1] else (
        "the same reply")


@attack("a full-width phone number is stored raw")
async def fullwidth_phone(http: httpx.AsyncClient, db: str) -> tuple[bool, str]:
    await http.post("/api/ask", json={"text": "我的电话１３８１２３４５６７８，学校门口早餐摊几点开"})
    rows = await _fetch(db, "SELECT (SELECT count(*) FROM exchanges WHERE text LIKE $1 OR "
                        "translate(text, '０１２３４５６７８９', '0123456789') LIKE $2) + "
                        "(SELECT count(*) FROM unanswered WHERE key LIKE $2 OR text LIKE $1)",
                        "%１３８１２３４%", "%1381234%")
    return rows == 0, f"{rows} rows hold it"


@attack("50 identical unanswered questions at once (PostgreSQL)")
async def unanswered_race(http: httpx.AsyncClient, db: str) -> tuple[bool, str]:
    text = f"学校门口的早餐摊几点出摊{uuid.uuid4().hex[:4]}"
    resps = await asyncio.gather(*(http.post("/api/ask", json={"text": text,
                                                                "session": f"s{n:03d}probe"})
                                   for n in range(50)))
    errors = sum(r.status_code >= 500 for r in resps)
    count = await _fetch(db, "SELECT coalesce(max(count), 0) FROM unanswered WHERE text = $1", text)
    return errors == 0 and count == 50, f"{errors} × 5xx, inbox count {count}"


@attack("40 requests at once from one web session (limit 20 a minute)")
async def session_flood(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    resps = await asyncio.gather(*(http.post("/api/ask", json={"text": "温心有约是什么",
                                                                "session": "flood-session-1"})
                                   for _ in range(40)))
    limited = sum(r.status_code == 429 for r in resps)
    errors = sum(r.status_code >= 500 for r in resps)
    return limited >= 15 and errors == 0, f"{limited} × 429, {errors} × 5xx"


@attack("JSON nested 1,000 deep, and a body that claims gzip but is not")
async def nested_and_gzip(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    nested = await http.post("/api/ask", content=b"[" * 1000 + b"]" * 1000,
                             headers={"Content-Type": "application/json"})
    gzip = await http.post("/api/ask", content=b"not gzip at all",
                           headers={"Content-Type": "application/json",
                                    "Content-Encoding": "gzip"})
    statuses = (nested.status_code, gzip.status_code)
    return statuses == (400, 400), f"nested {statuses[0]}, fake gzip {statuses[1]}"


@attack("an integer beyond 2**63 as an entry's version (admin API)")
async def huge_int(http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    login = await http.post("/admin/api/login", json={"username": "erin", "password": PASSWORD},
                            headers={"X-Forwarded-For": "192.0.2.200"})
    if login.status_code != 200:
        return False, f"login {login.status_code}"
    token = {"Authorization": f"Bearer {login.json()['token']}"}
    first = (await http.get("/admin/api/entries", headers=token)).json()["entries"][0]["id"]
    resp = await http.put(f"/admin/api/entries/{first}", headers=token,
                          json={"version": 2**70, "title": "x"})
    return resp.status_code == 422, f"{resp.status_code}"


@attack("an unparsable request is quoted back, and the server names its versions")
async def raw_echo(_http: httpx.AsyncClient, _db: str) -> tuple[bool, str]:
    port = int(os.environ["PROBE_PORT"])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /wechat?openid=oSecret HT<x>TP/1.1\r\nHost: x\r\n\r\n")
    raw = (await asyncio.wait_for(reader.read(), 10)).decode("latin-1")
    writer.close()
    echoed, versions = "oSecret" in raw, "aiohttp/" in raw
    return not echoed and not versions, f"echoed {echoed}, versions {versions}"


async def _fetch(db: str, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg", "postgresql"))
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def _fresh_database(server: str) -> str:
    name = f"probe_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return server.rsplit("/", 1)[0] + "/" + name


async def main(source: Path, server: str) -> int:
    db = await _fresh_database(server)
    port = _free_port()
    os.environ["PROBE_PORT"] = str(port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    env.update({"PYTHONPATH": str(source), "WENJIAO_DATABASE_URL": db,
                "WENJIAO_WECHAT_TOKEN": TOKEN, "WENJIAO_WECHAT_APPID": APPID,
                "WENJIAO_WECHAT_SECRET": "probe-secret", "WENJIAO_WECHAT_AES_KEY": AES_KEY,
                "WENJIAO_TRUSTED_PROXIES": "127.0.0.1",
                "WENJIAO_FAQ_DIR": str(source / "faq_data")})
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=source,
                   check=True, capture_output=True)
    user = subprocess.run([sys.executable, "-m", "bot", "admin", "create-user", "erin", "--role", "editor"],
                          env=env, cwd=source, input=PASSWORD + "\n", text=True,
                          capture_output=True)
    assert user.returncode == 0, user.stderr
    log = tempfile.NamedTemporaryFile("wb", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)],
                            env=env, cwd=source, stdout=log, stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for _ in range(300):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            broken = 0
        for name, fn in ATTACKS:  # a fresh client each: one attack's connection is not the next's
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                try:
                    held, seen = await fn(http, db)
                except httpx.TransportError as exc:
                    held, seen = False, f"connection failed: {type(exc).__name__}"
                broken += not held
                print(f"{'held  ' if held else 'BROKEN'}  {name}: {seen}", flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
    return broken


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--database-url", default=os.environ.get(
        "WENJIAO_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    arguments = parser.parse_args()
    sys.exit(1 if asyncio.run(main(arguments.source.resolve(), arguments.database_url)) else 0)
