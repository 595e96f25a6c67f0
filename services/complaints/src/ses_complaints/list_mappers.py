"""List rows → protobuf summaries, in the reader's projection."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.engine import RowMapping

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints.directory import Person
from ses_complaints.handlers import HistoryEntryView, SummaryPage
from ses_complaints.proto_values import date_pb, request_status_pb, timestamp, user_ref
from ses_core.identity import Side
from ses_core.lifecycle import InformationRequestStatus
from ses_core.permissions import visible_fields


def complaint_summaries(page: SummaryPage) -> list[pb.ComplaintSummary]:
    found = []
    for row in page.rows:
        shown = visible_fields(
            page.actor,
            {"complainant_given_name"},
            complainant_restricted=row["complainant_restricted"],
        )
        company = page.companies.get(row["company_id"])
        next_due = row["next_due_date"]
        found.append(
            pb.ComplaintSummary(
                complaint_id=row["id"],
                agency_id=row["tenant_id"],
                reference_number=row["reference_number"],
                company_id=row["company_id"],
                company_legal_name=company.legal_name if company else "",
                status=pb.ComplaintStatus.Value(f"COMPLAINT_STATUS_{row['status']}"),
                complainant_name=row["complainant_name"] if shown else "",
                received_date=date_pb(row["received_date"]),
                agency_poc=user_ref(page.people, row["agency_poc_id"], common.PARTY_AGENCY),
                company_poc=user_ref(page.people, row["company_poc_id"], common.PARTY_COMPANY),
                next_due_date=date_pb(next_due),
                overdue=next_due is not None and next_due < page.today,
                created_at=timestamp(row["created_at"]),
                updated_at=timestamp(row["updated_at"]),
            )
        )
    return found


def request_summaries(page: SummaryPage) -> list[pb.InformationRequestSummary]:
    return [
        pb.InformationRequestSummary(
            information_request_id=row["id"],
            complaint_id=row["complaint_id"],
            complaint_reference_number=row["complaint_reference_number"],
            company_id=row["company_id"],
            number=row["number"],
            status=request_status_pb(
                InformationRequestStatus(row["status"]),
                company_view=page.actor.side is Side.COMPANY,
            ),
            due_date=date_pb(row["due_date"]),
            original_due_date=date_pb(row["original_due_date"]),
            overdue=_row_overdue(row, page.today),
            agency_poc=user_ref(page.people, row["agency_poc_id"], common.PARTY_AGENCY),
            company_poc=user_ref(page.people, row["company_poc_id"], common.PARTY_COMPANY),
            sent_at=timestamp(row["sent_at"]),
        )
        for row in page.rows
    ]


def _row_overdue(row: RowMapping, today: date) -> bool:
    due = row["due_date"]
    return bool(row["awaiting_company"]) and due is not None and due < today


def history_entry(entry: HistoryEntryView, people: Mapping[str, Person]) -> pb.HistoryEntry:
    return pb.HistoryEntry(
        entry_id=entry.entry_id,
        occurred_at=timestamp(entry.occurred_at),
        actor=user_ref(people, entry.actor_id),
        action=entry.action,
        information_request_id=entry.information_request_id,
        summary=entry.summary,
    )
