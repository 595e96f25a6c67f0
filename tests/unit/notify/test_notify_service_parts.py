"""Pure parts of the notify service: channel plugins, e-mail composition, paging, retries, URLs."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from ses_core.errors import ValidationFailed
from ses_core.notifications import Channel, Topic
from ses_core.platform.grpc.timestamps import instant
from ses_core.platform.settings import load_settings
from ses_notify.channels import ENTRY_POINT_GROUP, ChannelContext, builtin_factories, load_channels
from ses_notify.channels.email import compose
from ses_notify.channels.webhook import body_of
from ses_notify.deliveries import Delivery
from ses_notify.mappers import topic_from_proto, topic_to_proto
from ses_notify.paging import decode_token, encode_token, page_size_of
from ses_notify.worker import DeliveryPolicy

PYPROJECT = Path(__file__).parents[3] / "services" / "notify" / "pyproject.toml"
AT = datetime(2031, 3, 3, 14, 0, tzinfo=UTC)


def _delivery(**overrides: Any) -> Delivery:
    values: dict[str, Any] = {
        "delivery_id": "6c1b1a43-0000-5000-8000-000000000001",
        "event_id": "e-1",
        "event_subject": "ses.complaints.v1.response_submitted",
        "tenant_id": "agency-1",
        "topic": "response_submitted",
        "channel": "email",
        "recipient_user_id": "u-1",
        "organization_kind": "agency",
        "organization_id": "agency-1",
        "address": "dana@example.org",
        "status": "pending",
        "attempts": 0,
        "last_error": "",
        "content": {
            "subject": "Response submitted for complaint c-1",
            "text": "Hello",
            "html": "<p>Hello</p>",
        },
        "created_at": AT,
        "last_attempt_at": None,
        "next_attempt_at": AT,
        "delivered_at": None,
    }
    return Delivery(**{**values, **overrides})


def test_the_package_declares_every_builtin_channel_as_an_entry_point() -> None:
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert set(declared) == {channel.value for channel in Channel}
    for name, target in declared.items():
        module, _, attribute = target.partition(":")
        assert getattr(import_module(module), attribute) is builtin_factories()[name]


def test_channels_load_by_name_and_refuse_unknown_names(tmp_path: Path) -> None:
    context = ChannelContext(load_settings(data_dir=tmp_path), sessions=None)  # type: ignore[arg-type]
    channels = load_channels(context, builtin_factories())
    assert set(channels) == set(Channel)
    assert "E-mail: written as .eml files to" in channels[Channel.EMAIL].describe()
    with pytest.raises(ValueError, match="names no channel"):
        load_channels(context, {"pigeon": builtin_factories()["email"]})
    with pytest.raises(ValueError, match="must match"):
        load_channels(context, {"webhook": builtin_factories()["email"]})


def test_emails_are_multipart_with_a_message_id_from_the_delivery() -> None:
    message = compose(_delivery(), "SES <no-reply@ses.local>")
    assert message.get_content_type() == "multipart/alternative"
    assert message["Message-ID"] == "<6c1b1a43-0000-5000-8000-000000000001@ses-notify>"
    assert message["X-SES-Topic"] == "response_submitted"
    assert message["Subject"] == "Response submitted for complaint c-1"
    assert b"\r\n" in message.as_bytes()


def test_webhook_bodies_carry_the_delivery_id_for_receivers_to_drop_repeats() -> None:
    delivery = _delivery(
        channel="webhook", content={"payload": {"topic": "x"}, "webhook_endpoint_id": "w"}
    )
    assert body_of(delivery) == (
        b'{"created_at":"2031-03-03T14:00:00+00:00",'
        b'"delivery_id":"6c1b1a43-0000-5000-8000-000000000001","topic":"x"}'
    )


def test_page_tokens_round_trip_and_refuse_other_filters() -> None:
    key = (AT, "n-9")
    token = encode_token(key, {"user": "u-1"})
    assert decode_token(token, {"user": "u-1"}) == key
    assert encode_token(None, {}) == ""
    assert decode_token("", {}) is None
    with pytest.raises(ValidationFailed, match="other filters"):
        decode_token(token, {"user": "u-2"})
    with pytest.raises(ValidationFailed, match="not one this list issued"):
        decode_token("%%%", {"user": "u-1"})
    assert page_size_of(0) == 50
    assert page_size_of(10_000) == 200
    with pytest.raises(ValidationFailed):
        page_size_of(-1)


def test_retry_delays_grow_exponentially_up_to_the_cap() -> None:
    policy = DeliveryPolicy(retry_initial=10.0, retry_max=100.0)
    first, second, late = (policy.retry_delay(n) for n in (1, 2, 10))
    assert 10.0 <= first <= 20.0
    assert 20.0 <= second <= 30.0
    assert late == 100.0


def test_proto_topics_map_to_domain_topics_and_back() -> None:
    for topic in Topic:
        assert topic_from_proto(topic_to_proto(topic.value)) is topic
    with pytest.raises(ValidationFailed, match="notification topic"):
        topic_from_proto(0)
    with pytest.raises(ValidationFailed):
        topic_from_proto(999)


@pytest.mark.parametrize(
    ("seconds", "nanos"), [(0, -1), (0, 1_000_000_000), (-(2**62), 0), (2**62, 0)]
)
def test_a_timestamp_protobuf_cannot_represent_is_refused_naming_the_field(
    seconds: int, nanos: int
) -> None:
    """Found by fuzzing ScheduleMaintenance (tests/security): it used to answer INTERNAL."""
    with pytest.raises(ValidationFailed) as refused:
        instant(Timestamp(seconds=seconds, nanos=nanos), True, "starts_at")

    assert (refused.value.reason, refused.value.field) == ("timestamp_invalid", "starts_at")


def test_an_absent_timestamp_is_none_and_a_valid_one_is_its_instant() -> None:
    assert instant(Timestamp(), False, "ends_at") is None
    assert instant(Timestamp(seconds=1_900_000_000), True, "ends_at") == datetime.fromtimestamp(
        1_900_000_000, UTC
    )
