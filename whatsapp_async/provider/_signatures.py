"""Webhook checks: HMAC-SHA256 signatures (constant time, rotation) and the bounded JSON read.

:func:`check_signature_header` is the whole step a provider's webhook check takes (read
the header in any case, verify, raise ``WebhookSignatureError``), and
:func:`read_webhook_json` the whole step of reading a verified body (raise
``WebhookPayloadError`` unless it is JSON nested at most :data:`MAX_WEBHOOK_DEPTH` deep),
so providers do not write either again, and every provider treats hostile input alike.

Example::

    >>> sig = hmac_sha256_hex("s", b"{}")
    >>> verify_hmac_sha256(b"{}", "sha256=" + sig, ["old", "s"], prefix="sha256=")
    True
    >>> check_signature_header({"x-sig": sig}, b"{}", ["s"], header="X-Sig", provider="acme")
    >>> read_webhook_json(b'{"entry": []}', provider="acme")
    {'entry': []}
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Any

import msgspec

from ..errors import WebhookPayloadError, WebhookSignatureError
from ._http import header_value

__all__ = [
    "MAX_WEBHOOK_DEPTH",
    "check_signature_header",
    "hmac_sha256_hex",
    "nested_deeper_than",
    "read_webhook_json",
    "verify_hmac_sha256",
]

MAX_WEBHOOK_DEPTH = 64
"""The deepest nesting (arrays and objects) a webhook body may have. Real deliveries nest
about ten deep; msgspec and Python code walking the result hit the recursion limit near
1,000, so a body deeper than this is refused before it is decoded.

Example::

    read_webhook_json(body, provider="acme", max_depth=MAX_WEBHOOK_DEPTH)
"""

_decoder = msgspec.json.Decoder()
# Only quotes and brackets matter for nesting; brackets become steps of +1 / -1 (signed bytes).
_NOT_MARKS = bytes(b for b in range(256) if b not in b'"[]{}')
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


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
    ``prefix_optional``. Comparison is constant-time. Any string is a valid input (non-ASCII,
    control characters, lone surrogates from undecodable header bytes): it is simply false.

    Example::

        >>> verify_hmac_sha256(b"{}", "sha256=\\u00e9\\udcff", ["s"], prefix="sha256=")
        False
    """
    if not signature:
        return False
    value = signature.strip()
    if prefix:
        # Slice first, then lower: lower() may change the length of non-ASCII text.
        if value[: len(prefix)].lower() == prefix.lower():
            value = value[len(prefix) :]
        elif not prefix_optional:
            return False
    # compare_digest refuses str with non-ASCII characters (TypeError), so compare bytes;
    # "surrogatepass" encodes any str, including the surrogates aiohttp uses for raw bytes.
    given = value.lower().encode("utf-8", "surrogatepass")
    ok = False
    for secret in secrets:
        # Check every secret so timing does not reveal which one matched.
        ok |= hmac.compare_digest(hmac_sha256_hex(secret, body).encode(), given)
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

    The header is read in any letter case and must appear once (a multi-value mapping such
    as aiohttp's ``request.headers`` with two of them is refused: which one counts would be
    a guess); any of ``secrets`` may match (rotation); ``prefix``/``prefix_optional`` are as
    in :func:`verify_hmac_sha256`. ``secret_name`` names the secret in the error
    (``"app secret"``); the secrets never appear in it.

    Example::

        check_signature_header(request.headers, body, ["app-secret"],
                               header="X-Hub-Signature-256", provider="meta", prefix="sha256=")
    """
    getall = getattr(headers, "getall", None)
    if callable(getall) and len(getall(header, ())) > 1:
        raise WebhookSignatureError(
            f"{provider} webhook has more than one {header} header", provider=provider
        )
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


def nested_deeper_than(data: bytes, depth: int) -> bool:
    """Whether the JSON text ``data`` nests arrays and objects more than ``depth`` levels.

    It runs in C-speed passes over the bytes (no Python step per byte, no decoding), so it
    can guard a decoder. Exact for JSON; for text that is not JSON it may say either, and
    the decoder refuses that text anyway.

    Example::

        >>> nested_deeper_than(b'[[1], {"a": "[[[["}]', 2), nested_deeper_than(b"[[[]]]", 2)
        (False, True)
    """
    if data.count(b"[") + data.count(b"{") <= depth:
        return False  # the common case: too few brackets to nest that deep
    # Brackets inside strings are text, not nesting. Escapes go first (an escaped backslash,
    # then an escaped quote, as JSON pairs them from the left), so every quote left opens or
    # closes a string; two adjacent quotes hold no bracket between them and go too (that
    # may merge two strings, never swallow a bracket); what is left between quotes is text.
    text = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = text.translate(None, _NOT_MARKS).replace(b'""', b"")
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[::2])
    steps = marks.translate(_STEPS)
    # Each pass removes the innermost pairs, so every nesting gets one level shallower;
    # keep going while that shrinks the text a lot (flat or shallow batches vanish in a few
    # passes), then walk the rest with a running sum that stops at the first level too deep.
    while depth > 0 and len(steps) > 64:
        shorter = steps.replace(b"\x01\xff", b"")
        shrunk_enough = len(shorter) * 8 <= len(steps) * 7
        steps, depth = shorter, depth - 1
        if not shrunk_enough:
            break
    levels = accumulate(memoryview(steps).cast("b"))
    return next(filter(depth.__lt__, levels), None) is not None


def read_webhook_json(body: bytes, *, provider: str, max_depth: int = MAX_WEBHOOK_DEPTH) -> Any:
    """The decoded JSON of a (verified) webhook body, as plain Python objects.

    Raises ``WebhookPayloadError`` when the body cannot be read at all: empty, not JSON
    (invalid UTF-8 included), or nested deeper than ``max_depth`` (checked before decoding,
    so a hostile body never reaches the recursion limit). Any JSON value is returned, odd
    shapes included: what is not a known event is for the parser to make an ``UnknownEvent``.

    Example::

        >>> read_webhook_json(b"[1, 2]", provider="acme")
        [1, 2]
        >>> read_webhook_json(b"[" * 65 + b"]" * 65, provider="acme")
        Traceback (most recent call last):
        ...
        whatsapp_async.errors.WebhookPayloadError: acme webhook body nests deeper than 64 levels
    """
    if not body or body.isspace():
        raise WebhookPayloadError(f"{provider} webhook body is empty", provider=provider)
    if nested_deeper_than(body, max_depth):
        raise WebhookPayloadError(
            f"{provider} webhook body nests deeper than {max_depth} levels", provider=provider
        )
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError as exc:
        # msgspec's message names the position and the fault, never the content.
        raise WebhookPayloadError(
            f"{provider} webhook body is not JSON ({exc})", provider=provider
        ) from None
