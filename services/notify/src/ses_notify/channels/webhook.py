"""Signed webhooks: each delivery is a JSON POST to an organisation's endpoint.

The body is the notification as that organisation may see it plus ``delivery_id``;
``X-SES-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body bytes under the
endpoint's secret (``ses_core.notifications.sign_body``). Receivers should drop a
``delivery_id`` they have seen: a crash between the POST and recording it repeats it.

Outcomes: a 2xx answer delivers; no answer, a timeout, 408, 425, 429 or a 5xx is a
transient failure (retried with backoff, dead-lettered after the last attempt); any
other answer — including a redirect, which is not followed — is permanent. One
endpoint's failures are retried on its own deliveries' schedule.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ses_core.notifications import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TOPIC_HEADER,
    Channel,
    sign_body,
)
from ses_notify.channels import ChannelContext, ChannelSession, PermanentFailure, TransientFailure
from ses_notify.deliveries import Delivery
from ses_notify.webhooks import WebhookStore

RETRYABLE_STATUSES = frozenset({408, 425, 429})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def body_of(delivery: Delivery) -> bytes:
    payload = {
        **delivery.content.get("payload", {}),
        "delivery_id": delivery.delivery_id,
        "created_at": delivery.created_at.isoformat(),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


class _WebhookSession:
    def __init__(self, sessions: sessionmaker[Session], timeout: float) -> None:
        self._sessions = sessions
        self._timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects())

    def deliver(self, delivery: Delivery, session: Session | None) -> None:
        endpoint_id = str(delivery.content.get("webhook_endpoint_id", ""))
        with self._sessions.begin() as lookup:
            endpoint = WebhookStore(lookup).get(endpoint_id)
        if endpoint is None:
            raise PermanentFailure(f"The webhook endpoint {endpoint_id} was deleted.")
        body = body_of(delivery)
        request = urllib.request.Request(
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "ses-notify",
                SIGNATURE_HEADER: sign_body(endpoint.secret, body),
                DELIVERY_HEADER: delivery.delivery_id,
                TOPIC_HEADER: delivery.topic,
            },
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise TransientFailure(f"POST {endpoint.url} failed: {error}") from error
        if 200 <= status < 300:
            return
        message = f"POST {endpoint.url} answered HTTP {status}"
        if status in RETRYABLE_STATUSES or status >= 500:
            raise TransientFailure(message)
        raise PermanentFailure(message)

    def close(self) -> None:
        pass


class WebhookChannel:
    kind = Channel.WEBHOOK
    transactional = False

    def __init__(self, sessions: sessionmaker[Session], *, timeout: float = 30.0) -> None:
        self._sessions = sessions
        self._timeout = timeout

    def describe(self) -> str:
        return "Webhooks: signed POSTs to the endpoints organisations register."

    def open(self) -> ChannelSession:
        return _WebhookSession(self._sessions, self._timeout)

    def probe(self) -> None:
        pass


def build(context: ChannelContext) -> WebhookChannel:
    return WebhookChannel(context.sessions, timeout=min(context.network_timeout, 10.0))
