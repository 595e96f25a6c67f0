"""How the people commands print: rich tables for a person, JSON for a program.

Colours and styles are rich's: off when the output is not a terminal, and off when
``NO_COLOR`` is set (rich honours it; https://no-color.org). Tables take the terminal's
width. ``--json`` prints the SDK's results as protobuf JSON (field names as in the protos,
enums by name, timestamps in RFC 3339), one document per command, so a script reads the
same names as the API reference.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table


class ProtoValue(Protocol):
    """An SDK result (a frozen dataclass generated from a proto message)."""

    def to_proto(self) -> Any: ...


def console() -> Console:
    return Console(highlight=False)


def error_console() -> Console:
    return Console(stderr=True, highlight=False)


def as_json(value: ProtoValue | Message) -> dict[str, Any]:
    message = value if isinstance(value, Message) else value.to_proto()
    result: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return result


def print_json(document: object) -> None:
    """One JSON document on stdout (no colours, whatever the terminal)."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    grid = Table(title=title, expand=False, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(text(cell) for cell in row))
    return grid


def facts(title: str | None, rows: Iterable[tuple[str, object]]) -> Table:
    """A two-column table of named facts (no header row)."""
    grid = Table(title=title, expand=False, title_justify="left", show_header=False)
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for name, value in rows:
        grid.add_row(name, text(value))
    return grid


def text(value: object) -> str:
    """A value as a person reads it in a table cell."""
    if value is None or value == "":
        return "-"
    if isinstance(value, Enum):
        return label(value)
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def label(value: Enum) -> str:
    """``ComplaintStatus.PENDING_REVIEW`` -> ``pending review``."""
    return value.name.lower().replace("_", " ")


def person(ref: Any) -> str:
    """A ``UserRef`` (or None) as a name."""
    if ref is None:
        return "-"
    return str(getattr(ref, "display_name", "") or getattr(ref, "user_id", "") or "-")
