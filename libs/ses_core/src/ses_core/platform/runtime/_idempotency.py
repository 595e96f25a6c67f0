"""One idempotency store per service database, behind the single interceptor of a host.

A host that runs several services on one gRPC server still keeps each service's
idempotency keys in that service's own database (each service owns its
tables), so the interceptor's store routes by the called method's service.
"""

from __future__ import annotations

from collections.abc import Mapping

from ses_core.platform.db.purging import DEFAULT_BATCH_SIZE
from ses_core.platform.grpc import IdempotencyScope, IdempotencyStore
from ses_core.platform.grpc._idempotency_store import Claim


def service_of(method: str) -> str:
    """``/ses.files.v1.FilesService/StartUpload`` → ``ses.files.v1.FilesService``."""
    return method.lstrip("/").split("/", 1)[0]


class RoutingIdempotencyStore(IdempotencyStore):
    """Dispatches each call to the store of the service that owns the method."""

    def __init__(self, stores: Mapping[str, IdempotencyStore]) -> None:
        if not stores:
            raise ValueError("A routing idempotency store needs at least one service store.")
        first = next(iter(stores.values()))
        super().__init__(first.engine, first.table, retention=first.retention)
        self._stores = dict(stores)

    def _store_for(self, scope: IdempotencyScope) -> IdempotencyStore:
        service = service_of(scope.method)
        try:
            return self._stores[service]
        except KeyError:
            raise LookupError(f"No idempotency store for {service}; is it hosted here?") from None

    def create_table(self) -> None:
        for store in self._stores.values():
            store.create_table()

    def claim(self, scope: IdempotencyScope, request_hash: str) -> Claim:
        return self._store_for(scope).claim(scope, request_hash)

    def complete(self, scope: IdempotencyScope, response: bytes) -> None:
        self._store_for(scope).complete(scope, response)

    def release(self, scope: IdempotencyScope) -> None:
        self._store_for(scope).release(scope)

    def purge_expired(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        return sum(store.purge_expired(batch_size=batch_size) for store in self._stores.values())
