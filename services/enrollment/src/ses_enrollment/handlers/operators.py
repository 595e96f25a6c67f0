"""Platform operators: the people who run the installation (agencies, directory imports).

Created from the command line only (``ses operators create``), which prints their
activation link; they activate and sign in like everyone else. Their authority is
stated like every user's (``UserAuthorityChanged``), so that every service knows them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ses_core.accounts import check_email_address
from ses_core.errors import PermissionDenied, ValidationFailed
from ses_core.identity import Actor, Side
from ses_enrollment.handlers.agencies import NewUser, store_link
from ses_enrollment.handlers.common import Deps
from ses_enrollment.identity_store import PlatformOperator
from ses_enrollment.links import IssuedLink
from ses_enrollment.scopes import IDENTITY


@dataclass(frozen=True)
class OperatorCreated:
    operator: PlatformOperator
    link: IssuedLink


def create_operator(deps: Deps, actor: Actor, new_user: NewUser) -> OperatorCreated:
    if not actor.is_platform_operator:
        raise PermissionDenied(
            "Only platform operators can create platform operators.", reason="wrong_side"
        )
    email = check_email_address(new_user.email, what="the operator's e-mail")
    names = [" ".join(name.split()) for name in (new_user.given_name, new_user.family_name)]
    if not all(names) or any(len(name) > 100 for name in names):
        raise ValidationFailed(
            "Give the operator's given and family name (each 1 to 100 characters).",
            reason="name_required",
        )
    now = deps.now()
    operator = PlatformOperator(str(uuid.uuid4()), email, names[0], names[1], now)
    link = deps.links.issue(now)
    with deps.unit_of_work(IDENTITY) as uow:
        uow.identity.claim_email(
            user_id=operator.id, email=email, side=Side.PLATFORM, organization_id="", now=now
        )
        uow.identity.add_operator(operator)
        uow.restate_authority(operator.id)
        store_link(uow, link, operator.id, purpose="account")
        uow.commit()
    return OperatorCreated(operator, link)
