"""The authority directory a service asks at every authenticated call.

``SqlAuthorityDirectory`` implements ``ses_core.ports.AuthorityDirectory`` over the
service's own ``user_authority`` table: one indexed lookup (by user id, or by e-mail
address for an external issuer), then ``UserAuthority.actor_for``.

Choices:

* **Cache.** A user's authority is reused for ``cache_seconds`` (0.5 s by default, at
  most 1 s; setting ``SES_IDENTITY__AUTHORITY_CACHE_SECONDS``), so a busy user costs two
  lookups a second per process, and a change reaches every replica within 2 s of its
  event: the projection applies events as they arrive (measured: a few tens of
  milliseconds after the enrollment service's commit), and the cache adds at most its
  own lifetime. At most ``max_cached`` users are kept (the least recently used go
  first). Concurrent calls of one uncached user share one lookup.
* **Off the event loop.** A lookup runs in a worker thread. Measured on SQLite (the
  shared two-core development machine): a primary-key lookup through SQLAlchemy,
  connection checkout included, takes about 1 ms, a thread hop about 0.2 ms, a cached
  answer about 25 µs. Run inline, the lookup would stall every other call for that
  millisecond, and for much longer when the pool is exhausted or the database is remote
  (PostgreSQL); with the cache it is paid once per user per cache lifetime per process.
  The lookup opens a ``READ_ONLY`` connection, so on SQLite it never queues behind
  writers.
* **A user the directory has not heard of yet** (created a moment ago; the event is on
  its way) is looked up again every ``poll_interval`` for up to ``wait_seconds`` (setting
  ``SES_IDENTITY__AUTHORITY_WAIT_SECONDS``, 2 s by default). A SES token still unknown
  then is answered UNAVAILABLE with a retry hint (the token is genuine; the directory is
  behind); an e-mail address an external issuer vouches for is answered UNAUTHENTICATED
  (nobody created that SES account). Unknown users are not cached.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from ses_core.accounts import UserAuthority, email_key
from ses_core.errors import Unauthenticated, Unavailable
from ses_core.identity import Actor, Identity
from ses_core.platform.authority._store import find_authority
from ses_core.platform.db.engine import READ_ONLY
from ses_core.platform.settings import IdentitySettings

DEFAULT_CACHE_SECONDS = 0.5
DEFAULT_WAIT_SECONDS = 2.0
DEFAULT_POLL_INTERVAL = 0.1
DEFAULT_MAX_CACHED = 10_000

_Key = tuple[str, str]


@dataclass(frozen=True)
class _Cached:
    authority: UserAuthority
    expires_at: float


class SqlAuthorityDirectory:
    """``AuthorityDirectory`` over one database's ``user_authority`` table (see module)."""

    def __init__(
        self,
        engine: Engine,
        *,
        cache_seconds: float = DEFAULT_CACHE_SECONDS,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_cached: int = DEFAULT_MAX_CACHED,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 <= cache_seconds <= 1:
            raise ValueError(
                f"The authority cache may keep an entry 0 to 1 s, not {cache_seconds} s: "
                "longer would break the promise that changes apply within 2 s."
            )
        if poll_interval <= 0 or wait_seconds < 0 or max_cached < 1:
            raise ValueError("poll_interval and max_cached must be positive, wait_seconds >= 0.")
        self.engine = engine
        self.cache_seconds = cache_seconds
        self.wait_seconds = wait_seconds
        self.poll_interval = poll_interval
        self.max_cached = max_cached
        self._monotonic = monotonic
        self._cache: OrderedDict[_Key, _Cached] = OrderedDict()
        self._lock = threading.Lock()
        self._forgotten = 0
        self._lookups: dict[tuple[_Key, int], asyncio.Future[UserAuthority | None]] = {}

    async def actor_for(self, identity: Identity) -> Actor:
        authority = self._cached(identity)
        if authority is None:
            authority = await self._read(identity)
        if authority is None:
            authority = await self._wait_for(identity)
        return authority.actor_for(identity)

    def lookup(self, identity: Identity) -> UserAuthority | None:
        """The stored authority, read now (no cache); blocking."""
        try:
            with self.engine.connect().execution_options(**READ_ONLY) as connection:
                return find_authority(connection, identity)
        except DBAPIError as error:
            raise Unavailable(
                "This service cannot read its directory of users right now, so it cannot tell "
                "what you may do; try again in a moment.",
                reason="directory_unavailable",
            ) from error

    def forget(self, user_id: str | None = None) -> None:
        """Drop the cached authority of ``user_id`` (of everyone when None); thread-safe, so
        a handler running in a worker thread may call it after its commit."""
        with self._lock:
            self._forgotten += 1  # a lookup already running may have read the old row
            if user_id is None:
                self._cache.clear()
                return
            for key, cached in list(self._cache.items()):
                if cached.authority.user_id == user_id:
                    del self._cache[key]

    # -- internals -----------------------------------------------------------------------

    def _cached(self, identity: Identity) -> UserAuthority | None:
        key = _key(identity)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                return None
            if cached.expires_at <= self._monotonic():
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return cached.authority

    async def _read(self, identity: Identity) -> UserAuthority | None:
        key = _key(identity)
        forgotten = self._forgotten
        # Calls share a lookup only if nothing was forgotten since it started.
        shared = (key, forgotten)
        running = self._lookups.get(shared)
        if running is None:
            running = asyncio.ensure_future(asyncio.to_thread(self.lookup, identity))
            self._lookups[shared] = running
            running.add_done_callback(lambda _: self._lookups.pop(shared, None))
        authority = await asyncio.shield(running)
        if authority is not None and self.cache_seconds > 0:
            self._remember(key, authority, forgotten)
        return authority

    def _remember(self, key: _Key, authority: UserAuthority, forgotten: int) -> None:
        with self._lock:
            if forgotten != self._forgotten:
                return  # something was forgotten meanwhile: do not cache what may be stale
            self._cache[key] = _Cached(authority, self._monotonic() + self.cache_seconds)
            self._cache.move_to_end(key)
            while len(self._cache) > self.max_cached:
                self._cache.popitem(last=False)

    async def _wait_for(self, identity: Identity) -> UserAuthority:
        deadline = self._monotonic() + self.wait_seconds
        while self._monotonic() < deadline:
            await asyncio.sleep(self.poll_interval)
            authority = await self._read(identity)
            if authority is not None:
                return authority
        raise _unknown(identity, self.wait_seconds)


def directory_from_settings(engine: Engine, identity: IdentitySettings) -> SqlAuthorityDirectory:
    """The directory over ``engine`` with the cache and wait the settings give."""
    return SqlAuthorityDirectory(
        engine,
        cache_seconds=identity.authority_cache_seconds,
        wait_seconds=identity.authority_wait_seconds,
    )


def _key(identity: Identity) -> _Key:
    if identity.user_id:
        return ("user", identity.user_id)
    return ("email", email_key(identity.email))


def _unknown(identity: Identity, waited: float) -> Unauthenticated | Unavailable:
    if identity.email:
        return Unauthenticated(
            f"SES has no account for {identity.described}; ask an Account Administrator of your "
            "organisation to create it (if it was created moments ago, try again).",
            reason="account_unknown",
        )
    return Unavailable(
        f"This service has not yet heard of your account ({identity.described}): it was "
        f"created moments ago and the news is on its way (waited {waited:.0f} s); try again "
        "in a few seconds.",
        reason="account_not_yet_known",
        retry_after=timedelta(seconds=2),
    )
