"""The contract ships with the stubs: ``ses.contract`` (descriptor set and ``.proto`` sources).

A contract tester installs the stubs and loads the contract from them, with nothing of this
repository: these tests load it through the installed package with protobuf's own
``descriptor_pool``, and (slow) from a wheel of the stubs' distribution, outside the
repository.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from contract_support import PROTOS, REPO, run
from google.protobuf import descriptor_pool

from ses import contract

PROTO_FILES = sorted(p.relative_to(PROTOS).as_posix() for p in PROTOS.rglob("*.proto"))


def generated_module(proto: str) -> object:
    return importlib.import_module(proto.removesuffix(".proto").replace("/", ".") + "_pb2")


def test_the_shipped_sources_are_the_protos_byte_for_byte() -> None:
    assert contract.proto_files() == PROTO_FILES
    for proto in PROTO_FILES:
        assert (contract.protos() / proto).read_bytes() == (PROTOS / proto).read_bytes(), proto


def test_the_descriptor_set_loads_into_an_empty_pool_with_every_element() -> None:
    pool = contract.descriptor_pool()
    assert pool is not descriptor_pool.Default()
    for proto in PROTO_FILES:
        generated = generated_module(proto).DESCRIPTOR  # type: ignore[attr-defined]
        shipped = pool.FindFileByName(proto)
        assert shipped.package == generated.package
        assert sorted(shipped.message_types_by_name) == sorted(generated.message_types_by_name)
        assert sorted(shipped.enum_types_by_name) == sorted(generated.enum_types_by_name)
        assert sorted(shipped.services_by_name) == sorted(generated.services_by_name)
    service = pool.FindServiceByName("ses.complaints.v1.ComplaintsService")
    assert service.FindMethodByName("GetComplaint").output_type.name == "GetComplaintResponse"
    created = pool.FindMessageTypeByName("ses.complaints.v1.ComplaintCreated")
    occurred_at = created.fields_by_name["occurred_at"]
    assert occurred_at.message_type.full_name == "google.protobuf.Timestamp"


def test_the_descriptor_set_keeps_the_comments() -> None:
    files = {file.name: file for file in contract.descriptor_set().file}
    events = files["ses/complaints/v1/events.proto"]
    comments = [location.leading_comments for location in events.source_code_info.location]
    assert " A complaint was recorded.\n" in comments


def test_the_descriptor_set_is_in_the_stubs_freshness_check(tmp_path: Path) -> None:
    out = tmp_path / "ses"
    generator = REPO / "scripts" / "gen_protos.py"
    assert run(sys.executable, generator, "--out", out).returncode == 0
    (out / "contract" / "descriptor_set.binpb").write_bytes(b"")
    (out / "contract" / "protos" / "ses" / "files" / "v1" / "events.proto").unlink()

    stale = run(sys.executable, generator, "--check", "--out", out)
    assert stale.returncode == 1
    assert "stale   contract/descriptor_set.binpb" in stale.stderr
    assert "missing contract/protos/ses/files/v1/events.proto" in stale.stderr


@pytest.mark.slow
def test_a_wheel_of_the_stubs_carries_the_contract_outside_the_repository(
    tmp_path: Path,
) -> None:
    uv = REPO / ".tools" / "bin" / "uv"
    built = run(uv, "build", "--wheel", "--quiet", "libs/ses_protos", "-o", tmp_path / "dist")
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("ses_protos-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site, [name for name in archive.namelist() if name.startswith("ses/")])

    # From an empty directory, with the wheel's `ses` first on the path: the repository's
    # editable install comes after it and must not be the one loaded.
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    probe = textwrap.dedent(
        f"""
        import importlib.resources, sys
        sys.path.insert(0, {str(site)!r})
        from ses import contract
        assert contract.__file__.startswith({str(site)!r}), contract.__file__
        pool = contract.descriptor_pool()
        pool.FindMessageTypeByName("ses.notify.v1.MaintenanceWindowScheduled")
        with importlib.resources.as_file(contract.protos()) as root:
            print(len(contract.proto_files()), (root / "ses/files/v1/events.proto").is_file())
        """
    )
    loaded = run(sys.executable, "-c", probe, cwd=workdir)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == [str(len(PROTO_FILES)), "True"]
