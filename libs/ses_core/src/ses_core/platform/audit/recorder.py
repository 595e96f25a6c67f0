"""Writing access records (``ses_core.audit.AccessEvent``) through a service's outbox.

``AccessRecorder`` turns what the gRPC kit saw of a call (``AuditedCall``) into one
``AccessRecorded`` event per refusal or restricted read and commits it in a unit of work
of its own, one per chain (the outbox row's tenant is the chain the entry belongs to).
The audit log's consumer then appends it like any other event.

``AccessLogRouter`` gives the kit's interceptor the recorder of the service that owns a
method, as ``AuthorityRouter`` does for directories: one host may run several services,
each with its own database and outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlalchemy.orm import Session, sessionmaker

from ses_core.audit import (
    ACCESS_RECORDED,
    PLATFORM_CHAIN,
    AccessEvent,
    Outcome,
    actor_chain,
    refusal_chain,
    refused_resource,
    roles_of,
)
from ses_core.errors import SesError
from ses_core.permissions import ResourceKind
from ses_core.platform.audit._call import AuditedCall, RestrictedRead
from ses_core.platform.db import SqlUnitOfWork
from ses_core.platform.grpc._methods import MethodName
from ses_core.platform.messaging import EventCodec
from ses_core.ports import Clock, SystemClock


class AccessRecorder:
    """The ``AccessRecorded`` events of one service (``service`` names its context)."""

    def __init__(
        self,
        service: str,
        sessions: sessionmaker[Session],
        codec: EventCodec,
        *,
        clock: Clock | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        if service not in ACCESS_RECORDED:
            raise ValueError(
                f"No AccessRecorded event for service {service!r}; known: "
                f"{', '.join(sorted(ACCESS_RECORDED))}."
            )
        self._event_type = ACCESS_RECORDED[service]
        self._sessions = sessions
        self._codec = codec
        self._clock = clock or SystemClock()
        self._on_commit = on_commit

    def record_refusal(self, call: AuditedCall, error: SesError) -> None:
        """Record that ``call`` was refused with ``error`` (a recorded refusal)."""
        resource = refused_resource(error)
        caller = _Caller.of(call)
        complaint_id = str(error.details.get("complaint_id") or "")
        if resource is not None and resource.kind is ResourceKind.COMPLAINT:
            complaint_id = resource.id or complaint_id
        event = self._event(
            call,
            chain=refusal_chain(
                error, caller_chain=caller.chain, admitted_tenant=call.admitted_tenant
            ),
            action=str(error.details.get("action") or MethodName.parse(call.method).method),
            outcome=Outcome.REFUSED,
            reason=error.reason,
            resource_kind=resource.kind.value if resource else "",
            resource_id=(resource.id or "") if resource else "",
            complaint_id=complaint_id,
        )
        self._commit([event])

    def record_reads(self, call: AuditedCall, reads: Sequence[RestrictedRead]) -> None:
        """Record that ``call`` returns each of ``reads``."""
        self._commit(
            [
                self._event(
                    call,
                    chain=read.tenant_id,
                    action=read.action,
                    outcome=Outcome.DONE,
                    resource_kind=read.resource_kind,
                    resource_id=read.resource_id,
                    complaint_id=read.complaint_id,
                )
                for read in reads
            ]
        )

    def _event(
        self, call: AuditedCall, *, chain: str, action: str, outcome: Outcome, **facts: str
    ) -> AccessEvent:
        caller = _Caller.of(call)
        return self._event_type(
            occurred_at=self._clock.now(),
            tenant_id=chain,
            actor_id=caller.user_id,
            side=caller.side,
            organization_id=caller.organization_id,
            roles=caller.roles,
            method=call.method,
            action=action,
            outcome=outcome,
            request_id=call.request_id,
            client_address=call.client_address,
            forwarded_for=call.forwarded_for,
            **facts,
        )

    def _commit(self, events: Iterable[AccessEvent]) -> None:
        by_chain: dict[str, list[AccessEvent]] = {}
        for event in events:
            by_chain.setdefault(event.tenant_id, []).append(event)
        for chain, recorded in by_chain.items():
            with SqlUnitOfWork(
                self._sessions,
                tenant_id=chain,
                codec=self._codec,
                clock=self._clock,
                on_commit=self._on_commit,
            ) as uow:
                for event in recorded:
                    uow.record(event)
                uow.commit()


class _Caller:
    """Who made the call: the directory's actor, else the identity a token proved."""

    def __init__(
        self, user_id: str, side: str, organization_id: str, roles: tuple[str, ...], chain: str
    ) -> None:
        self.user_id, self.side, self.organization_id = user_id, side, organization_id
        self.roles, self.chain = roles, chain

    @classmethod
    def of(cls, call: AuditedCall) -> _Caller:
        if call.actor is not None:
            actor = call.actor
            return cls(
                actor.user_id,
                actor.side.value,
                actor.organization_id,
                roles_of(actor),
                actor_chain(actor),
            )
        identity = call.identity
        if identity is None:
            return cls("", "", "", (), PLATFORM_CHAIN)
        return cls(
            identity.user_id or identity.email,
            identity.side.value if identity.side else "",
            identity.organization_id,
            (),
            identity.organization_id or PLATFORM_CHAIN,
        )


class AccessLogRouter:
    """The recorder of the service that owns a method (by full gRPC service name)."""

    def __init__(self, by_service: Mapping[str, AccessRecorder]) -> None:
        self._by_service = dict(by_service)

    def for_method(self, method: str) -> AccessRecorder | None:
        return self._by_service.get(MethodName.parse(method).service)
