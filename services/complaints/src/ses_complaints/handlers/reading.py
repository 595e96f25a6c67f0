"""Reads and the shared tab: lists, history, interactions, file grants.

Lists scope themselves by the caller (``queries.Scope``): an agency's own
complaints (or those referred to it), a company's complaints across agencies. A
company that has not finished enrollment lists nothing: its IRs become visible
when it enrolls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from ses_complaints import directory
from ses_complaints import tables as t
from ses_complaints.attachments import FileRef, placements
from ses_complaints.directory import CompanyEntry, Person, Reader
from ses_complaints.handlers._base import ComplaintSnapshot, Deps, open_complaint
from ses_complaints.history import HistoryEntryView, describe
from ses_complaints.paging import Page, page_for
from ses_complaints.queries import Listed, ListFilters, Scope
from ses_complaints.queries import list_complaints as query_complaints
from ses_complaints.queries import list_information_requests as query_requests
from ses_complaints.visibility import restricted_file_ids
from ses_core.identity import Actor, Side
from ses_core.models import Interaction, Party
from ses_core.models.complaint_access import complaint_resource
from ses_core.permissions import HIDDEN, Action, Resource, ResourceKind, not_found_for, require
from ses_core.platform.audit import RestrictedRead, note_restricted_read
from ses_core.platform.grants import FileGrantAction
from ses_core.uploads import AttachmentKind


@dataclass(frozen=True)
class SummaryPage:
    rows: list[RowMapping]
    next_token: str
    people: Mapping[str, Person]
    companies: Mapping[str, CompanyEntry]
    today: date
    actor: Actor


def list_complaints(
    deps: Deps,
    actor: Actor,
    filters: ListFilters,
    *,
    referred_to_me: bool,
    page_size: int,
    page_token: str,
) -> SummaryPage:
    fingerprint = {**filters.fingerprint_fields(), "referred_to_me": referred_to_me}
    page = page_for(
        page_size, page_token, list_name="complaints", filters=fingerprint, key_length=2
    )
    scope = _scope(deps, actor, filters, referred_to_me=referred_to_me)

    def run(connection: Reader, today: date) -> Listed:
        assert scope is not None
        return query_complaints(connection, scope, filters, page, today)

    return _summaries(deps, actor, scope, run, page)


def list_information_requests(
    deps: Deps, actor: Actor, filters: ListFilters, *, page_size: int, page_token: str
) -> SummaryPage:
    page = page_for(
        page_size,
        page_token,
        list_name="information_requests",
        filters=filters.fingerprint_fields(),
        key_length=2,
    )
    scope = _scope(deps, actor, filters, referred_to_me=False)

    def run(connection: Reader, today: date) -> Listed:
        assert scope is not None
        return query_requests(connection, scope, filters, page, today)

    return _summaries(deps, actor, scope, run, page)


def _summaries(
    deps: Deps,
    actor: Actor,
    scope: Scope | None,
    run: Callable[[Reader, date], Listed],
    page: Page,
) -> SummaryPage:
    today = deps.today()
    with deps.read_transaction() as connection:
        listed = Listed([], None) if scope is None else run(connection, today)
        pocs = [row["agency_poc_id"] for row in listed.rows]
        pocs += [row["company_poc_id"] for row in listed.rows if row["company_poc_id"]]
        people = directory.people(connection, pocs)
        companies = directory.companies(connection, [row["company_id"] for row in listed.rows])
    token = page.next_token(listed.next_key) if listed.next_key is not None else ""
    return SummaryPage(listed.rows, token, people, companies, today, actor)


def _scope(deps: Deps, actor: Actor, filters: ListFilters, *, referred_to_me: bool) -> Scope | None:
    """The caller's scope; None when the caller may list but nothing can match."""
    resource = Resource(
        kind=ResourceKind.COMPLAINT, tenant_id=actor.tenant_id, company_id=actor.company_id
    )
    require(actor, Action.VIEW_COMPLAINT, resource)
    if actor.side is Side.AGENCY:
        return Scope(tenant_id=actor.tenant_id, referred_to_tenant=referred_to_me)
    assert actor.company_id is not None
    if referred_to_me or filters.company_id not in ("", actor.company_id):
        return None
    with deps.read_transaction() as connection:
        company = directory.company(connection, actor.company_id)
    if company is None or not company.enrolled:
        return None
    return Scope(company_id=actor.company_id)


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntryView]
    next_token: str
    names: Mapping[str, Person]


