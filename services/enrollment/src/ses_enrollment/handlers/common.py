"""What every handler needs: its dependencies, and loading things the caller may see.

Handlers are plain functions ``handler(deps, actor, command) -> view``: they open a unit
of work, load, authorize with ``ses_core.permissions``, call the aggregate and commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from ses_core.accounts import AgencyUser, Company, CompanyAccount, CompanyUser, check_company_id
from ses_core.errors import NotFound, ValidationFailed, quote
from ses_core.identity import Actor, Side
from ses_core.permissions import (
    Action,
    Resource,
    ResourceKind,
    authorize,
    not_found_for,
    refusal,
)
from ses_core.platform.identity import TokenIssuer
from ses_core.platform.messaging import EventCodec
from ses_core.ports import Clock, SystemClock
from ses_enrollment.credentials import Credential, LockoutPolicy
from ses_enrollment.identity_store import PlatformOperator
from ses_enrollment.links import LinkMaker
from ses_enrollment.passwords import Passwords
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork

# The actor of administrative commands run from the ``ses`` command line, whose events
# name it as their author.
CLI_OPERATOR = Actor.platform_operator("ses-cli")


@dataclass(frozen=True)
class Tokens:
    """The embedded identity provider's token issuing (absent with an external issuer).

    Tokens follow the wall clock, not the service's clock: every service verifies them
    against its own wall clock.
    """

    issuer: TokenIssuer
    audience: str
    access_ttl: timedelta
    refresh_ttl: timedelta
    wall_clock: Clock = field(default_factory=SystemClock)

    def issuer_now(self) -> datetime:
        return self.wall_clock.now()


@dataclass(frozen=True)
class Deps:
    sessions: sessionmaker[Session]
    codec: EventCodec
    clock: Clock
    links: LinkMaker
    passwords: Passwords
    lockout: LockoutPolicy
    tokens: Tokens | None = None
    on_commit: Callable[[], None] | None = None
    # Told each user whose authority a commit stated (the host's directory forgets them).
    authority_stated: Callable[[str], None] | None = None

    def unit_of_work(self, scope: str) -> EnrollmentUnitOfWork:
        return EnrollmentUnitOfWork(
            self.sessions,
            tenant_id=scope,
            codec=self.codec,
            clock=self.clock,
            on_commit=self.on_commit,
            authority_stated=self.authority_stated,
        )

    def now(self) -> datetime:
        return self.clock.now()


@dataclass(frozen=True)
class FoundUser:
    """A user found by id, whichever organisation they belong to."""

    credential: Credential
    user: AgencyUser | CompanyUser | PlatformOperator
    account: CompanyAccount | None = None

    @property
    def side(self) -> Side:
        return Side(self.credential.side)


def required(value: str, what: str, field: str, *, reason: str = "id_required") -> str:
    """``value`` without surrounding blanks; refused naming the request ``field`` (a dotted
    path of proto field names) when nothing is left. The protos mark such fields REQUIRED."""
    text = value.strip()
    if not text:
        raise ValidationFailed(
            f"Give {what} ({field}); it cannot be empty.", reason=reason, field=field
        )
    return text


@contextmanager
def naming(field: str) -> Iterator[None]:
    """Name the request ``field`` on a ``ValidationFailed`` raised inside that names none:
    the domain checks a value without knowing which request field carried it."""
    try:
        yield
    except ValidationFailed as error:
        if error.field is None:
            error.field = field
        raise


def requested_company_id(value: str, field: str = "company_id") -> str:
    """The SES Company ID a request names in ``field``; refused when empty or malformed."""
    required(
        value, "the company's SES Company ID, e.g. SES-000123", field, reason="company_id_required"
    )
    with naming(field):
        return check_company_id(value)


def company_resource(company_id: str, kind: ResourceKind = ResourceKind.COMPANY) -> Resource:
    return Resource(kind=kind, id=company_id, company_id=company_id)


def company_id_of(actor: Actor, requested: str) -> str:
    """The company a request names, or the caller's own company when it names none."""
    if requested.strip():
        return requested_company_id(requested)
    if actor.company_id is None:
        raise ValidationFailed(
            "Name the company (company_id, e.g. SES-000123); only company users may leave "
            "it empty to mean their own company.",
            reason="company_id_required",
            field="company_id",
        )
    return actor.company_id


def load_company(uow: EnrollmentUnitOfWork, actor: Actor, company_id: str) -> Company:
    """A directory entry to read; NotFound (worded as for a hidden one) when unknown."""
    company = uow.directory.find(check_company_id(company_id))
    if company is None:
        raise not_found_for(actor, company_resource(company_id))
    return company


def find_user(uow: EnrollmentUnitOfWork, actor: Actor, user_id: str) -> FoundUser:
    """Any user by id, with their credential; NotFound when unknown.

    Whether the caller may act on the user is checked with ``require_on_user``, which
    answers a hidden user exactly like an unknown one.
    """
    wanted = required(user_id, "the user", "user_id")
    credential = uow.identity.credential(wanted)
    if credential is None:
        raise missing_user(actor, wanted)
    side = Side(credential.side)
    if side is Side.AGENCY:
        user = uow.agency_users(credential.organization_id).find(wanted)
        if user is None:
            raise missing_user(actor, wanted)
        return FoundUser(credential, user)
    if side is Side.COMPANY:
        account = uow.accounts(credential.organization_id).get(credential.organization_id)
        member = next((member for member in account.users if member.id == wanted), None)
        if member is None:
            raise missing_user(actor, wanted)
        return FoundUser(credential, member, account)
    operator = uow.identity.operator(wanted)
    if operator is None:
        raise missing_user(actor, wanted)
    return FoundUser(credential, operator)


def require_on_user(actor: Actor, action: Action, found: FoundUser) -> None:
    """``require`` for an action on a user: a user the caller may not see is "not found"."""
    user_id = found.credential.user_id
    if found.side is Side.AGENCY:
        kind, where = ResourceKind.AGENCY_USERS, {"tenant_id": found.credential.organization_id}
    elif found.side is Side.COMPANY:
        kind, where = ResourceKind.COMPANY_USERS, {"company_id": found.credential.organization_id}
    else:
        kind, where = ResourceKind.AGENCY_USERS, {"owner_user_id": user_id}
    resource = Resource(kind=kind, id=user_id, **where)
    decision = authorize(actor, action, resource)
    if not decision.allowed:
        raise refusal(actor, action, resource, decision, hidden_as=missing_user(actor, user_id))


def missing_user(actor: Actor, user_id: str) -> NotFound:
    where = {Side.AGENCY: " in your agency", Side.COMPANY: " for your company"}.get(actor.side, "")
    return NotFound(f"There is no user {quote(user_id)}{where}.", reason="user_not_found")
