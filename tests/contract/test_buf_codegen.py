"""protos/buf.gen.yaml generates working stubs: Python as gen_protos.py does, and TypeScript.

Runs the real ``buf generate`` with the template into a temporary directory. The Python half
must mirror the project's own stubs (same pinned generators, so the gRPC modules and the
typing stubs are byte-identical; the ``_pb2`` modules differ only in the serialized
descriptor, where buf fills in JSON names). The TypeScript half, from the npm registry's
``protoc-gen-es``, must compile with ``tsc --strict`` together with a small client that uses
a message, the binary codec and a service descriptor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from contract_support import BUF, PROTOS, REPO, run

PROTO_FILES = sorted(
    p.relative_to(PROTOS).with_suffix("") for p in (PROTOS / "ses").rglob("*.proto")
)
PROJECT_STUBS = REPO / "libs" / "ses_protos" / "src" / "ses"

USAGE = """
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ComplaintsService } from "./gen/es/ses/complaints/v1/complaints_pb";
import { ComplaintCreatedSchema } from "./gen/es/ses/complaints/v1/events_pb";

const event = create(ComplaintCreatedSchema, { complaintId: "complaint-1" });
const decoded = fromBinary(ComplaintCreatedSchema, toBinary(ComplaintCreatedSchema, event));
export const complaintId: string = decoded.complaintId;
export const method: string = ComplaintsService.method.getComplaint.name;
"""

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",
        "noEmit": True,
        "types": [],
    },
    "include": ["gen/es/**/*.ts", "usage.ts"],
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, node_tools: Path) -> Path:
    out = tmp_path_factory.mktemp("buf-generate")
    result = run(BUF, "generate", "protos", "--template", "protos/buf.gen.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    # Where TypeScript looks for the runtime the generated code imports (@bufbuild/protobuf).
    (out / "node_modules").symlink_to(node_tools, target_is_directory=True)
    return out


def test_the_python_stubs_mirror_the_projects(generated: Path) -> None:
    python = generated / "gen" / "python" / "ses"
    for stem in PROTO_FILES:
        rel = stem.relative_to("ses")
        assert (python / f"{rel}_pb2.py").is_file(), rel
        for suffix in ("_pb2_grpc.py", "_pb2.pyi", "_pb2_grpc.pyi"):
            ours = (PROJECT_STUBS / f"{rel}{suffix}").read_bytes()
            assert (python / f"{rel}{suffix}").read_bytes() == ours, f"{rel}{suffix}"


def test_the_typescript_stubs_compile_and_serve_a_client(generated: Path, node_tools: Path) -> None:
    for stem in PROTO_FILES:
        assert (generated / "gen" / "es" / f"{stem}_pb.ts").is_file(), stem
    (generated / "usage.ts").write_text(USAGE)
    (generated / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    compiled = run(node_tools / ".bin" / "tsc", "-p", generated / "tsconfig.json")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_tsc_really_checks_the_generated_types(generated: Path, node_tools: Path) -> None:
    """A client that reads a string field as a number must not compile."""
    wrong = generated / "wrong"
    wrong.mkdir()
    (wrong / "usage.ts").write_text(
        USAGE.replace("./gen/", "../gen/").replace("complaintId: string", "complaintId: number")
    )
    config = {**TSCONFIG, "include": ["../gen/es/**/*.ts", "usage.ts"]}
    (wrong / "tsconfig.json").write_text(json.dumps(config))
    compiled = run(node_tools / ".bin" / "tsc", "-p", wrong / "tsconfig.json")
    assert compiled.returncode != 0
    assert "Type 'string' is not assignable to type 'number'" in compiled.stdout
