"""Webhook signatures: HMAC-SHA256 of the raw body, compared in constant time, with rotation.

Example::

    >>> sig = hmac_sha256_hex("s", b"{}")
    >>> verify_hmac_sha256(b"{}", "sha256=" + sig, ["old", "s"], prefix="sha256=")
    True
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

__all__ = ["hmac_sha256_hex", "verify_hmac_sha256"]


def hmac_sha256_hex(secret: str | bytes, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of ``body`` keyed by ``secret``.

    Example::

        >>> hmac_sha256_hex("s", b"{}")[:8]
        '143ca8d5'
    """
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_hmac_sha256(
    body: bytes,
    signature: str | None,
    secrets: Iterable[str],
    *,
    prefix: str = "",
    prefix_optional: bool = False,
) -> bool:
    """Whether ``signature`` is the HMAC-SHA256 hex of ``body`` under any of ``secrets``.

    ``prefix`` (e.g. ``"sha256="``) must lead the signature unless
    ``prefix_optional``. Comparison is constant-time.

    Example::

        verify_hmac_sha256(body, headers.get("X-Hub-Signature-256"), [secret], prefix="sha256=")
    """
    if not signature:
        return False
    value = signature.strip()
    if prefix:
        if value.lower().startswith(prefix.lower()):
            value = value[len(prefix) :]
        elif not prefix_optional:
            return False
    value = value.lower()
    ok = False
    for secret in secrets:
        # Check every secret so timing does not reveal which one matched.
        ok |= hmac.compare_digest(hmac_sha256_hex(secret, body), value)
    return ok
