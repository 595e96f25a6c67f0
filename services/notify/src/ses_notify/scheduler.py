"""The due-date scheduler: "due soon" and "overdue" reminders for open information requests.

Every ``interval`` seconds it looks at the IRs awaiting a response (per notify's
projection) whose due date is within reach, asks ``ses_core.notifications.due_reminder``
which reminder today (US Eastern, business days only) calls for, and records it in
``due_reminders`` — keyed by (IR, due date, kind) — in the same transaction as the
reminder's deliveries. So each reminder goes out once per IR per due date, whichever
replica gets there first, and a new due date earns new reminders.

A reminder is not an event: its deliveries carry a derived event id (a UUID of the IR,
the due date and the kind) and the subject ``scheduler/<topic>``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import date

from ses_core.calendar import OperatingCalendar
from ses_core.notifications import PLATFORM_TENANT, DueReminder, Topic, due_reminder, local_today
from ses_core.ports import Clock
from ses_notify import tables as t
from ses_notify.complaint_notices import complaint_notice
from ses_notify.fanout import FanOut
from ses_notify.notices import Origin
from ses_notify.projection import InformationRequestView
from ses_notify.sql import insert_if_absent
from ses_notify.unit_of_work import NotifyUnitOfWork

_log = logging.getLogger(__name__)
_REMINDER_NAMESPACE = uuid.UUID("0b9f3c1e-5d0c-4c39-8a8e-4b1f7d3f2e61")
TOPIC_OF = {
    DueReminder.DUE_SOON: Topic.INFORMATION_REQUEST_DUE_SOON,
    DueReminder.OVERDUE: Topic.INFORMATION_REQUEST_OVERDUE,
}


class DueReminderScheduler:
    def __init__(
        self,
        unit_of_work: Callable[[str], NotifyUnitOfWork],
        fan_out: FanOut,
        calendar: OperatingCalendar,
        clock: Clock,
        *,
        due_soon_business_days: int,
        interval: float = 60.0,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._fan_out = fan_out
        self._calendar = calendar
        self._clock = clock
        self._due_soon = due_soon_business_days
        self._interval = interval

    async def run(self) -> None:
        while True:
            try:
                sent = await asyncio.to_thread(self.run_once)
                if sent:
                    _log.info("Sent %d due-date reminder(s).", sent)
            except asyncio.CancelledError:
                raise
            except Exception:
                _log.exception("The due-date scheduler failed; trying again next round.")
            await asyncio.sleep(self._interval)

    def run_once(self) -> int:
        """Record the reminders due now; returns how many IRs got one."""
        today = local_today(self._calendar, self._clock.now())
        if not self._calendar.is_business_day(today):
            return 0
        horizon = self._calendar.add_business_days(today, max(self._due_soon, 0))
        with self._unit_of_work(PLATFORM_TENANT) as uow:
            candidates = uow.projection.information_requests_awaiting_response(horizon)
        sent = 0
        for request in candidates:
            if request.due_date is None:
                continue
            kind = due_reminder(self._calendar, today, request.due_date, self._due_soon)
            if kind is not None and self._remind(request, request.due_date, kind, today):
                sent += 1
        return sent

    def _remind(
        self, request: InformationRequestView, due: date, kind: DueReminder, today: date
    ) -> bool:
        with self._unit_of_work(request.tenant_id or PLATFORM_TENANT) as uow:
            first = insert_if_absent(
                uow.session,
                t.due_reminders,
                {
                    "information_request_id": request.information_request_id,
                    "due_date": due,
                    "kind": kind.value,
                    "sent_at": uow.clock.now(),
                },
            )
            if not first:
                return False
            topic = TOPIC_OF[kind]
            notice = complaint_notice(
                uow,
                topic,
                complaint_id=request.complaint_id,
                information_request_id=request.information_request_id,
                tenant_id=request.tenant_id,
                due_date=due,
                business_days_left=self._calendar.business_days_between(today, due)
                if kind is DueReminder.DUE_SOON
                else None,
            )
            key = f"{request.information_request_id}/{due.isoformat()}/{kind.value}"
            origin = Origin(
                event_id=str(uuid.uuid5(_REMINDER_NAMESPACE, key)),
                subject=f"scheduler/{topic.value}",
                tenant_id=request.tenant_id,
            )
            self._fan_out(uow, notice, origin)
            uow.commit()
            return True
