"""The Graph API versions the simulator serves, with their dates (PROVIDER_FACTS §6.7).

A version is served from its release until its end of availability; v26.0, the latest,
has no end date yet. A version older than the oldest listed is past its end; one newer than
the latest is unknown (whether a v27.0 exists is UNKNOWN). Meta's versioning policy serves a
call to an expired version as the oldest available one; the simulator refuses it instead
(``MetaSimulator.reject_expired_versions``), so that a pinned version that has run out shows
up in tests rather than being upgraded silently.

Example::

    >>> from datetime import date
    >>> version_problem("v26.0", date(2026, 12, 2)) is None
    True
    >>> version_problem("v20.0", date(2026, 12, 2))
    'Graph API v20.0 is no longer available (it was until 2026-09-24); use v21.0 or later'
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["GRAPH_VERSIONS", "expired", "version_problem"]

GRAPH_VERSIONS: dict[str, tuple[date, date | None]] = {
    "v26.0": (date(2026, 7, 29), None),
    "v25.0": (date(2026, 2, 18), date(2028, 7, 29)),
    "v24.0": (date(2025, 10, 8), date(2028, 2, 18)),
    "v23.0": (date(2025, 5, 29), date(2027, 10, 8)),
    "v22.0": (date(2025, 1, 21), date(2027, 5, 20)),
    "v21.0": (date(2024, 10, 2), date(2027, 1, 21)),
    "v20.0": (date(2024, 5, 21), date(2026, 9, 24)),
}
"""Version -> (released, available until; None: no end date yet)."""

_VERSION = re.compile(r"v(\d+)\.(\d+)")


def _number(version: str) -> tuple[int, int] | None:
    match = _VERSION.fullmatch(version)
    return (int(match[1]), int(match[2])) if match else None


def version_problem(
    version: str, today: date, versions: dict[str, tuple[date, date | None]] | None = None
) -> str | None:
    """Why ``version`` cannot be called on ``today`` (None when it can).

    Example::

        version_problem("v27.0", date.today())  # 'Unknown Graph API version v27.0 ...'
    """
    table = GRAPH_VERSIONS if versions is None else versions
    number = _number(version)
    if number is None:
        return f"Unknown Graph API version {version[:20]!r}"
    served = sorted((n, v) for v in table if (n := _number(v)) is not None)
    if version not in table:
        if served and number < served[0][0]:
            return f"Graph API {version} is no longer available; use {served[0][1]} or later"
        return f"Unknown Graph API version {version}: this API serves {', '.join(table)}"
    released, until = table[version]
    if today < released:
        return f"Graph API {version} is not released yet (it comes out on {released})"
    if until is not None and today > until:
        live = [v for _, v in served if _available(table[v], today)]
        oldest = live[0] if live else served[-1][1]
        return (
            f"Graph API {version} is no longer available (it was until {until}); "
            f"use {oldest} or later"
        )
    return None


def expired(
    version: str, today: date, versions: dict[str, tuple[date, date | None]] | None = None
) -> bool:
    """Whether ``version`` is listed (or older than every listed one) and past its end.

    Example::

        >>> from datetime import date
        >>> expired("v19.0", date(2026, 12, 2)), expired("v99.0", date(2026, 12, 2))
        (True, False)
    """
    table = GRAPH_VERSIONS if versions is None else versions
    number = _number(version)
    served = sorted(n for v in table if (n := _number(v)) is not None)
    if number is None or not served:
        return False
    if version not in table:
        return number < served[0]
    return not _available(table[version], today) and today >= table[version][0]


def _available(dates: tuple[date, date | None], today: date) -> bool:
    released, until = dates
    return released <= today and (until is None or today <= until)
