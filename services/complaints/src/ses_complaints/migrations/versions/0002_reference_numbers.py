"""Readable, unique reference numbers; original due dates kept through send-backs.

- ``directory_agencies.code``: the agency code, the prefix of new reference numbers;
  NULL for agencies learned before (``references.py`` numbers their complaints under
  ``SES`` until the code is known).
- ``complaint_reference_counters``: the last sequence drawn per prefix and year.
- Existing complaints keep the reference they were given (``SES-`` and ten hex digits of
  the id): it was printed in e-mails and letters. The rare repeat of one (two ids with
  the same first ten hex digits) is told apart by a suffix on the later complaints,
  ``-2``, ``-3``... by creation time. Each complaint's document learns its reference.
- ``uq_complaints_reference_number``: the database refuses a repeat from now on.
- Send-backs used to overwrite an IR's ``original_due_date``. Each IR that was sent
  back gets it back from its history (the due date of ``information_request_sent``),
  and each send-back the due date it replaced, replayed from the IR's sends,
  extensions and send-backs.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from ses_core.platform.db import JsonDocument, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_PAGE = 500
_complaints = sa.table(
    "complaints",
    sa.column("id", sa.String()),
    sa.column("reference_number", sa.String()),
    sa.column("created_at", UtcDateTime()),
    sa.column("document", JsonDocument),
)
_requests = sa.table(
    "information_requests",
    sa.column("id", sa.String()),
    sa.column("complaint_id", sa.String()),
    sa.column("complaint_reference_number", sa.String()),
    sa.column("original_due_date", sa.Date()),
)
_history = sa.table(
    "complaint_history",
    sa.column("seq", sa.Integer()),
    sa.column("complaint_id", sa.String()),
    sa.column("action", sa.String()),
    sa.column("information_request_id", sa.String()),
    sa.column("payload", JsonDocument),
)


def upgrade() -> None:
    op.add_column("directory_agencies", sa.Column("code", sa.String(40), nullable=True))
    op.create_table(
        "complaint_reference_counters",
        sa.Column("prefix", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name="pk_complaint_reference_counters"),
    )
    connection = op.get_bind()
    _tell_repeated_references_apart(connection)
    for complaint_id, reference, document in _documents(connection):
        document["reference_number"] = reference
        for ir_id, original in _repair_due_dates(connection, complaint_id, document).items():
            connection.execute(
                _requests.update()
                .where(_requests.c.id == ir_id)
                .values(original_due_date=date.fromisoformat(original))
            )
        _save(connection, complaint_id, document)
    op.create_index(
        "uq_complaints_reference_number", "complaints", ["reference_number"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_complaints_reference_number", table_name="complaints")
    connection = op.get_bind()
    for complaint_id, _, document in _documents(connection):
        document.pop("reference_number", None)
        for ir in document.get("information_requests", []):
            for send_back in ir.get("send_backs", []):
                send_back.pop("previous_due_date", None)
        _save(connection, complaint_id, document)
    op.drop_table("complaint_reference_counters")
    with op.batch_alter_table("directory_agencies") as batch:
        batch.drop_column("code")


def _tell_repeated_references_apart(connection: sa.Connection) -> None:
    repeated = connection.execute(
        sa.select(_complaints.c.reference_number)
        .group_by(_complaints.c.reference_number)
        .having(sa.func.count() > 1)
    ).scalars()
    for reference in list(repeated):
        later = connection.execute(
            sa.select(_complaints.c.id)
            .where(_complaints.c.reference_number == reference)
            .order_by(_complaints.c.created_at, _complaints.c.id)
            .offset(1)
        ).scalars()
        for number, complaint_id in enumerate(list(later), start=2):
            renamed = f"{reference}-{number}"
            connection.execute(
                _complaints.update()
                .where(_complaints.c.id == complaint_id)
                .values(reference_number=renamed)
            )
            connection.execute(
                _requests.update()
                .where(_requests.c.complaint_id == complaint_id)
                .values(complaint_reference_number=renamed)
            )


def _documents(connection: sa.Connection) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every complaint's (id, reference, document), a page at a time in id order."""
    after = ""
    while True:
        page = connection.execute(
            sa.select(_complaints.c.id, _complaints.c.reference_number, _complaints.c.document)
            .where(_complaints.c.id > after)
            .order_by(_complaints.c.id)
            .limit(_PAGE)
        ).all()
        if not page:
            return
        for complaint_id, reference, document in page:
            yield complaint_id, reference, dict(document)
        after = page[-1][0]


def _save(connection: sa.Connection, complaint_id: str, document: dict[str, Any]) -> None:
    connection.execute(
        _complaints.update().where(_complaints.c.id == complaint_id).values(document=document)
    )


def _repair_due_dates(
    connection: sa.Connection, complaint_id: str, document: dict[str, Any]
) -> dict[str, str]:
    """Restore original and replaced due dates of sent-back IRs; returns their originals."""
    sent_back = [ir for ir in document.get("information_requests", []) if ir.get("send_backs")]
    if not sent_back:
        return {}
    rows = connection.execute(
        sa.select(_history.c.information_request_id, _history.c.action, _history.c.payload)
        .where(
            _history.c.complaint_id == complaint_id,
            _history.c.action.in_(
                ("information_request_sent", "due_date_extended", "response_sent_back")
            ),
        )
        .order_by(_history.c.seq)
    ).all()
    originals: dict[str, str] = {}
    for ir in sent_back:
        events = [(action, payload) for ir_id, action, payload in rows if ir_id == ir["id"]]
        original = next((p["due_date"] for a, p in events if a == "information_request_sent"), None)
        if original is None:
            continue  # no history to go by: leave the IR as it is
        current, returned = None, 0
        for action, payload in events:
            if action == "response_sent_back" and returned < len(ir["send_backs"]):
                ir["send_backs"][returned]["previous_due_date"] = current
                returned += 1
            current = payload["due_date"]
        ir["original_due_date"] = originals[ir["id"]] = original
    return originals
