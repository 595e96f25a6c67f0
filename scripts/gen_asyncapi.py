"""Generate the AsyncAPI 3.0 document of the SES domain events: protos/asyncapi.json.

    .venv/bin/python scripts/gen_asyncapi.py           # rewrite it if the events changed
    .venv/bin/python scripts/gen_asyncapi.py --check   # exit 1 when it is stale

What it is made of, so that it cannot drift from what the services send:
- the messages, fields and comments of every ``protos/ses/<context>/v1/events.proto``,
  compiled with source info by ``gen_protos.compile_descriptor_set`` (the stubs' protoc);
- the subject of each event from ``ses_core.events.event_subject``, the rule the outbox
  uses (``ses.<context>.v1.<event_name>``);
- the stream, the header names and the content type from the platform's messaging code,
  which writes them (``Nats-Msg-Id``, ``ses-tenant``, ``content-type``, W3C trace context,
  and the audit trail's origin headers of ``ses_core.audit``).

Design choices:
- The SES platform is the application described: one channel per event (its address is the
  subject) and one ``send`` operation per channel. Consumers read it the other way round.
- Payload schemas are AsyncAPI (JSON) Schemas of each message's proto3 JSON mapping, with the
  proto field names as property names, because that is the schema format every AsyncAPI 3.0
  tool reads; the protobuf schema format needs a parser plugin most tools lack. The wire is
  binary protobuf all the same: every message says ``contentType: application/protobuf`` and
  names the protobuf message that decodes it in ``x-protobuf-message`` (its descriptor ships
  in ``ses.contract``). 64-bit integers accept both JSON forms the mapping allows.
- JSON rather than YAML: AsyncAPI reads both, and JSON needs no dependency beyond Python.
- The server's host is a variable: it is whatever the deployment sets in SES_NATS__URL.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gen_protos import DEFAULT_PROTOS, REPO, GenerationError, compile_descriptor_set, display
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from ses_core.audit._records import (
    ACTOR_HEADER,
    CLIENT_ADDRESS_HEADER,
    FORWARDED_FOR_HEADER,
    ORGANIZATION_HEADER,
    ORIGIN_HEADERS,
    REQUEST_ID_HEADER,
    ROLES_HEADER,
    SIDE_HEADER,
)
from ses_core.events import event_subject
from ses_core.notifications import PLATFORM_TENANT
from ses_core.platform.db.unit_of_work import CONTENT_TYPE_HEADER, TENANT_HEADER
from ses_core.platform.messaging import EVENTS_STREAM, ProtobufEventCodec
from ses_core.platform.messaging.jetstream import DUPLICATE_WINDOW, EVENTS_SUBJECTS, MSG_ID_HEADER
from ses_enrollment.scopes import DIRECTORY, IDENTITY, USERS, company_scope

DEFAULT_OUT = REPO / "protos" / "asyncapi.json"
ASYNCAPI_VERSION = "3.0.0"
EVENTS_FILE = re.compile(r"^ses/(?P<context>[a-z_]+)/v1/events\.proto$")
HEADERS_SCHEMA = "EventHeaders"
SERVER = "nats"
CONTENT_TYPE = ProtobufEventCodec.content_type
TRACE_HEADER_PATTERN = "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"

# Field numbers of descriptor.proto, as SourceCodeInfo.Location paths use them.
FILE_PACKAGE, FILE_MESSAGE = 2, 4
MESSAGE_FIELD, MESSAGE_NESTED, MESSAGE_ENUM = 2, 3, 4
FILE_ENUM, ENUM_VALUE = 5, 2

INT32_TYPES = {
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SFIXED32,
}
UINT32_TYPES = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
INT64_TYPES = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
}
UINT64_TYPES = {FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64}

# Well-known types have their own JSON form in the proto3 mapping, not their fields'.
WELL_KNOWN_SCHEMAS: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$"},
}


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def clean_comment(text: str) -> str:
    """A proto comment as prose: the space after ``//`` dropped, paragraphs kept."""
    lines = [line[1:] if line.startswith(" ") else line for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip()


def summary(description: str) -> str:
    """The first sentence of a comment, on one line."""
    paragraph = " ".join(description.split("\n\n", 1)[0].split())
    sentence = re.split(r"(?<=[.:;])\s", paragraph, maxsplit=1)[0]
    return sentence


def located_comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    return {
        tuple(location.path): location.leading_comments or location.trailing_comments
        for location in file.source_code_info.location
    }


def file_comment(file: descriptor_pb2.FileDescriptorProto) -> str:
    """The comment above the ``package`` line: what the file is about."""
    return clean_comment(located_comments(file).get((FILE_PACKAGE,), ""))


def comments_by_name(file: descriptor_pb2.FileDescriptorProto) -> dict[str, str]:
    """Leading (else trailing) comment of every message, field, enum and value, by full name."""
    located = located_comments(file)
    found: dict[str, str] = {}

    def enum(proto: descriptor_pb2.EnumDescriptorProto, scope: str, path: tuple[int, ...]) -> None:
        name = f"{scope}.{proto.name}"
        found[name] = located.get(path, "")
        for index, value in enumerate(proto.value):
            found[f"{name}.{value.name}"] = located.get((*path, ENUM_VALUE, index), "")

    def message(proto: descriptor_pb2.DescriptorProto, scope: str, path: tuple[int, ...]) -> None:
        name = f"{scope}.{proto.name}"
        found[name] = located.get(path, "")
        for index, field in enumerate(proto.field):
            found[f"{name}.{field.name}"] = located.get((*path, MESSAGE_FIELD, index), "")
        for index, nested in enumerate(proto.nested_type):
            message(nested, name, (*path, MESSAGE_NESTED, index))
        for index, nested_enum in enumerate(proto.enum_type):
            enum(nested_enum, name, (*path, MESSAGE_ENUM, index))

    for index, proto in enumerate(file.message_type):
        message(proto, file.package, (FILE_MESSAGE, index))
    for index, proto in enumerate(file.enum_type):
        enum(proto, file.package, (FILE_ENUM, index))
    return {name: clean_comment(text) for name, text in found.items()}


class SchemaWriter:
    """JSON Schemas of protobuf messages (proto3 JSON mapping), collected for components."""

    def __init__(self, comments: dict[str, str]) -> None:
        self.comments = comments
        self.schemas: dict[str, dict[str, Any]] = {}

    def message(self, message: Descriptor) -> dict[str, str]:
        """A reference to the schema of ``message``, written (with its fields') on first use."""
        if message.full_name in WELL_KNOWN_SCHEMAS:
            return dict(WELL_KNOWN_SCHEMAS[message.full_name])
        if message.full_name.startswith("google.protobuf."):
            raise GenerationError(
                f"gen_asyncapi.py does not know the JSON form of {message.full_name}; add it "
                "to WELL_KNOWN_SCHEMAS (see the proto3 JSON mapping)."
            )
        if message.full_name not in self.schemas:
            schema: dict[str, Any] = {"type": "object", "title": message.name}
            self.schemas[message.full_name] = schema
            if description := self.comments.get(message.full_name):
                schema["description"] = description
            schema["properties"] = {field.name: self.field(field) for field in message.fields}
        return schema_ref(message.full_name)

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        message = field.message_type
        if message is not None and message.GetOptions().map_entry:
            value = self.single(message.fields_by_name["value"])
            schema: dict[str, Any] = {"type": "object", "additionalProperties": value}
        elif field.is_repeated:
            schema = {"type": "array", "items": self.single(field)}
        else:
            schema = self.single(field)
        description = self.comments.get(field.full_name)
        if not description:
            return schema
        if "$ref" in schema:  # siblings of $ref are ignored: wrap it to keep the description
            schema = {"allOf": [schema]}
        return {"description": description, **schema}

    def single(self, field: FieldDescriptor) -> dict[str, Any]:
        kind = field.type
        if field.message_type is not None:
            return self.message(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        if kind == FieldDescriptor.TYPE_STRING:
            return {"type": "string"}
        if kind == FieldDescriptor.TYPE_BOOL:
            return {"type": "boolean"}
        if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            return {"type": "number"}
        if kind == FieldDescriptor.TYPE_BYTES:
            return {"type": "string", "contentEncoding": "base64"}
        if kind in INT32_TYPES:
            return {"type": "integer", "format": "int32"}
        if kind in UINT32_TYPES:
            return {"type": "integer", "format": "int32", "minimum": 0}
        if kind in INT64_TYPES | UINT64_TYPES:
            # The mapping prints 64-bit integers as decimal strings and reads numbers too.
            sign = "" if kind in UINT64_TYPES else "-?"
            return {"type": ["string", "integer"], "format": "int64", "pattern": f"^{sign}[0-9]+$"}
        raise GenerationError(f"{field.full_name}: no JSON Schema for protobuf type {kind}.")


def event_files(
    descriptor_set: descriptor_pb2.FileDescriptorSet,
) -> Iterator[tuple[str, descriptor_pb2.FileDescriptorProto]]:
    """(context, file) of every events.proto, in the order of their names."""
    for file in sorted(descriptor_set.file, key=lambda file: file.name):
        if match := EVENTS_FILE.match(file.name):
            context = match["context"]
            if file.package != f"ses.{context}.v1":
                raise GenerationError(
                    f"{file.name} declares package {file.package}; events of context "
                    f"{context} belong to package ses.{context}.v1."
                )
            yield context, file


def headers_schema() -> dict[str, Any]:
    window = int(DUPLICATE_WINDOW.total_seconds() // 60)
    return {
        "type": "object",
        "title": "Event headers",
        "description": "NATS headers of every event, as the outbox and its relay write them.",
        "required": [MSG_ID_HEADER, TENANT_HEADER, CONTENT_TYPE_HEADER],
        "properties": {
            MSG_ID_HEADER: {
                "type": "string",
                "description": (
                    "The event's event_id (a UUID), unique per event. JetStream drops a message "
                    f"whose id it saw within the last {window} minutes (the {EVENTS_STREAM} "
                    "duplicate window); consumers drop redeliveries by it."
                ),
            },
            TENANT_HEADER: {
                "type": "string",
                "minLength": 1,
                "description": (
                    "The tenant a consumer processes the event for: the agency's id for an "
                    f"agency's data; `{PLATFORM_TENANT}` for platform-wide facts (maintenance "
                    "windows); for an enrollment event that no agency caused, the scope of the "
                    f"company it names (`{company_scope('<SES Company ID>')}`), else of the "
                    f"command (`{DIRECTORY}`, `{USERS}`, `{IDENTITY}`). Never empty, even when "
                    "the payload's tenant_id is."
                ),
            },
            CONTENT_TYPE_HEADER: {
                "type": "string",
                "const": CONTENT_TYPE,
                "description": "The payload is the event's protobuf message, binary encoded.",
            },
            "traceparent": {
                "type": "string",
                "pattern": TRACE_HEADER_PATTERN,
                "description": (
                    "W3C Trace Context of the span that published the event, itself a child of "
                    "the command that raised it, so a consumer's span joins that trace. Absent "
                    "when the publisher does not trace."
                ),
            },
            "tracestate": {
                "type": "string",
                "description": "W3C Trace Context vendor data, when the trace carries any.",
            },
            **origin_header_schemas(),
        },
    }


ORIGIN_HEADER_DESCRIPTIONS = {
    ACTOR_HEADER: "The SES user id of the caller whose call committed the event.",
    SIDE_HEADER: "The caller's side: `agency`, `company` or `platform`.",
    ORGANIZATION_HEADER: "The caller's agency id or SES Company ID.",
    ROLES_HEADER: (
        "The caller's roles for that call, comma-separated, as the directory stated them "
        "(`ses_core.audit.roles_of`), e.g. `complaints:manage,account_admin`."
    ),
    REQUEST_ID_HEADER: "The call's request id (its `x-request-id`).",
    CLIENT_ADDRESS_HEADER: "The address the call came from (the gRPC peer).",
    FORWARDED_FOR_HEADER: "The call's `x-forwarded-for` metadata, as claimed.",
}


def origin_header_schemas() -> dict[str, Any]:
    """The audit trail's headers: where the event's change came from. Present only on
    events a gRPC call committed (never on those a consumer, a schedule or a command
    raised), and only those with a value."""
    assert set(ORIGIN_HEADER_DESCRIPTIONS) == set(ORIGIN_HEADERS)
    return {
        name: {
            "type": "string",
            "description": f"{description} Audit trail only; absent when no call committed "
            "the event.",
        }
        for name, description in ORIGIN_HEADER_DESCRIPTIONS.items()
    }


def info(tags: list[dict[str, str]]) -> dict[str, Any]:
    subjects = ", ".join(f"`{subject}`" for subject in EVENTS_SUBJECTS)
    return {
        "title": "SES domain events",
        "version": "v1",
        "description": (
            "The domain events the SES services publish on NATS JetStream (stream "
            f"`{EVENTS_STREAM}`, subjects {subjects}), each from its service's transactional "
            "outbox, at least once and in commit order per service. One channel per event, "
            "addressed `ses.<context>.v1.<event_name>`.\n\n"
            f"Payloads are binary protobuf (`{CONTENT_TYPE}`): the message of "
            "`protos/ses/<context>/v1/events.proto` that each message names in "
            "`x-protobuf-message`; the Python stubs ship its descriptor (`ses.contract`). "
            "The payload schemas here describe the same messages in their proto3 JSON mapping "
            "(proto field names), for readers and tools that do not speak protobuf. Events "
            "gain fields over time: ignore the ones you do not know.\n\n"
            "Generated by scripts/gen_asyncapi.py from the protos; do not edit."
        ),
        "tags": tags,
    }


def document(protos: Path) -> dict[str, Any]:
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(compile_descriptor_set(protos))
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_set.file:
        pool.Add(file)

    tags: list[dict[str, str]] = []
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    comments = {
        name: text for file in descriptor_set.file for name, text in comments_by_name(file).items()
    }
    schemas = SchemaWriter(comments)
    for context, file in event_files(descriptor_set):
        tags.append({"name": context, "description": file_comment(file)})
        if not file.message_type:
            raise GenerationError(f"{file.name} declares no event.")
        for proto in file.message_type:
            event = pool.FindMessageTypeByName(f"{file.package}.{proto.name}")
            subject = event_subject(context, event.name)
            description = comments.get(event.full_name) or f"A {event.name} event."
            messages[event.full_name] = {
                "name": event.name,
                "title": event.name,
                "summary": summary(description),
                "description": description,
                "contentType": CONTENT_TYPE,
                "headers": schema_ref(HEADERS_SCHEMA),
                "payload": schemas.message(event),
                "tags": [{"name": context}],
                "x-protobuf-message": event.full_name,
                "x-protobuf-file": file.name,
            }
            channels[subject] = {
                "address": subject,
                "title": event.name,
                "summary": summary(description),
                "messages": {event.name: {"$ref": f"#/components/messages/{event.full_name}"}},
            }
            operations[f"send.{subject}"] = {
                "action": "send",
                "title": f"Publish {event.name}",
                "summary": f"The {context} service publishes {event.name} from its outbox.",
                "channel": {"$ref": f"#/channels/{subject}"},
                "messages": [{"$ref": f"#/channels/{subject}/messages/{event.name}"}],
                "tags": [{"name": context}],
            }
    if not channels:
        raise GenerationError(f"No ses/<context>/v1/events.proto under {display(protos)}.")
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": info(tags),
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            SERVER: {
                "host": "{host}",
                "protocol": "nats",
                "title": "SES NATS cluster",
                "description": (
                    "The NATS cluster with JetStream the services publish to, as the deployment "
                    "sets it in SES_NATS__URL (the embedded setup, `ses up`, runs its own)."
                ),
                "variables": {
                    "host": {
                        "default": "localhost:4222",
                        "description": "host:port of the NATS server in SES_NATS__URL.",
                    }
                },
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {HEADERS_SCHEMA: headers_schema(), **schemas.schemas},
        },
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def check(protos: Path, out: Path) -> int:
    wanted = render(document(protos))
    if out.is_file() and out.read_text() == wanted:
        print(f"asyncapi: {display(out)} is up to date with {display(protos)}.")
        return 0
    state = "stale" if out.is_file() else "missing"
    print(
        f"asyncapi: {display(out)} is {state}: the events in {display(protos)} changed. "
        "Run `make asyncapi` and commit it.",
        file=sys.stderr,
    )
    return 1


def generate(protos: Path, out: Path) -> int:
    wanted = render(document(protos))
    if out.is_file() and out.read_text() == wanted:
        print(f"asyncapi: {display(out)} is up to date.")
        return 0
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(wanted)
    os.replace(tmp, out)
    print(f"asyncapi: wrote {display(out)}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate the AsyncAPI 3.0 document of the SES events from protos/."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare the committed document with a fresh one; exit 1 when they differ",
    )
    parser.add_argument("--protos", type=Path, default=DEFAULT_PROTOS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check:
            return check(args.protos, args.out)
        return generate(args.protos, args.out)
    except GenerationError as error:
        print(f"asyncapi: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
