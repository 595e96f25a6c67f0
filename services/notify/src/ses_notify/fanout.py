"""From a notice to deliveries: address it, filter it per reader, render it, record it.

For every recipient user: the facts their side (and POC status) may see, rendered
once, then one delivery per personal channel — an e-mail to their address and to
each additional address in their preferences, and an in-app entry — recorded as
pending, or as suppressed when their preferences turned the channel off. The
company's additional notification addresses get the company's view (not the
POC's), suppressed for topics whose e-mail the company preferences turned off.
Each organisation reached gets one signed webhook delivery per endpoint, with that
organisation's view.

A notice about a complaint names it by reference number and links to it in every
channel: the e-mail's action, a last line of the in-app body, and the webhook
payload's ``complaint_reference_number`` and ``complaint_url`` (beside
``complaint_id``, which integrators pass to the complaints API).

Everything is written in the caller's transaction: either all deliveries of an
event exist, or none and the event is retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_core.accounts import email_key
from ses_core.identity import Side
from ses_core.notifications import (
    Channel,
    Organization,
    OrganizationKind,
    Reader,
    resolve_recipients,
    visible_facts,
)
from ses_notify.deliveries import DeliveryStatus, NewDelivery
from ses_notify.notices import Notice, Origin
from ses_notify.preferences import COMPANY, USER
from ses_notify.projection import Person
from ses_notify.rendering import RenderedNotice, Renderer
from ses_notify.unit_of_work import NotifyUnitOfWork


@dataclass(frozen=True)
class _Target:
    reader: Reader
    reader_name: str
    recipient_user_id: str
    organization: Organization


class FanOut:
    def __init__(
        self, renderer: Renderer, channels: frozenset[Channel] = frozenset(Channel)
    ) -> None:
        self._renderer = renderer
        # Only channels that have a worker get deliveries: nothing waits for a missing plugin.
        self._channels = channels

    def __call__(self, uow: NotifyUnitOfWork, notice: Notice, origin: Origin) -> int:
        """Record the notice's deliveries; returns how many were new."""
        projection = uow.projection
        recipients = resolve_recipients(notice.topic, notice.audience, projection)
        if not recipients:
            return 0
        parties = notice.audience.parties
        poc = parties.company_poc_id if parties else None
        people = projection.people(recipients.user_ids)
        added = 0
        reached: list[Organization] = []
        for user_id in recipients.user_ids:
            person = people.get(user_id)
            if person is None or not person.active:
                continue
            target = _Target(
                Reader(person.side, is_company_poc=user_id == poc),
                person.display_name,
                user_id,
                person.organization,
            )
            added += self._personal(uow, notice, origin, person, target)
            reached.append(person.organization)
        if recipients.company_addresses and recipients.company_id and self._email:
            company = Organization.company(recipients.company_id)
            added += self._company_addresses(
                uow, notice, origin, company, recipients.company_addresses
            )
            reached.append(company)
        if not notice.secret and Channel.WEBHOOK in self._channels:
            for organization in dict.fromkeys(reached):
                added += self._webhooks(uow, notice, origin, organization)
        return added

    # -- per recipient -----------------------------------------------------------------------

    def _personal(
        self, uow: NotifyUnitOfWork, notice: Notice, origin: Origin, person: Person, target: _Target
    ) -> int:
        preferences = uow.preferences.load(USER, person.user_id)
        chosen = preferences.channels_for(notice.topic)
        added = 0
        if self._email:
            email = self._email_content(notice, target)
            addresses: dict[str, str] = {}
            for address in (person.email, *preferences.additional_emails):
                addresses.setdefault(email_key(address), address)
            status = (
                DeliveryStatus.PENDING if Channel.EMAIL in chosen else DeliveryStatus.SUPPRESSED
            )
            for address in addresses.values():
                added += self._record(
                    uow, notice, origin, target, Channel.EMAIL, address, email, status
                )
        # An activation link is of no use in an inbox its reader cannot open yet.
        if not notice.secret and Channel.IN_APP in self._channels:
            rendered = self._render(notice, target)
            content = {
                "title": rendered.title,
                "body": _with_link(rendered),
                "complaint_id": notice.complaint_id,
                "information_request_id": notice.information_request_id,
            }
            status = (
                DeliveryStatus.PENDING if Channel.IN_APP in chosen else DeliveryStatus.SUPPRESSED
            )
            added += self._record(
                uow, notice, origin, target, Channel.IN_APP, person.user_id, content, status
            )
        return added

    def _company_addresses(
        self,
        uow: NotifyUnitOfWork,
        notice: Notice,
        origin: Origin,
        company: Organization,
        addresses: tuple[str, ...],
    ) -> int:
        """The company's additional addresses: the company's view, its own e-mail choice."""
        name = uow.projection.company_name(company.id)
        target = _Target(Reader(Side.COMPANY), name, "", company)
        wanted = Channel.EMAIL in uow.preferences.load(COMPANY, company.id).channels_for(
            notice.topic
        )
        status = DeliveryStatus.PENDING if wanted else DeliveryStatus.SUPPRESSED
        content = self._email_content(notice, target)
        added = 0
        for address in addresses:
            added += self._record(
                uow, notice, origin, target, Channel.EMAIL, address, content, status
            )
        return added

    def _webhooks(
        self, uow: NotifyUnitOfWork, notice: Notice, origin: Origin, organization: Organization
    ) -> int:
        endpoints = uow.webhooks.of(organization)
        if not endpoints:
            return 0
        side = Side.COMPANY if organization.kind is OrganizationKind.COMPANY else Side.AGENCY
        target = _Target(Reader(side), organization.id, "", organization)
        rendered = self._render(notice, target)
        payload = {
            "event_id": origin.event_id,
            "event_subject": origin.subject,
            "topic": notice.topic.value,
            "organization": {"kind": organization.kind.value, "id": organization.id},
            "title": rendered.title,
            "body": rendered.body,
            "complaint_id": notice.complaint_id,
            "information_request_id": notice.information_request_id,
            "facts": self._facts(notice, target.reader),
        }
        reference = str(notice.facts.get("complaint_reference", ""))
        if reference:
            payload["complaint_reference_number"] = reference
            payload["complaint_url"] = self._renderer.complaint_url(reference)
        added = 0
        for endpoint in endpoints:
            content = {"webhook_endpoint_id": endpoint.webhook_endpoint_id, "payload": payload}
            added += self._record(
                uow, notice, origin, target, Channel.WEBHOOK, endpoint.url, content
            )
        return added

    # -- helpers -----------------------------------------------------------------------------

    @property
    def _email(self) -> bool:
        return Channel.EMAIL in self._channels

    def _facts(self, notice: Notice, reader: Reader) -> dict[str, Any]:
        return visible_facts(reader, notice.facts, restricted_response=notice.restricted_response)

    def _render(self, notice: Notice, target: _Target) -> RenderedNotice:
        facts = self._facts(notice, target.reader)
        return self._renderer.render(notice.topic, facts, target.reader_name)

    def _email_content(self, notice: Notice, target: _Target) -> dict[str, Any]:
        email = self._renderer.email(self._render(notice, target), target.reader_name)
        return {
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
            "complaint_id": notice.complaint_id,
            "information_request_id": notice.information_request_id,
            "secret": notice.secret,
        }

    def _record(
        self,
        uow: NotifyUnitOfWork,
        notice: Notice,
        origin: Origin,
        target: _Target,
        channel: Channel,
        address: str,
        content: dict[str, Any],
        status: DeliveryStatus = DeliveryStatus.PENDING,
    ) -> int:
        delivery = NewDelivery(
            event_id=origin.event_id,
            event_subject=origin.subject,
            tenant_id=origin.tenant_id,
            topic=notice.topic,
            channel=channel,
            recipient_user_id=target.recipient_user_id,
            organization=target.organization,
            address=address,
            content=content,
            status=status,
        )
        return int(uow.enqueue(delivery))


def _with_link(rendered: RenderedNotice) -> str:
    """The in-app body, ending with the notice's link as the e-mail's text part does."""
    if not rendered.action_url:
        return rendered.body
    return f"{rendered.body}\n\n{rendered.action_label or 'Open'}: {rendered.action_url}"
