"""What every handler shares: its dependencies, loading a complaint, and the snapshot it returns.

A handler is a plain function ``handler(deps, actor, ...)`` run in a worker
thread: it opens the complaint (``open_complaint``), checks the actor with
``ses_core.permissions``, calls the aggregate, and commits; it returns a
``ComplaintSnapshot`` (or a part of one) for the servicer to map to the caller's
projection. Nothing here knows gRPC or protobuf.

Loading order, so that nobody learns what they must not:

1. the complaint is located (routing only) and loaded in a unit of work for the
   tenant that owns it; missing → NOT_FOUND;
2. a company user must be of a company that is enrolled and was sent an IR on
   this complaint, else NOT_FOUND (``visibility.visible_to_company``);
3. ``VIEW_COMPLAINT``: another agency's or company's complaint → NOT_FOUND; a
   reader without complaints permission → PERMISSION_DENIED;
4. only then the command's own action.

Once the caller may see the complaint, the rest of the call belongs to the owning
agency's audit chain (``admit_tenant``): a refusal further on is filed there, for the
agency to see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session, sessionmaker

from ses_complaints import directory
from ses_complaints import tables as t
from ses_complaints.attachments import FileRef, FileResolver, files_attached, placements
from ses_complaints.directory import CompanyEntry, Person
from ses_complaints.extras import ComplaintExtras, FileMeta
from ses_complaints.unit_of_work import ComplaintsUnitOfWork
from ses_complaints.visibility import Viewer, visible_to_company
from ses_core.calendar import OperatingCalendar
from ses_core.errors import NotFound, PermissionDenied
from ses_core.identity import Actor, Side
from ses_core.lifecycle import DEFAULT_DUE_BUSINESS_DAYS, default_due_date, eastern_today
from ses_core.models import Complaint
from ses_core.models.complaint_access import complaint_resource
from ses_core.models.next_actions import Circumstances
from ses_core.permissions import Action, Resource, ResourceKind, not_found_for, require
from ses_core.platform.audit import admit_tenant
from ses_core.platform.grants import FileGrantAction, GrantSigner
from ses_core.platform.messaging import EventCodec
from ses_core.ports import Clock
from ses_core.uploads import AttachmentKind, UploadPolicy


@dataclass(frozen=True)
class Deps:
    """What the handlers need from the process, assembled once by ``bootstrap``."""

    sessions: sessionmaker[Session]
    codec: EventCodec
    clock: Clock
    calendar: OperatingCalendar
    policy: UploadPolicy
    signer: GrantSigner
    grant_ttl: timedelta
    on_commit: Callable[[], None] | None = None
    default_due_business_days: int = DEFAULT_DUE_BUSINESS_DAYS
    # Sessions for calls that change nothing (``read_only_session_factory``); without
    # them reads use ``sessions``.
    read_only_sessions: sessionmaker[Session] | None = None

    @property
    def reads(self) -> sessionmaker[Session]:
        """Sessions for work that only reads: on SQLite they never queue behind writers."""
        return self.read_only_sessions or self.sessions

    def read_transaction(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction of ``reads``' engine, for reads that map rows
        straight to values: no ``Session`` (its bookkeeping is a third of a read's Python)."""
        engine: Engine = self.reads.kw["bind"]
        return engine.begin()

    def unit_of_work(
        self, tenant_id: str, *, session: Session | None = None
    ) -> ComplaintsUnitOfWork:
        return ComplaintsUnitOfWork(
            self.sessions,
            tenant_id=tenant_id,
            codec=self.codec,
            clock=self.clock,
            on_commit=self.on_commit,
            session=session,
        )

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return eastern_today(self.now())

    def default_due_date(self) -> date:
        return default_due_date(self.calendar, self.today(), self.default_due_business_days)


@dataclass(frozen=True)
class ComplaintSnapshot:
    """A complaint as committed, with what its projections need to name people and files."""

    complaint: Complaint
    extras: ComplaintExtras
    company: CompanyEntry | None
    people: Mapping[str, Person]
    updated_at: datetime
    now: datetime
    viewer: Viewer
    circumstances: Circumstances
    """What the handlers would know deciding a command now: its next actions read it."""


