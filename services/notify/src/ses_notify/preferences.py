"""Stored notification preferences of users and companies.

A company's row holds its additional notification addresses. They are set in two
places — the enrollment service (``NotificationAddressesChanged``) and
``UpdatePreferences`` by an Account Administrator — and the latest change wins,
whichever way it came.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ses_core.notifications import Preferences, Topic, TopicChoice
from ses_notify import tables as t
from ses_notify.sql import upsert

USER = "user"
COMPANY = "company"


class PreferenceStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def load(self, owner_kind: str, owner_id: str) -> Preferences:
        table = t.preferences
        row = (
            self._session.execute(
                select(table).where(table.c.owner_kind == owner_kind, table.c.owner_id == owner_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return Preferences()
        choices = {}
        for item in row["choices"] or []:
            choice = TopicChoice(Topic(item["topic"]), bool(item["email"]), bool(item["in_app"]))
            choices[choice.topic] = choice
        return Preferences(choices, tuple(row["additional_emails"] or ()))

    def save(self, owner_kind: str, owner_id: str, preferences: Preferences, at: datetime) -> None:
        choices = [
            {"topic": choice.topic.value, "email": choice.email, "in_app": choice.in_app}
            for choice in preferences.choices.values()
        ]
        values = {
            "owner_kind": owner_kind,
            "owner_id": owner_id,
            "choices": choices,
            "additional_emails": list(preferences.additional_emails),
            "updated_at": at,
        }
        upsert(self._session, t.preferences, values, keys=("owner_kind", "owner_id"))

    def set_company_addresses(
        self, company_id: str, addresses: Sequence[str], at: datetime
    ) -> None:
        current = self.load(COMPANY, company_id)
        self.save(COMPANY, company_id, Preferences(current.choices, tuple(addresses)), at)
