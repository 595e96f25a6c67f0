"""Complaint commands about information requests and the company's side of the work.

Split from ``complaint.py`` only to keep each module readable at once; use
``ses_core.models.Complaint``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.lifecycle.complaint import COMPLAINT_MACHINE, ComplaintAction
from ses_core.lifecycle.information_request import INFORMATION_REQUEST_MACHINE
from ses_core.lifecycle.information_request import InformationRequestAction as IrAction
from ses_core.lifecycle.information_request import InformationRequestContext as IrContext
from ses_core.limits import TextField, checked_text
from ses_core.models import complaint_events as ev
from ses_core.models._checks import distinct_ids, new_id, required_id
from ses_core.models._complaint_record import ComplaintRecord
from ses_core.models.complaint_parts import Interaction, Party
from ses_core.models.information_request import InformationRequest

_Action = ComplaintAction


class ComplaintCollaboration(ComplaintRecord):
    # -- information requests ------------------------------------------------------

    def add_information_request(
        self,
        request_text: str,
        now: datetime,
        *,
        by: str,
        due_date: date | None = None,
        document_file_ids: Sequence[str] = (),
        ir_id: str | None = None,
    ) -> InformationRequest:
        """Add an unsent request; it records its events into this complaint's list."""
        with self._transition(COMPLAINT_MACHINE, _Action.PREPARE_INFORMATION_REQUESTS):
            ir = InformationRequest.new(
                complaint_id=self.id,
                tenant_id=self.tenant_id,
                company_id=self.company_id,
                request_text=request_text,
                now=now,
                by=by,
                due_date=due_date,
                document_file_ids=document_file_ids,
                ir_id=ir_id,
                complaint_reference_number=self.reference_number,
            )
            ir._record_into(self._events)
            self.information_requests.append(ir)
            return ir

    def edit_information_request(
        self,
        ir_id: str,
        now: datetime,
        *,
        by: str,
        request_text: str | None = None,
        due_date: date | None = None,
        document_file_ids: Sequence[str] | None = None,
    ) -> None:
        with self._transition(COMPLAINT_MACHINE, _Action.PREPARE_INFORMATION_REQUESTS):
            self.information_request(ir_id).edit(
                now,
                by=by,
                request_text=request_text,
                due_date=due_date,
                document_file_ids=document_file_ids,
            )

    def check_send_information_requests(
        self,
        now: datetime,
        *,
        ir_ids: Sequence[str] | None = None,
        default_due_date: date | None = None,
    ) -> list[InformationRequest]:
        """The requests ``send_information_requests`` would send, each checked: raises
        what it would raise (complaint not ``OPEN``, nothing unsent, a request not
        ``DRAFT`` or due today or earlier) and changes nothing."""
        COMPLAINT_MACHINE.check(self.status, _Action.SEND_INFORMATION_REQUESTS)
        if ir_ids is None:
            chosen = [ir for ir in self.information_requests if not ir.was_sent]
        else:
            chosen = [self.information_request(ir_id) for ir_id in dict.fromkeys(ir_ids)]
        if not chosen:
            raise PreconditionFailed(
                "This complaint has no unsent information request; add one, then send it.",
                reason="nothing_to_send",
            )
        for ir in chosen:
            due = ir.due_date or default_due_date
            INFORMATION_REQUEST_MACHINE.next_state(ir.status, IrAction.SEND, IrContext(now, due))
        return chosen

    def send_information_requests(
        self,
        now: datetime,
        *,
        by: str,
        ir_ids: Sequence[str] | None = None,
        default_due_date: date | None = None,
    ) -> list[InformationRequest]:
        """Send the named unsent requests (default: all of them), all or none.

        A request without a due date gets ``default_due_date`` (the caller rolls it
        to a business day with the calendar). Every request is checked before any
        is sent, so one bad due date sends nothing.
        """
        with self._transition(COMPLAINT_MACHINE, _Action.SEND_INFORMATION_REQUESTS):
            chosen = self.check_send_information_requests(
                now, ir_ids=ir_ids, default_due_date=default_due_date
            )
            for ir in chosen:
                if ir.due_date is None:
                    ir.due_date = default_due_date
                ir.send(now, by=by)
            return chosen

    def check_send_draft_to_poc(self, ir_id: str) -> InformationRequest:
        """The request whose draft ``send_draft_to_poc`` would send, or what it would
        raise: complaint not ``OPEN``, no Company POC, request not awaiting the company,
        no saved draft. Changes nothing."""
        COMPLAINT_MACHINE.check(self.status, _Action.FOLLOW_UP_INFORMATION_REQUESTS)
        if self.company_poc_id is None:
            raise PreconditionFailed(
                "This complaint has no Company POC yet; the SES Complaints Contact or an "
                "Account Administrator must assign one first.",
                reason="company_poc_missing",
            )
        ir = self.information_request(ir_id)
        ir.check_send_draft_to_poc()
        return ir

    def send_draft_to_poc(self, ir_id: str, now: datetime, *, by: str) -> None:
        """A contributor tells the Company POC the draft response is ready."""
        with self._transition(COMPLAINT_MACHINE, _Action.FOLLOW_UP_INFORMATION_REQUESTS):
            ir = self.check_send_draft_to_poc(ir_id)
            assert self.company_poc_id is not None
            ir.send_draft_to_poc(now, by=by, company_poc_id=self.company_poc_id)

    def check_request_send_back(self, ir_id: str) -> InformationRequest:
        """The request ``request_send_back`` would act on, or what it would raise for
        the state: complaint not ``OPEN``, no response awaiting the agency, a request
        already pending. Changes nothing."""
        COMPLAINT_MACHINE.check(self.status, _Action.FOLLOW_UP_INFORMATION_REQUESTS)
        ir = self.information_request(ir_id)
        ir.check_request_send_back()
        return ir

    def request_send_back(self, ir_id: str, reason: str, now: datetime, *, by: str) -> None:
        """The Company POC asks the agency to send a response back (complaint open only)."""
        with self._transition(COMPLAINT_MACHINE, _Action.FOLLOW_UP_INFORMATION_REQUESTS):
            self.check_request_send_back(ir_id).request_send_back(reason, now, by=by)

    # -- company side ----------------------------------------------------------------

    def assign_company_poc(self, user_id: str, now: datetime, *, by: str) -> None:
        with self._transition(COMPLAINT_MACHINE, _Action.ASSIGN_COMPANY_POC):
            poc = required_id(user_id, "the Company POC")
            previous = self.company_poc_id
            if poc == previous:
                return
            self.company_poc_id = poc
            self.contributor_ids = [c for c in self.contributor_ids if c != poc]
            self._emit(
                ev.CompanyPocAssigned, now, by, company_poc_id=poc, previous_company_poc_id=previous
            )

    def check_add_contributor(self) -> None:
        """Raise what ``add_contributor`` would for the complaint's state: not ``OPEN``,
        or no Company POC yet. Changes nothing."""
        COMPLAINT_MACHINE.check(self.status, _Action.ADD_CONTRIBUTOR)
        if self.company_poc_id is None:
            raise PreconditionFailed(
                "Contributors are added by the Company POC; assign a Company POC first.",
                reason="company_poc_missing",
            )

    def add_contributor(self, user_id: str, now: datetime, *, by: str) -> None:
        with self._transition(COMPLAINT_MACHINE, _Action.ADD_CONTRIBUTOR):
            contributor = required_id(user_id, "the contributor")
            self.check_add_contributor()
            if contributor == self.company_poc_id:
                raise ValidationFailed(
                    "The Company POC already works on this complaint and cannot also be a "
                    "contributor; choose another user.",
                    reason="contributor_is_poc",
                )
            if contributor in self.contributor_ids:
                return
            self.contributor_ids.append(contributor)
            self._emit(ev.ContributorAdded, now, by, contributor_id=contributor)

    def post_interaction(
        self,
        party: Party,
        now: datetime,
        *,
        by: str,
        text: str = "",
        file_ids: Sequence[str] = (),
    ) -> Interaction:
        """A message between agency and company; attachments are file ids (25 MiB each)."""
        with self._transition(COMPLAINT_MACHINE, _Action.POST_INTERACTION):
            files = tuple(distinct_ids(file_ids, "a file id"))
            text = checked_text(TextField.INTERACTION_MESSAGE, text)
            if not text and not files:
                raise ValidationFailed(
                    "An interaction needs a message or an attached file.",
                    reason="interaction_empty",
                )
            interaction = Interaction(
                id=new_id(),
                party=party,
                author_id=by,
                text=text,
                file_ids=files,
                posted_at=now,
            )
            self.interactions.append(interaction)
            self._emit(
                ev.InteractionPosted,
                now,
                by,
                interaction_id=interaction.id,
                party=party,
                file_count=len(files),
            )
            return interaction
