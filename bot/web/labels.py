"""Chinese labels for the codes the admin pages would otherwise show raw.

The services store short English codes (``entry_attach``, ``publisher``, ``web``) because they
are stable keys for filters, the JSON API and the CLI; staff read Chinese. The table here names
every audit action the services write (the services' own table, ``audit.ACTION_LABELS``;
``tests/bot/test_admin_labels.py`` scans the services for the codes, so a new action without a
label fails a test), and an unknown code, say an old row
of an action since renamed, is shown as itself rather than hidden or mislabelled.
"""

from __future__ import annotations

from services.platform import ROLE_LABELS, audit

# Every audit action, in the order the audit page's filter lists them (the services' table).
AUDIT_ACTIONS: dict[str, str] = audit.ACTION_LABELS

# How someone logged in (the ``detail`` of login rows).
LOGIN_KINDS = {"web": "网页", "api": "接口令牌"}
LOGIN_ACTIONS = frozenset({"login", audit.LOGIN_FAILED, "login_blocked"})

ROLE_CHANGE = " → "


def action_label(code: str) -> str:
    """The Chinese name of an audit action; an unknown code is shown as it is."""
    return AUDIT_ACTIONS.get(code, code)


def role_label(code: str) -> str:
    """The Chinese name of a role; an unknown code is shown as it is."""
    return ROLE_LABELS.get(code, code)


def audit_detail(action: str, detail: str) -> str:
    """An audit row's detail with the codes in it named: the roles of ``user_create`` and
    ``user_role`` (``editor → publisher``), the kind of a login. Other details are free text
    written for people already, and are shown unchanged."""
    if action == "user_create":
        return role_label(detail)
    if action == "user_role" and ROLE_CHANGE in detail:
        old, _, new = detail.partition(ROLE_CHANGE)
        return f"{role_label(old)}{ROLE_CHANGE}{role_label(new)}"
    if action in LOGIN_ACTIONS:
        return LOGIN_KINDS.get(detail, detail)
    return detail
