"""The breaking-change guard: a committed buf image of the released contract, no tag needed.

Each test works on a copy of ``protos/`` in a temporary directory and points the real
scripts (``scripts/contract-release.sh``, ``scripts/buf-breaking.sh``) and the real ``buf``
at it through ``SES_CONTRACT_PROTOS`` / ``SES_CONTRACT_IMAGE``, so the repository's own
image is never touched. The breaks are ones the pinned names of DESIGN §6-7 make stable:
the event envelope's ``event_id = 1`` and the ``ComplaintsService`` name.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from contract_support import PROTOS, SCRIPTS, run
from google.protobuf import descriptor_pb2

RELEASED_IMAGE = PROTOS / "contract" / "ses-v1.binpb"
EVENT_FILES = sorted(p.relative_to(PROTOS).as_posix() for p in PROTOS.rglob("events.proto"))


@pytest.fixture
def contract(tmp_path: Path) -> dict[str, str]:
    """Environment for the scripts: a copy of the protos, and where its image goes."""
    protos = tmp_path / "protos"
    shutil.copytree(PROTOS, protos, ignore=shutil.ignore_patterns("*.binpb"))
    return {
        **os.environ,
        "SES_CONTRACT_PROTOS": str(protos),
        "SES_CONTRACT_IMAGE": str(tmp_path / "released" / "ses-v1.binpb"),
    }


def release(env: dict[str, str], **extra: str) -> tuple[int, str]:
    result = run("bash", SCRIPTS / "contract-release.sh", env={**env, **extra})
    return result.returncode, result.stdout + result.stderr


def check(env: dict[str, str]) -> tuple[int, str]:
    result = run("bash", SCRIPTS / "buf-breaking.sh", env=env)
    return result.returncode, result.stdout + result.stderr


def edit(env: dict[str, str], proto: str, old: str, new: str) -> None:
    path = Path(env["SES_CONTRACT_PROTOS"]) / proto
    text = path.read_text()
    assert old in text, f"{proto} no longer contains {old!r}; pick another stable break"
    path.write_text(text.replace(old, new))


def image_files(image: Path) -> list[str]:
    # A buf image is wire-compatible with a FileDescriptorSet (ImageFile extends
    # FileDescriptorProto with buf's own fields, which the parser keeps as unknown).
    return [
        file.name for file in descriptor_pb2.FileDescriptorSet.FromString(image.read_bytes()).file
    ]


def test_the_check_is_skipped_and_says_so_until_the_first_release(
    contract: dict[str, str],
) -> None:
    status, output = check(contract)
    assert status == 0
    assert "skipped: no released contract yet" in output
    assert "make contract-release" in output


def test_a_release_writes_an_image_of_every_proto_including_the_events(
    contract: dict[str, str],
) -> None:
    status, output = release(contract)
    assert status == 0, output
    assert "rewrote" in output

    released = image_files(Path(contract["SES_CONTRACT_IMAGE"]))
    expected = sorted(p.relative_to(PROTOS).as_posix() for p in (PROTOS / "ses").rglob("*.proto"))
    assert sorted(name for name in released if name.startswith("ses/")) == expected
    assert set(EVENT_FILES) <= set(released)
    assert len(EVENT_FILES) == 4


def test_an_unchanged_contract_passes_the_check(contract: dict[str, str]) -> None:
    assert release(contract)[0] == 0
    status, output = check(contract)
    assert status == 0, output
    assert "no breaking change against the released contract" in output


def test_a_broken_event_fails_the_check_naming_the_field(contract: dict[str, str]) -> None:
    assert release(contract)[0] == 0
    edit(contract, "ses/files/v1/events.proto", "string event_id = 1;", "int64 event_id = 1;")
    status, output = check(contract)
    assert status == 1
    assert "ses/files/v1/events.proto" in output
    assert 'name "event_id" on message "UploadCompleted" changed type' in output
    assert "break the released contract" in output


def test_a_removed_service_fails_the_check(contract: dict[str, str]) -> None:
    assert release(contract)[0] == 0
    edit(
        contract,
        "ses/complaints/v1/complaints.proto",
        "service ComplaintsService {",
        "service ComplaintsServiceRenamed {",
    )
    status, output = check(contract)
    assert status == 1
    assert 'service "ComplaintsService" was deleted' in output


def test_releasing_again_without_changes_writes_nothing(contract: dict[str, str]) -> None:
    assert release(contract)[0] == 0
    image = Path(contract["SES_CONTRACT_IMAGE"])
    first = image.read_bytes()
    status, output = release(contract)
    assert status == 0, output
    assert "already is the released contract" in output
    assert "nothing to do" in output
    assert image.read_bytes() == first


def test_an_additive_change_is_released_without_ceremony(contract: dict[str, str]) -> None:
    assert release(contract)[0] == 0
    edit(
        contract,
        "ses/files/v1/events.proto",
        'syntax = "proto3";',
        'syntax = "proto3";\n\n// A file was set aside.\nmessage FileQuarantined {\n'
        "  // Unique id of the event.\n  string event_id = 1;\n}",
    )
    status, output = release(contract)
    assert status == 0, output
    assert "rewrote" in output
    assert "SES_CONTRACT_ACCEPT_BREAKING" not in output
    assert check(contract)[0] == 0


def test_a_breaking_release_is_refused_unless_accepted(contract: dict[str, str]) -> None:
    assert release(contract)[0] == 0
    image = Path(contract["SES_CONTRACT_IMAGE"])
    released = image.read_bytes()
    edit(contract, "ses/files/v1/events.proto", "string event_id = 1;", "int64 event_id = 1;")

    status, output = release(contract)
    assert status == 1
    assert "refused" in output
    assert "SES_CONTRACT_ACCEPT_BREAKING=1" in output
    assert image.read_bytes() == released

    status, output = release(contract, SES_CONTRACT_ACCEPT_BREAKING="1")
    assert status == 0, output
    assert image.read_bytes() != released
    assert check(contract)[0] == 0


def test_a_contract_that_fails_lint_is_not_released(contract: dict[str, str]) -> None:
    edit(contract, "ses/files/v1/events.proto", "message FileScanned {", "message file_scanned {")
    status, output = release(contract)
    assert status == 1
    assert "nothing released" in output
    assert not Path(contract["SES_CONTRACT_IMAGE"]).exists()


def test_the_released_image_if_any_holds_the_events() -> None:
    """The repository's own release (cut by the lead with `make contract-release`)."""
    if not RELEASED_IMAGE.exists():
        pytest.skip(f"no release of the contract yet ({RELEASED_IMAGE.relative_to(PROTOS)})")
    assert set(EVENT_FILES) <= set(image_files(RELEASED_IMAGE))
