"""Access records: what the services put on file although nothing changed.

Two kinds, both as ``AccessRecorded`` events each service writes through its own outbox
(in a small transaction of its own), so that they reach the audit log the way every
other event does:

- **refused access decisions**: PERMISSION_DENIED; NOT_FOUND that the permission layer
  answered to hide a resource (``ses_core.permissions`` marks it ``HIDDEN``; a genuine
  miss is not recorded: it is a typo, not a decision); UNAUTHENTICATED after a token was
  verified (a deactivated account, a token for another organisation). A call without a
  verified token is not recorded: nobody can be named.
- **reads of restricted content**: a restricted response (or draft) or its files shown to
  the Company POC or to an agency, complainant details the complainant asked to restrict.

Which chain (``refusal_chain``): a refusal inside a complaint the caller may see (the
call was admitted to its agency) goes to that agency's chain, and so does a
PERMISSION_DENIED on a resource of an agency (the caller may know it exists); a hidden
NOT_FOUND goes to the caller's own chain, so that no export tells a company which agency
owns what it probed. Reads go to the chain of the agency that owns the complaint.

There is one ``AccessRecorded`` message per context (``ses.<context>.v1.access_recorded``,
``ACCESS_RECORDED``), so that each service publishes under its own subjects.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from ses_core.audit._records import Outcome
from ses_core.errors import ErrorKind, SesError
from ses_core.events import DomainEvent
from ses_core.permissions import HIDDEN, Resource


class AccessEvent(DomainEvent):
    """An access decision or restricted read, as recorded (see the module docstring).

    ``tenant_id`` is the chain it belongs to. ``method`` is the RPC that was answered;
    ``action`` the permission action decided (or the RPC's name when none was named).
    ``side``, ``organization_id`` and ``roles`` are the caller's authority at the time
    (``roles_of``); ``forwarded_for`` is what ``x-forwarded-for`` claimed.
    """

    context: ClassVar[str] = "core"

    actor_id: str = ""
    side: str = ""
    organization_id: str = ""
    roles: tuple[str, ...] = ()
    method: str = ""
    action: str
    outcome: Outcome
    reason: str = ""
    resource_kind: str = ""
    resource_id: str = ""
    complaint_id: str = ""
    request_id: str = ""
    client_address: str = ""
    forwarded_for: str = ""


def _access_recorded(context: str) -> type[AccessEvent]:
    # One class per context, each named like its proto message (the codec and the subject
    # are derived from the class name and ``context``).
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": "AccessRecorded",
        "__doc__": f"An access decision or restricted read recorded by the {context} service.",
        "context": context,
    }
    return type("AccessRecorded", (AccessEvent,), namespace)


ACCESS_RECORDED: Mapping[str, type[AccessEvent]] = MappingProxyType(
    {
        context: _access_recorded(context)
        for context in ("complaints", "enrollment", "files", "notify")
    }
)


def is_recorded_refusal(error: SesError, *, caller_known: bool) -> bool:
    """Whether ``error`` is a refused access decision the log must keep (module docstring).

    ``caller_known``: the call carried a verified token (the caller can be named).
    """
    if not caller_known:
        return False
    if error.kind in (ErrorKind.DENIED, ErrorKind.UNAUTHENTICATED):
        return True
    return error.kind is ErrorKind.NOT_FOUND and error.details.get(HIDDEN) is True


def refused_resource(error: SesError) -> Resource | None:
    """The resource a permission decision was about, when the error names it."""
    resource = error.details.get("resource")
    return resource if isinstance(resource, Resource) else None


def refusal_chain(error: SesError, *, caller_chain: str, admitted_tenant: str | None) -> str:
    """The chain a refusal goes to (module docstring)."""
    if admitted_tenant:
        return admitted_tenant
    resource = refused_resource(error)
    hidden = error.details.get(HIDDEN) is True
    if not hidden and resource is not None and resource.tenant_id:
        return resource.tenant_id
    return caller_chain
