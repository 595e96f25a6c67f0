"""Channels use TLS unless asked not to: the client verifies the server's certificate
against the system's roots, or against the roots it is given."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
import trustme

from ses.notify.v1 import notify_pb2
from ses_sdk import RetryPolicy, SesClient, Unavailable
from ses_sdk.notify import AccessLevel

pytestmark = pytest.mark.integration

ONCE = RetryPolicy(max_attempts=1)


def operating_status(_request: Any, _context: grpc.ServicerContext) -> Any:
    return notify_pb2.GetOperatingStatusResponse(access_level=notify_pb2.ACCESS_LEVEL_FULL)


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_address(authority: trustme.CA) -> Iterator[str]:
    """A TLS gRPC server answering NotifyService.GetOperatingStatus, certified by the CA."""
    certificate = authority.issue_cert("localhost", "127.0.0.1")
    credentials = grpc.ssl_server_credentials(
        [(certificate.private_key_pem.bytes(), certificate.cert_chain_pems[0].bytes())]
    )
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    handler = grpc.method_handlers_generic_handler(
        "ses.notify.v1.NotifyService",
        {
            "GetOperatingStatus": grpc.unary_unary_rpc_method_handler(
                operating_status,
                request_deserializer=notify_pb2.GetOperatingStatusRequest.FromString,
                response_serializer=notify_pb2.GetOperatingStatusResponse.SerializeToString,
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_secure_port("localhost:0", credentials)
    server.start()
    try:
        yield f"localhost:{port}"
    finally:
        server.stop(grace=None)


def test_the_client_speaks_tls_verified_by_the_roots_it_is_given(
    tls_address: str, authority: trustme.CA
) -> None:
    roots = authority.cert_pem.bytes()
    with SesClient(tls_address, root_certificates=roots, retry=ONCE) as client:
        assert client.notify.get_operating_status().access_level is AccessLevel.FULL


def test_a_certificate_the_roots_do_not_vouch_for_is_refused(tls_address: str) -> None:
    with SesClient(tls_address, retry=ONCE, timeout=10) as client, pytest.raises(Unavailable):
        client.notify.get_operating_status()


def test_plaintext_is_only_spoken_when_asked_for(tls_address: str) -> None:
    with (
        SesClient(tls_address, insecure=True, retry=ONCE, timeout=10) as client,
        pytest.raises(Unavailable),
    ):
        client.notify.get_operating_status()