class Work:
    """One command on one loaded complaint, inside its unit of work."""

    def __init__(
        self,
        deps: Deps,
        actor: Actor,
        uow: ComplaintsUnitOfWork,
        complaint: Complaint,
        *,
        new: bool = False,
        company: CompanyEntry | None = None,
    ) -> None:
        """``new``: the complaint is being created, so every file it references is new;
        ``company``: its directory entry, when already read in this transaction."""
        if company is not None:
            self.__dict__["company"] = company  # the cached_property's value: not read again
        self.deps = deps
        self.actor = actor
        self.uow = uow
        self.complaint = complaint
        self.now = deps.now()
        self._files_before = frozenset[str]() if new else frozenset(placements(complaint))

    @property
    def session(self) -> Session:
        return self.uow.session

    @property
    def extras(self) -> ComplaintExtras:
        return self.uow.complaints.extras_of(self.complaint)

    @cached_property
    def company(self) -> CompanyEntry | None:
        return directory.company(self.session, self.complaint.company_id)

    def require(self, action: Action, *, restricted: bool = False) -> None:
        require(self.actor, action, complaint_resource(self.complaint, restricted=restricted))

    def files(self, refs: list[FileRef], kind: AttachmentKind) -> dict[str, FileMeta]:
        """Resolve and remember the files a request attaches (see ``attachments``)."""
        resolved = resolve_files(
            self.deps, self.session, self.actor, refs, kind, known=self.extras.files
        )
        self.extras.remember_files(resolved)
        return resolved

    def snapshot(self, people: Mapping[str, Person] | None = None) -> ComplaintSnapshot:
        complaint = self.complaint
        if people is None:
            people = directory.people(self.session, _people_of(complaint))
        return _snapshot(
            self.deps,
            self.actor,
            complaint,
            extras=self.extras,
            company=self.company,
            people=people,
            updated_at=self.uow.complaints.updated_at_of(complaint),
            now=self.now,
        )

    def commit(self) -> ComplaintSnapshot:
        """Commit the change (with ``FilesAttached`` for files it attached) and return the
        complaint as committed."""
        before = self._files_before
        for event in files_attached(self.complaint, before, by=self.actor.user_id, now=self.now):
            self.uow.record(event)
        self._files_before = frozenset(placements(self.complaint))
        people = directory.people(self.session, _people_of(self.complaint))
        _ = self.company  # read inside the transaction, like the people
        self.uow.commit()
        return self.snapshot(people)


def _snapshot(
    deps: Deps,
    actor: Actor,
    complaint: Complaint,
    *,
    extras: ComplaintExtras,
    company: CompanyEntry | None,
    people: Mapping[str, Person],
    updated_at: datetime,
    now: datetime,
) -> ComplaintSnapshot:
    return ComplaintSnapshot(
        complaint=complaint,
        extras=extras,
        company=company,
        people=people,
        updated_at=updated_at,
        now=now,
        viewer=Viewer(actor, complaint),
        circumstances=Circumstances(
            now=now,
            default_due_date=deps.default_due_date(),
            company_receives_requests=(company is None or company.can_receive_information_requests),
        ),
    )


def resolve_files(
    deps: Deps,
    session: Session,
    actor: Actor,
    refs: list[FileRef],
    kind: AttachmentKind,
    *,
    known: Mapping[str, FileMeta],
) -> dict[str, FileMeta]:
    """The checked name and size of each file ``refs`` name (see ``attachments``)."""
    if not refs:
        return {}
    now = deps.now()

    def check_grant(token: str, file_id: str) -> None:
        try:
            grant = deps.signer.verify(token, now=now)
            grant.require(file_id=file_id, user_id=actor.user_id, action=FileGrantAction.ATTACH)
        except PermissionDenied as error:
            raise PermissionDenied(
                f"The attach grant given for file {file_id} is not valid for you or has "
                "expired; take attach_grant_token from CompleteUpload, or from GetFile for a "
                "fresh one.",
                reason=error.reason,
                file_id=file_id,
            ) from None

    resolver = FileResolver(
        actor_id=actor.user_id,
        policy=deps.policy,
        uploaded=directory.uploaded_files(session, [ref.file_id for ref in refs]),
        already_known=known,
        check_grant=check_grant,
    )
    return resolver.resolve(refs, kind)


@contextmanager
def open_complaint(
    deps: Deps,
    actor: Actor,
    complaint_id: str,
    *,
    as_tenant: str | None = None,
    read_only: bool = False,
) -> Iterator[Work]:
    """Load ``complaint_id`` for ``actor`` (see the module docstring); roll back unless committed.

    ``as_tenant`` opens the unit of work for another tenant than the owner: the
    receiving agency accepting a referral commits the complaint as its own.
    ``read_only`` skips the row lock a change takes (PostgreSQL ``FOR UPDATE``) and reads
    in a transaction that cannot write (``Deps.reads``). One statement reads the row,
    which names its owner (routing only): the tenant rule is then the repository's
    (``ComplaintRepository.adopt``), in the same transaction as the command.
    """
    missing = not_found_for(actor, Resource(kind=ResourceKind.COMPLAINT, id=complaint_id))
    session = (deps.reads if read_only else deps.sessions)()
    statement = _COMPLAINT if read_only else _COMPLAINT_FOR_UPDATE
    try:
        session.begin()
        row = session.execute(statement, {"complaint_id": complaint_id}).mappings().first()
    except BaseException:
        session.close()
        raise
    if row is None:
        session.close()
        raise missing
    with deps.unit_of_work(as_tenant or row["tenant_id"], session=session) as uow:
        try:
            complaint = uow.complaints.adopt(row)
        except NotFound:
            raise missing from None
        work = Work(deps, actor, uow, complaint)
        if actor.side is Side.COMPANY and not _reached_company(work):
            raise missing
        work.require(Action.VIEW_COMPLAINT)
        admit_tenant(complaint.tenant_id)  # the audit trail files what follows there
        yield work


