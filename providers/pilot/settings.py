"""Pilot Status settings: which key authenticates, where to send, how to sign webhooks.

Exactly one of ``api_key`` (sent as ``x-api-key``) or ``api_key_id`` (sent as
``x-api-key-id``) is required; ``PilotProvider`` checks that at construction.

Example::

    PilotSettings(api_key="ps_live_...", webhook_secret="plwh_...")
    # repr: PilotSettings(api_key='***', api_key_id=None, ..., webhook_secret='***', ...)
"""

from __future__ import annotations

from typing import ClassVar, Literal

from whatsapp_async.provider import Settings

__all__ = ["DEFAULT_BUTTON_LABEL_KEY", "ButtonLabelKey", "NumberKind", "PilotSettings"]

ButtonLabelKey = Literal["displayText", "label"]
"""The JSON key that carries a button's visible text (the sources disagree, see below)."""

NumberKind = Literal["meta", "web"]
"""What backs the sending number: Meta's Cloud API, or an unofficial ("Pilot Status web")
WhatsApp session. Only Meta-backed numbers accept base64 (inline) media."""

DEFAULT_BUTTON_LABEL_KEY: ButtonLabelKey = "displayText"
"""``displayText`` is what the public send documentation (the API contract itself) names,
in every example of every button type; only the typed dict of the official SDK 1.15.0 says
``label``. A documented field is the safer default for a request other clients also make;
set ``button_label_key="label"`` if your account turns out to follow the SDK."""


class PilotSettings(Settings, frozen=True):
    """Settings of the ``pilot`` provider (credentials are redacted in every repr).

    - ``api_key`` / ``api_key_id``: exactly one; number-scoped keys send messages
    - ``base_url``: default ``https://pilotstatus.com.br`` (paths ``/v1/...``)
    - ``webhook_secret`` / ``webhook_secrets``: webhook signing secret(s); several
      are accepted during a rotation
    - ``button_label_key``: ``"displayText"`` (default) or ``"label"``
    - ``whatsapp_number_id``: sent as ``x-whatsapp-number-id`` when set (the default sender)
    - ``whatsapp_number_ids``: more numbers the key may send from, named per send with
      ``sender=`` (each sent as ``x-whatsapp-number-id``; a comma-separated string from the
      environment); needs ``whatsapp_number_id``
    - ``number_kind``: ``"meta"`` (a Cloud API number), ``"web"`` (an unofficial "Pilot
      Status web" number: ``file=`` media raises ``UnsupportedFeature`` since base64 is
      not accepted there) or None (unknown: files are sent inline and Pilot decides)

    Example::

        WhatsApp("pilot", api_key="ps_...", webhook_secrets=["plwh_new", "plwh_old"])
    """

    api_key: str | None = None
    api_key_id: str | None = None
    base_url: str | None = None
    webhook_secret: str | None = None
    webhook_secrets: tuple[str, ...] = ()
    button_label_key: ButtonLabelKey = DEFAULT_BUTTON_LABEL_KEY
    whatsapp_number_id: str | None = None
    whatsapp_number_ids: tuple[str, ...] | str = ()
    number_kind: NumberKind | None = None

    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"api_key", "api_key_id", "webhook_secret", "webhook_secrets"}
    )

    def senders(self) -> tuple[str, ...]:
        """The number ids ``sender=`` may name, ``whatsapp_number_id`` first (empty without it).

        Example::

            PilotSettings(api_key="k", whatsapp_number_id="n1",
                          whatsapp_number_ids="n2").senders()  # ('n1', 'n2')
        """
        if self.whatsapp_number_id is None:
            return ()
        extra = self.whatsapp_number_ids
        out = [self.whatsapp_number_id]
        for value in extra.split(",") if isinstance(extra, str) else extra:
            number = value.strip()
            if number and number not in out:
                out.append(number)
        return tuple(out)

    def signing_secrets(self) -> list[str]:
        """Every configured webhook secret, newest setting first, blanks dropped.

        Example::

            PilotSettings(api_key="k", webhook_secrets=("a", "b")).signing_secrets()  # ['a', 'b']
        """
        candidates = [self.webhook_secret, *self.webhook_secrets]
        return [s for s in candidates if isinstance(s, str) and s.strip()]
