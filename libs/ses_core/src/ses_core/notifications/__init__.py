"""Notification rules (issue 6): topics and channels, who is told, what they may read.

Pure domain, no I/O; the notify service composes it with its projection and channels.

* topics and preferences: :class:`Topic`, :class:`Channel`, :class:`TopicChoice`,
  :class:`Preferences`, :func:`check_choices`, :data:`MANDATORY_TOPICS`
* recipients: :func:`resolve_recipients` over :class:`AudienceFacts`
  (:class:`ComplaintParties`, :class:`CompanyContacts`) and a :class:`Directory`;
  :data:`TOPIC_AUDIENCES` is the rule table, :data:`AUDIENCE_SIDES` the side of each
  audience, :func:`company_may_hear` when the company side is told at all
* visibility: :func:`visible_facts` for a :class:`Reader`
* due reminders: :func:`due_reminder`, :func:`local_today`, :class:`DueReminder`
* organisations: :class:`Organization`, :func:`chosen_organization`, :func:`manages`,
  :func:`require_manages`
* webhook targets: :class:`WebhookTargetPolicy` (which URLs and addresses webhooks may
  reach, :class:`AllowedTargets`), :func:`special_address`, :data:`SPECIAL_RANGES`;
  signatures are the SDK's (``ses_sdk.sign_webhook`` / ``verify_webhook``)
* message headers: :data:`DELIVERY_HEADER`, :data:`TOPIC_HEADER`
* events: :class:`MaintenanceWindowScheduled` (context ``notify``), :data:`PLATFORM_TENANT`
"""

from ses_core.notifications._access import (
    Organization,
    OrganizationKind,
    chosen_organization,
    manages,
    organization_of,
    require_manages,
)
from ses_core.notifications._audiences import (
    AUDIENCE_SIDES,
    TOPIC_AUDIENCES,
    Audience,
    AudienceFacts,
    CompanyContacts,
    ComplaintParties,
    Directory,
    Recipients,
    company_may_hear,
    company_responder,
    resolve_recipients,
)
from ses_core.notifications._due import DueReminder, due_reminder, local_today
from ses_core.notifications._events import (
    PLATFORM_TENANT,
    MaintenanceWindowScheduled,
    NotifyEvent,
)
from ses_core.notifications._headers import DELIVERY_HEADER, TOPIC_HEADER
from ses_core.notifications._topics import (
    DEFAULT_CHANNELS,
    MANDATORY_TOPICS,
    PERSONAL_CHANNELS,
    Channel,
    Preferences,
    Topic,
    TopicChoice,
    check_choices,
)
from ses_core.notifications._visibility import RESTRICTED_RESPONSE_FIELDS, Reader, visible_facts
from ses_core.notifications._webhook_targets import (
    SPECIAL_RANGES,
    AddressRule,
    AllowedTargets,
    IPAddress,
    SpecialAddress,
    WebhookTarget,
    WebhookTargetPolicy,
    WebhookTargetRefused,
    parse_webhook_url,
    special_address,
)

__all__ = [
    "AUDIENCE_SIDES",
    "DEFAULT_CHANNELS",
    "DELIVERY_HEADER",
    "MANDATORY_TOPICS",
    "PERSONAL_CHANNELS",
    "PLATFORM_TENANT",
    "RESTRICTED_RESPONSE_FIELDS",
    "SPECIAL_RANGES",
    "TOPIC_AUDIENCES",
    "TOPIC_HEADER",
    "AddressRule",
    "AllowedTargets",
    "Audience",
    "AudienceFacts",
    "Channel",
    "CompanyContacts",
    "ComplaintParties",
    "Directory",
    "DueReminder",
    "IPAddress",
    "MaintenanceWindowScheduled",
    "NotifyEvent",
    "Organization",
    "OrganizationKind",
    "Preferences",
    "Reader",
    "Recipients",
    "SpecialAddress",
    "Topic",
    "TopicChoice",
    "WebhookTarget",
    "WebhookTargetPolicy",
    "WebhookTargetRefused",
    "check_choices",
    "chosen_organization",
    "company_may_hear",
    "company_responder",
    "due_reminder",
    "local_today",
    "manages",
    "organization_of",
    "parse_webhook_url",
    "require_manages",
    "resolve_recipients",
    "special_address",
    "visible_facts",
]
