"""The host purges the platform tables of every service it runs, periodically (issue 10).

Rows older than their retention are written into the notify service's database of a
running host; the host's purge, run every second here, removes them and leaves the
young ones.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from runtime_support import quick_notify
from sqlalchemy import Engine, insert, select

from ses_core.platform.db import idempotency_keys_table, outbox_table, processed_events_table
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted

pytestmark = [pytest.mark.integration]


def write_rows(engine: Engine, age: timedelta, tag: str) -> None:
    at = datetime.now(UTC) - age
    with engine.begin() as connection:
        connection.execute(
            insert(outbox_table).values(
                event_id=f"{tag}-{uuid.uuid4()}",
                subject="ses.testing.v1.old",
                payload=b"",
                headers={},
                tenant_id="tenant-a",
                created_at=at,
                published_at=at,
            )
        )
        connection.execute(
            insert(processed_events_table).values(
                consumer="retention-test", event_id=f"{tag}-event", processed_at=at
            )
        )
        connection.execute(
            insert(idempotency_keys_table).values(
                tenant_id="tenant-a",
                user_id="u-1",
                method="/ses.notify.v1.NotifyService/MarkRead",
                idempotency_key=f"{tag}-key",
                request_hash="h",
                response=b"",
                claimed_at=at,
                completed_at=at,
            )
        )


def tags(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        found = {
            row[0].split("-", 1)[0]
            for table, column in (
                (outbox_table, outbox_table.c.event_id),
                (processed_events_table, processed_events_table.c.event_id),
                (idempotency_keys_table, idempotency_keys_table.c.idempotency_key),
            )
            for row in connection.execute(select(column).select_from(table))
            if row[0].startswith(("old-", "young-"))
        }
    return found


async def test_the_host_purges_old_rows_of_its_services_every_interval(
    tmp_path: Path, nats_server: NatsServerProcess
) -> None:
    settings = host_settings(
        tmp_path / "data", nats_url=nats_server.url, retention={"purge_interval": "PT1S"}
    )
    async with hosted(settings, [quick_notify()]) as host:
        (notify,) = host.services
        await eventually(lambda: notify.purger.passes >= 1, message="the first purge")
        write_rows(notify.engine, timedelta(days=40), "old")
        write_rows(notify.engine, timedelta(hours=1), "young")
        assert tags(notify.engine) == {"old", "young"}

        await eventually(lambda: tags(notify.engine) == {"young"}, message="the old rows to go")
