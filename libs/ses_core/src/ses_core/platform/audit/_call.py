"""The call being served, as the audit trail needs it: who, from where, what was read.

The gRPC kit's ``AccessAuditInterceptor`` opens one ``AuditedCall`` per call
(``begin_call``) in the call's own ``contextvars`` context; the authentication
interceptor notes the verified identity and the actor the directory made of it; a
handler notes the agency whose complaint it admitted the caller to (``admit_tenant``)
and the restricted content it is about to return (``note_restricted_read``). Handlers
run in worker threads with a copy of the context, which holds the same ``AuditedCall``,
so what they note is seen by the interceptor.

The unit of work reads ``current_origin_headers()`` when it commits: every event a call
commits carries the call's origin (``ses_core.audit.ORIGIN_HEADERS``).

Outside a call (consumers, commands, tests without the kit) every function here does
nothing and ``current_call()`` is None. This module imports nothing of the platform, so
that the database layer can import it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from ses_core.audit import origin_headers
from ses_core.identity import Actor, Identity


@dataclass(frozen=True)
class RestrictedRead:
    """Restricted content a call returns: what, of which complaint, in which agency."""

    tenant_id: str
    action: str
    resource_kind: str
    resource_id: str
    complaint_id: str = ""


@dataclass
class AuditedCall:
    """What the audit trail knows of the call being served (see the module docstring)."""

    method: str
    request_id: str = ""
    client_address: str = ""
    forwarded_for: str = ""
    identity: Identity | None = None
    actor: Actor | None = None
    admitted_tenant: str | None = None
    reads: list[RestrictedRead] = field(default_factory=list)

    def take_reads(self) -> list[RestrictedRead]:
        """The reads noted since the last call, once each."""
        taken, self.reads = self.reads, []
        return taken


_call: ContextVar[AuditedCall | None] = ContextVar("ses_audited_call", default=None)


def begin_call(call: AuditedCall) -> AuditedCall:
    """Make ``call`` the current call's audit record for the rest of its context."""
    _call.set(call)
    return call


def current_call() -> AuditedCall | None:
    return _call.get()


def note_identity(identity: Identity) -> None:
    """The token of the call was verified and proves ``identity``."""
    if (call := _call.get()) is not None:
        call.identity = identity


def note_actor(actor: Actor) -> None:
    """The directory says the caller acts as ``actor`` (their authority for this call)."""
    if (call := _call.get()) is not None:
        call.actor = actor


def admit_tenant(tenant_id: str) -> None:
    """The caller was let into data of agency ``tenant_id`` (a complaint they may see):
    what is refused or read from now on in this call belongs to that agency's chain."""
    if (call := _call.get()) is not None:
        call.admitted_tenant = tenant_id


def note_restricted_read(read: RestrictedRead) -> None:
    """The call is about to return restricted content; it is recorded before it leaves."""
    if (call := _call.get()) is not None and read not in call.reads:
        call.reads.append(read)


def current_origin_headers() -> dict[str, str]:
    """The ``ORIGIN_HEADERS`` of the current call (empty outside a call)."""
    call = _call.get()
    if call is None:
        return {}
    return origin_headers(
        call.actor,
        request_id=call.request_id,
        client_address=call.client_address,
        forwarded_for=call.forwarded_for,
    )
