"""The event consumer: one durable JetStream consumer over every context notify listens to.

One durable (``notify``) rather than one per context, so that events are applied in
stream order: a POC's assignment is never seen before the complaint, nor an IR sent
after the company's enrollment before the enrollment. (An IR sent before it is held
and announced by the EnrollmentCompleted handler: ``ses_notify.pre_enrollment``.)
The platform's ``EventConsumer`` claims each event in ``processed_events`` in the same
transaction as the projection change and the deliveries it causes, so a redelivered
event changes nothing and each (event, recipient, channel) is recorded once; the
delivery key backs this up. A notice may name another origin than the event handled
(a deferred IR announcement is keyed by its InformationRequestSent event).
"""

from __future__ import annotations

from ses_core.platform.messaging import InboundEvent
from ses_notify.fanout import FanOut
from ses_notify.notices import Origin
from ses_notify.registry import handlers_by_subject, notices_of
from ses_notify.unit_of_work import NotifyUnitOfWork

DURABLE_NAME = "notify"
FILTER_SUBJECTS = ("ses.enrollment.v1.>", "ses.complaints.v1.>", "ses.notify.v1.>")


class NotificationHandler:
    """``EventConsumer`` handler: update the projection, record the notice's deliveries."""

    def __init__(self, fan_out: FanOut) -> None:
        self._fan_out = fan_out
        self._by_subject = handlers_by_subject()

    def __call__(self, inbound: InboundEvent, uow: NotifyUnitOfWork) -> None:
        known = self._by_subject.get(inbound.subject)
        if known is None:
            return  # an event notify has nothing to say about
        event_type, handler = known
        handled = Origin(inbound.event_id, inbound.subject, inbound.tenant_id)
        for notice in notices_of(handler(inbound.decode(event_type), uow)):
            self._fan_out(uow, notice, notice.origin or handled)
