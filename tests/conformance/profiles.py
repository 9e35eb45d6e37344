"""The documented differences between providers (docs/providers.md), declared in one place.

Every conformance test runs the same call sites over every provider; where a
provider legitimately differs (the status a send returns, what it cannot
express, how its simulator spells a throttling error), the difference is
declared here and checked against the provider's ``Capabilities`` — never
skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from whatsapp_async.messages import MESSAGE_KINDS, TEMPLATE_FEATURES


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    credential: str
    """The setting holding the secret that authenticates requests."""
    send_status: str
    """``SendResult.status`` right after a successful send."""
    messages: frozenset[str]
    """Message kinds it can send (all others must be UnsupportedFeature)."""
    recipients: frozenset[str]
    options: frozenset[str]
    operations: frozenset[str]
    template_features: frozenset[str]
    """What its templates may use beyond text body parameters."""
    rate_limit_fault: dict[str, Any]
    server_fault: dict[str, Any]
    retries_ambiguous: bool
    """Honours idempotency keys, so a dropped connection is retried safely."""
    recipient_in_body: Callable[[Any], str]
    """The recipient's digits from a recorded send body."""
    send_path: Callable[[str], bool]
    """Whether a recorded request path is a send."""


ALL_KINDS = frozenset(MESSAGE_KINDS)
ALL_TEMPLATE_FEATURES = frozenset(TEMPLATE_FEATURES)

PROFILES: dict[str, Profile] = {
    "meta": Profile(
        name="meta",
        credential="token",
        send_status="accepted",
        messages=ALL_KINDS,
        recipients=frozenset({"phone", "user", "group"}),
        options=frozenset({"reply_to", "metadata"}),
        operations=frozenset(
            {
                "mark_read",
                "list_templates",
                "webhooks",
                "status_events",
                "upload_media",
                "create_template",
                "delete_template",
            }
        ),
        template_features=ALL_TEMPLATE_FEATURES,
        rate_limit_fault={"status": 400, "code": 130429},
        server_fault={"status": 500, "code": 131000},
        retries_ambiguous=False,
        recipient_in_body=lambda body: _digits(body["to"]),
        send_path=lambda path: path.endswith("/messages"),
    ),
    "magpipe": Profile(
        name="magpipe",
        credential="api_key",
        send_status="accepted",
        messages=frozenset({"text", "template"}),
        recipients=frozenset({"phone"}),
        options=frozenset({"metadata"}),
        operations=frozenset({"webhooks"}),
        template_features=ALL_TEMPLATE_FEATURES,
        rate_limit_fault={"status": 429},
        server_fault={"status": 500},
        retries_ambiguous=False,
        recipient_in_body=lambda body: _digits(body.get("recipient_wa_id") or body.get("to")),
        send_path=lambda path: path.startswith("/send-whatsapp-"),
    ),
    "pilot": Profile(
        name="pilot",
        credential="api_key",
        send_status="queued",
        messages=frozenset(
            {
                "text",
                "template",
                "image",
                "video",
                "audio",
                "document",
                "sticker",
                "buttons",
                "cta_url",
            }
        ),
        recipients=frozenset({"phone", "user", "group", "channel"}),
        options=frozenset({"deliver_at", "deliver_until"}),
        operations=frozenset(
            {"get_status", "cancel", "idempotency", "webhooks", "inline_media", "status_events"}
        ),
        template_features=frozenset({"media_header", "date_time"}),
        rate_limit_fault={"status": 429, "code": "RATE_LIMITED"},
        server_fault={"status": 503},
        retries_ambiguous=True,
        recipient_in_body=lambda body: _digits(body["destinationNumber"]),
        send_path=lambda path: path == "/v1/messages/send",
    ),
    "gateway": Profile(
        name="gateway",
        credential="token",
        send_status="accepted",
        messages=frozenset({"text", "template"}),
        recipients=frozenset({"phone", "conversation"}),
        options=frozenset(),
        operations=frozenset({"list_templates", "native_batch"}),
        template_features=frozenset(
            {
                "text_header",
                "quick_reply_button",
                "url_button",
                "copy_code_button",
                "otp",
                "components",
            }
        ),
        rate_limit_fault={"status": 429},
        server_fault={"status": 503},
        retries_ambiguous=False,
        recipient_in_body=lambda body: _digits(
            body.get("phoneNumber") or body["recipients"][0]["phoneNumber"]
        ),
        send_path=lambda path: path in ("/api/whatsapp/send", "/api/whatsapp/send-template"),
    ),
}
