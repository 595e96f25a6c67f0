"""Proto ↔ domain values for the notify service (no rules here, only translation)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ses.common.v1 import common_pb2
from ses.notify.v1 import notify_pb2 as pb
from ses_core.calendar import AccessLevel
from ses_core.errors import ValidationFailed
from ses_core.notifications import Channel, Preferences, Topic, TopicChoice
from ses_notify.deliveries import Delivery, DeliveryStatus
from ses_notify.handlers.preferences import PreferencesOwner
from ses_notify.inbox import InboxEntry
from ses_notify.maintenance import StoredWindow
from ses_notify.webhooks import WebhookEndpoint

_TOPIC_PREFIX = "NOTIFICATION_TOPIC_"


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


def topic_to_proto(topic: str) -> pb.NotificationTopic.ValueType:
    return pb.NotificationTopic.Value(_TOPIC_PREFIX + topic.upper())


def topic_from_proto(value: int, field: str = "topic") -> Topic:
    name = (
        pb.NotificationTopic.Name(pb.NotificationTopic.ValueType(value))
        if value in pb.NotificationTopic.values()
        else ""
    )
    if not name or value == pb.NOTIFICATION_TOPIC_UNSPECIFIED:
        raise ValidationFailed(
            f"{field} must name a notification topic (NOTIFICATION_TOPIC_...), got {value}.",
            reason="topic_invalid",
        )
    return Topic(name.removeprefix(_TOPIC_PREFIX).lower())


def channel_to_proto(channel: str) -> pb.Channel.ValueType:
    return pb.Channel.Value("CHANNEL_" + channel.upper())


def channel_from_proto(value: int) -> str:
    """'' for UNSPECIFIED (no filter)."""
    if value == pb.CHANNEL_UNSPECIFIED:
        return ""
    if value not in pb.Channel.values():
        raise ValidationFailed(f"channel {value} is not a known channel.", reason="channel_invalid")
    return Channel(
        pb.Channel.Name(pb.Channel.ValueType(value)).removeprefix("CHANNEL_").lower()
    ).value


def status_to_proto(status: str) -> pb.DeliveryStatus.ValueType:
    return pb.DeliveryStatus.Value("DELIVERY_STATUS_" + status.upper())


def statuses_from_proto(values: list[int]) -> tuple[str, ...]:
    statuses: list[str] = []
    for value in values:
        if value == pb.DELIVERY_STATUS_UNSPECIFIED:
            continue
        if value not in pb.DeliveryStatus.values():
            raise ValidationFailed(
                f"statuses holds {value}, which is not a delivery status.",
                reason="delivery_status_invalid",
            )
        name = (
            pb.DeliveryStatus.Name(pb.DeliveryStatus.ValueType(value))
            .removeprefix("DELIVERY_STATUS_")
            .lower()
        )
        statuses.append(DeliveryStatus(name).value)
    return tuple(statuses)


def access_level_to_proto(level: AccessLevel) -> pb.AccessLevel.ValueType:
    return pb.ACCESS_LEVEL_FULL if level is AccessLevel.FULL else pb.ACCESS_LEVEL_LIMITED


def notification(entry: InboxEntry) -> pb.Notification:
    message = pb.Notification(
        notification_id=entry.notification_id,
        topic=topic_to_proto(entry.topic),
        title=entry.title,
        body=entry.body,
        complaint_id=entry.complaint_id,
        information_request_id=entry.information_request_id,
        event_id=entry.event_id,
        created_at=timestamp(entry.created_at),
    )
    read_at = timestamp(entry.read_at)
    if read_at is not None:
        message.read_at.CopyFrom(read_at)
    return message


def preferences(owner: PreferencesOwner, value: Preferences) -> pb.NotificationPreferences:
    message = pb.NotificationPreferences(
        topics=[
            pb.TopicPreference(topic=topic_to_proto(c.topic.value), email=c.email, in_app=c.in_app)
            for c in sorted(value.choices.values(), key=lambda c: topic_to_proto(c.topic.value))
        ],
        additional_emails=list(value.additional_emails),
    )
    if owner.company_id:
        message.company_id = owner.company_id
    else:
        message.user_id = owner.user_id
    return message


def choices_from_proto(message: pb.NotificationPreferences) -> tuple[TopicChoice, ...]:
    return tuple(
        TopicChoice(topic_from_proto(item.topic, "topics[].topic"), item.email, item.in_app)
        for item in message.topics
    )


def delivery(value: Delivery) -> pb.Delivery:
    return pb.Delivery(
        delivery_id=value.delivery_id,
        event_id=value.event_id,
        event_subject=value.event_subject,
        topic=topic_to_proto(value.topic),
        recipient_user_id=value.recipient_user_id,
        address=value.address,
        channel=channel_to_proto(value.channel),
        status=status_to_proto(value.status),
        attempts=value.attempts,
        last_error=value.last_error,
        created_at=timestamp(value.created_at),
        last_attempt_at=timestamp(value.last_attempt_at),
        next_attempt_at=timestamp(value.next_attempt_at)
        if value.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
        else None,
        delivered_at=timestamp(value.delivered_at),
    )


def maintenance_window(window: StoredWindow) -> pb.MaintenanceWindow:
    return pb.MaintenanceWindow(
        maintenance_window_id=window.maintenance_window_id,
        starts_at=timestamp(window.starts_at),
        ends_at=timestamp(window.ends_at),
        description=window.description,
        emergency=window.emergency,
        scheduled_by=common_pb2.UserRef(
            user_id=window.scheduled_by_user_id, party=common_pb2.PARTY_PLATFORM
        ),
        created_at=timestamp(window.created_at),
    )


def webhook_endpoint(endpoint: WebhookEndpoint) -> pb.WebhookEndpoint:
    organization = endpoint.organization
    return pb.WebhookEndpoint(
        webhook_endpoint_id=endpoint.webhook_endpoint_id,
        company_id=organization.id if organization.kind.value == "company" else "",
        agency_id=organization.id if organization.kind.value == "agency" else "",
        url=endpoint.url,
        created_at=timestamp(endpoint.created_at),
        signing_secrets=[
            pb.WebhookSigningSecret(
                signing_secret_id=secret.signing_secret_id,
                created_at=timestamp(secret.created_at),
            )
            for secret in endpoint.signing_secrets
        ],
    )
