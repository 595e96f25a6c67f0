"""An information request (IR): what the agency asks a company, and the company's response.

An IR belongs to a complaint. Created through ``Complaint.add_information_request``
it records its events into the complaint's list, so the unit of work pulls them
from the complaint. Its commands check the IR's own state and data rules, and
are called on the IR (``complaint.information_request(ir_id).extend_due_date(...)``)
except where the complaint adds rules of its own: adding, editing and sending
requests, drafts to the POC and send-back requests go through ``Complaint``.
An IR that has been sent and is not final implies an open complaint (sending
needs one, and closing or canceling ends every request), so the IR's own table
is enough for the other commands.

Choices where the spec is silent:

- ``original_due_date`` is the due date the company was given when the request
  was sent, kept through extensions and send-backs; each of those moves
  ``due_date`` only and is recorded with the date it replaced (``extensions``,
  ``send_backs``), so every due-date change can be listed.
- Sending a response back turns the submitted response into the company's new
  draft (restricted if the response was), so the POC edits it instead of
  starting over; the quick-look mark is cleared, as it is on every submission.
- Saving a draft replaces its text and links but changes its files only as the
  save names them (``DraftEdit``): at most ``UploadPolicy.max_files_per_batch``
  (25) files added per save, any number in total (DESIGN §2: upload 25, save,
  repeat). Removing a file that is not on the draft, or adding and removing one
  file in the same save, is refused.
- ``restricted`` is kept when a save or a submission leaves it unset: a new
  draft starts unrestricted, a submission takes the draft's flag. So a
  restricted response sent back and resubmitted stays restricted unless the POC
  lifts it. Who may set or lift it is ``ses_core.permissions``'s rule
  (``Action.RESTRICT_RESPONSE``: the Company POC), not the model's.
- A submission uses the content given, or else the saved draft; an empty
  response (no text, file or link) is refused. Text is stored with line breaks
  as LF, the form that is counted.
- While one send-back request awaits the agency, a second one is refused.
- Marking quick look twice is a no-op and raises no event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import Field, PrivateAttr

from ses_core.errors import PreconditionFailed, UploadRejected, ValidationFailed, quote
from ses_core.lifecycle._time import eastern_today
from ses_core.lifecycle.information_request import (
    INFORMATION_REQUEST_MACHINE,
    InformationRequestAction,
    InformationRequestContext,
    InformationRequestStatus,
)
from ses_core.limits import TextField, checked_text
from ses_core.models import complaint_events as ev
from ses_core.models._aggregate import Aggregate, stamp
from ses_core.models._checks import distinct_ids, new_id
from ses_core.models.information_request_parts import (
    DraftEdit,
    DueDateExtension,
    QuickLook,
    Reminder,
    ResponseContent,
    ResponseDraft,
    SendBack,
    SendBackRequest,
    SubmittedResponse,
)
from ses_core.uploads import UploadPolicy, normalize_response_text

_Status = InformationRequestStatus
_Action = InformationRequestAction
_Context = InformationRequestContext
_AWAITING_COMPANY = frozenset({_Status.SENT_TO_COMPANY, _Status.SENT_BACK})


class InformationRequest(Aggregate):
    id: str
    complaint_id: str
    tenant_id: str
    company_id: str
    request_text: str
    document_file_ids: list[str] = Field(default_factory=list)
    status: InformationRequestStatus = Field(default=_Status.DRAFT, frozen=True)
    due_date: date | None = None
    original_due_date: date | None = None
    created_by: str
    created_at: datetime
    sent_by: str | None = None
    sent_at: datetime | None = None
    extensions: list[DueDateExtension] = Field(default_factory=list)
    reminders: list[Reminder] = Field(default_factory=list)
    send_backs: list[SendBack] = Field(default_factory=list)
    send_back_requests: list[SendBackRequest] = Field(default_factory=list)
    quick_look: QuickLook | None = None
    draft: ResponseDraft | None = None
    responses: list[SubmittedResponse] = Field(default_factory=list)
    cancel_reason: str = ""
    canceled_at: datetime | None = None
    completed_at: datetime | None = None
    # The owning complaint's reference, stamped on every event; the complaint sets it.
    _complaint_reference_number: str = PrivateAttr(default="")

    @classmethod
    def new(
        cls,
        *,
        complaint_id: str,
        tenant_id: str,
        company_id: str,
        request_text: str,
        now: datetime,
        by: str,
        due_date: date | None = None,
        document_file_ids: Sequence[str] = (),
        ir_id: str | None = None,
        complaint_reference_number: str = "",
    ) -> InformationRequest:
        """A new unsent request; a due date given now must already be in the future."""
        # The EDIT guard holds the rule for a draft's due date; a dry run applies it.
        INFORMATION_REQUEST_MACHINE.next_state(_Status.DRAFT, _Action.EDIT, _Context(now, due_date))
        ir = cls(
            id=ir_id or new_id(),
            complaint_id=complaint_id,
            tenant_id=tenant_id,
            company_id=company_id,
            request_text=_request_text(request_text),
            document_file_ids=distinct_ids(document_file_ids, "a document id"),
            due_date=due_date,
            created_by=by,
            created_at=now,
        )
        ir._complaint_reference_number = complaint_reference_number
        ir._emit(ev.InformationRequestAdded, now, by, due_date=due_date)
        return ir

    # -- derived -------------------------------------------------------------------

    @property
    def awaits_company(self) -> bool:
        return self.status in _AWAITING_COMPANY

    @property
    def was_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def response(self) -> SubmittedResponse | None:
        """The latest submitted response, if any."""
        return self.responses[-1] if self.responses else None

    @property
    def pending_send_back_request(self) -> SendBackRequest | None:
        """The Company POC's request to send the latest response back, while it awaits
        the agency's answer (a send-back or a completion ends it)."""
        if self.status is not _Status.RESPONSE_RECEIVED or not self.responses:
            return None
        latest = self.responses[-1].submitted_at
        for request in reversed(self.send_back_requests):
            if request.requested_at >= latest:
                return request
        return None

    def is_overdue(self, now: datetime) -> bool:
        """The company owes a response and its due date is before today (US Eastern)."""
        return (
            self.awaits_company and self.due_date is not None and eastern_today(now) > self.due_date
        )

    # -- agency side ----------------------------------------------------------------

    def edit(
        self,
        now: datetime,
        *,
        by: str,
        request_text: str | None = None,
        due_date: date | None = None,
        document_file_ids: Sequence[str] | None = None,
    ) -> None:
        """Change an unsent request; only the fields given change."""
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.EDIT, _Context(now, due_date)):
            changes: dict[str, Any] = {}
            if request_text is not None:
                changes["request_text"] = _request_text(request_text)
            if due_date is not None:
                changes["due_date"] = due_date
            if document_file_ids is not None:
                changes["document_file_ids"] = distinct_ids(document_file_ids, "a document id")
            changed = tuple(name for name, value in changes.items() if getattr(self, name) != value)
            for name in changed:
                setattr(self, name, changes[name])
            if changed:
                self._emit(ev.InformationRequestUpdated, now, by, changed_fields=changed)

    def send(self, now: datetime, *, by: str) -> None:
        with self._transition(
            INFORMATION_REQUEST_MACHINE, _Action.SEND, _Context(now, self.due_date)
        ):
            self.sent_by, self.sent_at = by, now
            self.original_due_date = self.due_date
            self._emit(ev.InformationRequestSent, now, by, due_date=self.due_date)

    def extend_due_date(self, new_due_date: date, now: datetime, *, by: str) -> None:
        """Move the due date later; the original due date is kept."""
        previous = self.due_date
        context = _Context(now, new_due_date, current_due_date=previous)
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.EXTEND_DUE_DATE, context):
            assert previous is not None
            assert self.original_due_date is not None
            self.due_date = new_due_date
            self.extensions.append(
                DueDateExtension(
                    previous_due_date=previous,
                    due_date=new_due_date,
                    extended_by=by,
                    extended_at=now,
                )
            )
            self._emit(
                ev.DueDateExtended,
                now,
                by,
                previous_due_date=previous,
                due_date=new_due_date,
                original_due_date=self.original_due_date,
            )

    def send_reminder(self, now: datetime, *, by: str, note: str = "") -> None:
        note = checked_text(TextField.REMINDER_MESSAGE, note)
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.SEND_REMINDER):
            self.reminders.append(Reminder(sent_by=by, sent_at=now, note=note))
            self._emit(ev.ReminderSent, now, by, due_date=self.due_date, note=note)

    def cancel(self, now: datetime, *, by: str, reason: str = "") -> None:
        reason = checked_text(TextField.INFORMATION_REQUEST_CANCEL_REASON, reason)
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.CANCEL):
            self.cancel_reason, self.canceled_at = reason, now
            self._emit(ev.InformationRequestCanceled, now, by, reason=reason)

    def mark_quick_look(self, now: datetime, *, by: str) -> None:
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.MARK_QUICK_LOOK):
            if self.quick_look is None:
                self.quick_look = QuickLook(marked_by=by, marked_at=now)
                self._emit(ev.QuickLookMarked, now, by)

    def send_back(self, new_due_date: date, reason: str, now: datetime, *, by: str) -> None:
        """Return the response for updates, with a new due date and a reason."""
        reason = checked_text(TextField.SEND_BACK_REASON, reason)
        context = _Context(now, new_due_date, reason=reason)
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.SEND_BACK, context):
            returned = self.responses[-1]
            previous, self.due_date = self.due_date, new_due_date
            self.quick_look = None
            self.draft = ResponseDraft(
                content=returned.content,
                restricted=returned.restricted,
                saved_by=returned.submitted_by,
                saved_at=now,
            )
            self.send_backs.append(
                SendBack(
                    reason=reason,
                    due_date=new_due_date,
                    previous_due_date=previous,
                    sent_back_by=by,
                    sent_back_at=now,
                )
            )
            self._emit(
                ev.ResponseSentBack,
                now,
                by,
                reason=reason,
                due_date=new_due_date,
                previous_due_date=previous,
            )

    def complete(self, now: datetime, *, by: str) -> None:
        """Accept the response."""
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.COMPLETE):
            self.completed_at = now
            self._emit(ev.InformationRequestCompleted, now, by)

    def end_with_complaint(self, *, closed: bool, now: datetime, by: str) -> None:
        """Follow the complaint's closure (complete, or cancel a draft) or cancellation."""
        action = _Action.COMPLAINT_CLOSED if closed else _Action.COMPLAINT_CANCELED
        with self._transition(INFORMATION_REQUEST_MACHINE, action) as target:
            if target is _Status.COMPLETED:
                self.completed_at = now
                self._emit(ev.InformationRequestCompleted, now, by, cascaded=True)
                return
            self.canceled_at = now
            self.cancel_reason = (
                "The complaint was closed." if closed else "The complaint was canceled."
            )
            self._emit(
                ev.InformationRequestCanceled, now, by, reason=self.cancel_reason, cascaded=True
            )

    # -- company side ---------------------------------------------------------------

    def save_draft(
        self,
        edit: DraftEdit,
        now: datetime,
        *,
        by: str,
        restricted: bool | None = None,
        policy: UploadPolicy | None = None,
    ) -> None:
        """Save the company's draft: text replaced if given, files and links added and
        removed as named (``DraftEdit``).

        ``restricted=None`` keeps the draft's flag (a new draft starts unrestricted).
        """
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.SAVE_DRAFT):
            before = self.draft
            saved = before.content if before else ResponseContent()
            files = _changed_files(saved.file_ids, edit, policy or UploadPolicy())
            links = _changed_links(saved.links, edit)
            text = saved.text if edit.text is None else edit.text
            content = ResponseContent(text=text, file_ids=files, links=links)
            if restricted is None:
                restricted = before.restricted if before else False
            self.draft = ResponseDraft(
                content=_checked(content, policy), restricted=restricted, saved_by=by, saved_at=now
            )
            self._emit(ev.ResponseDrafted, now, by, restricted=restricted)

    def check_send_draft_to_poc(self) -> None:
        """Raise what ``send_draft_to_poc`` would for the request's state: not awaiting
        the company, or no saved draft. Changes nothing."""
        INFORMATION_REQUEST_MACHINE.check(self.status, _Action.SEND_DRAFT_TO_POC)
        if self.draft is None:
            raise PreconditionFailed(
                "There is no saved draft to send to the Company POC; save the draft first.",
                reason="draft_missing",
            )

    def send_draft_to_poc(self, now: datetime, *, by: str, company_poc_id: str) -> None:
        """Tell the Company POC the draft is ready; call through the complaint."""
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.SEND_DRAFT_TO_POC):
            self.check_send_draft_to_poc()
            assert self.draft is not None
            self.draft = self.draft.model_copy(update={"sent_to_poc_at": now})
            self._emit(ev.DraftSentToPoc, now, by, company_poc_id=company_poc_id)

    def check_submit_response(self) -> None:
        """Raise what submitting the saved draft would for the request's state: not
        awaiting the company, or no draft with text, a file or a link. Changes nothing."""
        INFORMATION_REQUEST_MACHINE.check(self.status, _Action.SUBMIT_RESPONSE)
        self._content_to_submit(None)

    def _content_to_submit(self, content: ResponseContent | None) -> ResponseContent:
        chosen = content if content is not None else self.draft.content if self.draft else None
        if chosen is None or chosen.is_empty():
            raise ValidationFailed(
                "The response is empty: write text, attach a file or add a link, then submit.",
                reason="response_empty",
            )
        return chosen

    def submit_response(
        self,
        now: datetime,
        *,
        by: str,
        content: ResponseContent | None = None,
        restricted: bool | None = None,
        policy: UploadPolicy | None = None,
    ) -> SubmittedResponse:
        """Submit the given content, or else the saved draft, to the agency."""
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.SUBMIT_RESPONSE):
            chosen = self._content_to_submit(content)
            if restricted is None:
                restricted = self.draft.restricted if self.draft else False
            submitted = SubmittedResponse(
                content=_checked(chosen, policy),
                restricted=restricted,
                submitted_by=by,
                submitted_at=now,
            )
            self.responses.append(submitted)
            self.draft = None
            self.quick_look = None
            self._emit(
                ev.ResponseSubmitted,
                now,
                by,
                restricted=restricted,
                submission_number=len(self.responses),
                file_count=len(submitted.content.file_ids),
                link_count=len(submitted.content.links),
            )
            return submitted

    def request_send_back(self, reason: str, now: datetime, *, by: str) -> None:
        """The POC asks the agency to return the response; call through the complaint."""
        reason = checked_text(TextField.SEND_BACK_REQUEST_REASON, reason)
        context = _Context(now, reason=reason)
        with self._transition(INFORMATION_REQUEST_MACHINE, _Action.REQUEST_SEND_BACK, context):
            self._refuse_second_send_back_request()
            self.send_back_requests.append(
                SendBackRequest(reason=reason, requested_by=by, requested_at=now)
            )
            self._emit(ev.SendBackRequested, now, by, reason=reason)

    def check_request_send_back(self) -> None:
        """Raise what ``request_send_back`` would for the request's state: no response
        awaiting the agency, or a send-back request already pending. Changes nothing."""
        INFORMATION_REQUEST_MACHINE.check(self.status, _Action.REQUEST_SEND_BACK)
        self._refuse_second_send_back_request()

    def _refuse_second_send_back_request(self) -> None:
        pending = self.pending_send_back_request
        if pending is not None:
            raise PreconditionFailed(
                f"A send-back was already requested on {pending.requested_at:%Y-%m-%d}; "
                "wait for the agency to answer it.",
                reason="send_back_already_requested",
            )

    # -- plumbing -------------------------------------------------------------------

    def _emit(
        self, event_type: type[ev.InformationRequestEvent], now: datetime, by: str, **fields: Any
    ) -> None:
        self._record(
            event_type(
                tenant_id=self.tenant_id,
                complaint_id=self.complaint_id,
                reference_number=self._complaint_reference_number,
                company_id=self.company_id,
                information_request_id=self.id,
                **stamp(now, by),
                **fields,
            )
        )


