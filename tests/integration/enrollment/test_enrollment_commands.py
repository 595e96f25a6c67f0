"""The ``ses`` commands of the enrollment service, the demo of ``ses up``, and ``ses serve``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import re
from pathlib import Path

import grpc
import pyotp
import pytest
from enrollment_support import PASSWORD, StartWorld, World, new_user, refused

from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.platform.db import sqlite_url
from ses_core.platform.runtime import CliCommand
from ses_core.testing.hosting import host_settings
from ses_enrollment.cli import OperatorsCommand, SigninCommand, TenantsCommand
from ses_enrollment.demo import (
    DEMO_AGENCY_CODE,
    DEMO_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


def run_command(command: CliCommand, argv: list[str], world: World) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = command.run(parser.parse_args(argv), world.settings)
    return status, out.getvalue(), err.getvalue()


async def test_tenants_create_makes_an_agency_whose_printed_link_activates(world: World) -> None:
    argv = [
        "create",
        "--code", "NY-DFS",
        "--name", "New York Department of Financial Services",
        "--state", "ny",
        "--admin-email", "first.admin@dfs.example",
        "--admin-given-name", "Ada",
        "--admin-family-name", "Lee",
    ]  # fmt: skip

    status, out, _ = await asyncio.to_thread(run_command, TenantsCommand(), argv, world)

    assert status == 0, out
    assert "Created agency NY-DFS" in out
    link = re.search(r"http://\S+", out)
    assert link is not None
    first = await world.auth.ActivateAccount(
        pb.ActivateAccountRequest(activation_token=link.group(0), password=PASSWORD)
    )
    assert first.email == "first.admin@dfs.example"

    again, _, err = await asyncio.to_thread(run_command, TenantsCommand(), argv, world)
    assert again == 1
    assert "NY-DFS is already used" in err


async def test_tenants_create_reports_bad_input_and_an_unmigrated_database(
    world: World, tmp_path: Path
) -> None:
    argv = [
        "create",
        "--code",
        "OK",
        "--name",
        "N",
        "--state",
        "ZZ",
        "--admin-email",
        "a@b.example",
    ]
    status, _, err = await asyncio.to_thread(run_command, TenantsCommand(), argv, world)
    assert status == 1
    assert "two-letter USPS code" in err

    empty = World(
        host_settings(
            tmp_path,
            nats_url="nats://127.0.0.1:1",
            database_urls={"enrollment": sqlite_url(tmp_path, "empty")},
        ),
        world.channel,
        world.clock,
        world.engine,
        world.host,
    )
    status, _, err = await asyncio.to_thread(run_command, TenantsCommand(), argv, empty)
    assert status == 1
    assert "ses migrate enrollment" in err


async def test_an_operator_created_on_the_command_line_can_create_agencies(world: World) -> None:
    argv = [
        "create",
        "--email",
        "ops@platform.example",
        "--given-name",
        "Ola",
        "--family-name",
        "Ops",
    ]
    status, out, _ = await asyncio.to_thread(run_command, OperatorsCommand(), argv, world)
    assert status == 0, out
    link = re.search(r"http://\S+", out)
    assert link is not None

    first = await world.auth.ActivateAccount(
        pb.ActivateAccountRequest(activation_token=link.group(0), password=PASSWORD)
    )
    await world.auth.ActivateAccount(
        pb.ActivateAccountRequest(
            activation_token=link.group(0),
            password=PASSWORD,
            totp_code=pyotp.TOTP(first.totp_secret).at(world.clock.now()),
        )
    )
    session = await world.sign_in("ops@platform.example", first.totp_secret)
    created = await world.enrollment.CreateAgency(
        pb.CreateAgencyRequest(
            code="OPS-MADE",
            name="Made by an operator",
            state_code="CA",
            first_administrator=new_user("admin@ops-made.example"),
        ),
        metadata=(("authorization", f"Bearer {session.tokens.access_token}"),),
    )
    assert created.agency.code == "OPS-MADE"
    again, _, err = await asyncio.to_thread(run_command, OperatorsCommand(), argv, world)
    assert again == 1
    assert "already belongs" in err


async def test_ses_up_seeds_a_demo_that_signs_in_as_printed(start_world: StartWorld) -> None:
    async with start_world(seed_demo=True) as world:
        messages = [
            line
            for service in world.host.services
            if service.parts is not None
            for line in service.parts.ready_messages
        ]
        text = "\n".join(messages)
        for fact in (DEMO_AGENCY_CODE, DEMO_MANAGER_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET):
            assert fact in text
        assert "pyotp.TOTP" in text
        assert "ses signin" in text

        argv = [
            "--email", DEMO_MANAGER_EMAIL,
            "--password", DEMO_PASSWORD,
            "--totp-secret", DEMO_TOTP_SECRET,
            "--address", world.host.address,
        ]  # fmt: skip
        status, out, err = await asyncio.to_thread(run_command, SigninCommand(), argv, world)
        assert status == 0, err
        token = out.strip()
        assert token.count(".") == 2
        companies = await world.enrollment.SearchCompanies(
            pb.SearchCompaniesRequest(), metadata=(("authorization", f"Bearer {token}"),)
        )
        statuses = sorted(company.enrollment_status for company in companies.companies)
        assert statuses == [
            pb.ENROLLMENT_STATUS_NOT_ENROLLED,
            pb.ENROLLMENT_STATUS_ENROLLED,
            pb.ENROLLMENT_STATUS_ENROLLED,
        ]
        await refused(
            world.auth.SignIn(
                pb.SignInRequest(email=DEMO_MANAGER_EMAIL, password="wrong", totp_code="000000")
            ),
            grpc.StatusCode.UNAUTHENTICATED,
        )


async def test_without_seed_demo_nothing_is_seeded(world: World) -> None:
    parts = [service.parts for service in world.host.services]
    assert all(part is not None and not part.ready_messages for part in parts)
    await refused(
        world.auth.SignIn(
            pb.SignInRequest(email=DEMO_MANAGER_EMAIL, password=DEMO_PASSWORD, totp_code="123456")
        ),
        grpc.StatusCode.UNAUTHENTICATED,
    )


async def test_signin_reports_a_refusal(world: World) -> None:
    argv = ["--email", "nobody@x.example", "--password", PASSWORD, "--totp", "123456"]
    argv += ["--address", world.host.address]
    status, _, err = await asyncio.to_thread(run_command, SigninCommand(), argv, world)
    assert status == 1
    assert "UNAUTHENTICATED" in err
