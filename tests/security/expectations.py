"""The expected answers of the authorization matrix, read from the table kept beside the
permission matrix (``ses_core/permissions/rpc_expectations.csv``), and the RPCs the
contract declares (walked from the service descriptors shipped with the stubs).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import grpc
from google.protobuf.descriptor import MethodDescriptor

import ses.contract

TABLE = "rpc_expectations.csv"

# Cases the matrix test checked in this run, one entry per RPC (the summary adds them up).
MATRIX_CASES_CHECKED: list[int] = []
FIXED_COLUMNS = ("rpc", "state")


@dataclass(frozen=True)
class Row:
    rpc: str
    state: str
    expected: dict[str, grpc.StatusCode]


def table_text() -> str:
    return resources.files("ses_core.permissions").joinpath(TABLE).read_text(encoding="utf-8")


def load_rows(roles: tuple[str, ...]) -> list[Row]:
    """The table's rows; ``#`` lines are comments. Each row must give every role a status."""
    lines = [line for line in table_text().splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(lines)
    header = tuple(reader.fieldnames or ())
    assert header == (*FIXED_COLUMNS, *roles), f"{TABLE} columns {header} are not rpc, state, roles"
    rows = []
    for record in reader:
        expected = {role: _status(record[role], record, role) for role in roles}
        rows.append(Row(rpc=record["rpc"], state=record["state"], expected=expected))
    return rows


def _status(cell: str | None, record: dict[str, str], role: str) -> grpc.StatusCode:
    name = (cell or "").strip()
    try:
        return grpc.StatusCode[name]
    except KeyError:
        raise AssertionError(
            f"{TABLE}: {record['rpc']} in state {record['state']} gives role {role} "
            f"{name!r}, not a gRPC status name"
        ) from None


def contract_methods() -> dict[str, MethodDescriptor]:
    """Every RPC of every SES service in the contract, as ``Service/Method``."""
    pool = ses.contract.descriptor_pool()
    methods: dict[str, MethodDescriptor] = {}
    for proto in ses.contract.descriptor_set().file:
        if not proto.name.startswith("ses/"):
            continue
        for service in pool.FindFileByName(proto.name).services_by_name.values():
            for method in service.methods:
                methods[f"{service.name}/{method.name}"] = method
    return methods
