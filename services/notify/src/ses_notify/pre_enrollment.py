"""IRs sent before the company finished enrollment: announced once someone can read them.

DESIGN §5: "IRs may be sent before the company finishes enrollment; the company sees
them once enrolled". Until then nobody at the company can be told (the complaints
service shows the company nothing before EnrollmentCompleted), so the
InformationRequestSent handler holds such a request in the projection
(``awaiting_enrollment``) instead of addressing a notice to nobody.

When the company becomes reachable — enrolled (EnrollmentCompleted) *and* with an SES
Complaints Contact (which enrollment requires; CompanyContactAssigned also releases, so
the order of the two events does not matter) — every held request that is still open
(neither canceled nor completed, on a complaint neither closed nor canceled) gets the
announcement it would have had: the new-IR notice to the Complaints Contact and the
company's additional notification addresses, with the current due date and the
assign-POC task. Requests that ended before enrollment are released silently.

Choices where the spec is silent:

* One notice per IR, not a digest per complaint: it is the very notice the
  InformationRequestSent event would have caused, so it is keyed by that event
  (``Notice.origin``). The delivery log lists it under that event, and its delivery
  keys (event, recipient, channel) are the ones an immediate announcement would have
  had: whatever path records it, each (IR, recipient, channel) is delivered once.
* The hold ends in the same transaction as the deliveries are recorded, so a
  redelivered EnrollmentCompleted finds nothing left to announce.
"""

from __future__ import annotations

import uuid

from ses_core.models import complaint_events as ce
from ses_notify.complaint_notices import information_requests_sent_notice
from ses_notify.notices import Notice, Origin
from ses_notify.projection import InformationRequestView
from ses_notify.unit_of_work import NotifyUnitOfWork

_SENT_SUBJECT = ce.InformationRequestSent.subject()
# Only for requests held before ``sent_event_id`` was recorded (none in practice).
_FALLBACK_NAMESPACE = uuid.UUID("3c7d0f5e-8f5b-4b9e-9e61-2a4f3b6c1d70")


def announce_held_requests(uow: NotifyUnitOfWork, company_id: str) -> list[Notice]:
    """The new-IR notices held for ``company_id``, if it can now be told; ends their hold."""
    projection = uow.projection
    if not projection.company_reachable(company_id):
        return []
    return [
        information_requests_sent_notice(
            uow,
            complaint_id=request.complaint_id,
            information_request_id=request.information_request_id,
            due_date=request.due_date,
            origin=_origin(request),
        )
        for request in projection.release_held_information_requests(company_id)
    ]


def _origin(request: InformationRequestView) -> Origin:
    event_id = request.sent_event_id or str(
        uuid.uuid5(_FALLBACK_NAMESPACE, request.information_request_id)
    )
    return Origin(event_id=event_id, subject=_SENT_SUBJECT, tenant_id=request.tenant_id)
