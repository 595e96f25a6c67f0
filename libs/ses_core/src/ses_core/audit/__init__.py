"""The tamper-evident audit trail (issue 15), as pure rules: no I/O.

Who did what to which resource, when, from where and with what outcome, one hash chain
per tenant; the enrollment service keeps the log (``ses_enrollment.audit``), every
service feeds it through its outbox (``ses_core.platform.audit``).

* records: :class:`AuditRecord`, :class:`Outcome`, :func:`roles_of`, :func:`actor_chain`,
  :data:`PLATFORM_CHAIN`; the call an event came from travels in :data:`ORIGIN_HEADERS`
  (:func:`origin_headers`, :class:`Origin`); :func:`record_from_event`
* the chain: :class:`AuditEntry`, :class:`ChainHead`, :func:`seal`,
  :data:`GENESIS_HASH`, the canonical form (:func:`canonical_json`,
  :func:`content_hash`, :func:`canonical_time`), export lines
  (:meth:`AuditEntry.line`, :func:`entry_from_line`)
* verification: :func:`verify_chain` → :class:`Finding`; :class:`Checkpoint`,
  :class:`SignedCheckpoint`
* access records: :class:`AccessEvent` and one ``AccessRecorded`` per context
  (:data:`ACCESS_RECORDED`), :func:`is_recorded_refusal`, :func:`refusal_chain`,
  :func:`refused_resource`

Why the log is written from the event stream, not in each service's transaction: one
chain per tenant needs one writer, and the four services each own their database. So
every service writes what it must audit as events through its own outbox, in the same
transaction as the change (domain events already were; refusals and restricted reads
are ``AccessRecorded`` events), and the enrollment service appends each event exactly
once (its processed-event claim commits with the append) to the tenant's chain. That
gives one chain per tenant across the four services, one export, and nothing lost: the
outbox keeps what the broker has not taken, the stream keeps it for the consumer. The
alternative, each service chaining its own entries in its own transaction, needs four
chains per tenant and an export that merges them. The price is a delay: an entry
appears once the event has travelled (normally well under a second).
"""

from ses_core.audit._access import (
    ACCESS_RECORDED,
    AccessEvent,
    is_recorded_refusal,
    refusal_chain,
    refused_resource,
)
from ses_core.audit._chain import (
    GENESIS_HASH,
    AuditEntry,
    ChainHead,
    canonical_json,
    canonical_time,
    content_hash,
    entry_from_line,
    parse_time,
    seal,
)
from ses_core.audit._events import record_from_event
from ses_core.audit._records import (
    ORIGIN_HEADERS,
    PLATFORM_CHAIN,
    AuditRecord,
    Origin,
    Outcome,
    actor_chain,
    origin_headers,
    roles_of,
)
from ses_core.audit._verify import Checkpoint, Finding, SignedCheckpoint, verify_chain

__all__ = [
    "ACCESS_RECORDED",
    "GENESIS_HASH",
    "ORIGIN_HEADERS",
    "PLATFORM_CHAIN",
    "AccessEvent",
    "AuditEntry",
    "AuditRecord",
    "ChainHead",
    "Checkpoint",
    "Finding",
    "Origin",
    "Outcome",
    "SignedCheckpoint",
    "actor_chain",
    "canonical_json",
    "canonical_time",
    "content_hash",
    "entry_from_line",
    "is_recorded_refusal",
    "origin_headers",
    "parse_time",
    "record_from_event",
    "refusal_chain",
    "refused_resource",
    "roles_of",
    "seal",
    "verify_chain",
]
