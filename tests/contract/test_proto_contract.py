"""The protobuf contract that the SDK, the services and clients such as `buf curl` rely on.

The pinned names below are DESIGN §7 and §5 verbatim: renaming or dropping one breaks
every client, so it must fail here first. The contract may grow (more RPCs, fields and
events); these tests only pin what was promised. They read the generated stubs' descriptors,
so they also prove that every proto compiles into importable Python modules.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf.descriptor import (
    Descriptor,
    EnumDescriptor,
    FieldDescriptor,
    FileDescriptor,
    ServiceDescriptor,
)

REPO = Path(__file__).resolve().parents[2]
PROTOS = REPO / "protos"
GENERATOR = REPO / "scripts" / "gen_protos.py"

PINNED_SERVICES: dict[str, tuple[str, ...]] = {
    "ses.enrollment.v1.EnrollmentService": (
        "CreateAgency",
        "CreateAgencyUser",
        "SearchCompanies",
        "GetCompany",
        "RegisterCompany",
        "ImportCompanies",
        "CreateCompanyUser",
        "InitiateEnrollment",
        "SendEnrollmentReminder",
        "GetEnrollment",
        "CompleteEnrollment",
        "ListUsers",
        "UpdateUserRoles",
        "DeactivateUser",
        "AssignCompanyContact",
        "ListOutstandingTasks",
    ),
    "ses.enrollment.v1.AuthService": (
        "ActivateAccount",
        "SignIn",
        "RefreshToken",
        "SignOut",
        "GetJwks",
    ),
    "ses.complaints.v1.ComplaintsService": (
        "CreateComplaint",
        "GetComplaint",
        "ListComplaints",
        "UpdateComplaint",
        "ProceedToProcessing",
        "AssignAgencyPoc",
        "AddInformationRequest",
        "SendInformationRequests",
        "ExtendDueDate",
        "CancelInformationRequest",
        "SendReminder",
        "AssignCompanyPoc",
        "AddContributor",
        "SaveResponseDraft",
        "SendDraftToPoc",
        "SubmitResponse",
        "MarkQuickLook",
        "SendBackResponse",
        "RequestSendBack",
        "AddAllegedViolation",
        "AddResearchNote",
        "PostInteraction",
        "ReferComplaint",
        "DecideReferral",
        "CloseComplaint",
        "CancelComplaint",
        "ListHistory",
        "IssueFileGrant",
    ),
    "ses.files.v1.FilesService": (
        "StartUpload",
        "UploadChunks",
        "GetUploadStatus",
        "CompleteUpload",
        "AbortUpload",
        "GetFile",
        "DownloadFile",
    ),
    "ses.notify.v1.NotifyService": (
        "ListNotifications",
        "MarkRead",
        "GetPreferences",
        "UpdatePreferences",
        "ListDeliveries",
        "ScheduleMaintenance",
        "ListMaintenanceWindows",
        "GetOperatingStatus",
    ),
}

# (client_streaming, server_streaming); every RPC not listed here is unary.
STREAMING_RPCS = {
    "ses.files.v1.FilesService.UploadChunks": (True, False),
    "ses.files.v1.FilesService.DownloadFile": (False, True),
    "ses.enrollment.v1.AuditService.ExportAuditLog": (False, True),
}

PINNED_STATES: dict[str, tuple[str, ...]] = {
    "ses.complaints.v1.ComplaintStatus": (
        "PENDING_REVIEW",
        "OPEN",
        "REFERRAL_PENDING",
        "CLOSED",
        "CANCELED",
    ),
    "ses.complaints.v1.InformationRequestStatus": (
        "DRAFT",
        "SENT_TO_COMPANY",
        "RESPONSE_RECEIVED",
        "SENT_BACK",
        "COMPLETED",
        "CANCELED",
    ),
    "ses.enrollment.v1.EnrollmentStatus": ("NOT_ENROLLED", "INVITED", "ENROLLED", "EXPIRED"),
}
# Names one side's view gives a state, after the machine's states: the company calls a
# response awaiting the agency "Sent" (job aid, step 5).
VIEW_NAMES: dict[str, tuple[str, ...]] = {
    "ses.complaints.v1.InformationRequestStatus": ("RESPONSE_SENT",),
}

EVENT_ENVELOPE = (
    (1, "event_id", FieldDescriptor.TYPE_STRING, None),
    (2, "occurred_at", FieldDescriptor.TYPE_MESSAGE, "google.protobuf.Timestamp"),
    (3, "tenant_id", FieldDescriptor.TYPE_STRING, None),
)


def stub_module(proto: Path) -> ModuleType:
    """The generated ``_pb2`` module of a .proto file under protos/."""
    name = proto.relative_to(PROTOS).with_suffix("").as_posix().replace("/", ".") + "_pb2"
    try:
        return importlib.import_module(name)
    except ImportError as error:
        pytest.fail(f"Cannot import {name} ({error}); run `make stubs` to generate the stubs.")


PROTO_FILES = sorted((PROTOS / "ses").rglob("*.proto"))
EVENT_FILES = [p for p in PROTO_FILES if p.name == "events.proto"]


def file_descriptors() -> list[FileDescriptor]:
    return [stub_module(proto).DESCRIPTOR for proto in PROTO_FILES]


def services() -> dict[str, ServiceDescriptor]:
    return {
        service.full_name: service
        for descriptor in file_descriptors()
        for service in descriptor.services_by_name.values()
    }


def nested_enums(message: Descriptor) -> Iterator[EnumDescriptor]:
    yield from message.enum_types
    for nested in message.nested_types:
        yield from nested_enums(nested)


def all_enums() -> Iterator[EnumDescriptor]:
    for descriptor in file_descriptors():
        yield from descriptor.enum_types_by_name.values()
        for message in descriptor.message_types_by_name.values():
            yield from nested_enums(message)


def find_enum(full_name: str) -> EnumDescriptor:
    return next(enum for enum in all_enums() if enum.full_name == full_name)


def test_every_context_has_its_service_protos_and_events() -> None:
    contexts = {p.relative_to(PROTOS).parts[1] for p in PROTO_FILES}
    assert contexts == {"common", "enrollment", "complaints", "files", "notify"}
    assert {p.parent.parent.name for p in EVENT_FILES} == contexts - {"common"}


@pytest.mark.parametrize("service_name", sorted(PINNED_SERVICES))
def test_design_services_offer_every_pinned_rpc(service_name: str) -> None:
    available = services()
    assert service_name in available, f"{service_name} is missing from the contract"
    methods = set(available[service_name].methods_by_name)
    missing = [rpc for rpc in PINNED_SERVICES[service_name] if rpc not in methods]
    assert not missing, f"{service_name} lacks the RPCs {missing} promised by DESIGN §7"


def test_uploads_stream_from_the_client_and_downloads_to_it() -> None:
    for service in services().values():
        for method in service.methods:
            expected = STREAMING_RPCS.get(method.full_name, (False, False))
            actual = (method.client_streaming, method.server_streaming)
            assert actual == expected, f"{method.full_name} streams as {actual}, not {expected}"


def test_every_rpc_has_its_own_request_and_response_message() -> None:
    for service in services().values():
        for method in service.methods:
            assert method.input_type.name == f"{method.name}Request", method.full_name
            assert method.output_type.name == f"{method.name}Response", method.full_name


def test_every_enum_zero_value_is_unspecified() -> None:
    enums = list(all_enums())
    assert enums
    for enum in enums:
        zero = enum.values_by_number[0].name
        assert zero.endswith("_UNSPECIFIED"), f"{enum.full_name} starts with {zero}"


@pytest.mark.parametrize("enum_name", sorted(PINNED_STATES))
def test_state_enums_mirror_the_design_state_machines(enum_name: str) -> None:
    enum = find_enum(enum_name)
    prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
    names = (*PINNED_STATES[enum_name], *VIEW_NAMES.get(enum_name, ()))
    expected = [f"{prefix}UNSPECIFIED"] + [prefix + name for name in names]
    assert [value.name for value in enum.values] == expected


@pytest.mark.parametrize("events_proto", EVENT_FILES, ids=lambda p: p.parent.parent.name)
def test_every_event_starts_with_id_time_and_tenant(events_proto: Path) -> None:
    messages = stub_module(events_proto).DESCRIPTOR.message_types_by_name.values()
    assert messages, f"{events_proto} declares no event"
    for message in messages:
        for number, name, kind, type_name in EVENT_ENVELOPE:
            field = message.fields_by_number.get(number)
            assert field is not None, f"{message.full_name} has no field {number} ({name})"
            assert (field.name, field.type) == (name, kind), f"{message.full_name}.{field.name}"
            if type_name:
                assert field.message_type.full_name == type_name, f"{message.full_name}.{name}"


def run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def test_stub_check_reports_stale_missing_and_extra_files_until_regenerated(
    tmp_path: Path,
) -> None:
    out = tmp_path / "ses"
    assert run_generator("--out", str(out)).returncode == 0

    (out / "files" / "v1" / "files_pb2.py").write_text("# edited by hand\n")
    (out / "notify" / "v1" / "notify_pb2.pyi").unlink()
    (out / "complaints" / "v1" / "gone_pb2.py").write_text("")
    stale = run_generator("--check", "--out", str(out))
    assert stale.returncode == 1
    assert "stale   files/v1/files_pb2.py" in stale.stderr
    assert "missing notify/v1/notify_pb2.pyi" in stale.stderr
    assert "extra   complaints/v1/gone_pb2.py" in stale.stderr
    assert "make stubs" in stale.stderr

    assert run_generator("--out", str(out)).returncode == 0
    assert run_generator("--check", "--out", str(out)).returncode == 0
    assert not (out / "complaints" / "v1" / "gone_pb2.py").exists()
