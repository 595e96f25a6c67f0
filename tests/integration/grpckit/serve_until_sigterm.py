"""A server process for the graceful-shutdown test.

Prints ``PORT <n>`` once listening and ``STARTED`` when the slow call begins.
The slow call finishes only after shutdown has begun (plus a moment), so a
successful reply proves that in-flight calls outlive SIGTERM.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import grpc

from ses_core.platform.grpc import GrpcServer, ServerConfig, ServiceRegistration, create_server

SERVICE = "ses.test.v1.SlowService"


async def main() -> int:
    holder: dict[str, GrpcServer] = {}

    async def slow_create(request: bytes, context: Any) -> bytes:
        print("STARTED", flush=True)
        await holder["server"].wait_until_stopping()
        await asyncio.sleep(0.3)  # still running well after shutdown began
        return b"finished after shutdown began"

    handlers = {"SlowCreate": grpc.unary_unary_rpc_method_handler(slow_create)}
    generic = grpc.method_handlers_generic_handler(SERVICE, handlers)
    server = create_server(
        ServerConfig(address="127.0.0.1:0", shutdown_grace=60.0),
        [ServiceRegistration(SERVICE, lambda s: s.add_generic_rpc_handlers((generic,)))],
        verifier=None,
    )
    holder["server"] = server
    await server.start()
    print(f"PORT {server.port}", flush=True)
    await server.serve_until_signal()
    print("STOPPED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
