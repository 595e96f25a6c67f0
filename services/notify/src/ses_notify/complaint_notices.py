"""Notices about a complaint, addressed from notify's projection.

Shared by the complaints-event handlers, the due-date scheduler and the announcement
of IRs held until the company's enrollment completed.

A notice names its complaint by reference number (``complaint_reference``), never by
its internal id: the one the event carried, else the projection's, else the reference
complaints recorded before readable references had (the only ones whose events never
carried one). The renderer turns it into the link ``<portal>/complaints/<reference>``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ses_core.identity import Side
from ses_core.models.complaint_reference import legacy_reference_number
from ses_core.notifications import AudienceFacts, Topic
from ses_notify.notices import Notice, Origin, facts
from ses_notify.preferences import COMPANY
from ses_notify.unit_of_work import NotifyUnitOfWork


def complaint_notice(
    uow: NotifyUnitOfWork,
    topic: Topic,
    *,
    complaint_id: str,
    reference_number: str = "",
    information_request_id: str = "",
    company_id: str = "",
    tenant_id: str = "",
    actor_id: str = "",
    named: tuple[str, ...] = (),
    restricted_response: bool = False,
    to_side: Side | None = None,
    **details: object,
) -> Notice:
    """A notice about a complaint, addressed from the projection (the scheduler uses it too)."""
    projection = uow.projection
    parties = projection.parties(complaint_id)
    company_id = parties.company_id if parties else company_id
    tenant_id = parties.tenant_id if parties else tenant_id
    addresses = uow.preferences.load(COMPANY, company_id).additional_emails
    reference = (
        reference_number
        or projection.reference_number(complaint_id)
        or legacy_reference_number(complaint_id)
    )
    return Notice(
        topic=topic,
        facts=facts(
            complaint_reference=reference,
            information_request_id=information_request_id,
            company_name=projection.company_name(company_id),
            agency_name=projection.agency_name(tenant_id) if tenant_id else "",
            **details,
        ),
        audience=AudienceFacts(
            actor_id=actor_id,
            named_user_ids=named,
            parties=parties,
            contacts=projection.contacts(company_id, addresses),
            to_side=to_side,
        ),
        complaint_id=complaint_id,
        information_request_id=information_request_id,
        restricted_response=restricted_response,
    )


def information_requests_sent_notice(
    uow: NotifyUnitOfWork,
    *,
    complaint_id: str,
    information_request_id: str,
    due_date: date | None,
    reference_number: str = "",
    actor_id: str = "",
    origin: Origin | None = None,
) -> Notice:
    """The new-IR notice: the intake (contact, additional addresses) and any POC are told."""
    parties = uow.projection.parties(complaint_id)
    notice = complaint_notice(
        uow,
        Topic.INFORMATION_REQUESTS_SENT,
        complaint_id=complaint_id,
        reference_number=reference_number,
        information_request_id=information_request_id,
        actor_id=actor_id,
        due_date=due_date,
        assign_poc_task=not (parties and parties.company_poc_id),
    )
    return replace(notice, origin=origin)
