"""The optional extras stay optional: ``import ses_sdk`` (and a client) loads neither
``ses_sdk.events`` (nats-py) nor ``ses_sdk.testing`` (the server stack)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_the_sdk_and_making_a_client_loads_no_extra() -> None:
    script = (
        "import json, sys\n"
        "import ses_sdk\n"
        "ses_sdk.SesClient('127.0.0.1:1', insecure=True).close()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True
        ).stdout
    )
    unwanted = ("ses_sdk.events", "ses_sdk.testing", "nats", "ses_core", "ses_enrollment")
    assert [name for name in loaded if name.startswith(unwanted)] == []


def test_the_event_subjects_are_those_of_the_asyncapi_document() -> None:
    from pathlib import Path

    from ses_sdk.events import event_types

    document = json.loads(
        (Path(__file__).parents[3] / "protos" / "asyncapi.json").read_text(encoding="utf-8")
    )
    published = {
        channel["address"]: message["x-protobuf-message"]
        for channel in document["channels"].values()
        for message in [
            document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            for ref in channel["messages"].values()
        ]
    }
    known = {
        subject: kind.message_class.DESCRIPTOR.full_name for subject, kind in event_types().items()
    }
    assert known == published


def test_an_event_is_decoded_by_its_subject_and_an_unknown_one_is_none() -> None:
    import pytest
    from google.protobuf.message import DecodeError

    from ses.complaints.v1 import events_pb2
    from ses_sdk.complaints import ComplaintClosed
    from ses_sdk.events import decode_event

    message = events_pb2.ComplaintClosed(event_id="e-1", tenant_id="t-1", complaint_id="c-1")
    headers = {"Nats-Msg-Id": "e-1", "ses-tenant": "t-1"}
    event = decode_event(
        "ses.complaints.v1.complaint_closed", message.SerializeToString(), headers, 3
    )
    assert event is not None
    assert isinstance(event.payload, ComplaintClosed)
    assert (event.event_id, event.tenant, event.delivery) == ("e-1", "t-1", 3)
    assert event.payload.complaint_id == "c-1"
    assert decode_event("ses.complaints.v1.something_newer", b"", headers) is None
    with pytest.raises(DecodeError):
        decode_event("ses.complaints.v1.complaint_closed", b"\xff\xff\xff", headers)
