"""Names of gRPC methods and the rules that classify them.

A full method name is ``/package.Service/Method``. Rules are lists of
patterns: an exact full name, or ``/package.Service/*`` for every method of a
service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HEALTH_SERVICE = "grpc.health.v1.Health"
REFLECTION_SERVICES = (
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
)
_AUTH_SERVICE = "/ses.enrollment.v1.AuthService"

INFRASTRUCTURE_METHODS = (
    f"/{HEALTH_SERVICE}/*",
    *(f"/{service}/*" for service in REFLECTION_SERVICES),
)

# Reachable without a token: probes, reflection, and the calls that obtain a token.
DEFAULT_PUBLIC_METHODS = (
    *INFRASTRUCTURE_METHODS,
    f"{_AUTH_SERVICE}/SignIn",
    f"{_AUTH_SERVICE}/ActivateAccount",
    f"{_AUTH_SERVICE}/RefreshToken",
    f"{_AUTH_SERVICE}/GetJwks",
)

# Mutating by name, yet allowed during maintenance: reads need a signed-in user.
DEFAULT_MAINTENANCE_EXEMPT_METHODS = (
    f"{_AUTH_SERVICE}/SignIn",
    f"{_AUTH_SERVICE}/RefreshToken",
    f"{_AUTH_SERVICE}/SignOut",
)

READ_VERBS = ("Get", "List", "Search", "Download")


@dataclass(frozen=True)
class MethodName:
    full: str
    service: str
    method: str

    @classmethod
    def parse(cls, full: str) -> MethodName:
        service, _, method = full.lstrip("/").rpartition("/")
        return cls(full=full, service=service, method=method)


class MethodSet:
    """Methods matching any of the patterns (exact names or ``/Service/*``)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        self._exact = frozenset(p for p in self.patterns if not p.endswith("/*"))
        self._services = frozenset(p[1:-2] for p in self.patterns if p.endswith("/*"))
        malformed = [p for p in self.patterns if not p.startswith("/") or p.count("/") != 2]
        if malformed:
            raise ValueError(
                f"Method patterns must look like /package.Service/Method or /package.Service/*; "
                f"got {malformed}."
            )

    def __contains__(self, full_method: object) -> bool:
        if not isinstance(full_method, str):
            return False
        return full_method in self._exact or MethodName.parse(full_method).service in self._services


def is_read_verb(method: str) -> bool:
    """``GetComplaint``, ``ListUsers``, ``SearchCompanies``, ``DownloadFile`` read."""
    for verb in READ_VERBS:
        rest = method.removeprefix(verb)
        if rest != method and (not rest or rest[0].isupper()):
            return True
    return False


class ReadOnlyMethods:
    """Reads by name (``Get*``/``List*``/``Search*``/``Download*``), infrastructure, and extras."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self._explicit = MethodSet((*INFRASTRUCTURE_METHODS, *extra))

    def __contains__(self, full_method: object) -> bool:
        if not isinstance(full_method, str):
            return False
        return full_method in self._explicit or is_read_verb(MethodName.parse(full_method).method)
