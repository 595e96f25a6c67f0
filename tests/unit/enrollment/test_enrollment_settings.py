"""Enrollment settings from SES_ENROLLMENT__* variables; bad values are named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ses_core.platform.settings import SettingsError
from ses_enrollment.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_instructions
from ses_enrollment.passwords import password_problem
from ses_enrollment.settings import EnrollmentSettings, load_enrollment_settings


def test_defaults_match_the_issue() -> None:
    settings = load_enrollment_settings()
    assert settings.activation_link_ttl == timedelta(days=14)
    assert settings.lockout_threshold == 5
    assert settings.activation_link_base == "http://127.0.0.1:8080/activate?token="


def test_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SES_ENROLLMENT__ACTIVATION_LINK_TTL", "P3D")
    monkeypatch.setenv("SES_ENROLLMENT__LOCKOUT_THRESHOLD", "7")
    settings = load_enrollment_settings()
    assert (settings.activation_link_ttl, settings.lockout_threshold) == (timedelta(days=3), 7)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SES_ENROLLMENT__LOCKOUT_THRESHOLD", "0"),
        ("SES_ENROLLMENT__ACTIVATION_LINK_BASE", "ftp://x"),
        ("SES_ENROLLMENT__LOCKOUT_DURATION", "-5"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_enrollment_settings()
    assert variable in str(error.value)


def test_the_demo_password_passes_the_policy_and_its_instructions_are_complete() -> None:
    assert password_problem(DEMO_PASSWORD, email="manager@demo-agency.example") is None
    text = "\n".join(demo_instructions("127.0.0.1:50051"))
    assert DEMO_TOTP_SECRET in text
    assert "--address 127.0.0.1:50051" in text
    assert EnrollmentSettings().expiry_sweep_seconds == 60


def test_a_misspelt_variable_is_refused_with_the_nearest_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_ENROLLMENT__LOCKOUT_TRESHOLD", "3")
    with pytest.raises(SettingsError) as error:
        load_enrollment_settings()
    assert "did you mean SES_ENROLLMENT__LOCKOUT_THRESHOLD" in str(error.value)