def _changed_files(
    current: Sequence[str], edit: DraftEdit, policy: UploadPolicy
) -> tuple[str, ...]:
    """The draft's files after ``edit``: removals first, additions appended in order."""
    added = distinct_ids(edit.add_file_ids, "a file id")
    removed = distinct_ids(edit.remove_file_ids, "a file id")
    limit = policy.max_files_per_batch
    if len(added) > limit:
        raise UploadRejected(
            f"{len(added)} files added in one save; the limit is {limit}: add the first "
            f"{limit}, save the draft, then add the rest in the next save",
            reason="too_many_files",
            # A client that splits files into batches reads the limit here (ses_sdk).
            metadata={"limit": str(limit)},
            count=len(added),
            limit=limit,
        )
    both = [file_id for file_id in removed if file_id in added]
    if both:
        raise ValidationFailed(
            f"File {both[0]} is both added and removed in this save; name it in one list only.",
            reason="file_added_and_removed",
            file_id=both[0],
        )
    absent = [file_id for file_id in removed if file_id not in current]
    if absent:
        raise ValidationFailed(
            f"File {absent[0]} is not on the draft, so it cannot be removed; check the file "
            "id against the draft's attachments.",
            reason="file_not_on_draft",
            file_id=absent[0],
        )
    kept = [file_id for file_id in current if file_id not in removed]
    return (*kept, *(file_id for file_id in added if file_id not in kept))


