"""Webhook endpoints and their signing secrets: create, list, delete, rotate.

A URL is checked against the deployment's target policy and its host resolved before
the endpoint is stored (``WebhookTargets``: INVALID_ARGUMENT on field ``url`` naming
the rule); every delivery checks it again. Credentials inside the URL are refused: the
signature is the credential.

Secrets are ``whsec_<base64 of 32 random bytes>`` (Standard Webhooks), each returned
once, when created. Rotation: CreateWebhookSigningSecret adds one (every delivery is
then signed under both), DeleteWebhookSigningSecret removes the old one. At most
:data:`MAX_SECRETS_PER_ENDPOINT` at once, and never fewer than one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.identity import Actor
from ses_core.notifications import chosen_organization, require_manages
from ses_core.permissions import Resource, ResourceKind, not_found_for
from ses_notify.handlers import NotifyApp
from ses_notify.unit_of_work import NotifyUnitOfWork
from ses_notify.webhooks import SigningSecret, WebhookEndpoint

MAX_ENDPOINTS_PER_ORGANIZATION = 10
MAX_SECRETS_PER_ENDPOINT = 3


@dataclass(frozen=True)
class CreateWebhookEndpoint:
    url: str
    company_id: str = ""
    agency_id: str = ""


@dataclass(frozen=True)
class DeleteWebhookSigningSecret:
    webhook_endpoint_id: str
    signing_secret_id: str


def create_webhook_endpoint(
    app: NotifyApp, actor: Actor, command: CreateWebhookEndpoint
) -> tuple[WebhookEndpoint, str]:
    organization = chosen_organization(actor, command.company_id.strip(), command.agency_id.strip())
    require_manages(actor, organization, ResourceKind.NOTIFICATIONS)
    checked = app.webhook_targets.check(command.url)
    secret = _new_secret(app)
    endpoint = WebhookEndpoint(
        webhook_endpoint_id=str(uuid.uuid4()),
        organization=organization,
        url=checked.target.url,
        created_at=app.clock.now(),
        signing_secrets=(secret,),
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
    return endpoint, secret.secret


def list_webhook_endpoints(
    app: NotifyApp, actor: Actor, company_id: str, agency_id: str
) -> list[WebhookEndpoint]:
    organization = chosen_organization(actor, company_id.strip(), agency_id.strip())
    require_manages(actor, organization, ResourceKind.NOTIFICATIONS)
    with app.uow_for(actor) as uow:
        return uow.webhooks.of(organization)


def delete_webhook_endpoint(app: NotifyApp, actor: Actor, webhook_endpoint_id: str) -> None:
    with app.uow_for(actor) as uow:
        endpoint = _managed_endpoint(uow, actor, webhook_endpoint_id)
        uow.webhooks.remove(endpoint.webhook_endpoint_id)
        uow.commit()


def create_webhook_signing_secret(
    app: NotifyApp, actor: Actor, webhook_endpoint_id: str
) -> tuple[WebhookEndpoint, SigningSecret]:
    with app.uow_for(actor) as uow:
        endpoint = _managed_endpoint(uow, actor, webhook_endpoint_id)
        if len(endpoint.signing_secrets) >= MAX_SECRETS_PER_ENDPOINT:
            raise PreconditionFailed(
                f"This endpoint has {MAX_SECRETS_PER_ENDPOINT} signing secrets already; "
                "delete one your receiver no longer uses first.",
                reason="too_many_webhook_signing_secrets",
            )
        secret = _new_secret(app)
        uow.webhooks.add_secret(endpoint.webhook_endpoint_id, secret)
        uow.commit()
        updated = uow.webhooks.get(endpoint.webhook_endpoint_id)
    assert updated is not None
    return updated, secret


def delete_webhook_signing_secret(
    app: NotifyApp, actor: Actor, command: DeleteWebhookSigningSecret
) -> WebhookEndpoint:
    _required_endpoint_id(command.webhook_endpoint_id)
    secret_id = command.signing_secret_id.strip()
    if not secret_id:
        raise ValidationFailed(
            "Give the signing_secret_id of the secret to remove; ListWebhookEndpoints shows "
            "each endpoint's secrets.",
            reason="signing_secret_id_missing",
            field="signing_secret_id",
        )
    with app.uow_for(actor) as uow:
        endpoint = _managed_endpoint(uow, actor, command.webhook_endpoint_id)
        ids = [secret.signing_secret_id for secret in endpoint.signing_secrets]
        if secret_id not in ids:
            raise ValidationFailed(
                f"The endpoint has no signing secret {secret_id!r}; ListWebhookEndpoints "
                "shows its secrets' ids.",
                reason="webhook_signing_secret_unknown",
                field="signing_secret_id",
            )
        if len(ids) == 1:
            raise PreconditionFailed(
                "This is the endpoint's only signing secret: create its successor first "
                "(CreateWebhookSigningSecret), or delete the endpoint.",
                reason="webhook_last_signing_secret",
            )
        uow.webhooks.remove_secret(secret_id)
        uow.commit()
        updated = uow.webhooks.get(endpoint.webhook_endpoint_id)
    assert updated is not None
    return updated


def _managed_endpoint(
    uow: NotifyUnitOfWork, actor: Actor, webhook_endpoint_id: str
) -> WebhookEndpoint:
    endpoint = uow.webhooks.get(_required_endpoint_id(webhook_endpoint_id))
    if endpoint is None:
        # The same answer as for another organisation's endpoint (require_manages).
        raise not_found_for(actor, Resource(kind=ResourceKind.NOTIFICATIONS))
    require_manages(actor, endpoint.organization, ResourceKind.NOTIFICATIONS)
    return endpoint


def _required_endpoint_id(webhook_endpoint_id: str) -> str:
    webhook_endpoint_id = webhook_endpoint_id.strip()
    if not webhook_endpoint_id:
        raise ValidationFailed(
            "Give the webhook_endpoint_id (CreateWebhookEndpoint returned it; "
            "ListWebhookEndpoints lists them).",
            reason="webhook_endpoint_id_missing",
            field="webhook_endpoint_id",
        )
    return webhook_endpoint_id


def _new_secret(app: NotifyApp) -> SigningSecret:
    # Imported here: the SDK package (its generated clients) costs the start ~0.4 s, and
    # only a webhook's creation or rotation needs it.
    from ses_sdk import new_webhook_secret

    return SigningSecret(str(uuid.uuid4()), new_webhook_secret(), app.clock.now())
