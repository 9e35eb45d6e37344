"""Webhook signatures: HMAC-SHA256 of the raw body, compared in constant time, with rotation.

:func:`check_signature_header` is the whole step a provider's webhook check takes (read
the header in any case, verify, raise ``WebhookSignatureError``), so providers do not
write it again.

Example::

    >>> sig = hmac_sha256_hex("s", b"{}")
    >>> verify_hmac_sha256(b"{}", "sha256=" + sig, ["old", "s"], prefix="sha256=")
    True
    >>> check_signature_header({"x-sig": sig}, b"{}", ["s"], header="X-Sig", provider="acme")
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from ..errors import WebhookSignatureError
from ._http import header_value

__all__ = ["check_signature_header", "hmac_sha256_hex", "verify_hmac_sha256"]


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


def check_signature_header(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str],
    *,
    header: str,
    provider: str,
    prefix: str = "",
    prefix_optional: bool = False,
    secret_name: str = "secret",
) -> None:
    """Raise ``WebhookSignatureError`` unless header ``header`` signs ``body`` (HMAC-SHA256).

    The header is read in any letter case; any of ``secrets`` may match (rotation);
    ``prefix``/``prefix_optional`` are as in :func:`verify_hmac_sha256`. ``secret_name``
    names the secret in the error (``"app secret"``); the secrets never appear in it.

    Example::

        check_signature_header(request.headers, body, ["app-secret"],
                               header="X-Hub-Signature-256", provider="meta", prefix="sha256=")
    """
    signature = header_value(headers, header)
    if not signature:
        raise WebhookSignatureError(f"{provider} webhook has no {header} header", provider=provider)
    if not verify_hmac_sha256(
        body, signature, secrets, prefix=prefix, prefix_optional=prefix_optional
    ):
        raise WebhookSignatureError(
            f"{provider} webhook {header} does not match the body under any configured "
            f"{secret_name}",
            provider=provider,
        )
