"""The one decision function, and ``require`` for services that just want to stop.

Order of checks:

1. **Scope.** An agency user may not learn that another agency's resource
   exists (unless the owner granted access or referred it), a company user may
   not learn about another company's data, and nobody may learn about another
   user's personal resources. Such requests are denied with
   ``hide_existence=True``; ``require`` raises ``NotFound`` with the same reason
   code and wording as a genuine miss (see ``not_found_for``).
2. **Rule.** The action's row in the matrix; no row means denied.
3. **Side.** The row's requirements for the actor's side, all of which must
   hold; the first that fails explains the denial.

The errors ``refusal`` builds carry, for Python callers only (``SesError.details`` never
travel), the ``resource`` decided on and, on a NOT_FOUND that hides a resource,
``HIDDEN``: the audit trail records such refusals (``ses_core.audit``) and tells them
from genuine misses, which clients cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ses_core.errors import NotFound, PermissionDenied
from ses_core.identity import Actor, Side
from ses_core.permissions._actions import Action
from ses_core.permissions._matrix import PERMISSIONS, Grant
from ses_core.permissions._requirements import SIDE_LABELS
from ses_core.permissions._resource import Resource, ResourceKind

ALLOWED = "allowed"
NO_RULE = "no_rule"
WRONG_SIDE = "wrong_side"
OUTSIDE_TENANT = "outside_tenant"
OUTSIDE_COMPANY = "outside_company"
NOT_OWNER = "not_owner"

HIDDEN = "hidden"
"""``SesError.details`` key, True on a NOT_FOUND answered to hide a resource that exists."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this actor do this to that?".

    ``reason`` is a stable code for logs and tests; ``message`` is the sentence
    to show. ``hide_existence`` means: answer as if the resource did not exist.
    """

    allowed: bool
    reason: str
    message: str
    hide_existence: bool = False


def authorize(actor: Actor, action: Action, resource: Resource) -> Decision:
    """Decide against the standard matrix (``PERMISSIONS``)."""
    return decide(PERMISSIONS, actor, action, resource)


def require(actor: Actor, action: Action, resource: Resource) -> None:
    """Return if allowed; raise ``NotFound`` or ``PermissionDenied`` otherwise."""
    decision = authorize(actor, action, resource)
    if not decision.allowed:
        raise refusal(actor, action, resource, decision)


def refusal(
    actor: Actor,
    action: Action,
    resource: Resource,
    decision: Decision,
    *,
    hidden_as: NotFound | None = None,
) -> NotFound | PermissionDenied:
    """The error for a denied ``decision``: NOT_FOUND when it hides the resource
    (``hidden_as``, if the service words its misses its own way, else ``not_found_for``),
    PERMISSION_DENIED otherwise; both name the ``resource`` for the audit trail."""
    if decision.hide_existence:
        error = hidden_as or not_found_for(actor, resource)
        error.details.update({HIDDEN: True, "resource": resource})
        return error
    return PermissionDenied(
        decision.message, reason=decision.reason, action=action.value, resource=resource
    )


def not_found_for(actor: Actor, resource: Resource) -> NotFound:
    """The error for a resource the actor cannot see, or one that does not exist.

    Services raise this for genuine misses too, so that the two cannot be told
    apart by reason or wording.
    """
    where = {Side.AGENCY: " in your agency", Side.COMPANY: " for your company"}.get(actor.side, "")
    return NotFound(f"There is no {resource.describe()}{where}.", kind=resource.kind.value)


def decide(
    matrix: Mapping[Action, Grant], actor: Actor, action: Action, resource: Resource
) -> Decision:
    """Decide against any matrix; ``authorize`` is this with ``PERMISSIONS``."""
    denial = _denial(matrix, actor, action, resource)
    if denial is not None:
        return denial()
    return Decision(True, ALLOWED, f"You may {matrix[action].phrase}.")


def permits(actor: Actor, action: Action, resource: Resource) -> bool:
    """``authorize(actor, action, resource).allowed``, without wording the decision.

    For projections that ask about many actions at once (a complaint's available next
    actions: about fifteen per complaint mapped): the same checks, in the same order, but
    a refusal's sentence (and the NOT_FOUND it would quote) is never built."""
    return _denial(PERMISSIONS, actor, action, resource) is None


