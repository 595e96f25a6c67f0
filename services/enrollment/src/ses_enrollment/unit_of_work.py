"""The enrollment unit of work: repositories of several scopes in one transaction.

A command often spans scopes: initiating enrollment changes the company's enrollment
and account (``company:<id>``), reads the directory (``directory``) and the inviting
agency (``agency:<id>``), and issues an activation link (identity tables). One unit of
work holds them all, each repository bound to its own scope (``ses_enrollment.scopes``),
and commits them in one transaction.

Events keep their own ``tenant_id`` (an agency id, or empty for facts no agency caused)
instead of being stamped with the unit of work's tenant as the platform's unit of work
does. Their ``ses-tenant`` header, which consumers need, is that agency id; else
``company:<id>`` for an event naming a company; else the unit of work's own tenant (the
command's main scope).

Committing also states the authority of every user the committed events name (and of
those ``restate_authority`` was asked for) in the same transaction: their rows of
``user_authority`` and the ``UserAuthorityChanged`` statements other services project
(``ses_enrollment.authority``). Once committed, ``authority_stated`` is told each user
id, so that this process's directory drops what it cached about them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from ses_core.events import DomainEvent
from ses_core.platform.db import SqlUnitOfWork, TenantScopedRepository
from ses_core.platform.messaging import EventCodec
from ses_core.ports import Clock, EventSource
from ses_enrollment.authority import state_authority_of, users_named_by
from ses_enrollment.identity_store import IdentityStore
from ses_enrollment.queries import Lookups
from ses_enrollment.repositories import (
    AgencyRepository,
    AgencyUserRepository,
    CompanyAccountRepository,
    CompanyRepository,
    EnrollmentRepository,
)
from ses_enrollment.scopes import DIRECTORY, agency_scope, company_scope

RepositoryT = TypeVar("RepositoryT", bound=TenantScopedRepository[Any])


class EnrollmentUnitOfWork(SqlUnitOfWork):
    _scoped: dict[tuple[type[Any], str], TenantScopedRepository[Any]]
    _restate: list[str]

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tenant_id: str,
        codec: EventCodec,
        clock: Clock | None = None,
        on_commit: Callable[[], None] | None = None,
        authority_stated: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(
            sessions, tenant_id=tenant_id, codec=codec, clock=clock, on_commit=on_commit
        )
        self._authority_stated = authority_stated

    def _open_repositories(self) -> None:
        self._scoped = {}
        self._restate = []

    def _in_scope(self, repository_type: type[RepositoryT], scope: str) -> RepositoryT:
        key = (repository_type, scope)
        existing = self._scoped.get(key)
        if existing is None:
            existing = repository_type(self.session, scope, self._tracker)
            self._scoped[key] = existing
        return existing  # type: ignore[return-value]

    def agencies(self, agency_id: str) -> AgencyRepository:
        return self._in_scope(AgencyRepository, agency_scope(agency_id))

    def agency_users(self, agency_id: str) -> AgencyUserRepository:
        return self._in_scope(AgencyUserRepository, agency_scope(agency_id))

    @property
    def directory(self) -> CompanyRepository:
        return self._in_scope(CompanyRepository, DIRECTORY)

    def accounts(self, company_id: str) -> CompanyAccountRepository:
        return self._in_scope(CompanyAccountRepository, company_scope(company_id))

    def enrollments(self, company_id: str) -> EnrollmentRepository:
        return self._in_scope(EnrollmentRepository, company_scope(company_id))

    @property
    def identity(self) -> IdentityStore:
        return IdentityStore(self.session)

    @property
    def lookups(self) -> Lookups:
        return Lookups(self.session)

    def restate_authority(self, user_id: str) -> None:
        """State ``user_id``'s authority when this unit of work commits."""
        self._restate.append(user_id)

    def commit(self) -> None:
        users = [*self._restate]
        for event in self._pending_events():
            users.extend(users_named_by(event))
        self._restate.clear()
        statements = state_authority_of(self, users, self.clock.now())
        for statement in statements:
            self.record(statement)
        super().commit()
        if self._authority_stated is not None:
            for statement in statements:
                self._authority_stated(statement.user_id)

    def _pending_events(self) -> list[DomainEvent]:
        pending = [
            event
            for entry in self._tracker
            if isinstance(entry.aggregate, EventSource)
            for event in entry.aggregate.events
        ]
        return [*pending, *self._recorded]

    def _stamp(self, event: DomainEvent) -> tuple[DomainEvent, str]:
        # The base stamps every event with the unit of work's tenant and refuses others;
        # here an event's tenant is the agency involved (or none), whatever scope changed.
        company_id = getattr(event, "company_id", "")
        routing_tenant = event.tenant_id or (company_id and company_scope(company_id))
        return event, routing_tenant or self.tenant_id
