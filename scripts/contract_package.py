"""The SES contract as data, shipped with its stubs: the ``.proto`` sources and a descriptor set.

A contract tester (a consumer's test suite, a gateway, a schema registry) loads the contract
of the version it installed, without a checkout of the SES repository::

    from ses import contract

    pool = contract.descriptor_pool()
    pool.FindMessageTypeByName("ses.complaints.v1.ComplaintCreated")
    pool.FindServiceByName("ses.complaints.v1.ComplaintsService")

    with importlib.resources.as_file(contract.protos()) as root:
        subprocess.run(["buf", "lint", str(root)])  # or protoc -I root ...

Resources (also reachable as plain files inside the installed ``ses/contract/`` package):

* ``descriptor_set.binpb``: a ``google.protobuf.FileDescriptorSet`` of every file of the
  contract, with the files it imports (the well-known types) so that it loads into an empty
  pool, and with source info, so the comments of every element travel with it.
* ``protos/ses/<context>/v1/*.proto``: the sources, byte for byte as in ``protos/``.

This module is the source of ``ses.contract``: ``scripts/gen_protos.py`` copies it into the
generated stubs package next to the two resources, so the three always come from the same
protos and ``gen_protos.py --check`` covers them like any stub.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool as _descriptor_pool

DESCRIPTOR_SET = "descriptor_set.binpb"
PROTOS = "protos"

__all__ = [
    "DESCRIPTOR_SET",
    "PROTOS",
    "descriptor_pool",
    "descriptor_set",
    "descriptor_set_bytes",
    "proto_files",
    "protos",
]


def descriptor_set_bytes() -> bytes:
    """The serialized ``FileDescriptorSet`` (imports and source info included)."""
    return (files(__name__) / DESCRIPTOR_SET).read_bytes()


def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """The contract's files, dependencies before dependents (protoc's order)."""
    return descriptor_pb2.FileDescriptorSet.FromString(descriptor_set_bytes())


def descriptor_pool() -> _descriptor_pool.DescriptorPool:
    """A new pool holding every file of the contract, independent of the generated modules.

    A fresh pool rather than the default one: the default pool already holds whatever
    ``*_pb2`` modules were imported, and adding a file twice to one pool is an error.
    """
    pool = _descriptor_pool.DescriptorPool()
    for file in descriptor_set().file:
        pool.Add(file)
    return pool


def protos() -> Traversable:
    """The root of the ``.proto`` sources (``ses/<context>/v1/<name>.proto`` below it).

    A ``Traversable``: wrap it in ``importlib.resources.as_file`` for a filesystem path.
    """
    return files(__name__) / PROTOS


def proto_files() -> list[str]:
    """Every ``.proto`` source, as its import path (``ses/complaints/v1/events.proto``)."""
    found: list[str] = []
    pending: list[tuple[str, Traversable]] = [("", protos())]
    while pending:
        prefix, directory = pending.pop()
        for entry in directory.iterdir():
            if entry.is_dir():
                pending.append((f"{prefix}{entry.name}/", entry))
            elif entry.name.endswith(".proto"):
                found.append(f"{prefix}{entry.name}")
    return sorted(found)