def list_history(
    deps: Deps, actor: Actor, complaint_id: str, *, page_size: int, page_token: str
) -> HistoryPage:
    page = page_for(
        page_size,
        page_token,
        list_name="history",
        filters={"complaint_id": complaint_id},
        key_length=1,
    )
    with open_complaint(deps, actor, complaint_id, read_only=True) as work:
        work.require(Action.VIEW_HISTORY)
        table = t.complaint_history
        statement = select(table).where(table.c.complaint_id == complaint_id)
        if page.after is not None:
            statement = statement.where(table.c.seq > int(page.after[0]))
        rows = list(work.session.execute(statement.order_by(table.c.seq)).mappings())
        actors = directory.people(work.session, [row["actor_id"] for row in rows])
        subjects = directory.people(work.session, _mentioned(rows))
        names = {user_id: p.display_name for user_id, p in {**actors, **subjects}.items()}
        viewer = work.snapshot(people={}).viewer
        entries: list[tuple[int, HistoryEntryView]] = []
        for row in rows:
            entry = describe(
                viewer,
                event_id=row["event_id"],
                occurred_at=row["occurred_at"],
                action=row["action"],
                actor_id=row["actor_id"],
                information_request_id=row["information_request_id"],
                payload=row["payload"],
                names=names,
            )
            if entry is not None:
                entries.append((row["seq"], entry))
            if len(entries) > page.size:
                break
    token = ""
    if len(entries) > page.size:
        entries = entries[: page.size]
        token = page.next_token((entries[-1][0],))
    return HistoryPage([entry for _, entry in entries], token, actors)


def _mentioned(rows: list[RowMapping]) -> list[str]:
    keys = ("agency_poc_id", "company_poc_id", "contributor_id")
    return [str(row["payload"][key]) for row in rows for key in keys if row["payload"].get(key)]


@dataclass(frozen=True)
class InteractionPage:
    interactions: list[Interaction]
    next_token: str
    snapshot: ComplaintSnapshot


def list_interactions(
    deps: Deps, actor: Actor, complaint_id: str, *, page_size: int, page_token: str
) -> InteractionPage:
    page = page_for(
        page_size,
        page_token,
        list_name="interactions",
        filters={"complaint_id": complaint_id},
        key_length=2,
    )
    with open_complaint(deps, actor, complaint_id, read_only=True) as work:
        snapshot = work.snapshot()
    ordered = sorted(snapshot.complaint.interactions, key=lambda i: (i.posted_at, i.id))
    if page.after is not None:
        after = (datetime.fromisoformat(str(page.after[0])), str(page.after[1]))
        ordered = [i for i in ordered if (i.posted_at, i.id) > after]
    chosen = ordered[: page.size]
    token = ""
    if len(ordered) > page.size:
        last = chosen[-1]
        token = page.next_token((last.posted_at.isoformat(), last.id))
    return InteractionPage(chosen, token, snapshot)


def post_interaction(
    deps: Deps, actor: Actor, complaint_id: str, *, text: str, files: list[FileRef]
) -> tuple[ComplaintSnapshot, Interaction]:
    with open_complaint(deps, actor, complaint_id) as work:
        work.require(Action.POST_INTERACTION)
        attached = work.files(files, AttachmentKind.INTERACTION)
        party = Party.AGENCY if actor.side is Side.AGENCY else Party.COMPANY
        interaction = work.complaint.post_interaction(
            party, work.now, by=actor.user_id, text=text, file_ids=list(attached)
        )
        return work.commit(), interaction


@dataclass(frozen=True)
class IssuedGrant:
    token: str
    expires_at: datetime


def issue_file_grant(deps: Deps, actor: Actor, complaint_id: str, file_id: str) -> IssuedGrant:
    """A download grant for a file the caller can see on the complaint (``Viewer``).

    A file of the complaint the caller may not see is NOT_FOUND, as an unknown one, but
    marked as hidden for the audit trail; a grant for a file of a restricted response is
    itself restricted (its downloads are filed too) and its issuing is filed as a read."""
    with open_complaint(deps, actor, complaint_id, read_only=True) as work:
        work.require(Action.DOWNLOAD_FILE)
        complaint = work.complaint
        viewer = work.snapshot(people={}).viewer
        restricted = file_id in restricted_file_ids(complaint)
        file = complaint_resource(complaint, restricted=restricted).model_copy(
            update={"kind": ResourceKind.FILE, "id": file_id}
        )
        if file_id not in viewer.visible_file_ids():
            missing = not_found_for(actor, Resource(kind=ResourceKind.FILE, id=file_id))
            if file_id in placements(complaint):  # it is there, but not for this reader
                missing.details.update(
                    {
                        HIDDEN: True,
                        "resource": file,
                        "action": Action.DOWNLOAD_FILE.value,
                        "complaint_id": complaint.id,
                    }
                )
            raise missing
        token, grant = deps.signer.issue_for(
            file_id=file_id,
            action=FileGrantAction.DOWNLOAD,
            user_id=actor.user_id,
            tenant_id=complaint.tenant_id,
            now=work.now,
            ttl=deps.grant_ttl,
            restricted=restricted,
        )
    if restricted:
        note_restricted_read(
            RestrictedRead(
                tenant_id=complaint.tenant_id,
                action=Action.DOWNLOAD_FILE.value,
                resource_kind=ResourceKind.FILE.value,
                resource_id=file_id,
                complaint_id=complaint.id,
            )
        )
    return IssuedGrant(token, grant.expires_at)