def _changed_links(current: Sequence[str], edit: DraftEdit) -> tuple[str, ...]:
    """The draft's links after ``edit``: removals first, additions appended in order."""
    added = list(dict.fromkeys(link.strip() for link in edit.add_links))
    removed = list(dict.fromkeys(link.strip() for link in edit.remove_links))
    both = [link for link in removed if link in added]
    if both:
        raise ValidationFailed(
            f"The link {quote(both[0])} is both added and removed in this save; name it in one "
            "list only.",
            reason="link_added_and_removed",
            field="remove_file_sharing_links",
        )
    absent = [link for link in removed if link not in current]
    if absent:
        raise ValidationFailed(
            f"The link {quote(absent[0])} is not on the draft, so it cannot be removed; check it "
            "against the draft's links.",
            reason="link_not_on_draft",
            field="remove_file_sharing_links",
        )
    kept = [link for link in current if link not in removed]
    return (*kept, *(link for link in added if link not in kept))


def _checked(content: ResponseContent, policy: UploadPolicy | None) -> ResponseContent:
    """Content within the limits of DESIGN §2, with text stored as counted."""
    rules = policy or UploadPolicy()
    rules.check_response_text(content.text)
    for link in content.links:
        rules.check_link(link)
    return ResponseContent(
        text=normalize_response_text(content.text),
        file_ids=tuple(distinct_ids(content.file_ids, "a file id")),
        links=tuple(dict.fromkeys(content.links)),
    )


def _request_text(text: str) -> str:
    return checked_text(
        TextField.INFORMATION_REQUEST_TEXT, text, required_reason="request_text_required"
    )
