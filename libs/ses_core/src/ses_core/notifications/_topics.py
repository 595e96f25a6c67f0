"""What a notification is about (its topic) and how it travels (its channel).

The values mirror ``ses.notify.v1.NotificationTopic`` and ``Channel`` without their
prefixes (``NOTIFICATION_TOPIC_RESPONSE_SUBMITTED`` is ``Topic.RESPONSE_SUBMITTED``).

Preferences choose channels per topic; a topic without a stored choice uses
:data:`DEFAULT_CHANNELS`. Webhooks belong to organisations, not people, so they
are not a personal preference. The account activation e-mail carries the only
way into a new account and cannot be turned off (:data:`MANDATORY_TOPICS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ses_core.errors import ValidationFailed


class Topic(StrEnum):
    ACCOUNT_ACTIVATION = "account_activation"
    ENROLLMENT_COMPLETED = "enrollment_completed"
    ENROLLMENT_REMINDER = "enrollment_reminder"
    INFORMATION_REQUESTS_SENT = "information_requests_sent"
    COMPANY_POC_ASSIGNED = "company_poc_assigned"
    CONTRIBUTOR_ADDED = "contributor_added"
    INFORMATION_REQUEST_REMINDER = "information_request_reminder"
    DUE_DATE_CHANGED = "due_date_changed"
    INFORMATION_REQUEST_CANCELED = "information_request_canceled"
    RESPONSE_SUBMITTED = "response_submitted"
    SEND_BACK_REQUESTED = "send_back_requested"
    RESPONSE_SENT_BACK = "response_sent_back"
    COMPLAINT_CLOSED = "complaint_closed"
    COMPLAINT_CANCELED = "complaint_canceled"
    MAINTENANCE_SCHEDULED = "maintenance_scheduled"
    INFORMATION_REQUEST_DUE_SOON = "information_request_due_soon"
    INFORMATION_REQUEST_OVERDUE = "information_request_overdue"
    DRAFT_SENT_TO_POC = "draft_sent_to_poc"
    INTERACTION_POSTED = "interaction_posted"
    REFERRAL = "referral"


class Channel(StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"
    WEBHOOK = "webhook"


PERSONAL_CHANNELS: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.IN_APP})
DEFAULT_CHANNELS: frozenset[Channel] = PERSONAL_CHANNELS
MANDATORY_TOPICS: frozenset[Topic] = frozenset({Topic.ACCOUNT_ACTIVATION})


@dataclass(frozen=True)
class TopicChoice:
    """The personal channels one topic uses for its owner."""

    topic: Topic
    email: bool = True
    in_app: bool = True

    @property
    def channels(self) -> frozenset[Channel]:
        chosen = {Channel.EMAIL} if self.email else set()
        if self.in_app:
            chosen.add(Channel.IN_APP)
        return frozenset(chosen)


@dataclass(frozen=True)
class Preferences:
    """A user's (or a company's) choices: channels per topic and extra e-mail addresses."""

    choices: Mapping[Topic, TopicChoice] = field(default_factory=dict)
    additional_emails: tuple[str, ...] = ()

    def channels_for(self, topic: Topic) -> frozenset[Channel]:
        """The personal channels ``topic`` reaches its owner on; mandatory topics always e-mail."""
        choice = self.choices.get(topic)
        chosen = DEFAULT_CHANNELS if choice is None else choice.channels
        if topic in MANDATORY_TOPICS:
            chosen = chosen | {Channel.EMAIL}
        return chosen


def check_choices(choices: Iterable[TopicChoice]) -> dict[Topic, TopicChoice]:
    """The choices by topic; refuses a topic listed twice or a mandatory one turned off."""
    by_topic: dict[Topic, TopicChoice] = {}
    for choice in choices:
        if choice.topic in by_topic:
            raise ValidationFailed(
                f"The topic {choice.topic.value} is listed twice; list each topic once.",
                reason="preference_topic_repeated",
            )
        if choice.topic in MANDATORY_TOPICS and not choice.email:
            raise ValidationFailed(
                f"E-mail for {choice.topic.value} cannot be turned off: it carries the only "
                "way to activate a new account. Leave email on for this topic.",
                reason="preference_mandatory_topic",
            )
        by_topic[choice.topic] = choice
    return by_topic
