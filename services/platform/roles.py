"""Staff roles, in order: an editor edits drafts, a publisher also publishes (and deletes), an
admin also manages accounts. Every admin service checks the actor with :func:`require`."""

from __future__ import annotations

from dataclasses import dataclass

from services.errors import Forbidden

ROLES = ("editor", "publisher", "admin")
ROLE_LABELS = {"editor": "编辑", "publisher": "发布员", "admin": "管理员"}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: the logged-in account (or ``cli`` for the command line)."""

    username: str
    role: str
    csrf: str = ""

    def has(self, role: str) -> bool:
        """Whether this account's role is ``role`` or above."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def label(self) -> str:
        """The role's Chinese name."""
        return ROLE_LABELS.get(self.role, self.role)


CLI = Principal("cli", "admin")


def require(actor: Principal, role: str, what: str) -> None:
    """Raise :class:`Forbidden` unless ``actor`` has ``role`` or above."""
    if not actor.has(role):
        raise Forbidden(f"{what}需要{ROLE_LABELS[role]}或更高权限（您是{actor.label}）。")
