"""CreateWebhookEndpoint, ListWebhookEndpoints, DeleteWebhookEndpoint.

URLs must be ``https://``; plain ``http://`` is accepted only for a loopback host
(a developer's or a test's own receiver). Credentials inside the URL are refused:
the signature is the credential. The signing secret (32 random bytes, URL-safe
base64) is returned once, at creation.
"""

from __future__ import annotations

import ipaddress
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from ses_core.errors import ValidationFailed, quote
from ses_core.identity import Actor
from ses_core.notifications import chosen_organization, require_manages
from ses_core.permissions import Resource, ResourceKind, not_found_for
from ses_notify.handlers import NotifyApp
from ses_notify.webhooks import WebhookEndpoint

MAX_URL_CHARS = 2048
MAX_ENDPOINTS_PER_ORGANIZATION = 10


@dataclass(frozen=True)
class CreateWebhookEndpoint:
    url: str
    company_id: str = ""
    agency_id: str = ""


def check_webhook_url(url: str) -> str:
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS:
        raise ValidationFailed(
            f"Give the endpoint's URL (https://…, at most {MAX_URL_CHARS} characters).",
            reason="webhook_url_invalid",
        )
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationFailed(
            "Remove the user name and password from the URL; verify the X-SES-Signature "
            "header instead.",
            reason="webhook_url_credentials",
        )
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise ValidationFailed(
        f"{quote(url)} is not an https:// URL; webhooks carry complaint notices and must be "
        "encrypted (plain http:// only to localhost, for development).",
        reason="webhook_url_not_https",
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_webhook_endpoint(
    app: NotifyApp, actor: Actor, command: CreateWebhookEndpoint
) -> tuple[WebhookEndpoint, str]:
    organization = chosen_organization(actor, command.company_id.strip(), command.agency_id.strip())
    require_manages(actor, organization, ResourceKind.NOTIFICATIONS)
    url = check_webhook_url(command.url)
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        webhook_endpoint_id=str(uuid.uuid4()),
        organization=organization,
        url=url,
        secret=secret,
        created_at=app.clock.now(),
    )
    with app.uow_for(actor) as uow:
        if len(uow.webhooks.of(organization)) >= MAX_ENDPOINTS_PER_ORGANIZATION:
            raise ValidationFailed(
                f"This organisation has {MAX_ENDPOINTS_PER_ORGANIZATION} webhook endpoints "
                "already; delete one first.",
                reason="too_many_webhook_endpoints",
            )
        uow.webhooks.add(endpoint)
        uow.commit()
    return endpoint, secret


def list_webhook_endpoints(
    app: NotifyApp, actor: Actor, company_id: str, agency_id: str
) -> list[WebhookEndpoint]:
    organization = chosen_organization(actor, company_id.strip(), agency_id.strip())
    require_manages(actor, organization, ResourceKind.NOTIFICATIONS)
    with app.uow_for(actor) as uow:
        return uow.webhooks.of(organization)


def delete_webhook_endpoint(app: NotifyApp, actor: Actor, webhook_endpoint_id: str) -> None:
    webhook_endpoint_id = webhook_endpoint_id.strip()
    if not webhook_endpoint_id:
        raise ValidationFailed(
            "Give the webhook_endpoint_id to delete.", reason="webhook_endpoint_id_missing"
        )
    with app.uow_for(actor) as uow:
        endpoint = uow.webhooks.get(webhook_endpoint_id)
        if endpoint is None:
            # The same answer as for another organisation's endpoint (require_manages).
            raise not_found_for(actor, Resource(kind=ResourceKind.NOTIFICATIONS))
        require_manages(actor, endpoint.organization, ResourceKind.NOTIFICATIONS)
        uow.webhooks.remove(endpoint.webhook_endpoint_id)
        uow.commit()
