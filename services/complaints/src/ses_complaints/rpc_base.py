"""What every RPC of the complaints servicer shares: running a handler, mapping a complaint.

Each RPC reads the caller (``current_actor()``), turns the request into checked
values (``parsing``), runs the sync handler in a worker thread (which carries the
actor along) and maps the result with the caller's viewer (``mappers``). Errors are
``SesError``s, mapped to statuses by the kit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import grpc.aio

from ses.complaints.v1 import complaints_pb2 as pb
from ses.complaints.v1 import complaints_pb2_grpc as pb_grpc
from ses_complaints import handlers as h
from ses_complaints import parsing
from ses_complaints.mappers import ComplaintMapper
from ses_core.platform.grpc import current_actor

Context = grpc.aio.ServicerContext[Any, Any]
T = TypeVar("T")


class RpcBase(pb_grpc.ComplaintsServiceServicer):
    def __init__(self, deps: h.Deps) -> None:
        self.deps = deps

    async def _run(self, handler: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(handler, self.deps, current_actor(), *args, **kwargs)

    @staticmethod
    def _complaint(snapshot: h.ComplaintSnapshot) -> pb.Complaint:
        return ComplaintMapper(snapshot).complaint()

    @staticmethod
    def _request(snapshot: h.ComplaintSnapshot, ir_id: str) -> pb.InformationRequest:
        ir = snapshot.complaint.information_request(ir_id)
        return ComplaintMapper(snapshot).information_request(ir)


def ids(request: Any) -> tuple[str, str]:
    """The complaint and information request a request names, both required."""
    return (
        parsing.required(request.complaint_id, "complaint_id"),
        parsing.required(request.information_request_id, "information_request_id"),
    )