def _reached_company(work: Work) -> bool:
    return _reaches(work.actor, work.complaint, work.company)


def _reaches(actor: Actor, complaint: Complaint, company: CompanyEntry | None) -> bool:
    """Whether a company user's company may see ``complaint`` at all (loading step 2)."""
    if actor.company_id != complaint.company_id:
        return False
    return visible_to_company(complaint, company_enrolled=company is not None and company.enrolled)


def view_complaint(
    deps: Deps, actor: Actor, *, complaint_id: str = "", reference_number: str = ""
) -> ComplaintSnapshot:
    """The complaint named by its id (else by its reference number), as ``open_complaint(...,
    read_only=True)`` then ``snapshot()`` would give it, for a call that only reads it.

    The same loading steps in the same order (module docstring), in two statements of
    one read-only transaction instead of five and a ``Session``: the complaint with its
    company's directory entry (one join), then the people it names, read only once the
    caller is known to be allowed to see it. Missing or not the caller's to see → the
    NOT_FOUND of ``not_found_for``, naming what the caller named.
    """
    named = complaint_id or reference_number
    missing = not_found_for(actor, Resource(kind=ResourceKind.COMPLAINT, id=named))
    statement = (
        _COMPLAINT_WITH_COMPANY_BY_ID if complaint_id else _COMPLAINT_WITH_COMPANY_BY_REFERENCE
    )
    with deps.read_transaction() as connection:
        row = connection.execute(statement, {"named": named}).mappings().first()
        if row is None:
            raise missing
        complaint = Complaint.model_validate(row["document"])
        company = _company_of(row)
        if actor.side is Side.COMPANY and not _reaches(actor, complaint, company):
            raise missing
        try:
            require(actor, Action.VIEW_COMPLAINT, complaint_resource(complaint))
        except NotFound:
            if complaint_id:
                raise
            raise missing from None  # naming the reference only, not the id behind it
        people = directory.people(connection, _people_of(complaint))
    return _snapshot(
        deps,
        actor,
        complaint,
        extras=ComplaintExtras.model_validate(row["extras"]),
        company=company,
        people=people,
        updated_at=row["updated_at"],
        now=deps.now(),
    )


_COMPANY_COLUMNS = ("legal_name", "kind", "enrolled_at", "complaints_contact_id")
_COMPLAINT_WITH_COMPANY = select(
    t.complaints.c.document,
    t.complaints.c.extras,
    t.complaints.c.updated_at,
    t.directory_companies.c.company_id.label("directory_company_id"),
    *(t.directory_companies.c[name] for name in _COMPANY_COLUMNS),
).select_from(
    t.complaints.outerjoin(
        t.directory_companies,
        t.directory_companies.c.company_id == t.complaints.c.company_id,
    )
)


# Built once: a statement built per call spent more in SQLAlchemy's construction and
# cache-key walk than in the database.
_COMPLAINT_WITH_COMPANY_BY_ID = _COMPLAINT_WITH_COMPANY.where(
    t.complaints.c.id == bindparam("named")
)
_COMPLAINT_WITH_COMPANY_BY_REFERENCE = _COMPLAINT_WITH_COMPANY.where(
    t.complaints.c.reference_number == bindparam("named")
)
_COMPLAINT = select(t.complaints).where(t.complaints.c.id == bindparam("complaint_id"))
_COMPLAINT_FOR_UPDATE = _COMPLAINT.with_for_update()


def _company_of(row: RowMapping) -> CompanyEntry | None:
    company_id = row["directory_company_id"]
    if company_id is None:
        return None
    return CompanyEntry(company_id, **{name: row[name] for name in _COMPANY_COLUMNS})


def _people_of(complaint: Complaint) -> set[str]:
    ids = {complaint.agency_poc_id, complaint.created_by, *complaint.contributor_ids}
    if complaint.company_poc_id:
        ids.add(complaint.company_poc_id)
    ids.update(note.author_id for note in complaint.research_notes)
    ids.update(violation.added_by for violation in complaint.alleged_violations)
    ids.update(interaction.author_id for interaction in complaint.interactions)
    for ir in complaint.information_requests:
        ids.update(reminder.sent_by for reminder in ir.reminders)
        ids.update(extension.extended_by for extension in ir.extensions)
        ids.update(send_back.sent_back_by for send_back in ir.send_backs)
        ids.update(request.requested_by for request in ir.send_back_requests)
        ids.update(response.submitted_by for response in ir.responses)
        if ir.draft is not None:
            ids.add(ir.draft.saved_by)
    for referral in complaint.referrals:
        ids.add(referral.referred_by)
        if referral.decided_by:
            ids.add(referral.decided_by)
    if complaint.closure is not None:
        ids.add(complaint.closure.closed_by)
    if complaint.cancellation is not None:
        ids.add(complaint.cancellation.canceled_by)
    return ids
