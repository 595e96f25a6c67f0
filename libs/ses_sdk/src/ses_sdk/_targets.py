"""Which address serves which context, for a client made with one address or several."""

from __future__ import annotations

from collections.abc import Mapping


def targets_by_context(
    address: str | None, addresses: Mapping[str, str] | None, contexts: tuple[str, ...]
) -> dict[str, str]:
    """``{context: host:port}`` for every context with services.

    ``address`` serves every context not named in ``addresses`` (all of them behind one
    port, as ``ses up`` or a gateway serves them); ``addresses`` names a context's own
    address (``{"complaints": "complaints.ses.example.gov:443", ...}``, the enrollment
    address also serving AuthService).
    """
    chosen = dict(addresses or {})
    unknown = sorted(set(chosen) - set(contexts))
    if unknown:
        raise ValueError(
            f"addresses names unknown contexts {unknown}; the contexts are {list(contexts)}."
        )
    missing = [context for context in contexts if context not in chosen]
    if missing and not address:
        raise ValueError(
            f"No address for {missing}: give address= (one for all services) or name each "
            "context in addresses=."
        )
    return {context: chosen.get(context) or str(address) for context in contexts}
