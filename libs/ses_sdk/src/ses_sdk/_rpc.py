"""What the generated client knows of each RPC, and the settings every call reads.

Each RPC's treatment comes from the "Call metadata:" line that ends its comment in the
protos (``protos/ses/common/v1/common.proto`` explains the four lines; a contract test
checks each line against the server's own lists), read by ``scripts/gen_sdk.py``:

* public: no token is sent (the calls that obtain one, and the operating status);
* read-only: safe to repeat, so retried on UNAVAILABLE and DEADLINE_EXCEEDED;
* idempotency-key honoured: a key is sent (a new UUID per call unless the caller gives
  one), the same on every retry of that call, so the server runs it once;
* streaming: uploads resume by offset instead (``FilesService.GetUploadStatus``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from ses_sdk._retry import RetryPolicy
from ses_sdk._tokens import AsyncTokenProvider, TokenProvider

ResponseT = TypeVar("ResponseT")

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Rpc(Generic[ResponseT]):
    """One RPC: its path, its response decoder and how calls to it are made."""

    path: str
    deserialize: Callable[[bytes], ResponseT]
    authenticated: bool = True
    read_only: bool = False
    idempotent: bool = False


@dataclass(frozen=True)
class CallOptions:
    """Per-call settings; None means the client's."""

    timeout: float | None = None
    retry: RetryPolicy | None = None
    wait_for_maintenance: bool | None = None
    idempotency_key: str | None = None


@dataclass
class ClientConfig:
    """Settings shared by a client's sub-clients; ``credentials`` changes on sign-in."""

    timeout: float = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    wait_for_maintenance: bool = False
    credentials: TokenProvider | AsyncTokenProvider | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def timeout_of(self, options: CallOptions) -> float | None:
        timeout = self.timeout if options.timeout is None else options.timeout
        return timeout if timeout > 0 else None

    def retry_of(self, options: CallOptions) -> RetryPolicy:
        return options.retry or self.retry

    def waits_for_maintenance(self, options: CallOptions) -> bool:
        chosen = options.wait_for_maintenance
        return self.wait_for_maintenance if chosen is None else chosen


def idempotency_key_of(rpc: Rpc[Any], options: CallOptions) -> str | None:
    """The key for one call (shared by its retries): the caller's, or a new UUID."""
    if not rpc.idempotent:
        return None
    return options.idempotency_key or str(uuid.uuid4())
