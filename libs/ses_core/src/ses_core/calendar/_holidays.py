"""Holiday dates from the ``holidays`` package, filtered to a policy's names.

Lookups are cached per (year, names, observed): building one year of US
holidays costs milliseconds, and calendars ask for the same year constantly. The
package itself is imported at the first lookup (importing it takes a third of a second,
which a command that never asks for a business day should not pay).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

_COUNTRY = "US"
_LANGUAGE = "en_US"  # pinned: policy names must not change with the locale
_OBSERVED_SUFFIX = " (observed)"
# The package joins the names of holidays that share a date with this separator.
_NAME_SEPARATOR = "; "


def _base_names(label: str) -> set[str]:
    return {part.removesuffix(_OBSERVED_SUFFIX) for part in label.split(_NAME_SEPARATOR)}


@lru_cache(maxsize=1024)
def holiday_dates(year: int, names: frozenset[str], observed: bool) -> frozenset[date]:
    """Dates in ``year`` that are one of ``names`` or, if ``observed``, its observed day."""
    table = _holidays().country_holidays(
        _COUNTRY, years=year, observed=observed, language=_LANGUAGE
    )
    return frozenset(day for day, label in table.items() if _base_names(label) & names)


@lru_cache(maxsize=1)
def known_holiday_names() -> frozenset[str]:
    """Every US holiday name the package knows in recent years (without the observed suffix)."""
    table = _holidays().country_holidays(
        _COUNTRY, years=(2024, 2025), observed=False, language=_LANGUAGE
    )
    return frozenset(name for label in table.values() for name in _base_names(label))


def _holidays() -> Any:
    import holidays

    return holidays
