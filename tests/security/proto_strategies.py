"""Hypothesis strategies for any request message, built from its descriptor.

``requests(descriptor, ids)`` draws valid protobuf messages with hostile values:

- strings: unicode edge cases (controls, NUL, bidi overrides, combining marks, emoji,
  line and paragraph separators, BOM; never surrogates, which protobuf strings cannot
  carry), lengths just under, at and over every documented limit (``ses_core.limits``
  and the upload limits of DESIGN §2), path and URL tricks, and ids that exist in the
  world (so that requests reach past "not found");
- integers at their type's boundaries, unknown enum numbers, booleans, bytes;
- nested messages (down to a fixed depth), repeated fields around the batch limit,
  oneofs and proto3 optional fields present or absent; well-known types as plain
  messages, so a Timestamp or Date may be out of range.

``mutated(data)`` draws raw byte mutations of a serialized request (flips, inserts,
deletions, truncation, junk tags) for the parser's sake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from ses_core.limits import SINGLE_LINE_MAX_CHARS, TEXT_LIMITS
from ses_core.uploads import UploadPolicy

MAX_DEPTH = 3
_POLICY = UploadPolicy()
LIMITS = sorted(
    {limit.max_chars for limit in TEXT_LIMITS.values()}
    | {SINGLE_LINE_MAX_CHARS, _POLICY.max_name_chars, _POLICY.max_link_chars}
    | {_POLICY.max_response_text_chars, 254}  # 254: an e-mail address
)
BOUNDARY_LENGTHS = sorted({n + d for n in LIMITS for d in (-1, 0, 1)} | {0, 1})

EDGE_STRINGS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\n" * 3,
    "\t",
    "\u202etxt.exe",
    "\ufeffBOM",
    "e\u0301\u0301\u0301",
    "\u2028\u2029",
    "🙂" * 3,
    "👩\u200d👩\u200d👧",
    "\U0010ffff",
    "\x7f\x1b[31m",
    ".",
    "..",
    "../../etc/passwd",
    "a/b\\c",
    "%s%n%x",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "https://example.org/report.pdf",
    "http://127.0.0.1:9/",
    "https://[::ffff:127.0.0.1]/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "someone@example.org",
    "not-an-email@",
    "0",
    "-1",
    "9" * 40,
    "whsec_AAAA",
    "Bearer x",
)
SAFE_CHARACTERS = st.characters(exclude_categories=("Cs",))


def _boundary_text() -> st.SearchStrategy[str]:
    """A string of a length around a documented limit, in one-byte or four-byte code
    points (limits count code points, not bytes)."""
    return st.builds(
        lambda length, unit: unit * length,
        st.sampled_from(BOUNDARY_LENGTHS),
        st.sampled_from(("a", "é", "😀", " ")),
    )


def strings(ids: Sequence[str]) -> st.SearchStrategy[str]:
    choices = [
        st.text(SAFE_CHARACTERS, max_size=40),
        st.sampled_from(EDGE_STRINGS),
        _boundary_text(),
    ]
    if ids:
        choices.append(st.sampled_from(tuple(ids)))
        choices.append(st.sampled_from(tuple(ids)).map(lambda i: i.upper()))
    return st.one_of(*choices)


def _integers(bits: int, signed: bool) -> st.SearchStrategy[int]:
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    edges = sorted({low, high, 0, 1, 25, 26, 100, 1000, 2**20} | ({-1} if signed else set()))
    return st.one_of(
        st.sampled_from([e for e in edges if low <= e <= high]), st.integers(low, high)
    )


_INTEGERS = {
    FieldDescriptor.TYPE_INT32: (32, True),
    FieldDescriptor.TYPE_SINT32: (32, True),
    FieldDescriptor.TYPE_SFIXED32: (32, True),
    FieldDescriptor.TYPE_INT64: (64, True),
    FieldDescriptor.TYPE_SINT64: (64, True),
    FieldDescriptor.TYPE_SFIXED64: (64, True),
    FieldDescriptor.TYPE_UINT32: (32, False),
    FieldDescriptor.TYPE_FIXED32: (32, False),
    FieldDescriptor.TYPE_UINT64: (64, False),
    FieldDescriptor.TYPE_FIXED64: (64, False),
}


def _scalar(field: FieldDescriptor, ids: Sequence[str]) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return strings(ids)
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.one_of(
            st.binary(max_size=256), st.sampled_from((b"", b"\x00" * 64, b"\xff" * 1024))
        )
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, allow_infinity=True, width=32)
    if kind == FieldDescriptor.TYPE_ENUM:
        known = [value.number for value in field.enum_type.values]
        unknown = st.sampled_from((-1, max(known) + 1, 99, 2**31 - 1, -(2**31)))
        return st.one_of(st.sampled_from(known), unknown)
    bits, signed = _INTEGERS[kind]
    return _integers(bits, signed)


def _value(field: FieldDescriptor, ids: Sequence[str], depth: int) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return _message(field.message_type, ids, depth + 1)
    return _scalar(field, ids)


def _field(field: FieldDescriptor, ids: Sequence[str], depth: int) -> st.SearchStrategy[Any]:
    """None (left unset), a value, or for a repeated field a list of them."""
    if field.type == FieldDescriptor.TYPE_MESSAGE and depth >= MAX_DEPTH:
        return st.none()
    one = _value(field, ids, depth)
    if field.is_repeated:
        batch = _POLICY.max_files_per_batch
        return st.one_of(
            st.none(),
            st.lists(one, max_size=3),
            st.lists(one, min_size=batch, max_size=batch + 1),
        )
    return st.one_of(st.none(), one)


def _message(descriptor: Descriptor, ids: Sequence[str], depth: int) -> st.SearchStrategy[Any]:
    fields = {field.name: _field(field, ids, depth) for field in descriptor.fields}
    return st.fixed_dictionaries(fields).map(lambda values: _build(descriptor, values))


def _build(descriptor: Descriptor, values: dict[str, Any]) -> Message:
    message = GetMessageClass(descriptor)()
    for name, value in values.items():
        if value is None:
            continue
        field = descriptor.fields_by_name[name]
        target = getattr(message, name)
        if field.is_repeated:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                for item in value:
                    target.add().CopyFrom(item)
            else:
                target.extend(value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


def requests(descriptor: Descriptor, ids: Sequence[str]) -> st.SearchStrategy[Message]:
    """Valid messages of ``descriptor``'s type with hostile field values."""
    return _message(descriptor, ids, 0)


_MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(("flip", "insert", "delete", "truncate", "junk_tag")),
        st.integers(0, 2**16),
        st.binary(min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=4,
)


def mutate(data: bytes, operations: list[tuple[str, int, bytes]]) -> bytes:
    buffer = bytearray(data)
    for operation, where, junk in operations:
        at = where % (len(buffer) + 1)
        if operation == "flip" and buffer:
            buffer[at % len(buffer)] ^= junk[0] or 0xFF
        elif operation == "insert":
            buffer[at:at] = junk
        elif operation == "delete":
            del buffer[at : at + len(junk)]
        elif operation == "truncate":
            del buffer[at:]
        else:  # a field number and wire type of its own, then junk
            buffer[at:at] = bytes([junk[0] | 0x80, 0x7F]) + junk[1:]
    return bytes(buffer)


def mutated(message: st.SearchStrategy[Message]) -> st.SearchStrategy[bytes]:
    """The serialized bytes of a drawn message, mutated."""
    return st.builds(lambda m, ops: mutate(m.SerializeToString(), ops), message, _MUTATIONS)