def _denial(
    matrix: Mapping[Action, Grant], actor: Actor, action: Action, resource: Resource
) -> Callable[[], Decision] | None:
    """None when the matrix allows; otherwise how to word the first failed check (see
    the module docstring for the order), built only when asked for."""
    scope = _scope_violation(actor, resource)
    if scope is not None:
        return lambda: _deny(scope, not_found_for(actor, resource).message, hide_existence=True)
    grant = matrix.get(action)
    if grant is None:
        return lambda: _deny(
            NO_RULE, f"Nobody may {action.value.replace('_', ' ')}: no rule allows it."
        )
    requirements = grant.for_side(actor.side)
    if requirements is None:
        return lambda: _deny(WRONG_SIDE, _wrong_side_message(actor.side, grant))
    for requirement in requirements:
        if not requirement.holds(actor, resource):
            remedy = f"; {requirement.remedy}" if requirement.remedy else ""
            unmet = requirement
            return lambda: _deny(unmet.reason, f"Only {unmet.who} can {grant.phrase}{remedy}.")
    return None


def capable(actor: Actor, action: Action, kind: ResourceKind = ResourceKind.COMPLAINT) -> Decision:
    """May ``actor`` do ``action`` to *some* resource: the decision on the most favourable
    one they could meet (of their own agency and company, referred to their agency, with
    them as Agency POC, Company POC and contributor, not restricted, their own).

    For the steps that come before there is a resource to decide on, so that someone the
    matrix never lets take the action is refused at once, with the matrix's reason:
    starting an upload (``UPLOAD_FILE``: only who may attach files somewhere may store
    them), or being told a complaint has no referral to decide when no referral would
    ever be theirs to decide (``DECIDE_REFERRAL``). Every requirement of the matrix holds
    on this resource whenever it holds on any, so "not capable" means "never allowed".
    """
    own = actor.user_id
    favourable = Resource(
        kind=kind,
        tenant_id=actor.tenant_id,
        company_id=actor.company_id,
        agency_poc_id=own,
        company_poc_id=own,
        contributor_ids=frozenset({own}),
        referred_to_tenant_id=actor.tenant_id,
        owner_user_id=own,
    )
    return authorize(actor, action, favourable)


def require_capable(
    actor: Actor, action: Action, kind: ResourceKind = ResourceKind.COMPLAINT
) -> None:
    """Return if ``capable``; raise ``PermissionDenied`` with the matrix's reason if not."""
    decision = capable(actor, action, kind)
    if not decision.allowed:
        raise PermissionDenied(decision.message, reason=decision.reason, action=action.value)


def allowed_actions(actor: Actor, resource: Resource) -> frozenset[Action]:
    """Every action the matrix lets the actor take on the resource, whatever its state;
    ``ses_core.models.next_actions`` adds the state machines for "available next actions"."""
    return frozenset(action for action in Action if authorize(actor, action, resource).allowed)


def _scope_violation(actor: Actor, resource: Resource) -> str | None:
    if resource.owner_user_id is not None and resource.owner_user_id != actor.user_id:
        return NOT_OWNER
    if (
        actor.side is Side.AGENCY
        and resource.tenant_id is not None
        and not resource.readable_by_tenant(actor.tenant_id)
    ):
        return OUTSIDE_TENANT
    if (
        actor.side is Side.COMPANY
        and resource.company_id is not None
        and resource.company_id != actor.company_id
    ):
        return OUTSIDE_COMPANY
    return None


def _wrong_side_message(side: Side, grant: Grant) -> str:
    allowed = [SIDE_LABELS[s] for s in grant.sides()]
    who = SIDE_LABELS[side].capitalize()
    if not allowed:
        return f"Nobody can {grant.phrase}."
    return f"{who} cannot {grant.phrase}; only {' and '.join(allowed)} can."


def _deny(reason: str, message: str, *, hide_existence: bool = False) -> Decision:
    return Decision(False, reason, message, hide_existence)
