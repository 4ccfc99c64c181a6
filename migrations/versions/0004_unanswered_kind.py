"""The inbox's kind per row: ``question`` (content the bot lacks) or ``complaint`` (a grievance or
petition the bot sent to the school, the district education bureau or 12345). Rows stored before
are questions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('unanswered', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='question',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_unanswered_kind'),
                                         "kind IN ('question', 'complaint')")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('unanswered', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_unanswered_kind'), type_='check')
        batch_op.drop_column('kind')
