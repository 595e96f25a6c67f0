"""Settings: typed groups from SES_* variables, read at start, refused with a named reason."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ses_core.platform.settings import (
    IdentitySettings,
    Settings,
    SettingsError,
    env_name,
    load_settings,
    load_settings_as,
    settings_or_exit,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.upper().startswith("SES_"):
            monkeypatch.delenv(variable)


def test_defaults_run_the_embedded_setup_under_the_data_directory() -> None:
    settings = load_settings(data_dir=Path("/srv/ses"))
    assert settings.grpc.address == "127.0.0.1:50051"
    assert settings.database.url_for("complaints") == "sqlite+pysqlite:////srv/ses/complaints.db"
    assert settings.database.enrollment == "sqlite+pysqlite:////srv/ses/enrollment.db"
    assert settings.nats.url == ""
    assert settings.nats.store_dir == Path("/srv/ses/nats")
    assert settings.identity.signing_key_path == Path("/srv/ses/identity/signing-keys.json")
    assert settings.identity.trust_source == "local"
    assert settings.telemetry.exporter == "none"
    assert settings.grpc.max_receive_message_bytes == 4 * 1024 * 1024
    assert settings.uploads.max_file_bytes == 1_073_741_824
    assert settings.uploads.chunk_bytes == 1024 * 1024


def test_nested_groups_come_from_double_underscore_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_GRPC__PORT", "6001")
    monkeypatch.setenv("SES_DATABASE__FILES", "postgresql://ses@db:5432/files")
    monkeypatch.setenv("SES_IDENTITY__ACCESS_TOKEN_TTL", "PT5M")
    monkeypatch.setenv("SES_TELEMETRY__EXPORTER", "console")
    monkeypatch.setenv(
        "SES_MAINTENANCE__READ_ONLY_METHODS", '["/ses.notify.v1.NotifyService/MarkRead"]'
    )
    settings = load_settings()
    assert settings.grpc.port == 6001
    assert settings.database.files == "postgresql://ses@db:5432/files"
    assert settings.database.notify.endswith("notify.db")
    assert settings.identity.access_token_ttl == timedelta(minutes=5)
    assert settings.telemetry.exporter == "console"
    assert settings.maintenance.read_only_methods == ["/ses.notify.v1.NotifyService/MarkRead"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("600", timedelta(minutes=10)),
        ("1.5", timedelta(seconds=1.5)),
        ("PT10M", timedelta(minutes=10)),
    ],
)
def test_a_duration_is_read_as_seconds_or_iso_8601(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: timedelta
) -> None:
    monkeypatch.setenv("SES_IDENTITY__ACCESS_TOKEN_TTL", value)
    assert load_settings().identity.access_token_ttl == expected


def test_the_portal_address_defaults_to_a_local_one_and_loses_its_trailing_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().notify.portal_url == "http://localhost:8080"
    monkeypatch.setenv("SES_NOTIFY__PORTAL_URL", " https://ses.example.gov/portal/ ")
    assert load_settings().notify.portal_url == "https://ses.example.gov/portal"


def test_keyword_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SES_GRPC__PORT", "6001")
    assert load_settings(grpc={"port": 0}).grpc.port == 0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "SES_GRPC__PORT",
            "abc",
            "SES_GRPC__PORT: must be an integer between 0 and 65535, got 'abc'",
        ),
        (
            "SES_GRPC__PORT",
            "70000",
            "SES_GRPC__PORT: must be an integer between 0 and 65535, got '70000'",
        ),
        (
            "SES_TELEMETRY__EXPORTER",
            "zipkin",
            "SES_TELEMETRY__EXPORTER: must be one of 'none', 'console', 'otlp', 'memory', "
            "got 'zipkin'",
        ),
        (
            "SES_IDENTITY__REQUIRE_MFA",
            "maybe",
            "SES_IDENTITY__REQUIRE_MFA: must be true or false, got 'maybe'",
        ),
        (
            "SES_IDENTITY__ACCESS_TOKEN_TTL",
            "soon",
            "SES_IDENTITY__ACCESS_TOKEN_TTL: must be a duration in seconds (600) or "
            "ISO 8601 (PT10M), got 'soon'",
        ),
        (
            "SES_UPLOADS__CHUNK_BYTES",
            "4194304",
            "SES_UPLOADS__CHUNK_BYTES: must be an integer between 16384 and 1048576, got '4194304'",
        ),
        (
            "SES_NOTIFY__PORTAL_URL",
            "ses.example.gov",
            "SES_NOTIFY__PORTAL_URL: must be the web address of the SES portal, such as "
            "https://ses.example.gov, got 'ses.example.gov'",
        ),
        (
            "SES_NOTIFY__PORTAL_URL",
            "https://ses.example.gov/?x=1",
            "SES_NOTIFY__PORTAL_URL: must be the portal's address without a query or "
            "fragment, got 'https://ses.example.gov/?x=1'",
        ),
        ("SES_GRPC__PROT", "1", "SES_GRPC__PROT: not a known setting"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value) == message


def test_every_bad_value_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SES_GRPC__PORT", "abc")
    monkeypatch.setenv("SES_IDENTITY__REQUIRE_MFA", "maybe")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert [problem.split(":")[0] for problem in refused.value.problems] == [
        "SES_GRPC__PORT",
        "SES_IDENTITY__REQUIRE_MFA",
    ]


def test_a_list_that_is_not_json_is_refused_with_an_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_MAINTENANCE__READ_ONLY_METHODS", "/a/B")
    with pytest.raises(SettingsError, match=r"^SES_MAINTENANCE: .* write lists and groups as JSON"):
        load_settings()


def test_trusting_an_oidc_issuer_and_a_jwks_url_at_once_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_IDENTITY__OIDC_ISSUER", "https://login.example.gov")
    monkeypatch.setenv("SES_IDENTITY__JWKS_URL", "https://keys.example.gov/jwks")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value).startswith(
        "SES_IDENTITY__OIDC_ISSUER and SES_IDENTITY__JWKS_URL are both set; set only one"
    )


@pytest.mark.parametrize(
    ("identity", "source", "expected_issuer"),
    [
        (IdentitySettings(), "local", "urn:ses:identity"),
        (IdentitySettings(jwks_url="https://k.example/jwks"), "jwks_url", "urn:ses:identity"),
        (
            IdentitySettings(oidc_issuer="https://kc.example/realms/ses"),
            "oidc",
            "https://kc.example/realms/ses",
        ),
    ],
)
def test_one_setting_picks_the_token_trust_source(
    identity: IdentitySettings, source: str, expected_issuer: str
) -> None:
    assert identity.trust_source == source
    assert identity.expected_issuer == expected_issuer


def test_settings_or_exit_prints_the_problem_and_exits_with_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SES_GRPC__PORT", "abc")
    with pytest.raises(SystemExit) as exited:
        settings_or_exit()
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "ses: invalid settings: SES_GRPC__PORT: must be an integer between 0 and 65535, got 'abc'\n"
    )


def test_an_unknown_ses_variable_is_logged_with_the_nearest_name(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SES_DATA_DRI", "/tmp/x")
    with caplog.at_level(logging.WARNING, logger="ses_core.platform.settings"):
        load_settings()
    assert "SES_DATA_DRI matches no setting and is ignored; did you mean SES_DATA_DIR?" in (
        caplog.text
    )


def test_env_names_follow_the_nesting() -> None:
    assert env_name(("grpc", "port")) == "SES_GRPC__PORT"
    assert env_name(("data_dir",)) == "SES_DATA_DIR"


@pytest.mark.parametrize(
    "module",
    [
        "ses_core.platform.settings",
        "ses_core.platform.telemetry",
        "ses_core.platform.grpc.server",
        "ses_core.platform.grpc",
        "ses_core.platform.identity",
    ],
)
def test_importing_the_platform_kit_reads_no_settings(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    # Settings are built at start, never at import: a bad value must not break an import.
    monkeypatch.setenv("SES_GRPC__PORT", "abc")
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module, fresh)
    spec.loader.exec_module(fresh)


class _FilesServiceSettings(Settings):
    blob_dir: Path = Path("blobs")


def test_services_can_extend_the_settings_with_their_own_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SES_BLOB_DIR", "/srv/blobs")
    monkeypatch.setenv("SES_GRPC__PORT", "6002")
    settings = load_settings_as(_FilesServiceSettings)
    assert (settings.blob_dir, settings.grpc.port) == (Path("/srv/blobs"), 6002)
