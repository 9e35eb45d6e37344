"""The two values that cross the sans-I/O boundary: the request a provider wants sent, and the
response the core received.

Neither knows about sockets: the core's transport turns an :class:`HttpRequest` into bytes on
the wire and the answer into an :class:`HttpResponse`.

Example::

    >>> request = HttpRequest(method="POST", url="https://x.test/send", body=b"{}")
    >>> response = HttpResponse(status=200, headers={"Content-Type": "application/json"})
    >>> response.header("content-type")
    'application/json'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import msgspec

from ._media import FormFile
from ._settings import REDACTED

__all__ = ["HttpRequest", "HttpResponse", "RedactedHeaders", "header_value", "is_secret_header"]


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A request a provider wants sent. ``url`` is absolute.

    ``idempotent`` is True when resending after the body may have reached the
    server cannot duplicate the effect (the provider honours an idempotency key,
    or the request only reads); the core then retries ambiguous failures too.

    ``headers`` that carry a credential belong in a :class:`RedactedHeaders`, so that
    ``request.headers`` reprs without it too (``Provider.json_request`` does this).

    Example::

        HttpRequest(method="POST", url="https://x/send",
                    headers=RedactedHeaders({"X-Api-Key": key}), body=b"{}")
    """

    method: str
    url: str
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    body: bytes | None = None
    form: Sequence[tuple[str, str | FormFile]] | None = None
    """A multipart form (instead of ``body``): plain fields and at most one file."""
    idempotent: bool = False

    def __repr__(self) -> str:
        # A logged request must not show credentials, whatever mapping its headers are in.
        headers = _redacted(self.headers)
        size = "form" if self.form is not None else f"{len(self.body or b'')} bytes"
        return f"HttpRequest({self.method} {self.url}, headers={headers}, body={size})"


_SECRET_HEADER_PARTS = ("auth", "key", "token", "secret", "signature", "cookie")


def is_secret_header(name: str) -> bool:
    """Whether a header of this name may carry a credential (its value is never shown).

    Example::

        >>> is_secret_header("x-api-key"), is_secret_header("Content-Type")
        (True, False)
    """
    lower = name.lower()
    return any(part in lower for part in _SECRET_HEADER_PARTS)


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if is_secret_header(k) else v) for k, v in headers.items()}


class RedactedHeaders(Mapping[str, str]):
    """Read-only request headers whose ``repr`` and ``str`` hide every credential.

    A request's headers reach logs, tracebacks and debuggers on their own, not only through
    ``repr(request)``: in this mapping the value of every header :func:`is_secret_header`
    names shows as ``***``, while lookups return it unchanged, so the transport sends it as
    usual (it is a plain ``Mapping``, which aiohttp accepts). It cannot be changed, so one
    instance may be shared by every request a provider builds.

    Example::

        >>> headers = RedactedHeaders({"Authorization": "Bearer s3cret", "Accept": "text/plain"})
        >>> headers
        {'Authorization': '***', 'Accept': 'text/plain'}
        >>> headers["Authorization"], dict(headers) == {**headers}
        ('Bearer s3cret', True)
    """

    __slots__ = ("_headers",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def __getitem__(self, key: str) -> str:
        return self._headers[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __repr__(self) -> str:
        return repr(_redacted(self._headers))


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` in any letter case, or None (plain dicts included).

    Web frameworks hand webhooks case-insensitive mappings, tests and callers plain dicts:
    an exact hit is tried first, then every key compared without case.

    Example::

        >>> header_value({"X-Hub-Signature-256": "sha256=ab"}, "x-hub-signature-256")
        'sha256=ab'
    """
    value = headers.get(name)
    if value is not None:
        return value
    lower = name.lower()
    for key, val in headers.items():
        if key.lower() == lower:
            return val
    return None


class HttpResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A response as the core received it. Header names are matched case-insensitively.

    Example::

        HttpResponse(status=200, headers={"content-type": "application/json"}, body=b"{}")
    """

    status: int
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    body: bytes = b""
    received_at: float = 0.0
    """When the core received the answer (Unix seconds; 0 when unknown). Providers read
    "now" from here (to turn a reset time into a wait), never from the clock."""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        return header_value(self.headers, name)
