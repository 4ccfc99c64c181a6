"""Accounts, roles, logins: argon2 hashes, hashed tokens, rate limit, expiry, disabling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.platform import audit
from services.errors import AuthFailed, Forbidden, Invalid, NotFound, TooManyAttempts
from services.staff.auth import AuthService
from services.db import repositories as repo
from services.db.models import AdminSession, AdminUser, LoginThrottle
from services.platform.roles import CLI
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR, FAST_HASHER, PASSWORD


async def test_passwords_are_stored_as_argon2_hashes(services, staff, users):
    async with services.sessionmaker() as session:
        hashes = list(await session.scalars(select(AdminUser.password_hash)))
    assert len(hashes) == 3
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


async def test_the_default_cost_is_the_libraries_recommended_one_and_old_hashes_upgrade(services,
                                                                                        users):
    auth = AuthService(services.sessionmaker)  # production settings
    await auth.login("erin", PASSWORD)
    async with services.sessionmaker() as session:
        digest = await session.scalar(select(AdminUser.password_hash)
                                      .where(AdminUser.username == "erin"))
    assert digest is not None and "m=65536,t=3" in digest


async def test_login_opens_a_session_whose_token_is_stored_only_as_a_hash(services, staff, users):
    login = await staff.auth.login("erin", PASSWORD, ip="10.0.0.1")
    assert login.principal.username == "erin" and login.principal.role == "editor"
    async with services.sessionmaker() as session:
        stored = list(await session.scalars(select(AdminSession.token_hash)))
    assert login.token not in stored and len(stored) == 1
    principal = await staff.auth.resolve(login.token, "web")
    assert principal.csrf == login.principal.csrf and len(principal.csrf) >= 24


async def test_a_web_session_is_not_an_api_token(staff, users):
    login = await staff.auth.login("erin", PASSWORD, kind="web")
    with pytest.raises(AuthFailed):
        await staff.auth.resolve(login.token, "api")


@pytest.mark.parametrize(("username", "password"), [
    ("erin", "wrong password"), ("nobody", PASSWORD), ("", "")])
async def test_bad_credentials_fail_and_are_audited(services, staff, users, username, password):
    with pytest.raises(AuthFailed):
        await staff.auth.login(username, password, ip="10.0.0.2")
    async with services.sessionmaker() as session:
        rows = await audit.entries(session, action=audit.LOGIN_FAILED)
    known = username == "erin"
    assert [(r.target == username, r.ip) for r in rows] == [(known, "10.0.0.2")]


async def test_a_password_typed_into_the_username_field_is_not_kept(services, staff, users):
    with pytest.raises(AuthFailed):
        await staff.auth.login(PASSWORD, "", ip="10.0.0.2")
    async with services.sessionmaker() as session:
        rows = await audit.entries(session)
        throttle = (await session.execute(select(LoginThrottle))).scalars().all()
    assert rows and all(PASSWORD not in f"{r.actor} {r.target} {r.detail}" for r in rows)
    assert throttle and all(PASSWORD not in t.key for t in throttle)


async def test_five_wrong_passwords_hold_back_that_address_not_a_colleague(staff, users):
    for _ in range(5):
        with pytest.raises(AuthFailed):
            await staff.auth.login("erin", "wrong password", ip="10.0.0.3")
    with pytest.raises(TooManyAttempts) as refused:
        await staff.auth.login("erin", PASSWORD, ip="10.0.0.3")  # even the right password
    assert 1 <= refused.value.retry_after <= 30
    # The same account from another address, and other accounts from this one, still log in.
    assert (await staff.auth.login("erin", PASSWORD, ip="10.0.0.4")).principal.username == "erin"
    assert (await staff.auth.login("paul", PASSWORD, ip="10.0.0.3")).principal.username == "paul"


async def test_many_failures_from_one_address_do_not_lock_everyone_there(staff, users):
    for n in range(25):  # a school's shared address: someone mistypes other names all morning
        with pytest.raises(AuthFailed):
            await staff.auth.login(f"guess{n}", "x", ip="10.9.9.9")
    assert await staff.auth.login("erin", PASSWORD, ip="10.9.9.9")


async def test_sessions_expire(services, users):
    auth = AuthService(services.sessionmaker, web_ttl=timedelta(seconds=0), hasher=FAST_HASHER)
    login = await auth.login("erin", PASSWORD)
    with pytest.raises(AuthFailed):
        await auth.resolve(login.token, "web")


async def test_logout_ends_the_session(staff, users):
    login = await staff.auth.login("erin", PASSWORD)
    await staff.auth.logout(login.token)
    with pytest.raises(AuthFailed):
        await staff.auth.resolve(login.token, "web")


async def test_disabling_an_account_ends_its_sessions_and_its_logins(staff, users):
    login = await staff.auth.login("erin", PASSWORD)
    await staff.auth.set_disabled(CLI, "erin", True)
    with pytest.raises(AuthFailed):
        await staff.auth.resolve(login.token, "web")
    with pytest.raises(AuthFailed):
        await staff.auth.login("erin", PASSWORD)
    await staff.auth.set_disabled(CLI, "erin", False)
    assert await staff.auth.login("erin", PASSWORD)


async def test_a_role_change_applies_to_a_running_session(staff, users):
    login = await staff.auth.login("erin", PASSWORD)
    await staff.auth.set_role(CLI, "erin", "publisher")
    assert (await staff.auth.resolve(login.token, "web")).role == "publisher"


async def test_only_admins_manage_accounts(staff, users):
    publisher = (await staff.auth.login("paul", PASSWORD)).principal
    with pytest.raises(Forbidden):
        await staff.auth.create_user(publisher, "newbie", PASSWORD, "editor")
    with pytest.raises(Forbidden):
        await staff.auth.set_role(EDITOR, "erin", "admin")
    admin = (await staff.auth.login("ada", PASSWORD)).principal
    await staff.auth.create_user(admin, "newbie", PASSWORD, "editor")
    assert "newbie" in [u.username for u in await staff.auth.list_users()]


async def test_an_admin_cannot_lock_themselves_out(staff, users):
    admin = (await staff.auth.login("ada", PASSWORD)).principal
    with pytest.raises(Invalid):
        await staff.auth.set_disabled(admin, "ada", True)


@pytest.mark.parametrize(("username", "password", "role"), [
    ("erin", PASSWORD, "editor"),  # taken
    ("x", PASSWORD, "editor"),  # too short
    ("has space", PASSWORD, "editor"),
    ("newbie", "short", "editor"),
    ("newbie", PASSWORD, "owner"),
])
async def test_account_data_is_validated(staff, users, username, password, role):
    with pytest.raises(Invalid):
        await staff.auth.create_user(CLI, username, password, role)


async def test_unknown_accounts_are_not_found(staff):
    with pytest.raises(NotFound):
        await staff.auth.set_role(CLI, "ghost", "editor")


async def test_a_new_password_ends_old_sessions(staff, users):
    login = await staff.auth.login("erin", PASSWORD)
    await staff.auth.set_password(CLI, "erin", "another good one")
    with pytest.raises(AuthFailed):
        await staff.auth.resolve(login.token, "web")
    with pytest.raises(AuthFailed):
        await staff.auth.login("erin", PASSWORD)
    assert await staff.auth.login("erin", "another good one")


async def test_user_changes_are_audited(services, staff, users):
    await staff.auth.set_role(CLI, "erin", "publisher")
    await staff.auth.set_disabled(CLI, "erin", True)
    async with services.sessionmaker() as session:
        rows = await audit.entries(session, target="erin")
    assert [r.action for r in rows] == ["user_disable", "user_role", "user_create"]
    assert rows[1].detail == "editor → publisher"


async def test_the_signing_key_is_generated_once_and_kept_when_not_configured(services, staff):
    first = await staff.auth.secret_key(None)
    assert len(first) == 32 and first == await staff.auth.secret_key(None)
    async with services.sessionmaker() as session:
        assert await repo.get_meta(session, "admin_secret_key") == first.hex()
    assert await staff.auth.secret_key("configured") == b"configured"
