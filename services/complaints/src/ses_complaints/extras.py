"""What the service keeps beside a complaint's aggregate: presentation details, no rules.

The domain model holds what its rules need; the screens need a little more, kept
here in the complaint row's ``extras`` column and changed in the same transaction:

- ``files``: the display name and size of every file the complaint references
  (the domain holds file ids only; the files service holds the bytes).
- ``complainant_address``: the structured postal address (the domain keeps a
  one-line rendering of it).
- ``close_notes``: the agency's internal close notes (agency only); the domain's
  closure comments are what is shared with the company.
- ``internal_comments``: per IR, the company-internal comment of the draft
  (company only, never shown to the agency).
- ``extension_reasons``: per IR, the reason given for each due-date extension, in
  the order of the IR's ``extensions``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class FileMeta(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    size_bytes: int


class PostalAddress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address_lines: tuple[str, ...] = ()
    city: str = ""
    state_code: str = ""
    postal_code: str = ""
    country_code: str = ""

    def one_line(self) -> str:
        place = " ".join(part for part in (self.state_code, self.postal_code) if part)
        parts = [*self.address_lines, self.city, place, self.country_code]
        return ", ".join(part for part in parts if part)


class InternalComment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    by: str
    at: datetime


class ComplaintExtras(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, FileMeta] = Field(default_factory=dict)
    complainant_address: PostalAddress | None = None
    close_notes: str = ""
    internal_comments: dict[str, InternalComment] = Field(default_factory=dict)
    extension_reasons: dict[str, list[str]] = Field(default_factory=dict)

    def remember_files(self, files: dict[str, FileMeta]) -> None:
        self.files = {**self.files, **files}

    def set_internal_comment(self, ir_id: str, comment: InternalComment | None) -> None:
        comments = dict(self.internal_comments)
        if comment is None:
            comments.pop(ir_id, None)
        else:
            comments[ir_id] = comment
        self.internal_comments = comments

    def add_extension_reason(self, ir_id: str, reason: str) -> None:
        self.extension_reasons = {
            **self.extension_reasons,
            ir_id: [*self.extension_reasons.get(ir_id, []), reason],
        }
