"""The signed-in session kept between commands, and clients that use it.

``ses login`` signs in through the SDK and stores the address, the token pair and the user
as sign-in returned it (``_places.config_dir() / "session.json"``, mode 0600). Each later
command builds an SDK :class:`~ses_sdk.Session` from it: the SDK refreshes the access
token before it expires, and every refreshed pair is written back at once, because a
refresh token works only once. ``ses logout`` revokes the refresh token on the server
(best effort: an unreachable server still gets the file removed) and deletes the file.

Transport: plaintext for a loopback address (``127.0.0.1``, ``::1``, ``localhost``), as
``ses up`` serves; TLS for any other address unless ``--insecure`` says otherwise (a mesh
that terminates TLS itself). The choice is stored with the session.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from ses.enrollment.v1 import enrollment_pb2
from ses_cli._places import config_dir, write_private
from ses_cli._problems import UsageProblem
from ses_sdk import SesClient, Session
from ses_sdk.enrollment import TokenPair, User

DEFAULT_ADDRESS = "127.0.0.1:50051"
_FORMAT = 1


def session_path() -> Path:
    return config_dir() / "session.json"


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_client(address: str, *, insecure: bool) -> SesClient:
    """An SDK client (not signed in): plaintext for loopback or when asked, else TLS."""
    return SesClient(address, insecure=insecure or is_loopback(address))


@dataclass
class StoredSession:
    address: str
    insecure: bool
    tokens: TokenPair
    user: User

    def save(self) -> None:
        document = {
            "format": _FORMAT,
            "address": self.address,
            "insecure": self.insecure,
            "tokens": _proto_json(self.tokens.to_proto()),
            "user": _proto_json(self.user.to_proto()),
        }
        write_private(session_path(), json.dumps(document, indent=2))

    @classmethod
    def load(cls) -> StoredSession:
        path = session_path()
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") != _FORMAT:
                raise ValueError("unknown format")
            tokens = json_format.ParseDict(document["tokens"], enrollment_pb2.TokenPair())
            user = json_format.ParseDict(document["user"], enrollment_pb2.User())
            return cls(
                address=str(document["address"]),
                insecure=bool(document["insecure"]),
                tokens=TokenPair.from_proto(tokens),
                user=User.from_proto(user),
            )
        except FileNotFoundError:
            raise UsageProblem("You are not signed in: run `ses login` first.") from None
        except (OSError, ValueError, KeyError, json_format.ParseError):
            raise UsageProblem(
                f"The session in {path} cannot be read: run `ses login` again."
            ) from None

    @staticmethod
    def forget() -> bool:
        """Delete the stored session; False when there was none."""
        try:
            session_path().unlink()
        except FileNotFoundError:
            return False
        return True


def _proto_json(message: Any) -> dict[str, Any]:
    document: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return document


def signed_in(stored: StoredSession, *, clock: Callable[[], datetime] | None = None) -> SesClient:
    """A client whose calls carry the stored session's tokens, refreshed (and saved) by the
    SDK's session before they expire."""
    client = open_client(stored.address, insecure=stored.insecure)

    def refreshed(refresh_token: str) -> TokenPair:
        pair = client.auth.refresh_token(refresh_token=refresh_token).tokens or TokenPair()
        stored.tokens = pair
        stored.save()
        return pair

    session = Session(
        stored.tokens, stored.user, refresh=refreshed, clock=clock or (lambda: datetime.now(UTC))
    )
    client.use_token(session)
    client.session = session
    return client
