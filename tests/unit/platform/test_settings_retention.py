"""Retention settings (``SES_RETENTION__*``): documented defaults, floors that keep promises."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from ses_core.platform.messaging.jetstream import DUPLICATE_WINDOW, EVENTS_MAX_AGE
from ses_core.platform.settings import PROCESSED_EVENTS_FLOOR, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.upper().startswith("SES_"):
            monkeypatch.delenv(variable)


def test_the_defaults_are_the_documented_ones() -> None:
    retention = load_settings().retention
    assert retention.outbox_published == timedelta(days=7)
    assert retention.processed_events == timedelta(days=35)
    assert retention.idempotency_keys == timedelta(hours=24)
    assert retention.purge_interval == timedelta(hours=1)
    assert retention.purge_batch_size == 1000


def test_processed_events_outlive_every_redelivery_of_an_event() -> None:
    # A re-created durable consumer is handed the whole retained stream again.
    assert PROCESSED_EVENTS_FLOOR == EVENTS_MAX_AGE
    assert PROCESSED_EVENTS_FLOOR > DUPLICATE_WINDOW
    assert load_settings().retention.processed_events > EVENTS_MAX_AGE


def test_durations_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SES_RETENTION__OUTBOX_PUBLISHED", "P30D")
    monkeypatch.setenv("SES_RETENTION__IDEMPOTENCY_KEYS", "P2D")
    retention = load_settings().retention
    assert retention.outbox_published == timedelta(days=30)
    assert retention.idempotency_keys == timedelta(hours=48)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        (
            "SES_RETENTION__PROCESSED_EVENTS",
            "P7D",
            "SES_RETENTION__PROCESSED_EVENTS must be at least 30 days, the event stream's max age",
        ),
        (
            "SES_RETENTION__IDEMPOTENCY_KEYS",
            "PT1H",
            "SES_RETENTION__IDEMPOTENCY_KEYS must be at least 24 hours, the window promised",
        ),
        ("SES_RETENTION__OUTBOX_PUBLISHED", "PT1M", "SES_RETENTION__OUTBOX_PUBLISHED must be at"),
        ("SES_RETENTION__PURGE_INTERVAL", "PT0S", "SES_RETENTION__PURGE_INTERVAL must be at least"),
        ("SES_RETENTION__PURGE_BATCH_SIZE", "0", "SES_RETENTION__PURGE_BATCH_SIZE: must be an"),
    ],
)
def test_a_retention_below_its_floor_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert says in str(refused.value)
