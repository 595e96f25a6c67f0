"""Shared builders for the accounts tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ses_core.accounts import CompanyAccount, CompanyUser
from ses_core.identity import ComplaintsPermission

NOW = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
COMPANY_ID = "SES-000042"


class AccountBuilder:
    """Builds a company account the way the service would, one command at a time."""

    def __init__(self) -> None:
        self.account = CompanyAccount.open(COMPANY_ID)

    def user(
        self,
        name: str,
        *,
        permission: ComplaintsPermission = ComplaintsPermission.NONE,
        admin: bool = False,
        activated: bool = True,
        **extra: Any,
    ) -> CompanyUser:
        user = self.account.add_user(
            user_id=name.lower(),
            email=f"{name.lower()}@acme.example",
            given_name=name,
            family_name="Smith",
            permission=permission,
            account_admin=admin,
            now=NOW,
            by="admin",
            **extra,
        )
        if activated:
            self.account.record_activation(user.id, NOW)
        return user


@pytest.fixture
def builder() -> AccountBuilder:
    return AccountBuilder()


@pytest.fixture
def enrolled(builder: AccountBuilder) -> CompanyAccount:
    """An enrolled company: Ann (admin, MANAGE, SES Complaints Contact), events pulled."""
    ann = builder.user("Ann", permission=ComplaintsPermission.MANAGE)
    builder.account.assign_contact(ann.id, now=NOW, by=ann.id)
    builder.account.finish_enrollment(ann.id, now=NOW)
    builder.account.pull_events()
    return builder.account
