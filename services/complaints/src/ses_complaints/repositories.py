"""The complaint repository: the aggregate in one row, plus the rows that index it.

A complaint is stored whole (``document``, its pydantic JSON form, and ``extras``);
its list columns, its IRs' rows in ``information_requests`` and the history rows
of the events it raised are derived from it and written in the same transaction
by :meth:`ComplaintRepository.prepare_commit`, which the unit of work calls just
before its own commit (while the events are still on the aggregate).

Scope: a repository works for one tenant, and sees the complaints that tenant
owns plus those referred to it and awaiting its decision (the receiving agency
must read what it decides on). Accepting a referral moves a complaint to the
receiving agency: the unit of work for that decision is opened for the receiving
agency, and ``prepare_commit`` moves the rows before they are written back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_complaints import tables as t
from ses_complaints.extras import ComplaintExtras
from ses_core.errors import NotFound, quote
from ses_core.models import Complaint, InformationRequest
from ses_core.platform.db import AggregateTracker, TenantScopedRepository

NO_DUE_DATE = date(9999, 12, 31)


def complainant_name(complaint: Complaint) -> str:
    person = complaint.complainant
    return f"{person.first_name} {person.last_name}".strip()


def next_due_date(complaint: Complaint) -> date | None:
    """The earliest due date among the IRs the company owes a response to."""
    dates = [ir.due_date for ir in complaint.information_requests if ir.awaits_company]
    return min((d for d in dates if d is not None), default=None)


@dataclass
class _Loaded:
    tenant_id: str
    updated_at: datetime
    extras: ComplaintExtras
    ir_rows: dict[str, dict[str, Any]] = field(default_factory=dict)


class ComplaintRepository(TenantScopedRepository[Complaint]):
    table = t.complaints
    aggregate_name = "complaint"

    def __init__(
        self, session: Session, tenant_id: str, tracker: AggregateTracker | None = None
    ) -> None:
        super().__init__(session, tenant_id, tracker)
        self._loaded: dict[str, _Loaded] = {}
        self._handed_out: dict[str, Complaint] = {}

    # -- the collection ------------------------------------------------------------------

    def add_new(self, complaint: Complaint, extras: ComplaintExtras) -> None:
        self._loaded[complaint.id] = _Loaded(self.tenant_id, complaint.created_at, extras)
        self._handed_out[complaint.id] = complaint
        self.add(complaint)

    def get(self, aggregate_id: Any) -> Complaint:
        """A complaint this tenant owns or was referred; locked for the change."""
        return self.load(aggregate_id, lock=True)

    def load(self, aggregate_id: Any, *, lock: bool) -> Complaint:
        """``get``, or without the row lock for reads that change nothing."""
        statement = select(self.table).where(
            self.table.c.id == aggregate_id,
            or_(
                self.table.c.tenant_id == self.tenant_id,
                self.table.c.referred_to_tenant_id == self.tenant_id,
            ),
        )
        found = self._load_one(statement.with_for_update() if lock else statement)
        if found is None:
            raise NotFound(
                f"There is no complaint {quote(aggregate_id)}.", reason="complaint_not_found"
            )
        self._handed_out[found.id] = found
        return found

    def adopt(self, row: RowMapping) -> Complaint:
        """The complaint of a full ``complaints`` row its caller read (``load`` without
        the statement), under the same rule: this tenant's, or referred to it."""
        if self.tenant_id not in (row["tenant_id"], row["referred_to_tenant_id"]):
            raise NotFound(
                f"There is no complaint {quote(row['id'])}.", reason="complaint_not_found"
            )
        found = self._adopt(row)
        self._handed_out[found.id] = found
        return found

    def extras_of(self, complaint: Complaint) -> ComplaintExtras:
        return self._loaded[complaint.id].extras

    def updated_at_of(self, complaint: Complaint) -> datetime:
        return self._loaded[complaint.id].updated_at

    # -- mapping -------------------------------------------------------------------------

    def _to_row(self, complaint: Complaint) -> dict[str, Any]:
        loaded = self._loaded[complaint.id]
        pending = complaint.pending_referral
        return {
            "id": complaint.id,
            "company_id": complaint.company_id,
            "reference_number": complaint.reference_number,
            "status": complaint.status.value,
            "agency_poc_id": complaint.agency_poc_id,
            "company_poc_id": complaint.company_poc_id,
            "referred_to_tenant_id": pending.to_agency_id if pending else None,
            "sent_to_company": complaint.any_information_request_sent,
            "complainant_name": complainant_name(complaint)[:255],
            "complainant_restricted": complaint.complainant_restricted,
            "received_date": complaint.received_date,
            "next_due_date": next_due_date(complaint),
            "created_at": complaint.created_at,
            "updated_at": loaded.updated_at,
            "document": complaint.model_dump(mode="json"),
            "extras": loaded.extras.model_dump(mode="json"),
        }

    def _from_row(self, row: RowMapping) -> Complaint:
        complaint = Complaint.model_validate(row["document"])
        loaded = _Loaded(
            tenant_id=row["tenant_id"],
            updated_at=row["updated_at"],
            extras=ComplaintExtras.model_validate(row["extras"]),
        )
        loaded.ir_rows = _ir_rows(complaint, row["tenant_id"])
        self._loaded[complaint.id] = loaded
        return complaint

    # -- what the unit of work calls before committing --------------------------------------

    def prepare_commit(self) -> None:
        """Move, stamp and index every complaint handed out, and record its history."""
        for complaint in self._handed_out.values():
            loaded = self._loaded[complaint.id]
            if complaint.tenant_id != loaded.tenant_id:
                self._move_to_this_tenant(complaint, loaded)
            if complaint.events:
                loaded.updated_at = max(event.occurred_at for event in complaint.events)
                self._record_history(complaint)
            self._write_ir_rows(complaint, loaded)

    def _move_to_this_tenant(self, complaint: Complaint, loaded: _Loaded) -> None:
        if complaint.tenant_id != self.tenant_id:
            raise ValueError(
                f"Complaint {complaint.id} now belongs to {complaint.tenant_id!r}; only a unit "
                f"of work of that tenant may commit it, not one of {self.tenant_id!r}."
            )
        moved = self._session.execute(
            update(t.complaints)
            .where(t.complaints.c.id == complaint.id, t.complaints.c.tenant_id == loaded.tenant_id)
            .values(tenant_id=self.tenant_id)
        )
        if cast(CursorResult[Any], moved).rowcount != 1:
            raise NotFound(
                f"Complaint {complaint.id} changed hands while this change was being made; "
                "reload it and try again.",
                reason="complaint_moved",
            )
        requests = t.information_requests
        self._session.execute(
            update(requests)
            .where(requests.c.complaint_id == complaint.id)
            .values(tenant_id=self.tenant_id)
        )
        loaded.tenant_id = self.tenant_id
        loaded.ir_rows = {
            ir_id: {**row, "tenant_id": self.tenant_id} for ir_id, row in loaded.ir_rows.items()
        }

    def _record_history(self, complaint: Complaint) -> None:
        rows = [
            {
                "event_id": event.event_id,
                "complaint_id": complaint.id,
                "tenant_id": event.tenant_id or self.tenant_id,
                "occurred_at": event.occurred_at,
                "action": event.event_name(),
                "actor_id": getattr(event, "actor_id", ""),
                "information_request_id": getattr(event, "information_request_id", None),
                "payload": event.model_dump(mode="json"),
            }
            for event in complaint.events
        ]
        self._session.execute(insert(t.complaint_history), rows)

    def _write_ir_rows(self, complaint: Complaint, loaded: _Loaded) -> None:
        current = _ir_rows(complaint, loaded.tenant_id)
        table = t.information_requests
        for ir_id, row in current.items():
            before = loaded.ir_rows.get(ir_id)
            if before is None:
                self._session.execute(insert(table).values(row))
            elif before != row:
                changed = {name: value for name, value in row.items() if before[name] != value}
                self._session.execute(update(table).where(table.c.id == ir_id).values(changed))
        loaded.ir_rows = current


def _ir_rows(complaint: Complaint, tenant_id: str) -> dict[str, dict[str, Any]]:
    return {
        ir.id: _ir_row(complaint, ir, number, tenant_id)
        for number, ir in enumerate(complaint.information_requests, start=1)
    }


def _ir_row(
    complaint: Complaint, ir: InformationRequest, number: int, tenant_id: str
) -> dict[str, Any]:
    return {
        "id": ir.id,
        "tenant_id": tenant_id,
        "complaint_id": complaint.id,
        "company_id": complaint.company_id,
        "complaint_reference_number": complaint.reference_number,
        "number": number,
        "status": ir.status.value,
        "awaiting_company": ir.awaits_company,
        "due_date": ir.due_date,
        "original_due_date": ir.original_due_date,
        "sort_due_date": ir.due_date or NO_DUE_DATE,
        "sent_at": ir.sent_at,
        "agency_poc_id": complaint.agency_poc_id,
        "company_poc_id": complaint.company_poc_id,
    }
