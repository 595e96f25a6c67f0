"""The domain events and their NATS contract (protos/ses/<context>/v1/events.proto) agree.

The platform codec turns an event ``X`` of context ``c`` into ``ses.c.v1.events_pb2.X`` through
the event's JSON form, so the proto must mirror each event field for field: same names, and a
proto type whose JSON mapping reads and writes what pydantic dumps (strings for ids, enums,
calendar dates and decimals; Timestamp for datetimes; repeated for sequences; optional for
``X | None``). These tests find every concrete event in the domain packages, so a new event or
field without its proto counterpart fails here rather than at the first commit that raises it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ses_core.events import DomainEvent
from ses_core.platform.messaging import ProtobufEventCodec

DOMAIN_PACKAGES = (
    "ses_core.models",
    "ses_core.accounts",
    "ses_core.notifications",
    "ses_core.audit",
)

# Proto event messages that no domain class raises yet: their services are not written. Remove
# a name once its domain event exists; add one only for an event a service will raise.
RAISED_BY_UNWRITTEN_SERVICES: dict[str, frozenset[str]] = {}
CONTEXTS = ("complaints", "enrollment", "files", "notify")

# A user belongs to an agency or a company: user events name exactly one of these.
ONE_ORGANIZATION = ("agency_id", "company_id")

TIMESTAMP = "google.protobuf.Timestamp"
SCALAR_NAMES = {
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_INT64: "int64",
}


def _event_label(event_type: type[DomainEvent]) -> str:
    return f"{event_type.context}.{event_type.__name__}"


def _import_domain_modules() -> None:
    for package_name in DOMAIN_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            importlib.import_module(module.name)


def _all_subclasses(cls: type[DomainEvent]) -> Iterator[type[DomainEvent]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _all_subclasses(subclass)


def _domain_event_classes() -> tuple[list[type[DomainEvent]], list[type[DomainEvent]]]:
    """(concrete events, their bases) declared in the domain packages.

    Only classes of the domain packages count, so events that tests declare for themselves
    neither join the contract nor turn a domain event into a "base".
    """
    _import_domain_modules()
    declared = {
        cls
        for cls in _all_subclasses(DomainEvent)
        if cls.__module__.startswith(tuple(f"{name}." for name in DOMAIN_PACKAGES))
    }
    bases = {base for cls in declared for base in cls.__mro__[1:] if base in declared}
    return sorted(declared - bases, key=_event_label), sorted(bases, key=_event_label)


DOMAIN_EVENTS, EVENT_BASES = _domain_event_classes()
CODEC = ProtobufEventCodec()


def _events_module(context: str) -> types.ModuleType:
    name = f"ses.{context}.v1.events_pb2"
    try:
        return importlib.import_module(name)
    except ImportError as error:
        pytest.fail(f"Cannot import {name} ({error}); run `make stubs` to generate the stubs.")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --- shapes: what the proto must declare for a domain field, and what it declares -----------


def _optional_member(annotation: Any) -> Any | None:
    """``X`` for ``X | None``, else None."""
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1 and len(typing.get_args(annotation)) == 2:
            return members[0]
    return None


def _sequence_item(annotation: Any) -> Any | None:
    """``X`` for ``tuple[X, ...]`` and ``list[X]``, else None."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and len(args) == 1:
        return args[0]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


def _expected_shapes(annotation: Any) -> frozenset[str]:
    """The proto field shapes whose JSON mapping round-trips a field of this annotation."""
    if (member := _optional_member(annotation)) is not None:
        inner = _expected_shapes(member)
        # Message fields always have presence; scalars need proto3 `optional` to tell
        # None from "" or 0.
        return frozenset(
            shape if shape == TIMESTAMP or shape.startswith("message ") else f"optional {shape}"
            for shape in inner
        )
    if (item := _sequence_item(annotation)) is not None:
        return frozenset(f"repeated {shape}" for shape in _expected_shapes(item))
    if isinstance(annotation, type):
        if issubclass(annotation, Enum) or annotation in (str, Decimal):
            return frozenset({"string"})
        if annotation is bool:
            return frozenset({"bool"})
        if annotation is int:
            return frozenset({"int32", "int64"})
        if annotation is date:
            # ISO 8601 calendar date: the JSON mapping cannot read it into a ses.common.v1.Date.
            return frozenset({"string"})
        if annotation is datetime:
            return frozenset({TIMESTAMP})
        if issubclass(annotation, BaseModel):
            return frozenset({f"message {annotation.__name__}"})
    raise TypeError(
        f"The event contract test does not know how {annotation!r} travels; teach "
        "_expected_shapes and _sample about it."
    )


