"""What a host's start imports: the services, but not what only a rarely used path needs
(the S3 blob store's ``boto3``, the SDK's generated clients for webhook signatures, the
OpenTelemetry SDK while telemetry is off)."""

from __future__ import annotations

import subprocess
import sys

NOT_AT_START = ("boto3", "botocore", "ses_sdk", "opentelemetry.sdk")

_PROBE = f"""
import sys
from ses_core.platform.runtime._plugin import select_plugins
from ses_files.blobstores import blob_store_factories
from ses_core.platform.grpc import create_server
from ses_core.platform.settings import TelemetrySettings
from ses_core.platform.telemetry import setup_telemetry
from ses_notify.channels import discover_channel_factories

select_plugins(None)
blob_store_factories()
discover_channel_factories()
assert not setup_telemetry(TelemetrySettings(exporter="none")).enabled
print(",".join(m for m in {NOT_AT_START!r} if m in sys.modules))
"""


def test_loading_the_services_blob_stores_channels_and_no_telemetry_imports_none_of_them() -> None:
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


_SUPERVISOR_PROBE = """
import sys
from ses_core.platform.runtime import cli
from ses_core.platform.runtime._broker import BrokerSupervisor
print(",".join(m for m in ("sqlalchemy", "ses_core.platform.grpc", "ses_core.events")
               if m in sys.modules))
"""


def test_the_workers_supervisor_imports_no_database_grpc_kit_or_domain_events() -> None:
    """It starts the first worker only after these imports: each would delay it."""
    result = subprocess.run(
        [sys.executable, "-c", _SUPERVISOR_PROBE], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
