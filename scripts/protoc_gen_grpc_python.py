"""A protoc plugin (for ``buf generate``) that writes the gRPC Python stubs (``*_pb2_grpc.py``).

gRPC's Python generator is built into grpcio-tools' protoc rather than shipped as a
``protoc-gen-*`` program, and buf only runs protoc itself for protoc's own generators
(``protoc_builtin: python``), not for grpcio-tools' additions. This plugin bridges the two: it
hands the descriptors buf sends to grpcio-tools' protoc (``--descriptor_set_in``) and returns
what ``--grpc_python_out`` writes, so ``protos/buf.gen.yaml`` produces the same gRPC modules
as ``scripts/gen_protos.py`` from the same pinned generator. Options (``opt:`` in
buf.gen.yaml) are passed on to ``--grpc_python_out``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    )
    with tempfile.TemporaryDirectory(prefix="ses-grpc-python-") as tmp:
        descriptors, out = Path(tmp) / "request.binpb", Path(tmp) / "out"
        out.mkdir()
        descriptors.write_bytes(
            descriptor_pb2.FileDescriptorSet(file=request.proto_file).SerializeToString()
        )
        options = f"{request.parameter}:" if request.parameter else ""
        status = protoc.main(
            [
                "grpc_tools.protoc",
                f"--descriptor_set_in={descriptors}",
                f"--grpc_python_out={options}{out}",
                *request.file_to_generate,
            ]
        )
        if status != 0:
            response.error = f"grpcio-tools' protoc exited with status {status}; see above."
            return response
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            response.file.add(name=path.relative_to(out).as_posix(), content=path.read_text())
    return response


def main() -> int:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
