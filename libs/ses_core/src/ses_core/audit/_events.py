"""Turning an event off the stream into an audit record.

Events name their actor in ``actor_id`` or a ``*_by_user_id`` field and the resource in
their id fields; the record takes the most specific resource an event names
(``RESOURCE_FIELDS``, first match) and the complaint separately. Who made the call and
from where comes from the ``ORIGIN_HEADERS`` the committing service added; the caller's
side, organisation and roles are taken only when the caller is the event's actor (or
the event names none). ``AccessRecorded`` events carry all of that in their payload.

Payloads are the events' proto3 JSON form (field names as in ``events.proto``); an event
this code does not know (a newer producer) still makes a record from what it has.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ses_core.audit._chain import parse_time
from ses_core.audit._records import AuditRecord, Origin, Outcome

ACCESS_EVENT_NAME = "access_recorded"

RESOURCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("file_id", "file"),
    ("upload_id", "upload"),
    ("information_request_id", "information_request"),
    ("note_id", "note"),
    ("interaction_id", "interaction"),
    ("violation_id", "alleged_violation"),
    ("maintenance_window_id", "maintenance_window"),
    ("complaint_id", "complaint"),
    ("user_id", "user"),
    ("company_id", "company"),
    ("agency_id", "agency"),
)


def event_name(subject: str) -> str:
    """``response_submitted`` for ``ses.complaints.v1.response_submitted``."""
    return subject.rsplit(".", 1)[-1]


def record_from_event(
    subject: str, payload: Mapping[str, Any], headers: Mapping[str, str], *, received_at: datetime
) -> AuditRecord:
    """The record of one event (``received_at`` stands in for a missing ``occurred_at``)."""
    name = event_name(subject)
    occurred_at = _time(payload.get("occurred_at"), received_at)
    event_id = _text(payload, "event_id")
    if name == ACCESS_EVENT_NAME:
        return _access_record(event_id, occurred_at, subject, payload)
    origin = Origin.from_headers(headers)
    actor = _actor_of(payload) or origin.user_id
    caller = origin if origin.user_id and origin.user_id == actor else Origin()
    kind, resource_id = _resource_of(payload)
    return AuditRecord(
        event_id=event_id,
        occurred_at=occurred_at,
        source=subject,
        action=name,
        outcome=Outcome.DONE,
        user_id=actor,
        side=caller.side,
        organization_id=caller.organization_id,
        roles=caller.roles,
        resource_kind=kind,
        resource_id=resource_id,
        complaint_id=_text(payload, "complaint_id"),
        request_id=origin.request_id,
        client_address=origin.client_address,
        forwarded_for=origin.forwarded_for,
    )


def _access_record(
    event_id: str, occurred_at: datetime, subject: str, payload: Mapping[str, Any]
) -> AuditRecord:
    outcome = _text(payload, "outcome")
    return AuditRecord(
        event_id=event_id,
        occurred_at=occurred_at,
        source=_text(payload, "method") or subject,
        action=_text(payload, "action") or ACCESS_EVENT_NAME,
        outcome=Outcome(outcome) if outcome in set(Outcome) else Outcome.REFUSED,
        reason=_text(payload, "reason"),
        user_id=_text(payload, "actor_id"),
        side=_text(payload, "side"),
        organization_id=_text(payload, "organization_id"),
        roles=tuple(str(role) for role in payload.get("roles") or ()),
        resource_kind=_text(payload, "resource_kind"),
        resource_id=_text(payload, "resource_id"),
        complaint_id=_text(payload, "complaint_id"),
        request_id=_text(payload, "request_id"),
        client_address=_text(payload, "client_address"),
        forwarded_for=_text(payload, "forwarded_for"),
    )


def _actor_of(payload: Mapping[str, Any]) -> str:
    if actor := _text(payload, "actor_id"):
        return actor
    for key in sorted(payload):
        if key.endswith("_by_user_id") and (value := _text(payload, key)):
            return value
    return ""


def _resource_of(payload: Mapping[str, Any]) -> tuple[str, str]:
    for key, kind in RESOURCE_FIELDS:
        if value := _text(payload, key):
            return kind, value
    return "", ""


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return value if isinstance(value, str) else ""


def _time(value: object, fallback: datetime) -> datetime:
    if isinstance(value, str) and value:
        try:
            return parse_time(value)
        except ValueError:
            return fallback
    return fallback
