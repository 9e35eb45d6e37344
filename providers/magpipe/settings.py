"""Magpipe settings: the API key, the two sender ids, and the optional webhook token.

Only ``api_key`` is needed to construct a client. Each send route needs one
more id: text sends name the WhatsApp number (``phone_number_id``), template
sends name the agent whose number sends (``agent_id``). A missing id is
reported (``ConfigurationError``) when its route is used, before any request,
so a client that only ever sends templates does not have to invent a number id.

Example::

    MagpipeSettings(api_key="mgp_...", agent_id="d920763c-59d8-490e-ad69-b6a3295e23a8")
    # repr: MagpipeSettings(api_key='***', phone_number_id=None, agent_id='d920...', ...)
"""

from __future__ import annotations

import re
from typing import ClassVar

from whatsapp_async.provider import ConfigurationError, Settings

__all__ = ["MagpipeSettings", "check_settings"]

PROVIDER = "magpipe"

# Magpipe's template function rejects any other agent_id with 400 "agent_id must be a
# valid UUID"; catching it at construction names the setting instead of failing a send.
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class MagpipeSettings(Settings, frozen=True):
    """Settings of the ``magpipe`` provider (secrets are redacted in every repr).

    - ``api_key``: ``mgp_...`` API key (or a session JWT), sent as ``Authorization: Bearer``
    - ``phone_number_id``: the Meta phone number id of your connected number (text sends)
    - ``agent_id``: the UUID of the agent whose number sends templates (template sends)
    - ``base_url``: default ``https://api.magpipe.ai/functions/v1``; ``WhatsApp(base_url=...)``
      overrides it as well
    - ``webhook_token`` / ``webhook_tokens``: the secret expected in the ``token`` query
      parameter of inbound webhooks (Magpipe does not sign its forward; put the token in
      the webhook URL you configure). Several are accepted during a rotation.

    Example::

        WhatsApp("magpipe", api_key="mgp_...", phone_number_id="1026733600525693",
                 webhook_token="a-long-random-string")
    """

    api_key: str
    phone_number_id: str | None = None
    agent_id: str | None = None
    base_url: str | None = None
    webhook_token: str | None = None
    webhook_tokens: tuple[str, ...] = ()

    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"api_key", "webhook_token", "webhook_tokens"}
    )

    def accepted_webhook_tokens(self) -> list[str]:
        """Every configured webhook token, blanks dropped.

        Example::

            MagpipeSettings(api_key="k", webhook_token="t").accepted_webhook_tokens()  # ['t']
        """
        tokens = [self.webhook_token] if self.webhook_token else []
        tokens.extend(t for t in self.webhook_tokens if t)
        return tokens


def check_settings(settings: MagpipeSettings) -> None:
    """Raise ``ConfigurationError`` naming the first malformed setting.

    Example::

        check_settings(MagpipeSettings(api_key=" "))  # ConfigurationError: ... 'api_key'
    """
    key = settings.api_key
    if not isinstance(key, str) or not key.strip():
        raise _invalid("api_key", "must not be empty")
    if any(ch.isspace() for ch in key):
        # A key with whitespace would corrupt the Authorization header; never echo it.
        raise _invalid("api_key", "must not contain whitespace")
    if settings.phone_number_id is not None and not settings.phone_number_id.strip():
        raise _invalid("phone_number_id", "must not be empty")
    if settings.agent_id is not None and not _UUID.match(settings.agent_id):
        raise _invalid("agent_id", "must be a UUID like d920763c-59d8-490e-ad69-b6a3295e23a8")
    for token in settings.accepted_webhook_tokens():
        if len(token) < 8:
            raise _invalid("webhook_token", "must be at least 8 characters")


def _invalid(name: str, why: str) -> ConfigurationError:
    return ConfigurationError(f"{PROVIDER}: invalid setting {name!r}: {why}", provider=PROVIDER)
