"""Settings of the Meta WhatsApp Cloud API provider.

Example::

    settings = MetaSettings(token="EAAG...", phone_number_id="106540352242922")
    repr(settings)  # MetaSettings(token='***', phone_number_id='106540352242922', ...)
"""

from __future__ import annotations

import re
from typing import ClassVar

from whatsapp_async.provider import ConfigurationError, Settings
from whatsapp_async.provider.cloudapi import FLOW_CTA_MAX, FLOW_CTA_SPEC_MAX

__all__ = ["DEFAULT_API_VERSION", "MetaSettings"]

DEFAULT_API_VERSION = "v26.0"
"""The Graph API version requests go to unless ``api_version`` says otherwise: the latest
one Meta lists (v26.0, released 29 Jul 2026; PROVIDER_FACTS §6.7). Pin another with
``api_version="v25.0"`` (or ``WHATSAPP_API_VERSION``); each version works for about two
years after its release."""

_VERSION = re.compile(r"v\d+\.\d+")
_GRAPH_ID = re.compile(r"[0-9]+")


class MetaSettings(Settings, frozen=True):
    """Credentials and ids for Meta's Cloud API; secrets never show in a repr.

    - ``token``: the Bearer access token (a system-user token in production)
    - ``phone_number_id``: the business phone number's Graph id (every send needs it; the
      default sender)
    - ``phone_number_ids``: more business numbers under the same token, sent from with
      ``wa.send(..., sender="<phone_number_id>")`` (a comma-separated string from the
      environment); limits are kept per number
    - ``api_version``: Graph version in the URL path, ``"v26.0"`` (the latest) by default;
      pin one to keep a tested version
    - ``flow_cta_max``: the longest Flow button label sent, 20 by default (what every source
      accepts); up to 30, the length Meta's newer page and its spec advise
    - ``waba_id``: the WhatsApp Business Account id (only ``list_templates`` needs it)
    - ``app_secret`` / ``app_secrets``: the app secret(s) that sign webhooks
      (several while rotating; ``app_secrets`` may be a comma-separated string,
      as it is when it comes from the environment)
    - ``verify_token``: the token Meta's webhook GET handshake must carry

    Example::

        MetaSettings(token="EAAG...", phone_number_id="106540352242922",
                     waba_id="102290129340398", app_secret="6f1c...")
    """

    token: str
    phone_number_id: str
    phone_number_ids: tuple[str, ...] | str = ()
    api_version: str = DEFAULT_API_VERSION
    waba_id: str | None = None
    app_secret: str | None = None
    app_secrets: tuple[str, ...] | str = ()
    verify_token: str | None = None
    flow_cta_max: int = FLOW_CTA_MAX

    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"token", "app_secret", "app_secrets", "verify_token"}
    )

    def webhook_secrets(self) -> list[str]:
        """Every configured app secret, ``app_secret`` first, without blanks or repeats.

        Example::

            MetaSettings(token="t", phone_number_id="1", app_secret="a",
                         app_secrets="b,a").webhook_secrets()  # ['a', 'b']
        """
        extra = self.app_secrets
        candidates = [self.app_secret, *(extra.split(",") if isinstance(extra, str) else extra)]
        out: list[str] = []
        for value in candidates:
            secret = (value or "").strip()
            if secret and secret not in out:
                out.append(secret)
        return out

    def senders(self) -> tuple[str, ...]:
        """Every business number's id, ``phone_number_id`` first, without blanks or repeats.

        Example::

            MetaSettings(token="t", phone_number_id="1",
                         phone_number_ids="2, 3").senders()  # ('1', '2', '3')
        """
        extra = self.phone_number_ids
        candidates = [
            self.phone_number_id,
            *(extra.split(",") if isinstance(extra, str) else extra),
        ]
        out: list[str] = []
        for value in candidates:
            number = value.strip()
            if number and number not in out:
                out.append(number)
        return tuple(out)

    def secrets(self) -> list[str]:
        """Secret values to scrub from text (the comma-separated form split up).

        Example::

            MetaSettings(token="EAAG...", phone_number_id="1").secrets()  # ['EAAG...']
        """
        return [*super().secrets(), *self.webhook_secrets()]

    def check(self, provider: str = "meta") -> None:
        """Raise ``ConfigurationError`` naming the first malformed setting.

        Example::

            MetaSettings(token="t", phone_number_id="").check()  # ConfigurationError
        """
        if not self.token.strip():
            raise ConfigurationError(
                f"{provider}: setting 'token' must not be empty", provider=provider
            )
        if not _GRAPH_ID.fullmatch(self.phone_number_id):
            raise ConfigurationError(
                f"{provider}: setting 'phone_number_id' must be the numeric Graph id of the "
                "business phone number (not the phone number itself)",
                provider=provider,
            )
        for number in self.senders()[1:]:
            if not _GRAPH_ID.fullmatch(number):
                raise ConfigurationError(
                    f"{provider}: setting 'phone_number_ids' must hold numeric Graph ids of "
                    f"business phone numbers, got {number[:30]!r}",
                    provider=provider,
                )
        if not _VERSION.fullmatch(self.api_version):
            raise ConfigurationError(
                f"{provider}: setting 'api_version' must look like 'v26.0', "
                f"got {self.api_version!r}",
                provider=provider,
            )
        if (
            isinstance(self.flow_cta_max, bool)
            or not isinstance(self.flow_cta_max, int)
            or not FLOW_CTA_MAX <= self.flow_cta_max <= FLOW_CTA_SPEC_MAX
        ):
            raise ConfigurationError(
                f"{provider}: setting 'flow_cta_max' must be {FLOW_CTA_MAX} to "
                f"{FLOW_CTA_SPEC_MAX} (Meta's sources say 20, or advise 30)",
                provider=provider,
            )
        if self.waba_id is not None and not _GRAPH_ID.fullmatch(self.waba_id):
            raise ConfigurationError(
                f"{provider}: setting 'waba_id' must be the numeric WhatsApp Business Account id",
                provider=provider,
            )
