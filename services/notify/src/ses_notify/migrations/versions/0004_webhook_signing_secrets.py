"""Webhook signing secrets in their own table, several per endpoint (rotation).

Each endpoint's secret moves to ``webhook_signing_secrets`` in the Standard Webhooks
form ``whsec_<base64 of the key>``. The key bytes stay the same: the old scheme keyed
the HMAC with the secret's UTF-8 bytes, so an organisation holding the old secret
``S`` verifies with ``whsec_`` + base64(``S``), or rotates to a new secret.

Downgrading keeps each endpoint's oldest secret, in its ``whsec_`` form.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import base64
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_endpoints = sa.table(
    "webhook_endpoints",
    sa.column("webhook_endpoint_id", sa.String()),
    sa.column("secret", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_secrets = sa.table(
    "webhook_signing_secrets",
    sa.column("signing_secret_id", sa.String()),
    sa.column("webhook_endpoint_id", sa.String()),
    sa.column("secret", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "webhook_signing_secrets",
        sa.Column("signing_secret_id", sa.String(length=36), nullable=False),
        sa.Column("webhook_endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signing_secret_id", name=op.f("pk_webhook_signing_secrets")),
    )
    op.create_index(
        op.f("ix_webhook_signing_secrets_webhook_endpoint_id"),
        "webhook_signing_secrets",
        ["webhook_endpoint_id"],
        unique=False,
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_endpoints.c.webhook_endpoint_id, _endpoints.c.secret, _endpoints.c.created_at)
    ).all()
    if rows:
        op.bulk_insert(
            _secrets,
            [
                {
                    "signing_secret_id": str(uuid.uuid4()),
                    "webhook_endpoint_id": endpoint_id,
                    "secret": "whsec_" + base64.b64encode(secret.encode()).decode(),
                    "created_at": created_at,
                }
                for endpoint_id, secret, created_at in rows
            ],
        )
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("secret")


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("secret", sa.String(length=128), nullable=True))
    connection = op.get_bind()
    oldest: dict[str, str] = {}
    for endpoint_id, secret in connection.execute(
        sa.select(_secrets.c.webhook_endpoint_id, _secrets.c.secret).order_by(
            _secrets.c.created_at.desc()
        )
    ):
        oldest[endpoint_id] = secret
    for endpoint_id, secret in oldest.items():
        connection.execute(
            _endpoints.update()
            .where(_endpoints.c.webhook_endpoint_id == endpoint_id)
            .values(secret=secret)
        )
    connection.execute(_endpoints.update().where(_endpoints.c.secret.is_(None)).values(secret=""))
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column("secret", existing_type=sa.String(length=128), nullable=False)
    op.drop_index(
        op.f("ix_webhook_signing_secrets_webhook_endpoint_id"),
        table_name="webhook_signing_secrets",
    )
    op.drop_table("webhook_signing_secrets")
