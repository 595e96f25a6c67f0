"""The webhook target settings: closed by default, opened only by name."""

from __future__ import annotations

import pytest

from ses_core.notifications import AllowedTargets
from ses_core.platform.settings import SettingsError, load_settings
from ses_notify.webhook_targets import HostsResolver, WebhookTargets


def test_private_targets_are_closed_unless_a_deployment_opens_them() -> None:
    notify = load_settings().notify
    assert notify.webhook_allow_private_targets is False
    assert notify.webhook_allowed_targets == []
    policy = WebhookTargets.from_settings(notify, HostsResolver()).policy
    assert policy.allow_private is False
    assert policy.allowed == AllowedTargets()


def test_the_switch_and_the_allowlist_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_NOTIFY__WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv(
        "SES_NOTIFY__WEBHOOK_ALLOWED_TARGETS", '["Hooks.Internal.example", "10.20.0.0/16"]'
    )
    notify = load_settings().notify
    policy = WebhookTargets.from_settings(notify, HostsResolver()).policy
    assert policy.allow_private is True
    assert policy.allowed.hosts == frozenset({"hooks.internal.example"})
    assert [str(network) for network in policy.allowed.networks] == ["10.20.0.0/16"]


def test_an_allowlist_entry_that_is_no_host_or_network_stops_the_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_NOTIFY__WEBHOOK_ALLOWED_TARGETS", '["10.20.0.1/16"]')
    with pytest.raises(SettingsError) as refused:
        load_settings()
    (problem,) = refused.value.problems
    assert problem.startswith("SES_NOTIFY__WEBHOOK_ALLOWED_TARGETS: '10.20.0.1/16' is neither")
