"""Signed webhooks: each delivery is a JSON POST to an organisation's endpoint.

The body is the notification as that organisation may see it plus ``delivery_id``. The
request carries the Standard Webhooks headers (``ses_sdk.sign_webhook``):
``webhook-id`` (the delivery id, the same on every retry), ``webhook-timestamp`` (this
attempt) and ``webhook-signature`` with one ``v1,`` entry per signing secret of the
endpoint, so a receiver that switches to a new secret during a rotation keeps verifying.
``X-SES-Topic`` names the topic for routing; it is not signed (the body has it too).

The earlier ``X-SES-Signature: sha256=<hex>`` header is gone, not deprecated: no release
of the contract ever carried it, and one signature scheme is one thing to verify.

Before every attempt the endpoint's URL is checked again (``WebhookTargets``): the host
is resolved once and the POST goes to the addresses that passed (``pinned_http``).

Outcomes: a 2xx answer delivers; no answer, a timeout, a TLS failure, a host that does
not resolve now, 408, 425, 429 or a 5xx is a transient failure (retried with backoff,
dead-lettered after the last attempt); a target the policy refuses, and any other
answer (a redirect included, which is not followed) is permanent. One endpoint's
failures are retried on its own deliveries' schedule.
"""

from __future__ import annotations

import http.client
import json
import ssl

from sqlalchemy.orm import Session, sessionmaker

from ses_core.notifications import TOPIC_HEADER, Channel, WebhookTargetRefused
from ses_core.ports import Clock
from ses_notify import pinned_http
from ses_notify.channels import ChannelContext, ChannelSession, PermanentFailure, TransientFailure
from ses_notify.deliveries import Delivery
from ses_notify.webhook_targets import (
    WebhookHostLookupFailed,
    WebhookHostUnresolved,
    WebhookTargets,
)
from ses_notify.webhooks import WebhookStore

RETRYABLE_STATUSES = frozenset({408, 425, 429})


def body_of(delivery: Delivery) -> bytes:
    payload = {
        **delivery.content.get("payload", {}),
        "delivery_id": delivery.delivery_id,
        "created_at": delivery.created_at.isoformat(),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


class _WebhookSession:
    def __init__(self, channel: WebhookChannel) -> None:
        self._channel = channel

    def deliver(self, delivery: Delivery, session: Session | None) -> None:
        channel = self._channel
        endpoint_id = str(delivery.content.get("webhook_endpoint_id", ""))
        with channel.sessions.begin() as lookup:
            endpoint = WebhookStore(lookup).get(endpoint_id)
        if endpoint is None:
            raise PermanentFailure(f"The webhook endpoint {endpoint_id} was deleted.")
        try:
            checked = channel.targets.check(endpoint.url)
        except WebhookTargetRefused as refused:
            raise PermanentFailure(refused.message) from refused
        except (WebhookHostUnresolved, WebhookHostLookupFailed) as unresolved:
            raise TransientFailure(unresolved.message) from unresolved
        # Imported at the first delivery: the SDK package (its generated clients) would
        # cost every start ~0.4 s, for a channel most deployments use rarely.
        from ses_sdk import sign_webhook

        body = body_of(delivery)
        secrets = [secret.secret for secret in endpoint.signing_secrets]
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "ses-notify",
            TOPIC_HEADER: delivery.topic,
            **sign_webhook(secrets, delivery.delivery_id, channel.clock.now(), body),
        }
        try:
            answer = pinned_http.post(
                checked,
                body,
                headers,
                timeout=channel.timeout,
                deadline=channel.deadline,
                tls=channel.tls,
            )
        except (OSError, http.client.HTTPException) as error:
            raise TransientFailure(f"POST {endpoint.url} failed: {error}") from error
        if 200 <= answer.status < 300:
            return
        said = f": {answer.excerpt}" if answer.excerpt else ""
        message = f"POST {endpoint.url} answered HTTP {answer.status}{said}"
        if answer.status in RETRYABLE_STATUSES or answer.status >= 500:
            raise TransientFailure(message)
        raise PermanentFailure(message)

    def close(self) -> None:
        pass


class WebhookChannel:
    kind = Channel.WEBHOOK
    transactional = False

    def __init__(
        self,
        sessions: sessionmaker[Session],
        targets: WebhookTargets,
        clock: Clock,
        *,
        timeout: float = 30.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.sessions = sessions
        self.targets = targets
        self.clock = clock
        self.timeout = timeout
        # The whole exchange, however slowly the receiver answers.
        self.deadline = 3 * timeout
        # Certificates checked against the system's trust store (SSL_CERT_FILE honoured).
        self.tls = tls or ssl.create_default_context()

    def describe(self) -> str:
        if self.targets.policy.allow_private:
            reach = (
                "private targets allowed (SES_NOTIFY__WEBHOOK_ALLOW_PRIVATE_TARGETS: trials only)"
            )
        else:
            reach = "public https:// targets only"
        return f"Webhooks: signed POSTs to the endpoints organisations register; {reach}."

    def open(self) -> ChannelSession:
        return _WebhookSession(self)

    def probe(self) -> None:
        pass


def build(context: ChannelContext, *, tls: ssl.SSLContext | None = None) -> WebhookChannel:
    """The webhook channel of the notify service; ``tls`` replaces the system trust store
    (tests trust their own certificate authority)."""
    return WebhookChannel(
        context.sessions,
        WebhookTargets.from_settings(context.settings.notify, context.resolver),
        context.clock,
        timeout=min(context.network_timeout, 10.0),
        tls=tls,
    )