def _proto_shape(field: FieldDescriptor) -> str:
    if field.message_type is not None:
        name = field.message_type.full_name
        base = name if name == TIMESTAMP else f"message {field.message_type.name}"
    elif field.enum_type is not None:
        base = f"enum {field.enum_type.full_name}"
    else:
        base = SCALAR_NAMES.get(field.type, f"scalar type {field.type}")
    if field.is_repeated:
        return f"repeated {base}"
    if field.has_presence and field.message_type is None:
        return f"optional {base}"
    return base


def _shape_mismatches(model: type[BaseModel], message: Descriptor | Any) -> list[str]:
    """Sentences naming each field where ``model`` and the proto ``message`` disagree."""
    where = f"{model.__name__} (proto {message.full_name})"
    problems: list[str] = []
    model_fields, proto_fields = model.model_fields, message.fields_by_name
    for name in sorted(model_fields.keys() - proto_fields.keys()):
        problems.append(f"{where}: the proto lacks the field {name!r}.")
    for name in sorted(proto_fields.keys() - model_fields.keys()):
        problems.append(f"{where}: the proto's field {name!r} is not in the domain event.")
    for name in sorted(model_fields.keys() & proto_fields.keys()):
        annotation = model_fields[name].annotation
        expected, actual = _expected_shapes(annotation), _proto_shape(proto_fields[name])
        if actual not in expected:
            problems.append(
                f"{where}.{name}: the domain's {annotation!r} needs the proto field to be "
                f"{' or '.join(sorted(expected))}, not {actual}."
            )
        elif actual.startswith("message "):
            nested = _optional_member(annotation) or _sequence_item(annotation) or annotation
            nested_model = typing.cast(type[BaseModel], nested)
            problems.extend(_shape_mismatches(nested_model, proto_fields[name].message_type))
    return problems


# --- samples: hypothesis strategies for any event, from its field annotations --------------

TEXT = st.text(max_size=12)
EASTERN_STANDARD = timezone(timedelta(hours=-5))


def _sample(annotation: Any) -> st.SearchStrategy[Any]:
    if (member := _optional_member(annotation)) is not None:
        return st.none() | _sample(member)
    origin = typing.get_origin(annotation)
    if (item := _sequence_item(annotation)) is not None:
        items = st.lists(_sample(item), max_size=3)
        return items.map(tuple) if origin is tuple else items
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return st.sampled_from(annotation)
        if annotation is str:
            return TEXT
        if annotation is bool:
            return st.booleans()
        if annotation is int:
            return st.integers(min_value=0, max_value=2**31 - 1)
        if annotation is datetime:
            # Aware only (a Timestamp is an instant); an offset other than UTC must come back
            # as the same instant.
            return st.datetimes(
                min_value=datetime(1900, 1, 2),
                max_value=datetime(2200, 1, 1),
                timezones=st.sampled_from([UTC, EASTERN_STANDARD]),
            )
        if annotation is date:
            return st.dates()
        if annotation is Decimal:
            return st.decimals(
                min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False
            )
        if issubclass(annotation, BaseModel):
            return _model_sample(annotation)
    raise TypeError(f"No sample for {annotation!r}; teach _sample about it.")


