"""Granting and revoking permissions of the built-in roles, for migrations that add some."""

import sqlalchemy as sa
from alembic import op


def grant(grants: dict[str, list[str]]) -> None:
    """Add permissions to the built-in roles that exist (an administrator may have removed
    one of them); a permission a role holds already is left as it is."""
    bind = op.get_bind()
    for role_name, permissions in grants.items():
        role_id = bind.scalar(
            sa.text("SELECT id FROM auth_role WHERE name = :name AND builtin"), {"name": role_name}
        )
        if role_id is None:
            continue
        held = set(
            bind.scalars(
                sa.text("SELECT permission FROM auth_role_permission WHERE role_id = :role_id"),
                {"role_id": role_id},
            )
        )
        for permission in sorted(set(permissions) - held):
            bind.execute(
                sa.text(
                    "INSERT INTO auth_role_permission (role_id, permission) "
                    "VALUES (:role_id, :permission)"
                ),
                {"role_id": role_id, "permission": permission},
            )


def revoke(grants: dict[str, list[str]]) -> None:
    """Take the permissions of ``grants`` from every role (downgrade of a ``grant``)."""
    permissions = sorted({p for granted in grants.values() for p in granted})
    op.execute(
        sa.text("DELETE FROM auth_role_permission WHERE permission IN :permissions").bindparams(
            sa.bindparam("permissions", permissions, expanding=True)
        )
    )
