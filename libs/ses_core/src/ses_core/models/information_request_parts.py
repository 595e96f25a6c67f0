"""Value objects an information request is made of. Each is frozen: a change replaces it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResponseContent(_Value):
    """What a response says: on-screen text, files (ids from the files service), links."""

    text: str = ""
    file_ids: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not self.text.strip() and not self.file_ids and not self.links


class DraftEdit(_Value):
    """One save of a response draft, as the company user sent it.

    Nothing changes unless named, so that the job aid's "upload 25, save the draft,
    repeat" never loses what an earlier save put there: ``text`` replaces the saved text
    when given (``None`` keeps it; ``""`` clears it); files and links are added and
    removed one by one (``add_*`` appended after what is there, ``remove_*`` each
    required to be on the draft).
    """

    text: str | None = None
    add_file_ids: tuple[str, ...] = ()
    remove_file_ids: tuple[str, ...] = ()
    add_links: tuple[str, ...] = ()
    remove_links: tuple[str, ...] = ()


class ResponseDraft(_Value):
    content: ResponseContent
    restricted: bool = False
    saved_by: str
    saved_at: datetime
    sent_to_poc_at: datetime | None = None


class SubmittedResponse(_Value):
    """A response the Company POC submitted; restricted ones only the POC and agency see."""

    content: ResponseContent
    restricted: bool = False
    submitted_by: str
    submitted_at: datetime


class Reminder(_Value):
    sent_by: str
    sent_at: datetime
    note: str = ""


class DueDateExtension(_Value):
    previous_due_date: date
    due_date: date
    extended_by: str
    extended_at: datetime


class SendBack(_Value):
    reason: str
    due_date: date
    # The due date the returned response answered; None for send-backs recorded before
    # it was kept.
    previous_due_date: date | None = None
    sent_back_by: str
    sent_back_at: datetime


class SendBackRequest(_Value):
    reason: str
    requested_by: str
    requested_at: datetime


class QuickLook(_Value):
    """The agency-only "reviewed" mark on the response that awaits the agency."""

    marked_by: str
    marked_at: datetime
