"""Meta error responses -> the SDK's typed errors: Meta's ``error.code`` first, HTTP status second.

Meta asks clients to branch on ``code`` (and ``error_data.details``), not on the HTTP
status, which its current docs no longer even list; third-party gateways wrap the same
codes in other statuses. So the code decides whenever it is known, and the status only
when the body has no usable code (an HTML page from a proxy, an empty or truncated body,
or a code this table does not know).

Decisions worth knowing:

- 131048 (spam rate limit) is a ``PermissionDeniedError``, not a ``RateLimitError``: it is
  a quality restriction on the number that lasts far longer than a retry loop, and
  retrying quickly makes it worse.
- 131056 (pair rate limit) is a ``RateLimitError`` with ``retry_after`` taken only from a
  ``Retry-After`` header; Meta sends none and documents no fixed wait, so none is
  invented (use ``WhatsApp(pair_spacing=6)`` to stay under it).
- 131045, 131064 and 133000 are marked "do not retry" by Meta although its old table
  gave them HTTP 500; they map to ``BadRequestError``/``PermissionDeniedError`` so the
  core does not retry them as server errors.
- Code 100 ("invalid parameter") is Graph's catch-all, also used for an object that does
  not exist; when it comes with HTTP 404 (a deleted media id, an unknown template) the
  status is the more precise of the two and the error is a ``NotFoundError``.

Example::

    error = error_from_response(HttpResponse(status=400, body=b'{"error":{"code":131047}}'))
    type(error).__name__  # 'OutsideWindowError'
"""

from __future__ import annotations

from typing import Any

import msgspec

from whatsapp_async.provider import (
    APIStatusError,
    HttpResponse,
    NotFoundError,
    error_class_for_status,
    status_error,
    summarise_body,
)
from whatsapp_async.provider.cloudapi import class_for_platform_code

from .response_wire import ErrorEnvelope, GraphError

__all__ = ["error_class_for_code", "error_from_response"]

PROVIDER = "meta"

_decoder = msgspec.json.Decoder(ErrorEnvelope)
_GENERIC_CODE = 100


def error_class_for_code(code: int | None) -> type[APIStatusError] | None:
    """The error class Meta's ``code`` implies, or None when the code is unknown here.

    The map is the platform's (``whatsapp_async.provider.cloudapi``), shared with the
    providers that relay Meta's codes.

    Example::

        error_class_for_code(132001).__name__  # 'TemplateError'
    """
    return class_for_platform_code(code)


def error_from_response(response: HttpResponse) -> APIStatusError:
    """The typed error for a non-2xx response; never raises on odd bodies.

    ``status``, ``code`` (int), ``details`` (``error_data.details``), ``body`` (raw bytes)
    and ``message`` (Meta's ``error.message``) are kept. ``RateLimitError.retry_after``
    comes from a ``Retry-After`` header when there is one.

    Example::

        err = error_from_response(HttpResponse(status=502, body=b"<html>Bad gateway</html>"))
        type(err).__name__, err.code  # ('ServerError', None)
    """
    graph = _graph_error(response.body)
    code = _as_int(graph.code) if graph is not None else None
    cls = error_class_for_code(code) or error_class_for_status(response.status)
    if code == _GENERIC_CODE and response.status == 404:
        cls = NotFoundError
    message = _message(graph, response)
    details: Any = None
    if graph is not None and graph.error_data is not None:
        details = graph.error_data.details
    # The SDK's last step keeps status, code and body, and reads Retry-After for a rate limit.
    return status_error(
        cls, message, provider=PROVIDER, response=response, code=code, details=details
    )


def _graph_error(body: bytes) -> GraphError | None:
    if not body:
        return None
    try:
        envelope = _decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None  # HTML, truncated JSON, or some other shape: map by status
    return envelope.error


def _as_int(value: int | str | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _message(graph: GraphError | None, response: HttpResponse) -> str:
    if graph is not None and graph.message:
        return graph.message
    if graph is not None and graph.error_user_msg:
        return graph.error_user_msg
    if not response.body:
        return f"HTTP {response.status} with an empty body"
    # Not Meta's envelope (a proxy's HTML page, a truncated body): show where it came from.
    snippet = summarise_body(response.body, 120)
    return f"HTTP {response.status} with a body that is not Meta's error envelope: {snippet!r}"
