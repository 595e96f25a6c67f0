"""The events' AsyncAPI 3.0 document (protos/asyncapi.json) is fresh, complete and valid.

Offline, these tests check what AsyncAPI 3.0 requires of the parts the document uses and
what it promises: a channel per message of every events.proto at the subject the relay
publishes on (``DomainEvent.subject()``), payload schemas with every proto field, the headers
as the platform writes them, and every ``$ref`` resolving. The slow test runs the AsyncAPI
project's own parser (``@asyncapi/parser``: the official JSON Schema of 3.0 plus its rules).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contract_support import PROTOS, REPO, run
from google.protobuf.descriptor import Descriptor
from test_event_contract import DOMAIN_EVENTS

from ses_core.events import DomainEvent
from ses_core.platform.db.unit_of_work import CONTENT_TYPE_HEADER, TENANT_HEADER
from ses_core.platform.messaging.jetstream import MSG_ID_HEADER

DOCUMENT = PROTOS / "asyncapi.json"
GENERATOR = REPO / "scripts" / "gen_asyncapi.py"
CONTEXTS = sorted(p.parent.parent.name for p in PROTOS.rglob("events.proto"))
# AsyncAPI 3.0: keys of channels, operations and components match this.
COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9\.\-_]+$")


def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return document


def event_messages() -> Iterator[tuple[str, Descriptor]]:
    """(context, message) of every message of every events.proto, from the generated stubs."""
    for context in CONTEXTS:
        module = importlib.import_module(f"ses.{context}.v1.events_pb2")
        for message in module.DESCRIPTOR.message_types_by_name.values():
            yield context, message


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def resolve(document: dict[str, Any], reference: str) -> Any:
    assert reference.startswith("#/"), f"{reference} is not a local reference"
    node: Any = document
    for token in reference[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{reference} goes through a non-object"
        assert token in node, f"{reference} does not resolve"
        node = node[token]
    return node


def test_the_committed_document_is_fresh() -> None:
    result = run(sys.executable, GENERATOR, "--check")
    assert result.returncode == 0, result.stderr


def test_a_stale_document_fails_the_check_until_regenerated(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    out.write_text(DOCUMENT.read_text().replace("ComplaintCreated", "ComplaintMade"))
    stale = run(sys.executable, GENERATOR, "--check", "--out", out)
    assert stale.returncode == 1
    assert "is stale" in stale.stderr
    assert "make asyncapi" in stale.stderr

    assert run(sys.executable, GENERATOR, "--out", out).returncode == 0
    assert run(sys.executable, GENERATOR, "--check", "--out", out).returncode == 0
    assert out.read_text() == DOCUMENT.read_text()


def test_the_document_has_the_asyncapi_3_structure() -> None:
    document = load()
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["defaultContentType"] == "application/protobuf"
    for server in document["servers"].values():
        assert server["protocol"] == "nats"
        assert server["host"]
        for variable in re.findall(r"{(\w+)}", server["host"]):
            assert "default" in server["variables"][variable]
    for section in ("channels", "operations"):
        assert all(COMPONENT_KEY.match(key) for key in document[section]), section
    for kind, components in document["components"].items():
        assert all(COMPONENT_KEY.match(key) for key in components), kind
    for channel in document["channels"].values():
        assert channel["address"]
        assert channel["messages"]
    for name, operation in document["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        assert operation["channel"]["$ref"].startswith("#/channels/"), name
        channel = resolve(document, operation["channel"]["$ref"])
        for message in operation["messages"]:
            # 3.0: an operation's messages are a subset of its channel's.
            assert message["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")
            assert resolve(document, message["$ref"]) in channel["messages"].values()


def test_every_reference_resolves() -> None:
    document = load()
    found = list(references(document))
    assert len(found) > 100
    for reference in found:
        resolve(document, reference)


def test_every_event_of_events_proto_has_a_channel_at_its_subject() -> None:
    document = load()
    by_address = {channel["address"]: channel for channel in document["channels"].values()}
    events = list(event_messages())
    assert len(by_address) == len(document["channels"]) == len(events)
    for context, message in events:
        address = f"ses.{context}.v1.{snake(message.name)}"
        assert address in by_address, f"{message.full_name} has no channel at {address}"
        (reference,) = by_address[address]["messages"].values()
        published = resolve(document, reference["$ref"])
        assert published["x-protobuf-message"] == message.full_name
        assert published["contentType"] == "application/protobuf"
        assert published["tags"] == [{"name": context}]


@pytest.mark.parametrize("event_type", DOMAIN_EVENTS, ids=lambda event: event.__name__)
def test_the_relay_subject_of_every_domain_event_is_a_channel(
    event_type: type[DomainEvent],
) -> None:
    assert event_type.subject() in {channel["address"] for channel in load()["channels"].values()}


def test_every_payload_schema_lists_the_fields_of_its_message() -> None:
    document = load()
    messages = document["components"]["messages"]
    for _, message in event_messages():
        payload = resolve(document, messages[message.full_name]["payload"]["$ref"])
        assert payload["type"] == "object"
        assert list(payload["properties"]) == [field.name for field in message.fields]
        occurred_at = payload["properties"]["occurred_at"]
        # A documented field also carries its proto comment as "description".
        assert (occurred_at["type"], occurred_at["format"]) == ("string", "date-time")


def test_every_event_carries_the_headers_the_platform_writes() -> None:
    document = load()
    for message in document["components"]["messages"].values():
        headers = resolve(document, message["headers"]["$ref"])
        assert set(headers["required"]) == {MSG_ID_HEADER, TENANT_HEADER, CONTENT_TYPE_HEADER}
        assert {"Nats-Msg-Id", "ses-tenant", "traceparent"} <= set(headers["properties"])
        assert headers["properties"][CONTENT_TYPE_HEADER]["const"] == message["contentType"]


NODE_PARSER = """
const { Parser } = require("@asyncapi/parser");
const fs = require("fs");
new Parser().parse(fs.readFileSync(process.argv[1], "utf8")).then(({ document, diagnostics }) => {
  const out = diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message,
                                        path: d.path.join("/") }));
  console.log(JSON.stringify({ parsed: document !== undefined, diagnostics: out }));
});
"""
ERROR, WARNING = 0, 1  # spectral's DiagnosticSeverity


def asyncapi_parser(node_tools: Path, document: Path) -> dict[str, Any]:
    result = run(
        "node",
        "-e",
        NODE_PARSER,
        document,
        env={**os.environ, "NODE_PATH": str(node_tools)},
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.mark.slow
def test_the_asyncapi_parser_accepts_the_document(node_tools: Path) -> None:
    report = asyncapi_parser(node_tools, DOCUMENT)
    problems = [d for d in report["diagnostics"] if d["severity"] in (ERROR, WARNING)]
    assert report["parsed"], report["diagnostics"]
    assert not problems, json.dumps(problems, indent=2)


@pytest.mark.slow
def test_the_asyncapi_parser_would_reject_a_broken_document(
    node_tools: Path, tmp_path: Path
) -> None:
    """The parser really validates: an operation without its action is an error."""
    document = load()
    del next(iter(document["operations"].values()))["action"]
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(document))
    report = asyncapi_parser(node_tools, broken)
    assert not report["parsed"]
    assert any(d["severity"] == ERROR for d in report["diagnostics"])
