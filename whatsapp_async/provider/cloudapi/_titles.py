"""Meta's short error titles per platform code: the ``<title>`` of ``"(#<code>) <title>"``.

Meta's error envelope puts them in ``error.message`` (and webhook errors in ``title``);
simulators of Meta and of the relays that pass Meta's errors on answer with them, so a
test sees the text the real service sends. Titles are Meta's error-code reference
(PROVIDER_FACTS §3.1 envelope, §3.2 codes [G4]).

Example::

    >>> error_title(131047)
    'Re-engagement message'
    >>> error_title(999999)
    'Unknown error'
"""

from __future__ import annotations

__all__ = ["ERROR_TITLES", "error_title"]

ERROR_TITLES: dict[int, str] = {
    0: "AuthException",
    1: "API Unknown",
    2: "API Service",
    3: "API Method",
    4: "API Too Many Calls",
    10: "Permission Denied",
    33: "This phone number is deleted",
    100: "Invalid parameter",
    190: "Access token has expired",
    200: "API Permission",
    368: "Temporarily blocked for policies violations",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    130472: "User's number is part of an experiment",
    130497: "Business account is restricted from messaging users in this country",
    131000: "Something went wrong",
    131005: "Access denied",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131021: "Recipient cannot be sender",
    131026: "Message undeliverable",
    131031: "Business Account locked",
    131042: "Business eligibility payment issue",
    131045: "Incorrect certificate",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "Meta chose not to deliver",
    131051: "Unsupported message type",
    131052: "Media download error",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131057: "Account in maintenance mode",
    131062: "Business-scoped User ID (BSUID) recipients are not supported for this message",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132005: "Translated text too long",
    132007: "Template Format Character Policy Violated",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is Paused",
    132016: "Template is Disabled",
    133004: "Server temporarily unavailable",
    133010: "Phone number not registered",
}
"""Code -> Meta's title, for the codes the SDK maps or the simulators produce.

Example: ``ERROR_TITLES[131026]`` is ``'Message undeliverable'``; prefer :func:`error_title`,
which also answers for codes missing here."""

_UNKNOWN = "Unknown error"


def error_title(code: int) -> str:
    """Meta's title for ``code``, or ``"Unknown error"`` for a code this table lacks.

    Example::

        f"(#{code}) {error_title(code)}"  # '(#130429) Rate limit hit'
    """
    return ERROR_TITLES.get(code, _UNKNOWN)