def _model_sample(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    fields = {name: _sample(info.annotation) for name, info in model.model_fields.items()}

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        values = draw(st.fixed_dictionaries(fields))
        if set(ONE_ORGANIZATION) <= values.keys():
            kept = draw(st.sampled_from(ONE_ORGANIZATION))
            values.update(dict.fromkeys(ONE_ORGANIZATION, ""))
            values[kept] = draw(st.text(min_size=1, max_size=12))
        return model.model_validate(values)

    return build()


# --- the contract ----------------------------------------------------------------------------


def test_the_domain_declares_events_of_every_context_with_a_domain() -> None:
    assert {event.context for event in DOMAIN_EVENTS} == {
        "complaints",
        "enrollment",
        "files",
        "notify",
    }
    assert {
        "ComplaintCreated",
        "EnrollmentInitiated",
        "UserCreated",
        "MaintenanceWindowScheduled",
    } <= {event.__name__ for event in DOMAIN_EVENTS}


def test_event_bases_are_recognisable_as_bases() -> None:
    """A subclassed concrete event would silently drop out of the contract; forbid that."""
    misnamed = [
        base.__name__
        for base in EVENT_BASES
        if not (base.__name__.endswith("Event") or base.__name__.startswith("_"))
    ]
    assert not misnamed, f"{misnamed} are subclassed, so they are bases and not events: rename"


@pytest.mark.parametrize("event_type", DOMAIN_EVENTS, ids=_event_label)
def test_every_domain_event_has_its_proto_message(event_type: type[DomainEvent]) -> None:
    message = CODEC.message_type(event_type).DESCRIPTOR
    assert message.full_name == f"ses.{event_type.context}.v1.{event_type.__name__}"
    assert message.file.name == f"ses/{event_type.context}/v1/events.proto"


@pytest.mark.parametrize("event_type", DOMAIN_EVENTS, ids=_event_label)
def test_proto_fields_match_the_event_json_shape(event_type: type[DomainEvent]) -> None:
    problems = _shape_mismatches(event_type, CODEC.message_type(event_type).DESCRIPTOR)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("event_type", DOMAIN_EVENTS, ids=_event_label)
def test_the_subject_names_the_proto_message(event_type: type[DomainEvent]) -> None:
    message = CODEC.message_type(event_type).DESCRIPTOR
    assert event_type.subject() == f"{message.file.package}.{_snake(message.name)}"
    assert event_type.subject() == f"ses.{event_type.context}.v1.{_snake(event_type.__name__)}"


@pytest.mark.parametrize("event_type", DOMAIN_EVENTS, ids=_event_label)
def test_events_round_trip_through_the_protobuf_codec(event_type: type[DomainEvent]) -> None:
    @settings(max_examples=20, deadline=None)
    @given(event=_model_sample(event_type))
    def round_trip(event: DomainEvent) -> None:
        assert CODEC.decode(event_type, CODEC.encode(event)) == event

    round_trip()


@pytest.mark.parametrize("event_type", DOMAIN_EVENTS, ids=_event_label)
def test_events_with_every_field_at_its_default_round_trip(event_type: type[DomainEvent]) -> None:
    """Defaults are what proto3 leaves off the wire: empty strings, False, 0, no list, None."""
    values = {
        name: _minimal(info.annotation)
        for name, info in event_type.model_fields.items()
        if info.is_required()
    }
    if set(ONE_ORGANIZATION) <= event_type.model_fields.keys():
        values["agency_id"] = "agency-1"
    event = event_type.model_validate(values)
    assert CODEC.decode(event_type, CODEC.encode(event)) == event


def _minimal(annotation: Any) -> Any:
    samples = {str: "", bool: False, int: 0, Decimal: Decimal(0)}
    if annotation in samples:
        return samples[annotation]
    if annotation is datetime:
        return datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    if annotation is date:
        return date(2026, 1, 5)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation))
    if _sequence_item(annotation) is not None:
        return []
    raise TypeError(f"No minimal value for {annotation!r}; teach _minimal about it.")


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_proto_event_has_a_domain_class(context: str) -> None:
    """The contract does not drift: a message nobody raises is removed or allowlisted."""
    declared = set(_events_module(context).DESCRIPTOR.message_types_by_name)
    raised = {event.__name__ for event in DOMAIN_EVENTS if event.context == context}
    allowed = RAISED_BY_UNWRITTEN_SERVICES.get(context, frozenset())
    orphans = sorted(declared - raised - allowed)
    assert not orphans, (
        f"protos/ses/{context}/v1/events.proto declares {orphans}, which no domain event "
        "raises: remove them, or allowlist events of services not written yet."
    )
    stale = sorted(allowed & raised)
    assert not stale, f"{stale} now have domain classes: drop them from the allowlist."
    missing = sorted(allowed - declared)
    assert not missing, f"The allowlist names {missing}, which events.proto does not declare."
