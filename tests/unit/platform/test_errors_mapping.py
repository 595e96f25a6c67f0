"""Every domain error family maps to exactly one gRPC status (issue 3, gRPC server kit)."""

from __future__ import annotations

import grpc
import pytest

from ses_core import errors
from ses_core.errors import ErrorKind, SesError
from ses_core.platform.grpc import STATUS_BY_KIND, status_for

EXPECTED = {
    ErrorKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.DENIED: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
}


def test_every_error_kind_has_its_status() -> None:
    assert STATUS_BY_KIND == EXPECTED
    assert set(STATUS_BY_KIND) == set(ErrorKind)


def _error_classes() -> list[type[SesError]]:
    classes = [getattr(errors, name) for name in errors.__all__]
    return [c for c in classes if isinstance(c, type) and issubclass(c, SesError)]


@pytest.mark.parametrize("error_class", _error_classes(), ids=lambda c: c.__name__)
def test_each_error_class_maps_through_its_kind(error_class: type[SesError]) -> None:
    error = (
        error_class("complaint", "CLOSED", "REOPEN")
        if error_class is errors.InvalidTransition
        else error_class("Something a person can act on.")
    )
    assert status_for(error) == EXPECTED[error_class.kind]


def test_no_error_kind_maps_to_internal_or_unknown() -> None:
    # INTERNAL is reserved for bugs; a deliberate error never hides behind it.
    assert not {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN} & set(STATUS_BY_KIND.values())
