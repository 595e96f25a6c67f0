"""The REQUIRED marks of complaints.proto are what the server enforces.

For every RPC of ``ComplaintsService``, every request field marked
``(google.api.field_behavior) = REQUIRED`` (and, inside a REQUIRED message, its own
REQUIRED fields: ``details.received_date`` on CreateComplaint) is left empty in an
otherwise complete request: the server must answer INVALID_ARGUMENT with a
``google.rpc.BadRequest`` field violation naming exactly that field. The complete
request itself names ids that do not exist, so it must get past every field check and
fail only on the lookup (NOT_FOUND): an empty required field is refused before
anything is looked up, whatever state the complaint is in.

The database plays no part in these checks, so they run on SQLite only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import grpc
import pytest
from complaints_support import MANAGER, Harness, date_pb, violated_fields
from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from ses.complaints.v1 import complaints_pb2 as pb

pytestmark = [pytest.mark.integration]

SERVICE = pb.DESCRIPTOR.services_by_name["ComplaintsService"]


WELL_FORMED_DATE = date(2099, 6, 1)


def _is_required(field: FieldDescriptor) -> bool:
    behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviors


def required_paths(message: Descriptor, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the REQUIRED fields, descending only into REQUIRED messages (a
    message that may be absent has no required parts: UpdateComplaint's details)."""
    for field in message.fields:
        if not _is_required(field):
            continue
        path = f"{prefix}{field.name}"
        yield path
        if field.message_type is not None:
            yield from required_paths(field.message_type, f"{path}.")


def _fill(message: Message, paths: list[str]) -> None:
    """Set each path to a well-formed value (ids that exist nowhere)."""
    for path in paths:
        *parents, name = path.split(".")
        target = message
        for parent in parents:
            target = getattr(target, parent)
        field = target.DESCRIPTOR.fields_by_name[name]
        if field.message_type is None and field.enum_type is not None:
            setattr(target, name, field.enum_type.values[1].number)
        elif field.message_type is None:
            setattr(target, name, f"missing-{name}")
        elif field.message_type.full_name == "ses.common.v1.Date":
            # Any well-formed date: the empty field is refused before dates are judged.
            getattr(target, name).CopyFrom(date_pb(WELL_FORMED_DATE))
        elif field.message_type.full_name == "google.protobuf.FieldMask":
            getattr(target, name).paths.append("description")
        else:
            getattr(target, name).SetInParent()


def _cases() -> Iterator[tuple[str, str]]:
    for method in SERVICE.methods:
        for path in required_paths(method.input_type):
            yield method.name, path


CASES = list(_cases())


def test_every_rpc_that_names_a_complaint_requires_it() -> None:
    """The marks exist where the server has always refused an empty id."""
    marked = {method for method, path in CASES if path == "complaint_id"}
    naming = {m.name for m in SERVICE.methods if "complaint_id" in m.input_type.fields_by_name}
    # GetComplaint takes complaint_id or reference_number; ListInformationRequests filters.
    assert naming - marked == {"GetComplaint", "ListInformationRequests"}


async def _call(h: Harness, method: str, request: Message) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await h.call(method, request, MANAGER)
    return caught.value


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("harness", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("method", "path"), CASES, ids=[f"{m}.{p}" for m, p in CASES])
async def test_an_empty_required_field_is_invalid_argument_naming_it(
    harness: Harness, method: str, path: str
) -> None:
    request_type = getattr(pb, SERVICE.methods_by_name[method].input_type.name)
    every = list(required_paths(request_type.DESCRIPTOR))
    complete = request_type()
    _fill(complete, every)
    baseline = await _call(harness, method, complete)
    assert baseline.code() == grpc.StatusCode.NOT_FOUND, (baseline.code(), baseline.details())

    without = request_type()
    _fill(without, [p for p in every if p != path and not p.startswith(f"{path}.")])
    error = await _call(harness, method, without)

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    assert violated_fields(error) == [path], error.details()
