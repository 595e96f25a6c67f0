"""EventConsumer settings are checked up front, and mirrored on the server-side consumer."""

from __future__ import annotations

import pytest

from ses_core.platform.messaging import EventConsumer, InboundEvent, JsonEventCodec
from ses_core.platform.messaging.consumer import UnprocessableEvent, _header_safe


def make(**overrides):
    settings = {
        "durable_name": "notify-mail",
        "filter_subjects": ["ses.complaints.v1.>"],
        "handler": lambda event, uow: None,
        "unit_of_work": lambda tenant: None,
        "codec": JsonEventCodec(),
    }
    settings.update(overrides)
    return EventConsumer(None, **settings)


def test_the_server_side_consumer_mirrors_the_retry_policy():
    config = make(max_attempts=4, backoff=(1, 5, 30)).consumer_config()

    assert config.durable_name == config.name == "notify-mail"
    assert config.ack_policy == "explicit"
    assert config.filter_subjects == ["ses.complaints.v1.>"]
    assert config.backoff == [1.0, 5.0, 30.0]
    assert config.max_deliver == 5  # one delivery more, reserved for a crashed last attempt


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"durable_name": "notify.mail"}, "letters, digits"),
        ({"filter_subjects": []}, "at least one filter subject"),
        ({"filter_subjects": ["deadletter.>"]}, "outside SES_EVENTS"),
        ({"max_attempts": 0}, "at least 1"),
        ({"backoff": ()}, "backoff delays"),
        ({"backoff": (1, 0)}, "backoff delays"),
        ({"max_attempts": 2, "backoff": (1, 2, 3)}, "backoff delays"),
    ],
)
def test_impossible_settings_are_refused_with_the_reason(overrides, message):
    with pytest.raises(ValueError, match=message):
        make(**overrides)


def event(headers):
    return InboundEvent(
        subject="ses.complaints.v1.x",
        event_id="e-1",
        tenant_id="t",
        attempt=1,
        data=b"{}",
        headers=headers,
        codec=JsonEventCodec(),
    )


def test_an_event_encoded_by_another_codec_is_unprocessable():
    from ses_core.events import DomainEvent

    with pytest.raises(UnprocessableEvent, match="configure the same codec"):
        event({"content-type": "application/protobuf"}).decode(DomainEvent)


def test_dead_letter_reasons_are_single_line_and_bounded():
    assert _header_safe("line one\r\nline two") == "line one line two"
    assert len(_header_safe("x" * 2000)) == 500
