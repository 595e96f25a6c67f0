"""The consumer that keeps the audit log: every event on ``SES_EVENTS``, appended once.

Durable ``enrollment-audit-log`` on ``ses.>``: each event becomes a record
(``ses_core.audit.record_from_event``) appended to its chain in the same transaction as
the consumer's processed-event claim (``EventConsumer``), so a redelivered event is
appended once. An event is never refused: one this build cannot decode is still put on
file with what its headers say.

Which chain (``chain_of``): the event's ``tenant_id`` (the agency), else its
``ses-tenant`` header, with the enrollment service's own scopes folded in: a company's
scope (``company:<SES Company ID>``) is that company's chain, the directory, users and
identity scopes are the ``platform`` chain. The files service already names a company's
uploads by the bare SES Company ID.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from ses_core.audit import PLATFORM_CHAIN, record_from_event
from ses_core.platform.audit.payloads import payload_of
from ses_core.platform.db import SqlUnitOfWork
from ses_core.platform.messaging import EventCodec, EventConsumer, InboundEvent
from ses_core.ports import Clock
from ses_enrollment.audit.store import append
from ses_enrollment.scopes import DIRECTORY, IDENTITY, USERS, company_scope

if TYPE_CHECKING:
    from nats.js import JetStreamContext

AUDIT_CONSUMER = "enrollment-audit-log"
EVERY_EVENT = "ses.>"
_COMPANY_PREFIX = company_scope("")
_PLATFORM_SCOPES = frozenset({DIRECTORY, USERS, IDENTITY})


def chain_of(tenant_id: str, routing_tenant: str) -> str:
    """The chain an event goes to (see the module docstring)."""
    scope = tenant_id or routing_tenant
    if scope.startswith(_COMPANY_PREFIX):
        return scope.removeprefix(_COMPANY_PREFIX)
    if not scope or scope in _PLATFORM_SCOPES:
        return PLATFORM_CHAIN
    return scope


def keep_on_file(event: InboundEvent, uow: SqlUnitOfWork) -> None:
    payload = payload_of(event)
    now = uow.clock.now()
    record = record_from_event(event.subject, payload, event.headers, received_at=now)
    tenant = payload.get("tenant_id")
    chain = chain_of(tenant if isinstance(tenant, str) else "", event.tenant_id)
    append(uow.session, chain, record, now)


def audit_consumer(
    js: JetStreamContext, sessions: sessionmaker[Session], codec: EventCodec, clock: Clock
) -> EventConsumer[SqlUnitOfWork]:
    def unit_of_work(tenant_id: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, tenant_id=tenant_id, codec=codec, clock=clock)

    return EventConsumer(
        js,
        durable_name=AUDIT_CONSUMER,
        filter_subjects=[EVERY_EVENT],
        handler=keep_on_file,
        unit_of_work=unit_of_work,
        codec=codec,
    )
