"""Revision 0002 on a database written by revision 0001 (SQLite and PostgreSQL).

The rows below are what the service stored before it: reference numbers made of the id,
documents without a reference, and IRs whose original due date a send-back overwrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from ses_complaints import tables as t
from ses_complaints.bootstrap import MIGRATIONS
from ses_core.models import Complainant, Complaint, ResponseContent

pytestmark = pytest.mark.integration

NOW = datetime(2025, 5, 1, 14, 0, tzinfo=UTC)
SENT_DUE, EXTENDED_DUE, RETURNED_DUE = date(2025, 5, 15), date(2025, 5, 20), date(2025, 6, 2)
OLD_REFERENCE = "SES-ABCDEF0123"


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _legacy_complaint(complaint_id: str, created_at: datetime) -> tuple[dict[str, Any], list[Any]]:
    """A complaint as revision 0001 stored it, with the events it raised."""
    complaint = Complaint.create(
        reference_number="unused",
        tenant_id="agency-ny",
        company_id="SES-000001",
        complainant=Complainant(first_name="Ada"),
        received_date=date(2025, 4, 28),
        description="Escrow applied twice.",
        now=created_at,
        by="manager-1",
        complaint_id=complaint_id,
    )
    ir = complaint.add_information_request(
        "History.", NOW, by="manager-1", due_date=SENT_DUE, ir_id=f"{complaint_id}-ir"
    )
    complaint.send_information_requests(NOW, by="manager-1")
    ir.extend_due_date(EXTENDED_DUE, NOW, by="manager-1")
    ir.submit_response(NOW, by="poc-1", content=ResponseContent(text="Done."))
    ir.send_back(RETURNED_DUE, "More.", NOW, by="manager-1")
    document = complaint.model_dump(mode="json")
    document.pop("reference_number")
    stored_ir = document["information_requests"][0]
    stored_ir["original_due_date"] = RETURNED_DUE.isoformat()  # what send-backs used to do
    for send_back in stored_ir["send_backs"]:
        send_back.pop("previous_due_date")
    return document, complaint.pull_events()


def _rows(document: dict[str, Any], events: list[Any], created_at: datetime) -> Iterator[Any]:
    complaint_id = document["id"]
    yield t.complaints.insert().values(
        id=complaint_id,
        tenant_id="agency-ny",
        company_id="SES-000001",
        reference_number=OLD_REFERENCE,
        status="OPEN",
        agency_poc_id="manager-1",
        sent_to_company=True,
        complainant_name="Ada",
        complainant_restricted=False,
        received_date=date(2025, 4, 28),
        created_at=created_at,
        updated_at=created_at,
        document=document,
        extras={},
    )
    yield t.information_requests.insert().values(
        id=f"{complaint_id}-ir",
        tenant_id="agency-ny",
        complaint_id=complaint_id,
        company_id="SES-000001",
        complaint_reference_number=OLD_REFERENCE,
        number=1,
        status="SENT_BACK",
        awaiting_company=True,
        due_date=RETURNED_DUE,
        original_due_date=RETURNED_DUE,
        sort_due_date=RETURNED_DUE,
        agency_poc_id="manager-1",
    )
    for event in events:
        payload = event.model_dump(mode="json")
        payload.pop("reference_number")
        payload.pop("previous_due_date", None)
        yield t.complaint_history.insert().values(
            event_id=event.event_id,
            complaint_id=complaint_id,
            tenant_id="agency-ny",
            occurred_at=event.occurred_at,
            action=event.event_name(),
            actor_id=event.actor_id,
            information_request_id=getattr(event, "information_request_id", None),
            payload=payload,
        )


@pytest.fixture
def legacy(engine: Engine) -> Engine:
    """A database at revision 0001 holding two complaints whose old references collide."""
    _migrate(engine, "0001")
    with engine.begin() as connection:
        for complaint_id, created_at in (
            ("abcdef01-23bb-4000-8000-000000000002", datetime(2025, 4, 29, 15, tzinfo=UTC)),
            ("abcdef01-23aa-4000-8000-000000000001", datetime(2025, 4, 28, 15, tzinfo=UTC)),
        ):
            document, events = _legacy_complaint(complaint_id, created_at)
            for statement in _rows(document, events, created_at):
                connection.execute(statement)
    return engine


def _stored(engine: Engine) -> dict[str, tuple[str, Complaint, date | None]]:
    """Each complaint's reference column, document and IR-row original due date, by id."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                t.complaints.c.id,
                t.complaints.c.reference_number,
                t.complaints.c.document,
                t.information_requests.c.original_due_date,
                t.information_requests.c.complaint_reference_number,
            ).join(
                t.information_requests,
                t.information_requests.c.complaint_id == t.complaints.c.id,
            )
        ).all()
    found = {}
    for complaint_id, reference, document, original, ir_reference in rows:
        assert ir_reference == reference
        found[complaint_id] = (reference, Complaint.model_validate(document), original)
    return found


def test_old_references_are_kept_told_apart_and_unique_from_now_on(legacy: Engine) -> None:
    _migrate(legacy, "head")

    stored = _stored(legacy)
    earlier, later = (
        stored["abcdef01-23aa-4000-8000-000000000001"],
        stored["abcdef01-23bb-4000-8000-000000000002"],
    )
    assert (earlier[0], later[0]) == (OLD_REFERENCE, f"{OLD_REFERENCE}-2")
    assert (earlier[1].reference_number, later[1].reference_number) == (
        OLD_REFERENCE,
        f"{OLD_REFERENCE}-2",
    )
    with pytest.raises(IntegrityError), legacy.begin() as connection:
        connection.execute(
            t.complaints.update()
            .where(t.complaints.c.id == "abcdef01-23bb-4000-8000-000000000002")
            .values(reference_number=OLD_REFERENCE)
        )


def test_original_due_dates_overwritten_by_send_backs_come_back(legacy: Engine) -> None:
    _migrate(legacy, "head")

    for _, complaint, column in _stored(legacy).values():
        (ir,) = complaint.information_requests
        assert (ir.original_due_date, ir.due_date, column) == (SENT_DUE, RETURNED_DUE, SENT_DUE)
        assert [(s.previous_due_date, s.due_date) for s in ir.send_backs] == [
            (EXTENDED_DUE, RETURNED_DUE)
        ]


def test_the_revision_can_be_undone_and_done_again(legacy: Engine) -> None:
    _migrate(legacy, "head")
    _migrate(legacy, "0001", down=True)
    with legacy.connect() as connection:
        documents = connection.execute(sa.select(t.complaints.c.document)).scalars().all()
    assert all("reference_number" not in document for document in documents)

    _migrate(legacy, "head")
    assert {reference for reference, _, _ in _stored(legacy).values()} == {
        OLD_REFERENCE,
        f"{OLD_REFERENCE}-2",
    }
