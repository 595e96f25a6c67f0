"""How fast a change of authority reaches every service, each in its own ``ses serve`` process.

The four services run as Kubernetes runs them: one process each, one SQLite database
each, one shared ``nats-server``. A person signs in once; then DeactivateUser,
UpdateUserRoles or AssignCompanyContact is called on the enrollment service, and from
the moment it returns, each service is polled (every 20 ms) with the token issued before
the change until it gives the new answer. Each measured time is printed and must be at
most 2 s (DESIGN §6: "a change takes effect within seconds on every service").

Where no call of a service depends on the change (the files service never looks at
roles or designations; the notify service not at the Complaints Contact), what is
measured there is the time until the service's directory holds the new authority, plus
the longest a service may keep using a cached answer (``authority_cache_seconds``):
the latest its next call can see it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import grpc.aio
import pytest
import pytest_asyncio
from authority_support import (
    AGENCY_ADMIN,
    CONTACT,
    DEACTIVATED,
    MANAGE,
    MANAGER,
    OK,
    Code,
    Person,
    Scene,
    outcome,
    seconds_until,
)
from sqlalchemy import Engine

from ses.complaints.v1 import complaints_pb2 as cpb
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.notify.v1 import notify_pb2 as npb
from ses_core.accounts import UserAuthority
from ses_core.identity import Actor, Identity
from ses_core.platform.authority import find_authority
from ses_core.platform.db import create_database_engine
from ses_core.platform.settings import Settings, load_settings
from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import metadata_for, state_actor
from ses_core.testing.services import ServeProcess, serve_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

SERVICES = ("enrollment", "complaints", "files", "notify")
PROMISE = 2.0  # seconds
ADMIN = "agency_account_admin"


def _serve(service: str, data_dir: Path, nats_url: str, log: Path) -> ServeProcess:
    environment = serve_environment(data_dir=data_dir, nats_url=nats_url)
    return ServeProcess(service, environment, log).start(timeout=120)


@dataclass
class Cluster:
    scene: Scene
    settings: Settings
    databases: dict[str, Engine]
    cache_seconds: float

    def directory_row(self, service: str, user_id: str) -> UserAuthority | None:
        with self.databases[service].connect() as connection:
            return find_authority(connection, Identity(user_id=user_id))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("processes")
    data_dir = tmp / "data"
    with NatsServerProcess(tmp / "nats") as broker:
        settings = load_settings(data_dir=data_dir, nats={"url": broker.url})
        running: list[ServeProcess] = []
        try:
            # One after the other: the first creates the signing keys and the grant secret
            # that the others then load.
            for service in SERVICES:
                running.append(_serve(service, data_dir, broker.url, tmp / f"{service}.log"))
            yield settings, {served.service: served.address for served in running}
        finally:
            for served in running:
                served.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(served: tuple[Settings, dict[str, str]]) -> AsyncIterator[Cluster]:
    settings, addresses = served
    channels = {service: grpc.aio.insecure_channel(addresses[service]) for service in SERVICES}
    databases = {
        service: create_database_engine(settings.database.url_for(service)) for service in SERVICES
    }
    operator = Actor.platform_operator("op-processes")
    assert state_actor(settings, operator) == list(SERVICES)
    scene = Scene(channels, databases["enrollment"], metadata_for(settings, operator))
    try:
        yield Cluster(scene, settings, databases, settings.identity.authority_cache_seconds)
    finally:
        for channel in channels.values():
            await channel.close()
        for engine in databases.values():
            engine.dispose()


@dataclass(frozen=True)
class Cast:
    """An agency and an enrolled company with a complaint sent to it."""

    admin: Person  # the Agency Account Administrator
    first: Person  # the company's Account Administrator and Complaints Contact
    company_id: str
    complaint_id: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cast(cluster: Cluster) -> Cast:
    scene = cluster.scene
    _, admin = await scene.agency(scene.operator_md)
    manager = await scene.agency_user(admin, MANAGER)
    company_id, first = await scene.enrolled_company(manager)
    complaint_id, _ = await scene.sent_complaint(manager, company_id)
    return Cast(admin, first, company_id, complaint_id)


Probe = Callable[[], Awaitable[bool]]


async def _measure(probes: dict[str, Probe]) -> dict[str, float]:
    """Poll every probe at once from now on; the seconds until each first held."""
    names = list(probes)
    times = await asyncio.gather(*(seconds_until(probes[name], patience=60) for name in names))
    return dict(zip(names, times, strict=True))


def _report(change: str, times: dict[str, float]) -> None:
    print(f"\n{change}: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in times.items()))


def _row_probe(cluster: Cluster, service: str, user_id: str, holds: Callable) -> Probe:
    async def probe() -> bool:
        row = await asyncio.to_thread(cluster.directory_row, service, user_id)
        return row is not None and bool(holds(row))

    return probe


async def test_deactivate_user_reaches_every_service_within_two_seconds(
    cluster: Cluster, cast: Cast
) -> None:
    scene, admin = cluster.scene, cast.admin
    leaver = await scene.agency_user(admin, MANAGER)
    reads = {name: probe for name, probe in scene.probes(leaver).items() if name.endswith("read")}
    for name, probe in reads.items():
        assert not (await probe()).unauthenticated, name

    await scene.enrollment.DeactivateUser(
        epb.DeactivateUserRequest(user_id=leaver.user_id), metadata=admin.md
    )
    times = await _measure({name: _until(probe, DEACTIVATED) for name, probe in reads.items()})

    _report("DeactivateUser", times)
    assert max(times.values()) <= PROMISE, times


async def test_update_user_roles_reaches_every_service_within_two_seconds(
    cluster: Cluster, cast: Cast
) -> None:
    scene, admin, complaint_id = cluster.scene, cast.admin, cast.complaint_id
    promoted = await scene.agency_user(admin, MANAGER)
    md = promoted.md

    def unlock() -> Awaitable[object]:
        return outcome(
            scene.enrollment.UnlockUser(epb.UnlockUserRequest(user_id=admin.user_id), metadata=md)
        )

    def read_complaint() -> Awaitable[object]:
        request = cpb.GetComplaintRequest(complaint_id=complaint_id)
        return outcome(scene.complaints.GetComplaint(request, metadata=md))

    def webhooks() -> Awaitable[object]:
        return outcome(
            scene.notify.ListWebhookEndpoints(npb.ListWebhookEndpointsRequest(), metadata=md)
        )

    assert (await unlock()).code is Code.PERMISSION_DENIED
    assert await read_complaint() == OK
    assert (await webhooks()).code is Code.PERMISSION_DENIED

    await scene.enrollment.UpdateUserRoles(
        epb.UpdateUserRolesRequest(user_id=promoted.user_id, agency_roles=[AGENCY_ADMIN]),
        metadata=admin.md,
    )
    times = await _measure(
        {
            "enrollment (UnlockUser allowed)": _until(unlock, OK),
            "complaints (GetComplaint refused)": _until_not(read_complaint, OK),
            "notify (ListWebhookEndpoints allowed)": _until(webhooks, OK),
            "files (directory row)": _row_probe(
                cluster,
                "files",
                promoted.user_id,
                lambda row: row.agency_role == "agency_account_admin",
            ),
        }
    )
    times["files (directory row)"] += cluster.cache_seconds

    _report("UpdateUserRoles", times)
    assert max(times.values()) <= PROMISE, times


async def test_assign_company_contact_reaches_every_service_within_two_seconds(
    cluster: Cluster, cast: Cast
) -> None:
    scene, first = cluster.scene, cast.first
    company_id, complaint_id = cast.company_id, cast.complaint_id
    colleague = await scene.company_user(first, company_id, MANAGE)

    def assign_poc() -> Awaitable[object]:
        request = cpb.AssignCompanyPocRequest(complaint_id=complaint_id, user_id=colleague.user_id)
        return outcome(scene.complaints.AssignCompanyPoc(request, metadata=colleague.md))

    assert (await assign_poc()).code is Code.PERMISSION_DENIED

    await scene.enrollment.AssignCompanyContact(
        epb.AssignCompanyContactRequest(
            company_id=company_id, contact_type=CONTACT, user_id=colleague.user_id
        ),
        metadata=first.md,
    )
    is_contact = lambda row: row.complaints_contact  # noqa: E731
    rows = {
        f"{service} (directory row)": _row_probe(cluster, service, colleague.user_id, is_contact)
        for service in ("enrollment", "files", "notify")
    }
    times = await _measure(
        {"complaints (AssignCompanyPoc allowed)": _until(assign_poc, OK), **rows}
    )
    for name in rows:
        times[name] += cluster.cache_seconds

    _report("AssignCompanyContact", times)
    assert max(times.values()) <= PROMISE, times


def _until(call: Callable[[], Awaitable[object]], wanted: object) -> Probe:
    async def probe() -> bool:
        return (await call()) == wanted

    return probe


def _until_not(call: Callable[[], Awaitable[object]], unwanted: object) -> Probe:
    async def probe() -> bool:
        return (await call()) != unwanted

    return probe
