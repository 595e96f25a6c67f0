"""GetPreferences and UpdatePreferences: one's own, or one's company's (Account Administrators)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ses_core.accounts import MAX_NOTIFICATION_ADDRESSES, check_email_address, email_key
from ses_core.errors import ValidationFailed
from ses_core.identity import Actor
from ses_core.notifications import (
    Organization,
    Preferences,
    TopicChoice,
    check_choices,
    require_manages,
)
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_notify.handlers import NotifyApp
from ses_notify.preferences import COMPANY, USER

MAX_PERSONAL_ADDRESSES = 5


@dataclass(frozen=True)
class PreferencesOwner:
    """Exactly one of the two is set."""

    user_id: str = ""
    company_id: str = ""

    @property
    def kind(self) -> str:
        return COMPANY if self.company_id else USER

    @property
    def id(self) -> str:
        return self.company_id or self.user_id


@dataclass(frozen=True)
class UpdatePreferences:
    owner: PreferencesOwner
    choices: tuple[TopicChoice, ...] = ()
    additional_emails: tuple[str, ...] = ()


def _authorize(actor: Actor, owner: PreferencesOwner) -> None:
    if owner.company_id:
        require_manages(actor, Organization.company(owner.company_id), ResourceKind.NOTIFICATIONS)
        return
    resource = Resource(kind=ResourceKind.NOTIFICATIONS, owner_user_id=owner.user_id)
    require(actor, Action.MANAGE_NOTIFICATION_PREFERENCES, resource)


def get_preferences(
    app: NotifyApp, actor: Actor, company_id: str
) -> tuple[PreferencesOwner, Preferences]:
    owner = (
        PreferencesOwner(company_id=company_id.strip())
        if company_id.strip()
        else PreferencesOwner(user_id=actor.user_id)
    )
    _authorize(actor, owner)
    with app.uow_for(actor) as uow:
        return owner, uow.preferences.load(owner.kind, owner.id)


def update_preferences(
    app: NotifyApp, actor: Actor, command: UpdatePreferences
) -> tuple[PreferencesOwner, Preferences]:
    owner = command.owner
    if bool(owner.user_id) == bool(owner.company_id):
        raise ValidationFailed(
            "Set exactly one owner of the preferences: your user_id, or your company_id for "
            "the company-wide ones.",
            reason="preferences_owner_missing",
        )
    _authorize(actor, owner)
    limit = MAX_NOTIFICATION_ADDRESSES if owner.company_id else MAX_PERSONAL_ADDRESSES
    preferences = Preferences(
        check_choices(command.choices), _addresses(command.additional_emails, limit)
    )
    with app.uow_for(actor) as uow:
        uow.preferences.save(owner.kind, owner.id, preferences, app.clock.now())
        uow.commit()
    return owner, preferences


def _addresses(values: Sequence[str], limit: int) -> tuple[str, ...]:
    kept: dict[str, str] = {}
    for value in values:
        address = check_email_address(value, what="the additional e-mail address")
        kept.setdefault(email_key(address), address)
    if len(kept) > limit:
        raise ValidationFailed(
            f"{len(kept)} additional e-mail addresses were given; at most {limit} are allowed.",
            reason="too_many_additional_emails",
        )
    return tuple(kept.values())
