"""The projection of the enrollment service's authority statements, in one service's database.

``authority_consumer`` is a durable consumer (``<service>-authority``) of
``ses.enrollment.v1.user_authority_changed`` that applies each statement once
(``processed_events``) and keeps, per user, the statement with the highest version
(``record_authority``). Statements are whole (every field of the user's authority), so
the projection needs no history: a duplicate, a redelivery or a statement arriving after
a newer one changes nothing, and the first statement ever seen about a user (even one
saying they are deactivated) makes a complete row.

Latency matters more than throughput here (DESIGN §6: a change reaches every service
within seconds), so the consumer fetches one message at a time: a batch fetch waits for
its batch to fill or its timeout to pass before returning what arrived.

The stream keeps events for 30 days, so a database that starts empty later than that
learns of older users only when the enrollment service restates them (``ses authority
restate``, see ``deploy/README.md``).
"""

from __future__ import annotations

from nats.js import JetStreamContext
from sqlalchemy.orm import Session, sessionmaker

from ses_core.accounts import UserAuthority, UserAuthorityChanged
from ses_core.platform.authority._store import record_authority
from ses_core.platform.db.unit_of_work import SqlUnitOfWork
from ses_core.platform.messaging.codec import EventCodec
from ses_core.platform.messaging.consumer import EventConsumer, InboundEvent
from ses_core.ports import Clock

SUBJECT = UserAuthorityChanged.subject()


def apply_statement(event: InboundEvent, uow: SqlUnitOfWork) -> None:
    """Keep the statement in ``event`` unless a newer one about the user is stored."""
    statement = event.decode(UserAuthorityChanged)
    record_authority(uow.session, UserAuthority.stated_by(statement), uow.clock.now())


def authority_consumer(
    js: JetStreamContext,
    sessions: sessionmaker[Session],
    *,
    service: str,
    codec: EventCodec,
    clock: Clock,
) -> EventConsumer[SqlUnitOfWork]:
    """The consumer that keeps ``service``'s ``user_authority`` table (run its ``run``)."""

    def unit_of_work(tenant_id: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, tenant_id=tenant_id, codec=codec, clock=clock)

    return EventConsumer(
        js,
        durable_name=f"{service}-authority",
        filter_subjects=[SUBJECT],
        handler=apply_statement,
        unit_of_work=unit_of_work,
        codec=codec,
        backoff=(0.5, 2.0, 10.0, 60.0),
        batch_size=1,
        fetch_timeout=1.0,
    )


__all__ = ["SUBJECT", "apply_statement", "authority_consumer"]
