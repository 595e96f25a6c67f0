"""Authority follows the directory, not the token: the four services in one host.

Every person signs in once and keeps that access token. Their authority is then changed
in the enrollment service (DeactivateUser, UpdateUserRoles, AssignCompanyContact), and
the very same token must get the new answer from every service: the enrollment service
at once (it is the directory's source), the others as soon as their projection has the
enrollment service's statement (within 2 s; the processes test measures it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

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
    VIEW,
    VIEWER,
    Code,
    Person,
    Scene,
    outcome,
    seconds_until,
)

from ses.complaints.v1 import complaints_pb2 as cpb
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.notify.v1 import notify_pb2 as npb
from ses_complaints.bootstrap import ComplaintsPlugin
from ses_core.identity import Actor
from ses_core.platform.db import create_database_engine
from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import host_settings, hosted, metadata_for
from ses_enrollment.bootstrap import EnrollmentPlugin
from ses_enrollment.settings import EnrollmentSettings
from ses_files.bootstrap import FilesPlugin
from ses_notify.bootstrap import NotifyPlugin

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

FAST = EnrollmentSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
# Generous for a loaded machine: these tests show the new answer arrives, not how fast.
PATIENCE = 30.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scene(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Scene]:
    tmp = tmp_path_factory.mktemp("authority")
    with NatsServerProcess(tmp / "nats") as broker:
        settings = host_settings(tmp / "data", nats_url=broker.url)
        plugins = [EnrollmentPlugin(FAST), ComplaintsPlugin(), FilesPlugin(), NotifyPlugin()]
        async with hosted(settings, plugins) as host:
            engine = create_database_engine(settings.database.url_for("enrollment"))
            channel = grpc.aio.insecure_channel(host.address)
            channels = dict.fromkeys(("enrollment", "complaints", "files", "notify"), channel)
            operator = metadata_for(settings, Actor.platform_operator("op-authority"))
            scene = Scene(channels, engine, operator)
            try:
                yield scene
            finally:
                await channel.close()
                engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def agency(scene: Scene) -> tuple[str, Person, Person]:
    """An agency: (its id, its administrator, a Complaint Manager)."""
    agency_id, admin = await scene.agency(scene.operator_md)
    return agency_id, admin, await scene.agency_user(admin, MANAGER)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def company(scene: Scene, agency: tuple[str, Person, Person]) -> tuple[str, Person]:
    """An enrolled company: (its id, its first user, Account Administrator and Contact)."""
    return await scene.enrolled_company(agency[2])


async def test_a_deactivated_users_token_is_refused_by_every_service(
    scene: Scene, agency: tuple[str, Person, Person]
) -> None:
    _, admin, _ = agency
    leaver = await scene.agency_user(admin, MANAGER)
    probes = scene.probes(leaver)
    before = {name: await probe() for name, probe in probes.items()}
    assert not any(result.unauthenticated for result in before.values()), before

    await scene.enrollment.DeactivateUser(
        epb.DeactivateUserRequest(user_id=leaver.user_id, reason="left"), metadata=admin.md
    )

    assert await probes["enrollment read"]() == DEACTIVATED  # the source: at once
    for name, probe in probes.items():

        async def refused(probe=probe) -> bool:
            return (await probe()) == DEACTIVATED

        await seconds_until(refused, patience=PATIENCE)
        assert await probe() == DEACTIVATED, name


async def test_a_user_made_complaints_contact_assigns_the_poc_with_the_token_they_hold(
    scene: Scene, agency: tuple[str, Person, Person], company: tuple[str, Person]
) -> None:
    company_id, first = company
    complaint_id, _ = await scene.sent_complaint(agency[2], company_id)
    colleague = await scene.company_user(first, company_id, MANAGE)

    def assign() -> object:
        return outcome(
            scene.complaints.AssignCompanyPoc(
                cpb.AssignCompanyPocRequest(complaint_id=complaint_id, user_id=colleague.user_id),
                metadata=colleague.md,
            )
        )

    refused = await assign()
    assert (refused.code, refused.reason) == (
        Code.PERMISSION_DENIED,
        "not_contact_or_account_admin",
    )

    await scene.enrollment.AssignCompanyContact(
        epb.AssignCompanyContactRequest(
            company_id=company_id, contact_type=CONTACT, user_id=colleague.user_id
        ),
        metadata=first.md,
    )

    async def assigned() -> bool:
        return (await assign()) == OK

    await seconds_until(assigned, patience=PATIENCE)
    complaint = await scene.complaints.GetComplaint(
        cpb.GetComplaintRequest(complaint_id=complaint_id), metadata=colleague.md
    )
    assert complaint.complaint.company_poc.user_id == colleague.user_id


async def test_a_user_whose_manage_permission_is_removed_loses_write_access(
    scene: Scene, agency: tuple[str, Person, Person], company: tuple[str, Person]
) -> None:
    company_id, first = company
    complaint_id, ir_id = await scene.sent_complaint(agency[2], company_id)
    poc = await scene.company_user(first, company_id, MANAGE)
    await _eventually_ok(
        lambda: scene.complaints.AssignCompanyPoc(
            cpb.AssignCompanyPocRequest(complaint_id=complaint_id, user_id=poc.user_id),
            metadata=first.md,
        )
    )

    def draft() -> object:
        return outcome(
            scene.complaints.SaveResponseDraft(
                cpb.SaveResponseDraftRequest(
                    complaint_id=complaint_id, information_request_id=ir_id, text="Working on it."
                ),
                metadata=poc.md,
            )
        )

    assert await draft() == OK
    await scene.enrollment.UpdateUserRoles(
        epb.UpdateUserRolesRequest(user_id=poc.user_id, complaints_permission=VIEW),
        metadata=first.md,
    )

    async def refused() -> bool:
        result = await draft()
        return (result.code, result.reason) == (
            Code.PERMISSION_DENIED,
            "missing_complaints_permission",
        )

    await seconds_until(refused, patience=PATIENCE)
    # Reading is what View Complaints still allows.
    await scene.complaints.GetComplaint(
        cpb.GetComplaintRequest(complaint_id=complaint_id), metadata=poc.md
    )


async def test_a_demoted_agency_manager_can_no_longer_create_complaints(
    scene: Scene, agency: tuple[str, Person, Person], company: tuple[str, Person]
) -> None:
    _, admin, _ = agency
    manager = await scene.agency_user(admin, MANAGER)
    await scene.sent_complaint(manager, company[0])

    await scene.enrollment.UpdateUserRoles(
        epb.UpdateUserRolesRequest(user_id=manager.user_id, agency_roles=[VIEWER]),
        metadata=admin.md,
    )

    async def refused() -> bool:
        try:
            await scene.sent_complaint(manager, company[0])
        except grpc.aio.AioRpcError as error:
            return error.code() is Code.PERMISSION_DENIED
        return False

    await seconds_until(refused, patience=PATIENCE)


async def test_a_promotion_applies_to_the_token_already_held_on_every_service_it_concerns(
    scene: Scene, agency: tuple[str, Person, Person]
) -> None:
    _, admin, _ = agency
    promoted = await scene.agency_user(admin, MANAGER)

    def unlock_admin() -> object:  # managing agency users: administrators only; changes nothing
        return outcome(
            scene.enrollment.UnlockUser(
                epb.UnlockUserRequest(user_id=admin.user_id), metadata=promoted.md
            )
        )

    def list_webhooks() -> object:  # looking after notifications: administrators, supervisors
        return outcome(
            scene.notify.ListWebhookEndpoints(
                npb.ListWebhookEndpointsRequest(), metadata=promoted.md
            )
        )

    assert (await unlock_admin()).code is Code.PERMISSION_DENIED
    assert (await list_webhooks()).code is Code.PERMISSION_DENIED

    await scene.enrollment.UpdateUserRoles(
        epb.UpdateUserRolesRequest(user_id=promoted.user_id, agency_roles=[AGENCY_ADMIN]),
        metadata=admin.md,
    )

    assert await unlock_admin() == OK  # the enrollment service is the source: no lag

    async def allowed() -> bool:
        return (await list_webhooks()) == OK

    await seconds_until(allowed, patience=PATIENCE)


async def _eventually_ok(call: object) -> None:
    async def done() -> bool:
        return (await outcome(call())) == OK  # type: ignore[operator]

    await seconds_until(done, patience=PATIENCE)
