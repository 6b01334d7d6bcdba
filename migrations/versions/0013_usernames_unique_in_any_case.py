"""Usernames unique in any case: users.username_key (the name in lower case), unique.

The service has refused a name that differs from another only by case since the login
accepted either case, but two concurrent creations on PostgreSQL could both pass its check.
A stored key, not an expression index, so that SQLite's batch mode and reflection keep it.
Names told apart only by case that are already stored stop the upgrade with their ids: rename
one (``UPDATE users SET username = ... WHERE id = ...``) and upgrade again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Refuse stored case twins by name, then add and fill the unique key."""
    twins = op.get_bind().execute(sa.text(
        "SELECT lower(username), min(id), max(id) FROM users"
        " GROUP BY lower(username) HAVING count(*) > 1 ORDER BY 1")).all()
    if twins:
        listed = "; ".join(f"{name!r} (ids {low}…{high})" for name, low, high in twins)
        how = "UPDATE users SET username = '<new name>' WHERE id = <id>"
        raise RuntimeError(f"usernames that differ only by case: {listed}. Rename all but one "
                           f"of each ({how}), then upgrade again.")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username_key", sa.String(length=64), nullable=True))
    # Usernames are ASCII (the service's rule), so SQL's lower() is Python's str.lower().
    op.execute("UPDATE users SET username_key = lower(username)")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("username_key", existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_username_key"),
                                          ["username_key"])


def downgrade() -> None:
    """Drop the key."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_username_key"), type_="unique")
        batch_op.drop_column("username_key")
